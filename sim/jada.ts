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
  missingEndpoint,
  requiredText,
  stopServer,
  type MissingEndpointStatus,
  type SimReply,
  type SimRequest,
} from './faults';

export interface JadaSimOptions {
  /** The dashboard token the stand-in accepts in X-Dashboard-Token. */
  token: string;
  port?: number;
  /**
   * false: a deployment without PATCH and DELETE /calendar/events/{id}, which answer
   * `missingEndpointStatus` (404 unless given), for the "not supported" fallback. Default true.
   */
  lifecycleEndpoints?: boolean;
  missingEndpointStatus?: MissingEndpointStatus;
}

export interface JadaSim {
  url: string;
  /** The calendar as it is: a deleted entry is gone from it. */
  events: JadaEvent[];
  /**
   * Effects (each once per Idempotency-Key), lookups (GET by externalId, authorized) and every API
   * request that reached the stand-in.
   */
  counters: { created: number; updated: number; deleted: number; lookups: number; requests: number };
  faults: Faults;
  stop(): Promise<void>;
}

const EVENTS_PATH = '/calendar/events';
const EVENT_PATH = /^\/calendar\/events\/([^/]+)$/;

const NewEventSchema = z.object({
  title: requiredText,
  start: requiredText,
  end: requiredText,
  notes: z.string().optional(),
  externalId: requiredText,
});

const EventPatchSchema = z
  .object({
    title: requiredText.optional(),
    start: requiredText.optional(),
    end: requiredText.optional(),
    notes: z.string().optional(),
  })
  .strict();

/** Local JADA calendar API: same paths, header and answers as DESIGN.md's contract. */
export async function startJadaSim(options: JadaSimOptions): Promise<JadaSim> {
  const events: JadaEvent[] = [];
  const counters = { created: 0, updated: 0, deleted: 0, lookups: 0, requests: 0 };
  const lifecycle = options.lifecycleEndpoints ?? true;
  let nextId = 1;
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
    const id = eventIdOf(req);
    if (id !== undefined) return handleEvent(req, id);
    if (req.method === 'GET') {
      counters.lookups++;
      const externalId = req.url.searchParams.get('externalId');
      return {
        status: 200,
        body: { events: events.filter((e) => externalId === null || e.externalId === externalId) },
      };
    }
    if (req.method === 'POST') return keys.once(req, () => create(req.body));
    return { status: 405, body: { error: `${req.method} not allowed` }, headers: { allow: 'GET, POST' } };
  };

  const handleEvent = (req: SimRequest, id: string): SimReply => {
    if (!lifecycle) return missingEndpoint(options.missingEndpointStatus ?? 404, 'GET, POST');
    if (req.method === 'PATCH') return keys.once(req, () => update(id, req.body));
    if (req.method === 'DELETE') return keys.once(req, () => remove(id));
    return { status: 405, body: { error: `${req.method} not allowed` }, headers: { allow: 'PATCH, DELETE' } };
  };

  const create = (body: unknown): SimReply => {
    const parsed = NewEventSchema.safeParse(body);
    if (!parsed.success) return invalidBody(parsed.error);
    const event: JadaEvent = { id: `cal_${nextId++}`, ...parsed.data };
    events.push(event);
    counters.created++;
    // A copy: a replayed answer is the one first given, whatever was changed since.
    return { status: 201, body: { ...event } };
  };

  const update = (id: string, body: unknown): SimReply => {
    const event = events.find((e) => e.id === id);
    if (!event) return noSuchEvent(id);
    const parsed = EventPatchSchema.safeParse(body);
    if (!parsed.success) return invalidBody(parsed.error);
    Object.assign(event, parsed.data);
    counters.updated++;
    return { status: 200, body: { ...event } };
  };

  const remove = (id: string): SimReply => {
    const index = events.findIndex((e) => e.id === id);
    if (index < 0) return noSuchEvent(id);
    events.splice(index, 1);
    counters.deleted++;
    return { status: 204, body: undefined };
  };

  const server = jsonServer(async (req) => {
    if (req.url.pathname !== EVENTS_PATH && eventIdOf(req) === undefined) {
      return { status: 404, body: { error: `no route ${req.url.pathname}` } };
    }
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

/** The id in /calendar/events/{id}, decoded; undefined for any other path (or one that does not decode). */
function eventIdOf(req: SimRequest): string | undefined {
  const raw = EVENT_PATH.exec(req.url.pathname)?.[1];
  try {
    return raw === undefined ? undefined : decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function noSuchEvent(id: string): SimReply {
  return { status: 404, body: { error: `no calendar event ${id}` } };
}
