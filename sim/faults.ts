import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/**
 * What every local stand-in shares: injected faults on its API, and the plumbing of a small JSON API
 * server on 127.0.0.1. Faults let tests prove retries and idempotency against real HTTP.
 */

export type Fault = { kind: 'fail'; status: number } | { kind: 'hang'; ms: number };

export interface SimRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when absent or not JSON (stand-ins answer 400 on their own terms). */
  body: unknown;
}

export interface SimReply {
  status: number;
  /** JSON; undefined sends no body (a 204). */
  body: unknown;
  headers?: Record<string, string>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Faults drawn at random for each request, as a flaky network and overloaded servers give them: a
 * share fail at once, a share do their work and answer late. Seeded, so a run can be repeated.
 */
export interface RandomFaultOptions {
  failRate: number;
  hangRate: number;
  /** How late a hung answer comes: past the client's timeout, its answer is lost. */
  hangMs: number;
  /** The status a failed request answers (500 unless given). */
  status?: number;
  seed?: number;
}

export class RandomFaults {
  private state: number;
  /** What was injected, for a test's report. */
  readonly injected = { fail: 0, hang: 0 };

  constructor(private readonly options: RandomFaultOptions) {
    this.state = options.seed ?? 0x9e3779b9;
  }

  next(): Fault | undefined {
    const draw = this.random();
    if (draw < this.options.failRate) {
      this.injected.fail += 1;
      return { kind: 'fail', status: this.options.status ?? 500 };
    }
    if (draw < this.options.failRate + this.options.hangRate) {
      this.injected.hang += 1;
      return { kind: 'hang', ms: this.options.hangMs };
    }
    return undefined;
  }

  /** mulberry32: a small seeded generator, good enough to spread faults. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

export class Faults {
  private readonly queue: Fault[] = [];
  private readonly held = new Set<() => void>();
  /** Set by atRandom(): faults for requests that no queued fault claims. */
  random?: RandomFaults;

  /** From now on, every request without a queued fault may fail or hang at random. */
  atRandom(options: RandomFaultOptions): RandomFaults {
    this.random = new RandomFaults(options);
    return this.random;
  }

  /** The next n API requests answer `status` without doing anything. */
  failNext(n: number, status = 500): void {
    for (let i = 0; i < n; i++) this.queue.push({ kind: 'fail', status });
  }

  /**
   * The next n API requests do their work, then hold the answer for `ms`: a client that gives up
   * sooner sees a timeout although the effect happened.
   */
  hangNext(n: number, ms: number): void {
    for (let i = 0; i < n; i++) this.queue.push({ kind: 'hang', ms });
  }

  /** Forgets queued faults and answers held requests now, so a stand-in can stop without waiting. */
  reset(): void {
    this.queue.length = 0;
    this.random = undefined;
    for (const release of [...this.held]) release();
  }

  /** Runs one API request through the next queued fault, in the order the faults were queued. */
  async apply(work: () => SimReply | Promise<SimReply>): Promise<SimReply> {
    const fault = this.queue.shift() ?? this.random?.next();
    if (fault?.kind === 'fail') return { status: fault.status, body: { error: `injected fault (${fault.status})` } };
    const reply = await work();
    if (fault?.kind === 'hang') await this.hold(fault.ms);
    return reply;
  }

  private hold(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        this.held.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.held.add(release);
    });
  }
}

/**
 * The Idempotency-Key contract of the operator's APIs (DESIGN.md): a mutating request repeated with
 * the same key gets the answer the first one got, and nothing happens twice. Requests without a key
 * are done every time, as by a deployment that lacks the header. A key sent again with another
 * request (method, path or body) is refused with 422, as the IETF Idempotency-Key draft has it: a
 * caller whose key does not change with what it asks (a revision that was not bumped) learns at once,
 * rather than getting the old answer for a change that was never made.
 */
export class IdempotencyKeys {
  private readonly replies = new Map<string, { request: string; reply: SimReply }>();
  /** How many requests were answered from a key seen before. */
  replayed = 0;

  once(req: SimRequest, work: () => SimReply): SimReply {
    const key = headerValue(req.headers, 'idempotency-key');
    if (key === undefined) return work();
    const request = `${req.method} ${req.url.pathname} ${JSON.stringify(req.body)}`;
    const seen = this.replies.get(key);
    if (seen) {
      if (seen.request !== request) {
        return { status: 422, body: { error: 'Idempotency-Key was used before for another request' } };
      }
      this.replayed += 1;
      return seen.reply;
    }
    const reply = work();
    // Only a success is kept: a request refused for its body may be sent again, corrected.
    if (reply.status < 300) this.replies.set(key, { request, reply });
    return reply;
  }
}

/**
 * How a deployment without an endpoint answers: no such route (404), not this method (405, with the
 * methods it does take), or not implemented (501).
 */
export type MissingEndpointStatus = 404 | 405 | 501;

export function missingEndpoint(status: MissingEndpointStatus, allow: string): SimReply {
  if (status === 405) return { status, body: { error: 'method not allowed' }, headers: { allow } };
  return { status, body: { error: status === 404 ? 'not found' : 'not implemented' } };
}

/** A server whose handler sees parsed JSON and answers with a SimReply; a throwing handler answers 500. */
export function jsonServer(handle: (req: SimRequest) => Promise<SimReply>): Server {
  return createServer((req, res) => {
    const send = ({ status, body, headers }: SimReply): void => {
      if (body === undefined) {
        res.writeHead(status, { ...headers });
        return void res.end();
      }
      const payload = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(payload),
        ...headers,
      });
      res.end(payload);
    };
    readBody(req, MAX_BODY_BYTES)
      .then(async (raw) => {
        if (raw === undefined) return send({ status: 413, body: { error: `body exceeds ${MAX_BODY_BYTES} bytes` } });
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        send(await handle({ method: req.method ?? 'GET', url, headers: req.headers, body: parseJson(raw) }));
      })
      .catch((err: unknown) => {
        if (!res.headersSent) send({ status: 500, body: { error: `stand-in failed: ${String(err)}` } });
        else res.destroy();
      });
  });
}

/** Listens on 127.0.0.1 (port 0: the kernel picks one) and returns the base URL. */
export function listen(server: Server, port = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

/** Closes the server and its keep-alive connections; stopping twice is harmless. */
export function stopServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/** A request header as one string, or undefined when absent. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

/** A required text field of a stand-in's request body. */
export const requiredText = z.string().regex(/\S/, 'must not be blank');

/** 400 listing every offending field, so the client's error says what to fix. */
export function invalidBody(error: z.ZodError): SimReply {
  const fields = [
    ...new Set(
      error.issues.flatMap((issue) =>
        // A field the contract does not have (a strict schema) is named itself, not its parent.
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => [...issue.path, key].join('.'))
          : [issue.path.join('.') || '(body)'],
      ),
    ),
  ];
  return { status: 400, body: { error: 'missing or invalid fields', fields } };
}

/** undefined when over `maxBytes`; the rest is still read (and dropped) so a 413 reaches the client. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  return size > maxBytes ? undefined : Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
