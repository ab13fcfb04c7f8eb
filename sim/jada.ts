import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { JadaEvent } from '../src/clients/jada';
import {
  Faults,
  IdempotencyKeys,
  headerValue,
  invalidBody,
  jsonServer,
  listen,
  requiredText,
  stopServer,
  type SimReply,
  type SimRequest,
} from './faults';

export interface JadaSimOptions {
  /** The dashboard token the stand-in accepts in X-Dashboard-Token. */
  token: string;
  port?: number;
}

export interface JadaSim {
  url: string;
  events: JadaEvent[];
  counters: { created: number; requests: number };
  faults: Faults;
  stop(): Promise<void>;
}

const EVENTS_PATH = '/calendar/events';

const NewEventSchema = z.object({
  title: requiredText,
  start: requiredText,
  end: requiredText,
  notes: z.string().optional(),
  externalId: requiredText,
});

/** Local JADA calendar API: same paths, header and answers as DESIGN.md's contract. */
export async function startJadaSim(options: JadaSimOptions): Promise<JadaSim> {
  const events: JadaEvent[] = [];
  const counters = { created: 0, requests: 0 };
  const faults = new Faults();
  const keys = new IdempotencyKeys();
  // Digests have equal length whatever was sent, so timingSafeEqual neither throws nor leaks the length.
  const expected = createHash('sha256').update(options.token).digest();
  const authorized = (sent: string | undefined): boolean =>
    sent !== undefined && timingSafeEqual(createHash('sha256').update(sent).digest(), expected);

  const handle = (req: SimRequest): SimReply => {
    if (!authorized(headerValue(req.headers, 'x-dashboard-token'))) {
      return { status: 401, body: { error: 'invalid or missing dashboard token' } };
    }
    if (req.method === 'GET') {
      const externalId = req.url.searchParams.get('externalId');
      return {
        status: 200,
        body: { events: events.filter((e) => externalId === null || e.externalId === externalId) },
      };
    }
    if (req.method === 'POST') return keys.once(headerValue(req.headers, 'idempotency-key'), () => create(req.body));
    return { status: 405, body: { error: `${req.method} not allowed` }, headers: { allow: 'GET, POST' } };
  };

  const create = (body: unknown): SimReply => {
    const parsed = NewEventSchema.safeParse(body);
    if (!parsed.success) return invalidBody(parsed.error);
    const event: JadaEvent = { id: `cal_${events.length + 1}`, ...parsed.data };
    events.push(event);
    counters.created++;
    return { status: 201, body: event };
  };

  const server = jsonServer(async (req) => {
    if (req.url.pathname !== EVENTS_PATH) return { status: 404, body: { error: `no route ${req.url.pathname}` } };
    counters.requests++;
    return faults.apply(() => handle(req));
  });
  const url = await listen(server, options.port);

  return {
    url,
    events,
    counters,
    faults,
    async stop() {
      faults.reset();
      await stopServer(server);
    },
  };
}
