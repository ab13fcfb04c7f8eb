import type { z } from 'zod';
import { HTTP_CALL, type CallOptions } from '../domain/time-budgets';
import {
  ExternalAuthError,
  ExternalError,
  ExternalRejectedError,
  ExternalUnavailableError,
  type ExternalSystem,
} from './errors';

const EXCERPT_MAX = 300;

/**
 * How a deployment says it lacks an optional endpoint (DESIGN.md, "External systems"): no such route
 * (404), not this method (405), not implemented (501). A 404 cannot tell a missing route from a
 * missing event; both leave the change to ops, which is the fallback either way.
 */
const LACKS_ENDPOINT: ReadonlySet<number> = new Set([404, 405, 501]);

/** An optional endpoint this deployment lacks: an answer for the caller to act on, not a failure. */
export interface NotSupported {
  outcome: 'not-supported';
  /** What the system answered (404, 405 or 501), for the log line that tells ops. */
  status: number;
}

/** A mutating call: the same key on every attempt (DESIGN.md: workflow ID + step + revision). */
export interface MutationOptions extends CallOptions {
  idempotencyKey: string;
}

export interface JsonRequest<T> {
  system: ExternalSystem;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  /** Credential headers: their values are redacted from any response excerpt that reaches a message. */
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  /**
   * The caller giving up (Temporal cancelled or timed out the activity attempt): the request is
   * aborted at once, so an attempt Temporal has given up on stops before the next one starts.
   */
  signal?: AbortSignal;
  /** Shape of a successful answer; anything else counts as the system misbehaving (retryable). */
  schema: z.ZodType<T>;
  /** Turns a 401/403 into the error that tells ops what to fix (SCC tells a stripped key from a wrong one). */
  authError: (status: number, headers: Headers) => ExternalError;
}

/**
 * Refuses a credential that fetch would reject as a header value: fetch's own error quotes the value,
 * which would put the secret into a failure message. `fix` tells ops which setting to correct.
 */
export function assertHeaderValue(system: ExternalSystem, value: string, fix: string): void {
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new ExternalAuthError(
      system,
      `${system} credential is empty or has characters a header cannot carry (spaces, newlines, non-ASCII): ${fix}`,
    );
  }
}

export interface JsonApiOptions {
  system: ExternalSystem;
  baseUrl: string;
  /**
   * The one credential header the system checks: what it is called in messages ("dashboard token"),
   * and what ops must fix when it is refused or unusable.
   */
  credential: { header: string; name: string; value: string; fix: string };
  timeoutMs?: number;
  /** A system's own reading of a 401/403 (SCC tells a stripped key from a wrong one); else "rejected the credential". */
  diagnoseAuth?: (status: number, headers: Headers) => ExternalError | undefined;
}

/** One call through a JsonApi: the path under its base URL, and what a successful answer looks like. */
export interface ApiRequest<T> {
  method: JsonRequest<T>['method'];
  path: string;
  body?: unknown;
  schema: z.ZodType<T>;
  signal?: AbortSignal;
  /**
   * For a mutating call: the same key on every attempt (DESIGN.md: workflow ID + step + revision),
   * so a repeat of a call whose answer was lost changes nothing twice.
   */
  idempotencyKey?: string;
}

/** One external JSON API: its base URL, its credential header and what a refused credential means. */
export class JsonApi {
  private readonly baseUrl: string;

  constructor(private readonly options: JsonApiOptions) {
    assertHeaderValue(options.system, options.credential.value, options.credential.fix);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  request<T>(req: ApiRequest<T>): Promise<T> {
    const { system, credential, timeoutMs, diagnoseAuth } = this.options;
    return requestJson({
      system,
      method: req.method,
      url: `${this.baseUrl}${req.path}`,
      body: req.body,
      schema: req.schema,
      signal: req.signal,
      headers: {
        [credential.header]: credential.value,
        ...(req.idempotencyKey === undefined ? {} : { 'Idempotency-Key': req.idempotencyKey }),
      },
      timeoutMs,
      authError: (status, headers) =>
        diagnoseAuth?.(status, headers) ??
        new ExternalAuthError(
          system,
          `${system} rejected the ${credential.name} (${status}): ${credential.fix}`,
          status,
        ),
    });
  }

  /**
   * A call to an endpoint a deployment may lack (PATCH, DELETE, SCC's reminders): a 404, 405 or 501
   * is "not supported", for the caller to fall back on telling ops. Auth failures, other 4xx, 5xx and
   * timeouts are the errors `request` throws.
   */
  async optional<T>(req: ApiRequest<T>): Promise<{ outcome: 'done'; answer: T } | NotSupported> {
    try {
      return { outcome: 'done', answer: await this.request(req) };
    } catch (err) {
      if (err instanceof ExternalError && err.status !== undefined && LACKS_ENDPOINT.has(err.status)) {
        return { outcome: 'not-supported', status: err.status };
      }
      throw err;
    }
  }
}

export async function requestJson<T>(req: JsonRequest<T>): Promise<T> {
  const { system, method } = req;
  const target = new URL(req.url);
  // Origin and path only: never userinfo, and the query adds nothing for ops.
  const where = `${method} ${target.origin}${target.pathname}`;
  const timeoutMs = req.timeoutMs ?? HTTP_CALL.timeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);

  let res: Response;
  let text: string;
  try {
    res = await fetch(target, {
      method,
      headers: {
        accept: 'application/json',
        ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...req.headers,
      },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      // Following a redirect would send the credential header to wherever it points.
      redirect: 'manual',
      signal: req.signal ? AbortSignal.any([timeout, req.signal]) : timeout,
    });
    text = await res.text();
  } catch (err) {
    // Cancelled by the caller: nothing to retry or report, the attempt is over.
    if (req.signal?.aborted) throw req.signal.reason ?? err;
    const timedOut = field(err, 'name') === 'TimeoutError';
    const detail = timedOut ? `no answer within ${timeoutMs} ms` : `unreachable (${networkCode(err)})`;
    throw new ExternalUnavailableError(system, `${system} ${detail}: ${where}`, undefined, { cause: err });
  }

  const { status } = res;
  const excerpt = safeExcerpt(text, Object.values(req.headers));
  if (status >= 200 && status < 300) {
    const json = parseJson(text);
    const parsed = req.schema.safeParse(json);
    if (parsed.success) return parsed.data;
    // A success answer may carry credentials (SCC's magic links), so JSON is described by the fields
    // that did not fit, never quoted; only a body that is not JSON at all (a proxy's page) is.
    const what = json === undefined ? excerpt : `fields ${issuePaths(parsed.error)} do not fit`;
    throw new ExternalUnavailableError(
      system,
      `${system} answered ${status} with a body that is not the expected JSON: ${where}: ${what}`,
      status,
    );
  }
  if (status >= 300 && status < 400) {
    const location = res.headers.get('location') ?? 'nowhere';
    throw new ExternalRejectedError(
      system,
      `${system} redirected ${where} (${status}) to ${location}: configure the URL it redirects to`,
      status,
    );
  }
  if (status === 401 || status === 403) throw req.authError(status, res.headers);
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    throw new ExternalRejectedError(system, `${system} rejected ${where} (${status}): ${excerpt}`, status);
  }
  throw new ExternalUnavailableError(system, `${system} answered ${status}: ${where}: ${excerpt}`, status);
}

function issuePaths(error: z.ZodError): string {
  return [...new Set(error.issues.map((issue) => issue.path.join('.') || '(body)'))].join(', ');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** fetch reports network failures as "fetch failed"; the useful part is the cause's code (ECONNREFUSED, ENOTFOUND). */
function networkCode(err: unknown): string {
  const code = field(field(err, 'cause'), 'code');
  return typeof code === 'string' ? code : 'network error';
}

/** Duck-typed: fetch's errors come from another realm under Jest (and in some bundlers), so `instanceof Error` fails. */
function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function safeExcerpt(text: string, secrets: string[]): string {
  let excerpt = text;
  for (const secret of secrets) if (secret) excerpt = excerpt.split(secret).join('[redacted]');
  excerpt = excerpt.replace(/[\x00-\x1f\x7f\s]+/g, ' ').trim();
  if (!excerpt) return '(empty body)';
  return excerpt.length > EXCERPT_MAX ? `${excerpt.slice(0, EXCERPT_MAX - 1)}…` : excerpt;
}
