import { STATUS_CODES } from 'node:http';
import { isGrpcServiceError } from '@temporalio/client';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../domain/validation';

/** An answer the service gives on purpose: the status and the exact JSON body the caller sees. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: { error: string } & Record<string, unknown>,
  ) {
    super(body.error);
    this.name = 'HttpError';
  }
}

export const invalidRequest = (what: string, fields: FieldError[]) =>
  new HttpError(400, { error: `invalid ${what}`, fields });
export const unauthorized = (message: string) => new HttpError(401, { error: message });
export const notFound = (message: string) => new HttpError(404, { error: message });
export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new HttpError(409, { error: message, ...details });
/** A caller that keeps presenting wrong keys: refused unchecked until its window ends (Retry-After). */
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new HttpError(429, { error: message, retryAfterSeconds });
export const unsupportedMediaType = () =>
  new HttpError(415, { error: 'body must be JSON (Content-Type: application/json)' });

/**
 * gRPC status codes (@grpc/grpc-js `status`; by number, as grpc-js is not our dependency). A call that
 * runs out of its `withDeadline` surfaces as CANCELLED through the SDK's retry interceptor (seen with
 * a status query and no worker), and the service never cancels calls otherwise.
 */
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
const RETRY_LATER_CODES: readonly number[] = [GRPC_CANCELLED, GRPC_DEADLINE_EXCEEDED, GRPC_UNAVAILABLE];

/** Temporal could not be reached or did not answer in time: worth a retry by the caller, not a bug. */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && RETRY_LATER_CODES.includes(e.code)) return true;
  }
  return false;
}

/**
 * The one place an error becomes an answer and a log line. Callers get a message that names the fix
 * for their own mistakes and nothing but a request id for ours; the log gets the detail, once.
 * 4xx are logged without the error object: fastify's and zod's messages may quote the body, and the
 * body can hold guest contact details.
 */
export function createErrorHandler(
  options: { bodyLimitBytes: number },
  /** How the answer is sent; JSON unless a part of the service answers in its own format (the ops page's HTML). */
  send: (reply: FastifyReply, statusCode: number, body: { error: string } & Record<string, unknown>) => FastifyReply = (
    reply,
    statusCode,
    body,
  ) => reply.code(statusCode).send(body),
) {
  /** A route may allow more than the service's default (FareHarbor's webhook does): say its own limit. */
  const fastifyClientErrors = (bodyLimitBytes: number): Record<string, [number, string]> => ({
    FST_ERR_CTP_BODY_TOO_LARGE: [413, `body must be at most ${bodyLimitBytes} bytes`],
    FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'body must be JSON (Content-Type: application/json)'],
    FST_ERR_CTP_INVALID_JSON_BODY: [400, 'body is not valid JSON'],
    FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'body is not valid JSON'],
  });

  return function errorHandler(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
    const limit = request.routeOptions.bodyLimit ?? options.bodyLimitBytes;
    const [statusCode, body] = answerFor(err, request.id, fastifyClientErrors(limit));
    if (statusCode >= 500) {
      request.log.error({ err, statusCode }, 'request failed');
      if (statusCode === 503) void reply.header('retry-after', '5');
    } else if (statusCode === 429) {
      // A flood of refusals must not become a flood of log lines: they are counted, not told one by one.
      void reply.header('retry-after', String(body.retryAfterSeconds ?? 60));
      request.log.debug({ statusCode }, 'request refused: too many wrong keys');
    } else {
      // Field paths only: a message is safe today, but the path is what ops need to find the fix.
      const fields = Array.isArray(body.fields) ? (body.fields as FieldError[]).map((f) => f.path) : undefined;
      request.log.info(
        { statusCode, code: (err as FastifyError).code, answer: body.error, fields },
        'request rejected',
      );
    }
    return send(reply, statusCode, body);
  };
}

function answerFor(
  err: FastifyError | Error,
  requestId: string,
  fastifyClientErrors: Record<string, [number, string]>,
): [number, { error: string } & Record<string, unknown>] {
  if (err instanceof HttpError) return [err.statusCode, err.body];
  const code = (err as FastifyError).code;
  const known = code === undefined ? undefined : fastifyClientErrors[code];
  if (known) return [known[0], { error: known[1] }];
  const statusCode = (err as FastifyError).statusCode;
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return [statusCode, { error: (STATUS_CODES[statusCode] ?? 'bad request').toLowerCase() }];
  }
  if (isTemporalUnavailable(err)) return [503, { error: 'temporarily unavailable', requestId }];
  return [500, { error: 'internal error', requestId }];
}

/** Unknown paths and methods: a 404 in the same shape as every other answer. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  request.log.info({ statusCode: 404 }, 'no such route');
  return reply.code(404).send({ error: 'not found' });
}
