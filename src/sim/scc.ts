import { compare } from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { Agent, createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';
import { z } from 'zod';
import type { SccEvent } from '../clients/scc';
import {
  Faults,
  headerValue,
  invalidBody,
  jsonServer,
  listen,
  requiredText,
  stopServer,
  type SimReply,
  type SimRequest,
} from './faults';

export interface SccSimOptions {
  /** bcrypt hash of the service key, as the real SCC stores it. */
  serviceKeyHash: string;
  /** Port of the API (origin); 0 or absent lets the kernel pick. */
  port?: number;
  /** Port of the CloudFront-like CDN in front of it. */
  cdnPort?: number;
  /** Where magic links point; defaults to the API URL. */
  magicLinkBaseUrl?: string;
}

/** SCC keeps the notes it was given, though its event answer does not promise them. */
export type SccSimEvent = SccEvent & { notes?: string };

/** Whose link a magic-link token is: enough for a crew inbox page to show the charter and record an answer. */
export interface MagicLinkTarget {
  eventId: string;
  crewId: string;
}

export interface SccSim {
  /** The origin (API Gateway) URL: the one SCC_API_URL must be. */
  apiUrl: string;
  /** A CloudFront-like URL in front of the API that drops X-Service-Key, as the real CDN does. */
  cdnUrl: string;
  events: SccSimEvent[];
  /** Keyed by the token at the end of each magic link URL. */
  magicLinks: Map<string, MagicLinkTarget>;
  counters: { created: number; requests: number };
  faults: Faults;
  stop(): Promise<void>;
}

const EVENTS_PATH = '/events';

const NewEventSchema = z.object({
  event_name: requiredText,
  start_time: requiredText,
  end_time: requiredText,
  notes: z.string().optional(),
  crew: z.array(z.object({ id: requiredText, role: z.string().optional() })),
  external_id: requiredText,
});

/** Local ShipCaptainCrew: its events API on one port and, on another, the CDN that strips the key. */
export async function startSccSim(options: SccSimOptions): Promise<SccSim> {
  const events: SccSimEvent[] = [];
  const magicLinks = new Map<string, MagicLinkTarget>();
  const counters = { created: 0, requests: 0 };
  const faults = new Faults();
  let linkBase = '';

  const handle = async (req: SimRequest): Promise<SimReply> => {
    const key = headerValue(req.headers, 'x-service-key');
    if (key === undefined) return { status: 401, body: { message: 'Missing X-Service-Key' } };
    if (!(await compare(key, options.serviceKeyHash))) return { status: 401, body: { message: 'Invalid service key' } };
    if (req.method === 'GET') {
      const externalId = req.url.searchParams.get('external_id');
      return { status: 200, body: { events: events.filter((e) => externalId === null || e.external_id === externalId) } };
    }
    if (req.method === 'POST') return create(req.body);
    return { status: 405, body: { message: `${req.method} not allowed` }, headers: { allow: 'GET, POST' } };
  };

  const create = (body: unknown): SimReply => {
    const parsed = NewEventSchema.safeParse(body);
    if (!parsed.success) return invalidBody(parsed.error);
    const id = `evt_${events.length + 1}`;
    const magic_links = parsed.data.crew.map((member) => {
      const token = randomBytes(18).toString('base64url');
      magicLinks.set(token, { eventId: id, crewId: member.id });
      return { crew_id: member.id, url: `${linkBase}/m/${token}` };
    });
    const event: SccSimEvent = { id, ...parsed.data, magic_links };
    events.push(event);
    counters.created++;
    return { status: 201, body: event };
  };

  const api = jsonServer(async (req) => {
    if (req.url.pathname !== EVENTS_PATH) return { status: 404, body: { message: `no route ${req.url.pathname}` } };
    counters.requests++;
    return faults.apply(() => handle(req));
  });
  const apiUrl = await listen(api, options.port);
  linkBase = (options.magicLinkBaseUrl ?? apiUrl).replace(/\/+$/, '');

  const cdnAgent = new Agent({ keepAlive: false });
  const cdn = cloudFront(new URL(apiUrl), cdnAgent);
  const cdnUrl = await listen(cdn, options.cdnPort);

  return {
    apiUrl,
    cdnUrl,
    events,
    magicLinks,
    counters,
    faults,
    async stop() {
      faults.reset();
      await Promise.all([stopServer(cdn), stopServer(api)]);
      cdnAgent.destroy();
    },
  };
}

function cloudFrontHeaders(): OutgoingHttpHeaders {
  return {
    via: '1.1 abc123.cloudfront.net (CloudFront)',
    'x-amz-cf-id': randomBytes(42).toString('base64url'),
    'x-cache': 'Miss from cloudfront',
  };
}

/** Forwards to the origin as a default CloudFront behavior does: custom headers such as X-Service-Key are not passed on. */
function cloudFront(origin: URL, agent: Agent): Server {
  return createServer((req, res) => {
    const forwarded: IncomingHttpHeaders = { ...req.headers, host: origin.host };
    delete forwarded['x-service-key'];
    delete forwarded.connection;
    const upstream = request(
      { host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers: forwarded, agent },
      (answer) => {
        const headers: IncomingHttpHeaders = { ...answer.headers };
        delete headers.connection;
        delete headers['keep-alive'];
        res.writeHead(answer.statusCode ?? 502, { ...headers, ...cloudFrontHeaders() });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'application/json', ...cloudFrontHeaders() });
      res.end(JSON.stringify({ message: 'CloudFront could not reach the origin' }));
    });
    // A viewer that gives up should not leave the origin request behind.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
}
