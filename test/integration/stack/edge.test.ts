import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { request } from 'node:http';
import { GUEST_PAGE_CACHE_CONTROL, GUEST_PAGE_CONTENT_TYPE } from '../../../src/publish/s3';
import { startEdge, type Edge } from '../../../sim/edge';
import { createBucket, motoClients, uniqueName } from '../../support/aws';
import { testServers } from '../../support/temporal';

let s3: S3Client;
let edge: Edge;
let nested: string;
let flat: string;
const slug = 'carole-may-29-boatsetter-k3x9';

async function put(bucket: string, key: string, body: string, contentType = GUEST_PAGE_CONTENT_TYPE): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      CacheControl: GUEST_PAGE_CACHE_CONTROL,
    }),
  );
}

/** fetch() resolves `..` before sending, as browsers do; a hostile client sends the path as written. */
function rawStatus(origin: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(origin);
    request({ host: url.hostname, port: url.port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

beforeAll(async () => {
  ({ s3 } = motoClients(testServers().motoUrl));
  const [nestedBucket, flatBucket] = await Promise.all([
    createBucket(s3, uniqueName('edge-nested')),
    createBucket(s3, uniqueName('edge-flat')),
  ]);
  await Promise.all([
    put(nestedBucket, `guests/${slug}/index.html`, '<h1>nested page</h1>'),
    put(nestedBucket, 'robots.txt', 'User-agent: *\nDisallow: /g/\n', 'text/plain'),
    put(flatBucket, `g/${slug}.html`, '<h1>flat page</h1>'),
  ]);
  edge = await startEdge({
    s3,
    sites: [
      { name: 'nested', bucket: nestedBucket },
      { name: 'flat', bucket: flatBucket },
    ],
  });
  nested = edge.origins.nested ?? '';
  flat = edge.origins.flat ?? '';
});

afterAll(async () => {
  await edge.stop();
  s3.destroy();
});

describe('local edge: the CloudFront Function in front of S3 (moto)', () => {
  it('serves a site on its own origin', () => {
    expect(nested).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(flat).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(nested).not.toBe(flat);
  });

  it("serves the nested page at /g/{slug} via the rewrite, with the object's headers", async () => {
    for (const path of [`/g/${slug}`, `/g/${slug}/`, `/g/${slug}?utm_source=email`]) {
      const res = await fetch(`${nested}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('<h1>nested page</h1>');
      expect(res.headers.get('content-type')).toBe(GUEST_PAGE_CONTENT_TYPE);
      expect(res.headers.get('cache-control')).toBe(GUEST_PAGE_CACHE_CONTROL);
      expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
      expect(res.headers.get('last-modified')).not.toBeNull();
    }
  });

  it('serves the flat page under its own key', async () => {
    const res = await fetch(`${flat}/g/${slug}.html`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<h1>flat page</h1>');
  });

  it('answers 404 from the function itself for anything under /g/ that is not a slug', async () => {
    for (const path of ['/g/../robots.txt', '/g/%2e%2e%2frobots.txt', `/g/${slug.toUpperCase()}`, '/g/a%2fb', '/g/']) {
      expect({ path, status: await rawStatus(nested, path) }).toEqual({ path, status: 404 });
    }
  });

  it('answers 404 for a slug that has no page, and for the bare root', async () => {
    expect((await fetch(`${nested}/g/nobody-here-a1b2`)).status).toBe(404);
    expect((await fetch(`${flat}/g/${slug}`)).status).toBe(404);
    expect((await fetch(`${nested}/`)).status).toBe(404);
  });

  it('passes other paths to S3 unchanged', async () => {
    const res = await fetch(`${nested}/robots.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toContain('Disallow: /g/');
  });

  it('answers HEAD with the headers only, a matching If-None-Match with 304, and other methods with 405', async () => {
    const head = await fetch(`${nested}/g/${slug}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String('<h1>nested page</h1>'.length));
    expect(await head.text()).toBe('');

    const etag = head.headers.get('etag') ?? '';
    const conditional = await fetch(`${nested}/g/${slug}`, { headers: { 'if-none-match': etag } });
    expect(conditional.status).toBe(304);

    const post = await fetch(`${nested}/g/${slug}`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 503 when the function throws, as CloudFront does', async () => {
    const broken = await startEdge({
      s3,
      sites: [{ name: 'nested', bucket: 'unused' }],
      viewerRequest: () => {
        throw new Error('handler is not defined');
      },
    });
    try {
      const res = await fetch(`${broken.origins.nested}/g/${slug}`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('handler is not defined');
    } finally {
      await broken.stop();
    }
  });

  it('says so when the bucket is gone (the S3 stand-in keeps state in memory)', async () => {
    const lost = await startEdge({ s3, sites: [{ name: 'nested', bucket: uniqueName('never-created') }] });
    try {
      const res = await fetch(`${lost.origins.nested}/g/${slug}`);
      expect(res.status).toBe(502);
      expect(await res.text()).toMatch(/does not exist/);
    } finally {
      await lost.stop();
    }
  });
});
