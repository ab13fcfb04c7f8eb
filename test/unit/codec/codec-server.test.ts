import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../../src/codec/encryption-codec';
import { buildCodecServer } from '../../../src/codec-server/app';
import { testPayloadKeys } from '../../support/codec';

const UI = 'http://127.0.0.1:8233';
const TOKEN = 'codec-test-token-3f9a1c';
const codec = new EncryptionCodec(testPayloadKeys());
const app = buildCodecServer({ codec, corsOrigin: UI, authToken: TOKEN, logger: false });
let port: number;
beforeAll(async () => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(() => app.close());

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  json(): { payloads: { metadata: Record<string, string>; data: string }[]; error?: string };
}

/** Over loopback with node:http, which (unlike fetch) sends an Origin header as given. */
function send(o: {
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = o.payload === undefined ? undefined : JSON.stringify(o.payload);
    const req = request({ host: '127.0.0.1', port, method: o.method, path: o.url, headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
const plainJson = (value: unknown) => {
  const payload = defaultPayloadConverter.toPayload(value);
  return { metadata: { encoding: b64(payload.metadata!.encoding) }, data: b64(payload.data) };
};
const post = (url: string, payloads: unknown[], headers: Record<string, string> = {}) =>
  send({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      'x-namespace': 'default',
      authorization: `Bearer ${TOKEN}`,
      ...headers,
    },
    payload: { payloads },
  });

test('encode then decode: the protocol is proto3 JSON, data and metadata values base64', async () => {
  const encoded = await post('/encode', [plainJson({ guest: 'Carole' })]);
  expect(encoded.statusCode).toBe(200);
  const [payload] = encoded.json().payloads;
  if (!payload) throw new Error('no payload in the answer');
  expect(Buffer.from(payload.metadata.encoding ?? '', 'base64').toString()).toBe('binary/encrypted');
  expect(Buffer.from(payload.metadata['encryption-key-id'] ?? '', 'base64').toString()).toBe('test-2026');
  // The CLI's templated endpoint puts the namespace in the path.
  const decoded = await post('/default/decode', [payload, plainJson('as it was')]);
  expect(decoded.statusCode).toBe(200);
  expect(decoded.json().payloads).toEqual([plainJson({ guest: 'Carole' }), plainJson('as it was')]);
});

test('the Temporal UI origin passes the preflight; its answers carry the CORS headers', async () => {
  const preflight = await send({
    method: 'OPTIONS',
    url: '/decode',
    headers: {
      origin: UI,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-namespace,authorization',
    },
  });
  expect(preflight.statusCode).toBe(204);
  expect(preflight.headers).toMatchObject({
    'access-control-allow-origin': UI,
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'X-Namespace, Content-Type, Authorization',
  });
  const res = await post('/decode', [], { origin: UI });
  expect(res.statusCode).toBe(200);
  expect(res.headers['access-control-allow-origin']).toBe(UI);
});

test('any other origin is refused, preflight or not, without CORS headers', async () => {
  for (const res of [
    await send({ method: 'OPTIONS', url: '/decode', headers: { origin: 'https://evil.example' } }),
    await post('/decode', [], { origin: 'https://evil.example' }),
    await post('/decode', [], { origin: 'http://127.0.0.1:8234' }),
  ]) {
    expect(res.statusCode).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  }
});

test('a missing or wrong bearer token is 401', async () => {
  expect((await post('/decode', [], { authorization: '' })).statusCode).toBe(401);
  expect((await post('/decode', [], { authorization: `Bearer ${TOKEN}x` })).statusCode).toBe(401);
  const res = await post('/decode', [], { authorization: TOKEN });
  expect(res.statusCode).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Bearer');
});

test('a body that is not {payloads} is 400; a payload it cannot decrypt is 400 with the reason', async () => {
  expect((await post('/decode', [{ data: 'not base64!' }])).statusCode).toBe(400);
  const foreign = await new EncryptionCodec([{ id: 'elsewhere', key: Buffer.alloc(32, 9) }]).encode([
    defaultPayloadConverter.toPayload('x'),
  ]);
  const res = await post(
    '/decode',
    foreign.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, b64(v)])),
      data: b64(p.data),
    })),
  );
  expect(res.statusCode).toBe(400);
  expect(res.json().error).toContain('key id "elsewhere", which PAYLOAD_KEYS does not hold');
});
