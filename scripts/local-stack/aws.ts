import { CreateBucketCommand, HeadBucketCommand, PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateDistributionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DescribeFunctionCommand,
  GetFunctionCommand,
  ListDistributionsCommand,
  NoSuchFunctionExists,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { loadGuestRewriteSource } from '../../src/publish/cloudfront-function';
import { createAwsClients } from '../../src/publish/aws-clients';
import { startCloudFrontShim } from '../../sim/cloudfront-dedupe';
import { s3DistributionConfig } from '../../sim/distribution-config';
import { ManagedProcess, freePort, waitForHttp } from './processes';

/** moto accepts any credentials; fixed ones keep the SDK from looking for real ones on this machine. */
export const LOCAL_AWS = { region: 'us-east-1', accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalBuckets {
  nested: string;
  flat: string;
  uploads: string;
  state: string;
}

/** The buckets of one stack; stacks that share a moto (tests) give each its own prefix. */
export function localBuckets(prefix: string): LocalBuckets {
  return {
    nested: `${prefix}-guests-nested`,
    flat: `${prefix}-guests-flat`,
    uploads: `${prefix}-guest-uploads`,
    state: `${prefix}-fulfillment-state`,
  };
}

export function localAwsClients(motoUrl: string): { s3: S3Client; cloudfront: CloudFrontClient } {
  return createAwsClients({
    region: LOCAL_AWS.region,
    endpoint: motoUrl,
    credentials: { accessKeyId: LOCAL_AWS.accessKeyId, secretAccessKey: LOCAL_AWS.secretAccessKey },
  });
}

export interface LocalAws {
  /** moto behind the CloudFront shim: what every client uses, so invalidations dedupe as on CloudFront. */
  url: string;
  /** moto itself, for looking behind the shim. */
  directUrl: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * moto's server (S3, CloudFront and the rest of AWS; not our code) on loopback, behind the shim that
 * gives CreateInvalidation CloudFront's CallerReference idempotency (sim/cloudfront-dedupe.ts).
 */
export async function startLocalAws(options: {
  motoServer: string;
  /** Where clients reach the shim; 0 or absent lets the kernel pick. */
  port?: number;
  /** moto's own port, behind the shim; absent picks a free one. */
  upstreamPort?: number;
  logFile?: string;
  env?: NodeJS.ProcessEnv;
  onUnexpectedExit?: ConstructorParameters<typeof ManagedProcess>[1];
}): Promise<LocalAws> {
  const upstreamPort = options.upstreamPort ?? (await freePort());
  const moto = new ManagedProcess(
    {
      name: 'moto',
      command: options.motoServer,
      args: ['-H', '127.0.0.1', '-p', String(upstreamPort)],
      env: options.env ?? process.env,
      logFile: options.logFile,
    },
    options.onUnexpectedExit,
  );
  const directUrl = `http://127.0.0.1:${upstreamPort}`;
  try {
    await waitForHttp(`${directUrl}/moto-api/`, { timeoutMs: 30_000, what: 'moto', stillRunning: () => moto.running });
    const shim = await startCloudFrontShim({ upstream: directUrl, port: options.port });
    return {
      url: shim.url,
      directUrl,
      process: moto,
      stop: async () => {
        await shim.stop();
        await moto.stop();
      },
    };
  } catch (err) {
    await moto.stop();
    throw err;
  }
}

export interface GuestSiteResources {
  nested: { bucket: string; distributionId: string; cloudFrontFunction: string };
  flat: { bucket: string; distributionId: string };
}

/**
 * The buckets and the two distributions the tenant's sites name, the nested site's CloudFront Function
 * and the uploads bucket's CORS for the sites' origins: what `npm run doctor` checks. moto keeps them
 * in memory, so this runs on every start; it finds what exists first, so pointing it at a moto that is
 * still up is harmless. (moto keeps no function associations on a distribution; the edge servers run
 * the function from the source file.)
 */
export async function provisionAws(
  s3: S3Client,
  cloudfront: CloudFrontClient,
  buckets: LocalBuckets,
  siteOrigins: string[],
): Promise<GuestSiteResources> {
  await Promise.all(Object.values(buckets).map((bucket) => ensureBucket(s3, bucket)));
  const functionName = `${buckets.nested}-rewrite`;
  const [nested, flat] = await Promise.all([
    ensureDistribution(cloudfront, buckets.nested),
    ensureDistribution(cloudfront, buckets.flat),
    ensureGuestRewrite(cloudfront, functionName),
    s3.send(
      new PutBucketCorsCommand({
        Bucket: buckets.uploads,
        CORSConfiguration: {
          CORSRules: [{ AllowedOrigins: siteOrigins, AllowedMethods: ['POST'], AllowedHeaders: ['*'] }],
        },
      }),
    ),
  ]);
  return {
    nested: { bucket: buckets.nested, distributionId: nested, cloudFrontFunction: functionName },
    flat: { bucket: buckets.flat, distributionId: flat },
  };
}

/** The guest-rewrite function with the source file's code; one left by an older source is replaced. */
async function ensureGuestRewrite(cloudfront: CloudFrontClient, name: string): Promise<void> {
  const code = new TextEncoder().encode(loadGuestRewriteSource());
  try {
    const live = await cloudfront.send(new GetFunctionCommand({ Name: name, Stage: 'LIVE' }));
    if (Buffer.from(live.FunctionCode ?? []).equals(Buffer.from(code))) return;
    const { ETag } = await cloudfront.send(new DescribeFunctionCommand({ Name: name }));
    await cloudfront.send(new DeleteFunctionCommand({ Name: name, IfMatch: ETag }));
  } catch (err) {
    if (!(err instanceof NoSuchFunctionExists)) throw err;
  }
  await cloudfront.send(
    new CreateFunctionCommand({
      Name: name,
      FunctionConfig: { Comment: 'guest-rewrite (charter-fulfillment local stack)', Runtime: 'cloudfront-js-2.0' },
      FunctionCode: code,
    }),
  );
}

async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

const comment = (bucket: string) => `charter-fulfillment local stack: ${bucket}`;

async function ensureDistribution(cloudfront: CloudFrontClient, bucket: string): Promise<string> {
  const list = await cloudfront.send(new ListDistributionsCommand({}));
  const found = list.DistributionList?.Items?.find((d) => d.Comment === comment(bucket));
  if (found?.Id) return found.Id;
  const created = await cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: s3DistributionConfig(bucket, `local-stack-${bucket}`, comment(bucket)),
    }),
  );
  const id = created.Distribution?.Id;
  if (!id) throw new Error(`moto created no distribution for ${bucket}`);
  return id;
}
