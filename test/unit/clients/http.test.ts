import { createServer, type Server } from 'node:http';
import { z } from 'zod';
import { ExternalAuthError, ExternalRejectedError, ExternalUnavailableError } from '../../../src/clients/errors';
import { clientFailure } from '../../../activities/failures';
import { requestJson } from '../../../src/clients/http';
import { listen, stopServer } from '../../../sim';

const SECRET = 'secret-credential-value-123';

/** Answers whatever the test path asks for: /status/<code>?body=<text>&location=<url>. */
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const status = Number(url.pathname.split('/')[2] ?? '200');
    const location = url.searchParams.get('location');
    res.writeHead(status, location ? { location } : {});
    res.end(url.searchParams.get('body') ?? '');
  });
  baseUrl = await listen(server);
});

afterAll(() => stopServer(server));

function call(path: string): Promise<{ ok: boolean }> {
  return requestJson({
    system: 'JADA',
    method: 'GET',
    url: `${baseUrl}${path}`,
    headers: { 'X-Dashboard-Token': SECRET },
    schema: z.object({ ok: z.boolean() }),
    authError: (status) => new ExternalAuthError('JADA', `auth ${status}`, status),
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`rejected with a non-Error: ${String(err)}`);
  }
  throw new Error('expected a rejection');
}

describe('requestJson', () => {
  it('returns a body that matches the schema', async () => {
    await expect(call(`/status/200?body=${encodeURIComponent('{"ok":true}')}`)).resolves.toEqual({ ok: true });
  });

  it('treats a success it cannot read as the system being unavailable', async () => {
    const err = await rejection(call('/status/200?body=<html>captive portal</html>'));
    expect(err).toBeInstanceOf(ExternalUnavailableError);
    expect(err.message).toContain('not the expected JSON');
  });

  it('redacts the credential from body excerpts and keeps them at most 300 characters', async () => {
    const body = `echo ${SECRET} ${'x'.repeat(1000)}`;
    const err = await rejection(call(`/status/422?body=${encodeURIComponent(body)}`));
    expect(err).toBeInstanceOf(ExternalRejectedError);
    expect(err.message).not.toContain(SECRET);
    expect(err.message).toContain('[redacted]');
    const excerpt = err.message.slice(err.message.indexOf('echo'));
    expect(excerpt.length).toBeLessThanOrEqual(300);
  });

  it('does not follow a redirect, which would carry the credential elsewhere', async () => {
    const err = await rejection(call('/status/302?location=https://elsewhere.example/'));
    expect(err).toBeInstanceOf(ExternalRejectedError);
    expect(err.message).toContain('https://elsewhere.example/');
    expect(clientFailure(err, 'a call').nonRetryable).toBe(true);
  });

  it.each([408, 429, 502])('retries %i', async (status) => {
    const err = await rejection(call(`/status/${status}`));
    expect(err).toBeInstanceOf(ExternalUnavailableError);
    expect(err).toMatchObject({ status, retryable: true });
  });

  it('uses the authError classifier for 401 and 403', async () => {
    for (const status of [401, 403]) {
      const err = await rejection(call(`/status/${status}`));
      expect(err).toMatchObject({ message: `auth ${status}`, retryable: false });
    }
  });
});

describe('error classification', () => {
  it("keeps Temporal's default (retry) for errors that are not ours", () => {
    expect(clientFailure(new TypeError('bug'), 'a call').nonRetryable).toBe(false);
    expect(clientFailure(new TypeError('bug'), 'a call').type).toBe('UnexpectedError');
    expect(clientFailure('a string', 'a call').message).toBe('a call: a string');
  });
});
