import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/** pino options as fastify takes them (including `stream`, which tests use to capture lines). */
export type ServiceLoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/**
 * Where a secret or a guest's contact details could end up in a log line. Bodies are never logged,
 * but a future `log.info({ booking })` or an error carrying a request should still not leak them:
 * pino has no recursive wildcard, so the likely depths are listed.
 */
export const REDACTED_PATHS = [
  'req.headers["x-service-key"]',
  'req.headers.authorization',
  'headers["x-service-key"]',
  'headers.authorization',
  '*.headers["x-service-key"]',
  '*.headers.authorization',
  'body',
  '*.body',
  'email',
  'phone',
  '*.email',
  '*.phone',
  '*.*.email',
  '*.*.phone',
];

/**
 * A channel's secret is a path segment (FareHarbor sends no headers): it never reaches a log line.
 * Neither does the query of an ops page URL: its GET forms (find a booking) put what was typed there.
 */
export function redactUrl(url: string): string {
  const masked = url.replace(/(\/channels\/[^/?#]+\/)[^/?#]*/, '$1[redacted]');
  return masked.startsWith('/ops/') ? masked.replace(/\?.*$/s, '?[redacted]') : masked;
}

/** fastify's request serializer, with the URL's channel secret masked; anything else logged as `req` stays as it is. */
function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  if (typeof req?.url !== 'string') return req as unknown as Record<string, unknown>;
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** JSON lines with redaction; `false` silences the service (tests that only look at answers). */
export function loggerOptions(options: ServiceLoggerOptions | false | undefined): ServiceLoggerOptions | false {
  if (options === false) return false;
  const base = options ?? { level: 'info' };
  return {
    ...base,
    serializers: { req: serializeRequest, ...base.serializers },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Keeps a caller's X-Request-Id so one id follows a delivery through their logs and ours, but only
 * when it is short and plain: it lands in every log line of the request and in error answers.
 */
export function requestId(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}
