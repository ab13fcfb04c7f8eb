import {
  CloudFrontClient,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  type Invalidation,
} from '@aws-sdk/client-cloudfront';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, readBody, stopServer } from './faults';

/**
 * moto creates a new invalidation for every CreateInvalidation. Real CloudFront is idempotent by
 * CallerReference (API reference, InvalidationBatch.CallerReference): the same reference with the same
 * paths "doesn't create a new invalidation request" and returns the one created before; with other
 * paths it answers InvalidationBatchAlreadyExists. This shim sits in front of moto and adds exactly
 * that; every other request (S3 included: moto serves every service on one port) passes through as is.
 *
 * What it knows comes from what it forwarded, plus, on first sight of a distribution, the references
 * of the invalidations moto already holds. Invalidations created in moto behind its back afterwards
 * are not seen.
 */
export interface CloudFrontShim {
  url: string;
  stop(): Promise<void>;
}

export interface CloudFrontShimOptions {
  /** moto's base URL. */
  upstream: string;
  /** 0 or absent lets the kernel pick. */
  port?: number;
}

const CREATE_INVALIDATION = /^\/2020-05-31\/distribution\/([^/?]+)\/invalidation$/;
const XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
/** CloudFront takes at most 3,000 paths per batch; this leaves room for long ones. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

interface KnownInvalidation {
  id: string;
  paths: string[];
}

export async function startCloudFrontShim(options: CloudFrontShimOptions): Promise<CloudFrontShim> {
  const upstream = new URL(options.upstream);
  // moto gives every access key its default account, so the shim reads what the callers wrote.
  const cloudfront = new CloudFrontClient({
    region: 'us-east-1',
    endpoint: options.upstream,
    credentials: { accessKeyId: 'cloudfront-shim', secretAccessKey: 'cloudfront-shim' },
  });
  /** By distribution: CallerReference -> the invalidation made with it. */
  const known = new Map<string, Promise<Map<string, KnownInvalidation>>>();
  const queues = new Map<string, Promise<unknown>>();

  const forward = (req: IncomingMessage, body?: string): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const headers: IncomingHttpHeaders = { ...req.headers };
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
        resolve,
      );
      out.on('error', reject);
      if (body === undefined) req.pipe(out);
      else out.end(body);
    });

  const referencesOf = (distributionId: string): Promise<Map<string, KnownInvalidation>> => {
    let references = known.get(distributionId);
    if (!references) {
      references = learn(cloudfront, distributionId);
      known.set(distributionId, references);
      // A failed lookup (moto restarting) is tried again by the next request rather than remembered.
      references.catch(() => known.delete(distributionId));
    }
    return references;
  };

  /** Answers a CreateInvalidation the way CloudFront does; runs one at a time per reference. */
  const createInvalidation = async (req: IncomingMessage, res: ServerResponse, distributionId: string) => {
    const body = await readBody(req, MAX_BATCH_BYTES);
    if (body === undefined) return sendError(res, 413, 'BatchTooLarge', `the batch exceeds ${MAX_BATCH_BYTES} bytes`);
    const batch = parseBatch(body);
    if (!batch) return pipe(await forward(req, body), res);
    await serialized(queues, `${distributionId}\n${batch.callerReference}`, async () => {
      const references = await referencesOf(distributionId);
      const existing = references.get(batch.callerReference);
      if (!existing) {
        const answer = await buffered(await forward(req, body));
        const id = answer.status === 201 ? /<Id>([^<]+)<\/Id>/.exec(answer.body)?.[1] : undefined;
        if (id) references.set(batch.callerReference, { id, paths: batch.paths });
        return send(res, answer.status, answer.body, answer.headers);
      }
      if (!samePaths(existing.paths, batch.paths)) {
        // CloudFront documents the code, not the status: 409, as its model gives every other *AlreadyExists.
        return sendError(
          res,
          409,
          'InvalidationBatchAlreadyExists',
          `CallerReference ${batch.callerReference} was used for invalidation ${existing.id} of other paths`,
        );
      }
      const { Invalidation: invalidation } = await cloudfront.send(
        new GetInvalidationCommand({ DistributionId: distributionId, Id: existing.id }),
      );
      if (!invalidation) throw new Error(`moto lost invalidation ${existing.id}`);
      // The API reference documents one answer to CreateInvalidation, 201 with Location, for a repeat too.
      send(res, 201, invalidationXml(invalidation), {
        'content-type': 'application/xml',
        location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${distributionId}/invalidation/${existing.id}`,
      });
    });
  };

  const server = createServer((req, res) => {
    const create = req.method === 'POST' ? CREATE_INVALIDATION.exec((req.url ?? '').split('?')[0] ?? '') : null;
    const handled = create?.[1] ? createInvalidation(req, res, create[1]) : forward(req).then((up) => pipe(up, res));
    handled.catch((err: unknown) => {
      // 503 is what the SDK retries: the caller tries again as it would against a struggling CloudFront.
      if (!res.headersSent) sendError(res, 503, 'ServiceUnavailable', `CloudFront shim: ${String(err)}`);
      else res.destroy();
    });
  });
  const url = await listen(server, options.port);
  return {
    url,
    stop: async () => {
      await stopServer(server);
      cloudfront.destroy();
    },
  };
}

/** Every invalidation moto holds for the distribution, by CallerReference (the list omits it: one GET each). */
async function learn(cloudfront: CloudFrontClient, distributionId: string): Promise<Map<string, KnownInvalidation>> {
  const references = new Map<string, KnownInvalidation>();
  let marker: string | undefined;
  try {
    do {
      const { InvalidationList: list } = await cloudfront.send(
        new ListInvalidationsCommand({ DistributionId: distributionId, Marker: marker }),
      );
      for (const { Id: id } of list?.Items ?? []) {
        const { Invalidation: invalidation } = await cloudfront.send(
          new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
        );
        const batch = invalidation?.InvalidationBatch;
        if (id && batch?.CallerReference !== undefined) {
          references.set(batch.CallerReference, { id, paths: batch.Paths?.Items ?? [] });
        }
      }
      marker = list?.IsTruncated ? list.NextMarker : undefined;
    } while (marker);
  } catch (err) {
    // Nothing to learn: moto answers the create itself with NoSuchDistribution.
    if (err instanceof Error && err.name === 'NoSuchDistribution') return references;
    throw err;
  }
  return references;
}

/** Runs `work` after every earlier call with the same key has settled. */
function serialized<T>(queues: Map<string, Promise<unknown>>, key: string, work: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(work);
  const settled = run.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}

/** CallerReference and paths of an InvalidationBatch as the SDKs serialize it; undefined when it is not one. */
function parseBatch(xml: string): { callerReference: string; paths: string[] } | undefined {
  const reference = /<CallerReference>([\s\S]*?)<\/CallerReference>/.exec(xml)?.[1];
  if (reference === undefined) return undefined;
  const paths = [...xml.matchAll(/<Path>([\s\S]*?)<\/Path>/g)].map((m) => unescapeXml(m[1] ?? ''));
  return { callerReference: unescapeXml(reference), paths };
}

/** CloudFront documents only "the content of any Path is different"; order is taken to carry no meaning. */
function samePaths(a: readonly string[], b: readonly string[]): boolean {
  const left = [...a].sort();
  const right = [...b].sort();
  return left.length === right.length && left.every((path, i) => path === right[i]);
}

/** The CreateInvalidation answer body: an Invalidation element, as CloudFront (and moto) send it. */
function invalidationXml(invalidation: Invalidation): string {
  const batch = invalidation.InvalidationBatch;
  const paths = batch?.Paths?.Items ?? [];
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Invalidation xmlns="${XMLNS}">` +
    `<Id>${escapeXml(invalidation.Id ?? '')}</Id><Status>${escapeXml(invalidation.Status ?? '')}</Status>` +
    `<CreateTime>${invalidation.CreateTime?.toISOString() ?? ''}</CreateTime>` +
    `<InvalidationBatch><Paths><Quantity>${paths.length}</Quantity>` +
    `<Items>${paths.map((path) => `<Path>${escapeXml(path)}</Path>`).join('')}</Items></Paths>` +
    `<CallerReference>${escapeXml(batch?.CallerReference ?? '')}</CallerReference></InvalidationBatch></Invalidation>`
  );
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type>` +
    `<Code>${code}</Code><Message>${escapeXml(message)}</Message></Error></ErrorResponse>`;
  send(res, status, body, { 'content-type': 'application/xml' });
}

function send(res: ServerResponse, status: number, body: string, headers: IncomingHttpHeaders): void {
  const fixed = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  delete fixed['transfer-encoding'];
  res.writeHead(status, fixed);
  res.end(body);
}

function pipe(upstream: IncomingMessage, res: ServerResponse): void {
  res.writeHead(upstream.statusCode ?? 502, upstream.headers);
  upstream.pipe(res);
}

async function buffered(upstream: IncomingMessage) {
  const body = await readBody(upstream, MAX_BATCH_BYTES);
  if (body === undefined) throw new Error(`moto answered more than ${MAX_BATCH_BYTES} bytes`);
  return { status: upstream.statusCode ?? 502, headers: upstream.headers, body };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function unescapeXml(text: string): string {
  return text.replace(
    /&(?:#x([0-9a-f]+)|#([0-9]+)|([a-z]+));/gi,
    (whole, hex?: string, dec?: string, name?: string) => {
      if (hex) return String.fromCodePoint(parseInt(hex, 16));
      if (dec) return String.fromCodePoint(parseInt(dec, 10));
      return ENTITIES[name ?? ''] ?? whole;
    },
  );
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}
