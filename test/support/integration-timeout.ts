// Integration tests wait on real servers, retries with backoff and crew deadlines.
jest.setTimeout(120_000);
