import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { createServer, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { runGuestRewrite, type GuestRewriteResult } from '../src/publish/cloudfront-function';
import { listen, stopServer } from './faults';

/**
 * A local stand-in for the guest sites' CloudFront distributions: each request goes through the
 * repo's CloudFront Function, then reads the object from S3 (moto) under the rewritten key.
 *
 * One server per site, each on its own port: a site is its own distribution with its own domain, and
 * its public URLs are `{origin}/g/{slug}` at the root of that domain. A shared server with a path
 * prefix per site would hand the function URIs it never sees in production, and one keyed on the Host
 * header would need local DNS names; a port per site keeps every viewer path exactly as guests use it.
 */
export interface EdgeSite {
  name: string;
  bucket: string;
  /** 0 or absent lets the kernel pick. */
  port?: number;
}

export interface EdgeOptions {
  s3: S3Client;
  sites: EdgeSite[];
  /** The viewer-request function; the repo's guest-rewrite unless a test swaps it. */
  viewerRequest?: (uri: string) => GuestRewriteResult;
}

export interface Edge {
  /** Origin (http://127.0.0.1:{port}) of each site, by site name. */
  origins: Record<string, string>;
  stop(): Promise<void>;
}

/** The object headers a CloudFront distribution passes through from an S3 origin. */
const PASSED_THROUGH = [
  ['content-type', 'ContentType'],
  ['cache-control', 'CacheControl'],
  ['content-length', 'ContentLength'],
  ['etag', 'ETag'],
  ['last-modified', 'LastModified'],
  ['content-encoding', 'ContentEncoding'],
  ['content-language', 'ContentLanguage'],
  ['content-disposition', 'ContentDisposition'],
  ['expires', 'ExpiresString'],
] as const satisfies ReadonlyArray<readonly [string, keyof GetObjectCommandOutput]>;

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const servers: Server[] = [];
  const origins: Record<string, string> = {};
  try {
    for (const site of options.sites) {
      const server = siteServer(options.s3, site.bucket, options.viewerRequest ?? ((uri) => runGuestRewrite(uri)));
      servers.push(server);
      origins[site.name] = await listen(server, site.port);
    }
  } catch (err) {
    await Promise.all(servers.map(stopServer));
    throw err;
  }
  return { origins, stop: async () => void (await Promise.all(servers.map(stopServer))) };
}

function siteServer(s3: S3Client, bucket: string, viewerRequest: (uri: string) => GuestRewriteResult): Server {
  return createServer((req, res) => {
    const headOnly = req.method === 'HEAD';
    if (req.method !== 'GET' && !headOnly) return text(res, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
    // CloudFront hands the function the path as the viewer sent it, still percent-encoded, without the query.
    const uri = (req.url ?? '/').split('?')[0] ?? '/';
    let decision: GuestRewriteResult;
    try {
      decision = viewerRequest(uri);
    } catch (err) {
      // CloudFront answers 503 when a function throws or runs out of budget.
      return text(res, 503, `The CloudFront function failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (decision.type === 'response') return text(res, decision.statusCode, statusText(decision.statusCode));
    let key: string;
    try {
      // S3 decodes the request path into the key, as it does for the URI CloudFront forwards.
      key = decodeURIComponent(decision.uri.replace(/^\//, ''));
    } catch {
      return text(res, 400, 'Bad Request');
    }
    if (key === '') return text(res, 404, 'Not Found');
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const ifNoneMatch = req.headers['if-none-match'];
    s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: ifNoneMatch }), {
      abortSignal: abort.signal,
    }).then(
      (object) => {
        const headers: OutgoingHttpHeaders = {};
        for (const [header, field] of PASSED_THROUGH) {
          const value = object[field];
          if (value !== undefined) headers[header] = value instanceof Date ? value.toUTCString() : String(value);
        }
        res.writeHead(200, headers);
        const body = object.Body as Readable | undefined;
        if (headOnly || !body) {
          body?.destroy();
          return void res.end();
        }
        body.on('error', () => res.destroy());
        body.pipe(res);
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        const { name, $metadata } = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        if ($metadata?.httpStatusCode === 304) return void res.writeHead(304).end();
        if (name === 'NoSuchKey' || $metadata?.httpStatusCode === 404) {
          if (name === 'NoSuchBucket')
            return text(res, 502, `Bucket ${bucket} does not exist: was the S3 stand-in restarted?`);
          return text(res, 404, 'Not Found');
        }
        text(res, 502, `The S3 origin failed: ${name ?? 'error'}`);
      },
    );
  });
}

function statusText(status: number): string {
  return status === 404 ? 'Not Found' : status === 403 ? 'Forbidden' : `HTTP ${status}`;
}

function text(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    // CloudFront caches error answers for a short while by default; locally a fresh look is more useful.
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}
