import { createServer, type Server } from 'node:http';
import { z } from 'zod';
import { ExternalAuthError, ExternalRejectedError, ExternalUnavailableError } from '../../../src/clients/errors';
import { clientFailure } from '../../../activities/failures';
import { JsonApi, requestJson } from '../../../src/clients/http';
import { listen, stopServer } from '../../../sim';

const SECRET = 'secret-credential-value-123';

/** Answers whatever the test path asks for: /status/<code>?body=<text>&location=<url>. */
let server: Server;
let baseUrl: string;
let seen: { method?: string; idempotencyKey?: string | string[] }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({ method: req.method, idempotencyKey: req.headers['idempotency-key'] });
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

describe('JsonApi.optional: endpoints a deployment may lack', () => {
  const api = () =>
    new JsonApi({
      system: 'SCC',
      baseUrl,
      credential: { header: 'X-Service-Key', name: 'service key', value: SECRET, fix: 'check the key' },
    });
  const optional = (status: number, method: 'PATCH' | 'DELETE' | 'POST' = 'PATCH') =>
    api().optional({
      method,
      path: `/status/${status}?body=${encodeURIComponent('{"ok":true}')}`,
      body: { any: 'thing' },
      schema: z.object({ ok: z.boolean() }),
      idempotencyKey: 'wf-1:step:2',
    });

  it.each([404, 405, 501])('reads %i as "not supported", not as an error', async (status) => {
    await expect(optional(status)).resolves.toEqual({ outcome: 'not-supported', status });
    await expect(optional(status, 'DELETE')).resolves.toEqual({ outcome: 'not-supported', status });
    await expect(optional(status, 'POST')).resolves.toEqual({ outcome: 'not-supported', status });
  });

  it('answers what the endpoint answered, and sends the Idempotency-Key', async () => {
    seen = [];
    await expect(optional(200)).resolves.toEqual({ outcome: 'done', answer: { ok: true } });
    expect(seen).toEqual([{ method: 'PATCH', idempotencyKey: 'wf-1:step:2' }]);
  });

  it.each([401, 403])('keeps %i an auth error', async (status) => {
    const err = await rejection(optional(status));
    expect(err).toBeInstanceOf(ExternalAuthError);
    expect(err).toMatchObject({ status, retryable: false });
  });

  it.each([400, 409, 422])('keeps %i a rejection', async (status) => {
    const err = await rejection(optional(status));
    expect(err).toBeInstanceOf(ExternalRejectedError);
    expect(err).toMatchObject({ status, retryable: false });
  });

  it.each([500, 502, 503, 408, 429])('keeps %i retryable', async (status) => {
    const err = await rejection(optional(status));
    expect(err).toBeInstanceOf(ExternalUnavailableError);
    expect(err).toMatchObject({ status, retryable: true });
  });

  it('keeps an unreachable server retryable', async () => {
    const gone = new JsonApi({
      system: 'JADA',
      baseUrl: 'http://127.0.0.1:9',
      credential: { header: 'X-Dashboard-Token', name: 'token', value: SECRET, fix: 'check it' },
    });
    const err = await rejection(gone.optional({ method: 'DELETE', path: '/x', schema: z.unknown() }));
    expect(err).toBeInstanceOf(ExternalUnavailableError);
  });
});

describe('a success answer that does not fit', () => {
  it('names the fields that do not fit and never quotes the JSON, which may hold magic links', async () => {
    const link = 'https://scc.example/m/secret-magic-token-abc';
    const err = await rejection(call(`/status/200?body=${encodeURIComponent(JSON.stringify({ ok: link }))}`));
    expect(err).toBeInstanceOf(ExternalUnavailableError);
    expect(err.message).toContain('fields ok do not fit');
    expect(err.message).not.toContain('secret-magic-token');
  });
});

describe('error classification', () => {
  it("keeps Temporal's default (retry) for errors that are not ours", () => {
    expect(clientFailure(new TypeError('bug'), 'a call').nonRetryable).toBe(false);
    expect(clientFailure(new TypeError('bug'), 'a call').type).toBe('UnexpectedError');
    expect(clientFailure('a string', 'a call').message).toBe('a call: a string');
  });
});
