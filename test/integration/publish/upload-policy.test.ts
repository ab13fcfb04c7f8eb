import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { MAX_UPLOAD_POLICY_SECONDS, createUploadPolicy } from '../../../src/publish';

const motoUrl = process.env.TEST_MOTO_URL;
if (!motoUrl)
  throw new Error('TEST_MOTO_URL is not set: run through the integration project (global setup starts moto)');
const s3 = new S3Client({
  endpoint: motoUrl,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

afterAll(() => s3.destroy());

const slug = 'carole-may-30-boatsetter-abcd2345';
const pageUrl = `https://guests.example.com/g/${slug}`;
// A 1x1 transparent PNG.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

async function createBucket(): Promise<string> {
  const bucket = `guest-uploads-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

function decodePolicy(fields: Record<string, string>): { expiration: string; conditions: unknown[] } {
  return JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8')) as {
    expiration: string;
    conditions: unknown[];
  };
}

/** What the guest page's form does: the signed fields, then Content-Type from the file, the file last. */
function uploadForm(fields: Record<string, string>, file: Blob, filename: string, contentType: string): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('Content-Type', contentType);
  form.append('file', file, filename);
  return form;
}

describe('createUploadPolicy against moto', () => {
  it('lets a browser form POST a photo under uploads/{slug}/ and sends it back to the page', async () => {
    const bucket = await createBucket();
    const policy = await createUploadPolicy(s3, {
      bucket,
      slug,
      expiresInSeconds: 3600,
      successRedirect: `${pageUrl}?uploaded=1`,
    });

    const response = await fetch(policy.url, {
      method: 'POST',
      body: uploadForm(policy.fields, new Blob([png], { type: 'image/png' }), 'sunset.png', 'image/png'),
      redirect: 'manual',
    });

    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(pageUrl);
    expect(location.searchParams.get('uploaded')).toBe('1');
    expect(location.searchParams.get('key')).toBe(`uploads/${slug}/sunset.png`);

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual([`uploads/${slug}/sunset.png`]);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `uploads/${slug}/sunset.png` }));
    expect(object.ContentType).toBe('image/png');
    expect(Buffer.from((await object.Body?.transformToByteArray()) ?? []).equals(png)).toBe(true);
  });

  // moto 5.2.5 checks none of the policy: not the signature, not the expiration, not starts-with
  // on key or Content-Type, not content-length-range (a wrong key, a text/html body or an oversized
  // file are all stored). So the limits are asserted on the signed policy, which real S3 enforces.
  it('signs the prefix, image types, size range and redirect into the policy', async () => {
    const bucket = await createBucket();
    const policy = await createUploadPolicy(s3, {
      bucket,
      slug,
      maxBytes: 1024,
      expiresInSeconds: 900,
      successRedirect: `${pageUrl}?uploaded=1`,
    });

    expect(policy.url).toBe(`${motoUrl}/${bucket}`);
    expect(policy.fields).toMatchObject({
      key: `uploads/${slug}/\${filename}`,
      success_action_redirect: `${pageUrl}?uploaded=1`,
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    });
    expect(policy.fields).not.toHaveProperty('Content-Type');
    expect(policy.maxBytes).toBe(1024);
    expect(policy.accept).toEqual(['image/jpeg', 'image/png', 'image/heic', 'image/webp']);

    const signed = decodePolicy(policy.fields);
    expect(signed.conditions).toEqual(
      expect.arrayContaining([
        ['starts-with', '$key', `uploads/${slug}/`],
        ['starts-with', '$Content-Type', 'image/'],
        ['content-length-range', 1, 1024],
        { success_action_redirect: `${pageUrl}?uploaded=1` },
        { bucket },
      ]),
    );
    expect(policy.expiresAt).toBe(new Date(signed.expiration).toISOString());
    const secondsLeft = (Date.parse(policy.expiresAt) - Date.now()) / 1000;
    expect(secondsLeft).toBeGreaterThan(890);
    expect(secondsLeft).toBeLessThanOrEqual(900);
  });

  it('caps the expiry at seven days and uses 15 MiB by default', async () => {
    const policy = await createUploadPolicy(s3, {
      bucket: await createBucket(),
      slug,
      expiresInSeconds: 30 * 24 * 3600,
      successRedirect: `${pageUrl}?uploaded=1`,
    });

    const secondsLeft = (Date.parse(policy.expiresAt) - Date.now()) / 1000;
    expect(secondsLeft).toBeGreaterThan(MAX_UPLOAD_POLICY_SECONDS - 10);
    expect(secondsLeft).toBeLessThanOrEqual(MAX_UPLOAD_POLICY_SECONDS);
    expect(policy.maxBytes).toBe(15 * 1024 * 1024);
    expect(decodePolicy(policy.fields).conditions).toContainEqual(['content-length-range', 1, 15 * 1024 * 1024]);
  });

  it('refuses a bad slug, a non-URL redirect and empty limits', async () => {
    const base = { bucket: 'unused', slug, expiresInSeconds: 60, successRedirect: `${pageUrl}?uploaded=1` };
    await expect(createUploadPolicy(s3, { ...base, slug: '../x' })).rejects.toThrow(/slug/);
    await expect(createUploadPolicy(s3, { ...base, successRedirect: 'javascript:alert(1)' })).rejects.toThrow(/http/);
    await expect(createUploadPolicy(s3, { ...base, maxBytes: 0 })).rejects.toThrow(/maxBytes/);
    await expect(createUploadPolicy(s3, { ...base, expiresInSeconds: 0 })).rejects.toThrow(/expiresInSeconds/);
  });
});
