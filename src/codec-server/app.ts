import { createHash, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PayloadDecryptionError } from '../codec/encryption-codec';
import { fieldErrors } from '../domain/validation';
import { loggerOptions, type ServiceLoggerOptions } from '../service/log';

/** A workflow page's history can hold many payloads of up to 2 MB each (Temporal's own limit). */
export const CODEC_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
/** What the Temporal UI and CLI send: the namespace, JSON, and the viewer's token when configured. */
export const CODEC_ALLOWED_HEADERS = ['X-Namespace', 'Content-Type', 'Authorization'];

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The one origin (the Temporal UI's) a browser may call from; none: only non-browser callers (the CLI). */
  corsOrigin?: string;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  authToken?: string;
  logger?: ServiceLoggerOptions | false;
}

/** Temporal's codec-server protocol: proto3 JSON payloads, so every metadata value and the data are base64. */
const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const PayloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), Base64).nullish(), data: Base64.nullish() }).loose()),
});
type JsonPayload = z.infer<typeof PayloadsBody>['payloads'][number];

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(data ?? '', 'base64'),
  };
}

function toJson({ metadata, data }: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
    ),
    data: Buffer.from(data ?? []).toString('base64'),
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The codec server: `POST /encode` and `POST /decode` (also under a namespace segment,
 * `/{namespace}/decode`, for the CLI's templated endpoint). A browser may call it only from the
 * configured Temporal UI origin; a request from any other origin is refused before it is decoded.
 */
export function buildCodecServer(options: CodecServerOptions): FastifyInstance {
  const app = Fastify({ logger: loggerOptions(options.logger), bodyLimit: CODEC_BODY_LIMIT_BYTES });
  const expectedToken = options.authToken ? digest(`Bearer ${options.authToken}`) : undefined;

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin !== undefined) {
      void reply.header('vary', 'Origin');
      if (origin !== options.corsOrigin)
        return reply.code(403).send({ error: 'this origin may not use the codec server' });
      void reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true');
      if (request.method === 'OPTIONS') {
        return reply
          .code(204)
          .header('access-control-allow-methods', 'POST')
          .header('access-control-allow-headers', CODEC_ALLOWED_HEADERS.join(', '))
          .header('access-control-max-age', '600')
          .send();
      }
    }
    if (expectedToken && !tokenMatches(request, expectedToken)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a bearer token is required' });
    }
  });

  const handle =
    (run: (payloads: Payload[]) => Promise<Payload[]>) => async (request: FastifyRequest, reply: FastifyReply) => {
      const body = PayloadsBody.safeParse(request.body);
      if (!body.success)
        return reply.code(400).send({ error: 'expected {payloads: [...]}', fields: fieldErrors(body.error.issues) });
      try {
        return { payloads: (await run(body.data.payloads.map(fromJson))).map(toJson) };
      } catch (err) {
        if (err instanceof PayloadDecryptionError) return reply.code(400).send({ error: err.message });
        throw err;
      }
    };
  const encode = handle((payloads) => options.codec.encode(payloads));
  const decode = handle((payloads) => options.codec.decode(payloads));
  app.post('/encode', encode);
  app.post('/decode', decode);
  app.post('/:namespace/encode', encode);
  app.post('/:namespace/decode', decode);
  app.get('/healthz', async () => ({ ok: true }));
  return app;
}

function tokenMatches(request: FastifyRequest, expected: Buffer): boolean {
  const given = request.headers.authorization;
  return typeof given === 'string' && timingSafeEqual(digest(given), expected);
}
