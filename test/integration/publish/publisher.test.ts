import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  CloudFrontClient,
  CreateDistributionCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Site } from '../../../src/config/tenant';
import {
  CALLER_REFERENCE_MAX_LENGTH,
  defaultSites,
  GUEST_CALENDAR_CONTENT_TYPE,
  GUEST_PAGE_CACHE_CONTROL,
  GUEST_PAGE_CONTENT_TYPE,
  InvalidationConflictError,
  ensureInvalidation,
  putPageOnSites,
} from '../../../src/publish';
import { invalidationsOf, motoClients } from '../../support/aws';
import { startFaultyProxy } from '../../../sim/faulty-proxy';

/** moto behind the CloudFront shim, as every client sees it; the direct URL looks behind the shim. */
const motoUrl = process.env.TEST_MOTO_URL;
const motoDirectUrl = process.env.TEST_MOTO_DIRECT_URL;
if (!motoUrl || !motoDirectUrl)
  throw new Error('TEST_MOTO_URL is not set: run through the integration project (global setup starts moto)');
const aws = {
  endpoint: motoUrl,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};
const s3 = new S3Client(aws);
const cloudfront = new CloudFrontClient(aws);

afterAll(() => {
  s3.destroy();
  cloudfront.destroy();
});

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

async function createBucket(): Promise<string> {
  const bucket = unique('guest-pages');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** moto wants the parts real CloudFront requires too: an origin, a default behaviour aimed at it, Comment, Enabled. */
async function createDistribution(bucket: string): Promise<string> {
  const { Distribution } = await cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: unique('distribution'),
        Comment: 'charter-fulfillment integration test',
        Enabled: true,
        Origins: {
          Quantity: 1,
          // moto rejects an S3 origin whose domain does not end in amazonaws.com.
          Items: [
            {
              Id: 'guest-pages',
              DomainName: `${bucket}.s3.amazonaws.com`,
              S3OriginConfig: { OriginAccessIdentity: '' },
            },
          ],
        },
        DefaultCacheBehavior: { TargetOriginId: 'guest-pages', ViewerProtocolPolicy: 'redirect-to-https' },
      },
    }),
  );
  if (!Distribution?.Id) throw new Error('moto created a distribution without an Id');
  return Distribution.Id;
}

async function listInvalidationIds(distributionId: string): Promise<string[]> {
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const { InvalidationList: list } = await cloudfront.send(
      new ListInvalidationsCommand({ DistributionId: distributionId, Marker: marker }),
    );
    ids.push(...(list?.Items ?? []).map((item) => item.Id ?? ''));
    marker = list?.IsTruncated ? list.NextMarker : undefined;
  } while (marker);
  return ids;
}

async function getInvalidation(distributionId: string, id: string) {
  const { Invalidation } = await cloudfront.send(
    new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
  );
  return Invalidation?.InvalidationBatch;
}

async function getObject(bucket: string, key: string) {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return {
    bytes: Buffer.from((await object.Body?.transformToByteArray()) ?? []),
    contentType: object.ContentType,
    cacheControl: object.CacheControl,
  };
}

async function twoSites(): Promise<[Site, Site]> {
  const [nestedBucket, flatBucket] = await Promise.all([createBucket(), createBucket()]);
  const [nestedDistribution, flatDistribution] = await Promise.all([
    createDistribution(nestedBucket),
    createDistribution(flatBucket),
  ]);
  return defaultSites({
    nested: { bucket: nestedBucket, distributionId: nestedDistribution, domain: 'guests.example.com' },
    flat: { bucket: flatBucket, distributionId: flatDistribution, domain: 'www.example.com' },
  }) as [Site, Site];
}

const slug = 'carole-may-30-boatsetter-abcd2345';
const html = '<!doctype html><meta charset="utf-8"><title>Ahoy, Zoë</title><p>Café at the dock ⛵</p>';

describe('putPageOnSites against moto', () => {
  it('puts the same bytes with the guest page headers to both sites and invalidates both paths per site', async () => {
    const [nested, flat] = await twoSites();
    const workflowId = unique('booking-acme-boatsetter');

    const published = await putPageOnSites({
      s3,
      cloudfront,
      sites: [nested, flat],
      slug,
      html,
      workflowId,
      version: 1,
    });

    expect(published).toEqual([
      {
        site: 'nested',
        bucket: nested.bucket,
        objectKey: `guests/${slug}/index.html`,
        publicUrl: `https://guests.example.com/g/${slug}`,
        invalidationId: expect.any(String),
      },
      {
        site: 'flat',
        bucket: flat.bucket,
        objectKey: `g/${slug}.html`,
        publicUrl: `https://www.example.com/g/${slug}.html`,
        invalidationId: expect.any(String),
      },
    ]);
    const [nestedObject, flatObject] = await Promise.all([
      getObject(nested.bucket, `guests/${slug}/index.html`),
      getObject(flat.bucket, `g/${slug}.html`),
    ]);
    expect(nestedObject.bytes.equals(Buffer.from(html, 'utf8'))).toBe(true);
    expect(flatObject.bytes.equals(nestedObject.bytes)).toBe(true);
    for (const object of [nestedObject, flatObject]) {
      expect(object.contentType).toBe(GUEST_PAGE_CONTENT_TYPE);
      expect(object.cacheControl).toBe(GUEST_PAGE_CACHE_CONTROL);
    }

    const [nestedPage, flatPage] = published as [(typeof published)[0], (typeof published)[0]];
    expect(await getInvalidation(nested.distributionId, nestedPage.invalidationId)).toEqual({
      CallerReference: `${workflowId}:page:v1:nested`,
      Paths: { Quantity: 2, Items: [`/g/${slug}`, `/guests/${slug}/index.html`] },
    });
    // The flat site's viewer path is its object path, so one path covers both.
    expect(await getInvalidation(flat.distributionId, flatPage.invalidationId)).toEqual({
      CallerReference: `${workflowId}:page:v1:flat`,
      Paths: { Quantity: 1, Items: [`/g/${slug}.html`] },
    });
  });

  it('puts the calendar file beside the page on every site and invalidates it with the page', async () => {
    const [nested, flat] = await twoSites();
    const workflowId = unique('booking-acme-direct');
    const calendar = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Café ⛵\r\nEND:VCALENDAR\r\n';

    const published = await putPageOnSites({
      s3,
      cloudfront,
      sites: [nested, flat],
      slug,
      html,
      calendar,
      workflowId,
      version: 1,
    });

    expect(published.map((page) => page.calendarUrl)).toEqual([
      `https://guests.example.com/guests/${slug}/charter.ics`,
      `https://www.example.com/g/${slug}.ics`,
    ]);
    const [nestedCalendar, flatCalendar] = await Promise.all([
      getObject(nested.bucket, `guests/${slug}/charter.ics`),
      getObject(flat.bucket, `g/${slug}.ics`),
    ]);
    for (const object of [nestedCalendar, flatCalendar]) {
      expect(object.bytes.equals(Buffer.from(calendar, 'utf8'))).toBe(true);
      expect(object.contentType).toBe(GUEST_CALENDAR_CONTENT_TYPE);
      expect(object.cacheControl).toBe(GUEST_PAGE_CACHE_CONTROL);
    }
    expect((await getObject(nested.bucket, `guests/${slug}/index.html`)).contentType).toBe(GUEST_PAGE_CONTENT_TYPE);

    const [nestedPage, flatPage] = published as [(typeof published)[0], (typeof published)[0]];
    expect(await getInvalidation(nested.distributionId, nestedPage.invalidationId)).toEqual({
      CallerReference: `${workflowId}:page:v1:nested`,
      Paths: { Quantity: 3, Items: [`/g/${slug}`, `/guests/${slug}/index.html`, `/guests/${slug}/charter.ics`] },
    });
    expect(await getInvalidation(flat.distributionId, flatPage.invalidationId)).toEqual({
      CallerReference: `${workflowId}:page:v1:flat`,
      Paths: { Quantity: 2, Items: [`/g/${slug}.html`, `/g/${slug}.ics`] },
    });

    const retry = await putPageOnSites({
      s3,
      cloudfront,
      sites: [nested, flat],
      slug,
      html,
      calendar,
      workflowId,
      version: 1,
    });
    expect(retry.map((page) => page.invalidationId)).toEqual(published.map((page) => page.invalidationId));
  });

  it('publishing a version again makes no second invalidation; a new version makes one', async () => {
    const sites = await twoSites();
    const workflowId = unique('booking-acme-getmyboat');
    const publish = (version: number) => putPageOnSites({ s3, cloudfront, sites, slug, html, workflowId, version });

    const first = await publish(1);
    const retry = await publish(1);

    expect(retry.map((page) => page.invalidationId)).toEqual(first.map((page) => page.invalidationId));
    for (const site of sites) expect(await listInvalidationIds(site.distributionId)).toHaveLength(1);

    const second = await publish(2);

    for (const [i, site] of sites.entries()) {
      expect(second[i]?.invalidationId).not.toBe(first[i]?.invalidationId);
      const ids = await listInvalidationIds(site.distributionId);
      expect(ids).toHaveLength(2);
      expect(ids).toEqual(expect.arrayContaining([first[i]?.invalidationId, second[i]?.invalidationId]));
    }
    expect((await publish(2)).map((page) => page.invalidationId)).toEqual(second.map((page) => page.invalidationId));
    for (const site of sites) expect(await listInvalidationIds(site.distributionId)).toHaveLength(2);
  });

  it('bounds a long CallerReference and still recognises the retry', async () => {
    const sites = await twoSites();
    const workflowId = `booking-acme-fareharbor-${'x'.repeat(200)}`;
    const publish = () => putPageOnSites({ s3, cloudfront, sites, slug, html, workflowId, version: 3 });

    const first = await publish();
    const batch = await getInvalidation(sites[0].distributionId, first[0]?.invalidationId ?? '');
    expect(batch?.CallerReference?.length).toBeLessThanOrEqual(CALLER_REFERENCE_MAX_LENGTH);
    expect(batch?.CallerReference).toMatch(/^booking-acme-fareharbor-x+:[0-9a-f]{64}$/);
    expect((await publish()).map((p) => p.invalidationId)).toEqual(first.map((p) => p.invalidationId));
    for (const site of sites) expect(await listInvalidationIds(site.distributionId)).toHaveLength(1);
  });

  it('publishes nowhere when the slug is not valid', async () => {
    const sites = await twoSites();
    await expect(
      putPageOnSites({ s3, cloudfront, sites, slug: '../x', html, workflowId: unique('booking'), version: 1 }),
    ).rejects.toThrow(/not a valid guest page slug/);
    for (const site of sites) expect(await listInvalidationIds(site.distributionId)).toHaveLength(0);
  });
});

describe('ensureInvalidation against CloudFront (moto behind the shim)', () => {
  it('answers a repeated CallerReference with the first invalidation and refuses it for other paths', async () => {
    const distributionId = await createDistribution(await createBucket());
    const first = await ensureInvalidation(cloudfront, {
      distributionId,
      paths: ['/a', '/b'],
      callerReference: 'ref:1',
    });

    await expect(
      ensureInvalidation(cloudfront, { distributionId, paths: ['/b', '/a'], callerReference: 'ref:1' }),
    ).resolves.toBe(first);
    const conflict = ensureInvalidation(cloudfront, { distributionId, paths: ['/a', '/c'], callerReference: 'ref:1' });
    await expect(conflict).rejects.toBeInstanceOf(InvalidationConflictError);
    await expect(conflict).rejects.toThrow(
      /ref:1 for other paths than \["\/a","\/c"\].*InvalidationBatchAlreadyExists/,
    );
    expect(await listInvalidationIds(distributionId)).toEqual([first]);
  });
});

describe('putPageOnSites when CreateInvalidation answers are lost', () => {
  // The worker's client settings: SDK retries on, 3 attempts per call, AWS_CALL's request timeout.
  const createInvalidationOn = (distributionId: string) => (req: IncomingMessage) =>
    req.method === 'POST' && req.url === `/2020-05-31/distribution/${distributionId}/invalidation`;

  /**
   * Publishes one page version through a proxy in front of `target` that lets the first two
   * CreateInvalidation attempts per site reach it (the invalidation is made) and holds their answers
   * past the SDK's request timeout, so the SDK itself sends the same request again within one call.
   */
  async function publishWithLostAnswers(target: string) {
    const sites = await twoSites();
    const proxy = await startFaultyProxy(target);
    const clients = motoClients(proxy.url);
    const behindTheShim = motoClients(motoDirectUrl!);
    try {
      for (const site of sites) proxy.hangNext(2, 60_000, createInvalidationOn(site.distributionId));
      const workflowId = unique('booking-acme-boatsetter');
      const published = await putPageOnSites({ ...clients, sites, slug, html, workflowId, version: 1 });
      const inMoto = await Promise.all(
        sites.map((site) => invalidationsOf(behindTheShim.cloudfront, site.distributionId)),
      );
      return { workflowId, published, inMoto };
    } finally {
      for (const client of [clients.s3, clients.cloudfront, behindTheShim.s3, behindTheShim.cloudfront])
        client.destroy();
      await proxy.stop();
    }
  }

  it('makes exactly one invalidation per CallerReference, the one the publish reports', async () => {
    const { workflowId, published, inMoto } = await publishWithLostAnswers(motoUrl!);

    for (const [i, site] of ['nested', 'flat'].entries()) {
      expect(inMoto[i]?.map((invalidation) => invalidation.callerReference)).toEqual([`${workflowId}:page:v1:${site}`]);
      expect(inMoto[i]?.[0]?.id).toBe(published[i]?.invalidationId);
    }
  });

  it('control: straight to moto, which does not dedupe, every attempt the SDK sent made an invalidation', async () => {
    const { inMoto } = await publishWithLostAnswers(motoDirectUrl!);

    // Two lost answers and the third attempt per site: the hangs really made the SDK send again.
    for (const invalidations of inMoto) expect(invalidations).toHaveLength(3);
  });
});
