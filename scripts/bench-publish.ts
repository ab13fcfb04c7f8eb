// `npm run bench -- publish`: publish time must not grow with the invalidations a distribution already
// has. Starts moto behind the CloudFront shim (as the integration tests do), publishes page versions to
// a distribution with none and to one with 2,000 in the same run, interleaved, and compares medians.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { Site } from '../src/config/tenant';
import { createAwsClients } from '../src/publish/aws-clients';
import { putPageOnSites } from '../src/publish/publisher';
import { ROOT } from './local-stack/config';
import { createBucket, createDistribution, uniqueName } from '../test/support/aws';
import { startLocalAws } from './local-stack/aws';

const EXISTING = 2_000;
const PUBLISHES = 20;
const WARM_UP = 2;
/** The 2,000 case's median publish may take at most this many times the empty case's. */
const MAX_RATIO = 1.5;

export async function benchPublish(): Promise<boolean> {
  const moto = await startLocalAws({ motoServer: join(ROOT, '.tools', 'venv', 'bin', 'moto_server') });
  // The worker's client settings (createAwsClients defaults), pointed at moto through the shim.
  const { s3, cloudfront } = createAwsClients({
    region: 'us-east-1',
    endpoint: moto.url,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const site = async (name: string): Promise<Site> => {
      const bucket = await createBucket(s3, uniqueName(`bench-${name}`));
      const { id, domainName } = await createDistribution(cloudfront, bucket);
      return {
        name,
        bucket,
        distributionId: id,
        objectKey: 'guests/{slug}/index.html',
        publicPath: '/g/{slug}',
        publicUrl: `https://${domainName}/g/{slug}`,
      };
    };
    const empty = await site('empty');
    const busy = await site('busy');
    const filledIn = await fill(cloudfront, busy.distributionId);

    const html = `<!doctype html><meta charset="utf-8"><title>Bench</title>${'<p>Ahoy</p>'.repeat(500)}`;
    const samples: Record<'empty' | 'busy', number[]> = { empty: [], busy: [] };
    const publish = async (target: Site, version: number) => {
      const t0 = performance.now();
      await putPageOnSites({
        s3,
        cloudfront,
        sites: [target],
        slug: 'carole-may-29-boatsetter-abcdefgh',
        html,
        workflowId: `booking-bench-${target.name}`,
        version,
      });
      return performance.now() - t0;
    };
    // Interleaved, so that whatever else the machine does weighs on both cases alike.
    for (let version = 1; version <= WARM_UP + PUBLISHES; version++) {
      for (const target of [empty, busy]) {
        const ms = await publish(target, version);
        if (version > WARM_UP) samples[target.name as 'empty' | 'busy'].push(ms);
      }
    }

    const emptyMs = median(samples.empty);
    const busyMs = median(samples.busy);
    const ratio = busyMs / emptyMs;
    const ok = ratio <= MAX_RATIO;
    console.log(
      `\npublish one page version to one site (S3 put + CreateInvalidation; moto behind the CloudFront shim), ` +
        `median of ${PUBLISHES} each, ${EXISTING} existing invalidations made in ${(filledIn / 1000).toFixed(1)} s\n`,
    );
    console.log('| distribution | p50 ms | min ms | max ms |\n| --- | ---: | ---: | ---: |');
    for (const [label, values] of [
      ['0 existing invalidations', samples.empty],
      [`${EXISTING} existing invalidations`, samples.busy],
    ] as const) {
      console.log(
        `| ${label} | ${median(values).toFixed(1)} | ${Math.min(...values).toFixed(1)} | ${Math.max(...values).toFixed(1)} |`,
      );
    }
    console.log(`\nratio ${ratio.toFixed(2)} (target <= ${MAX_RATIO}): ${ok ? 'yes' : 'NO'}`);
    return ok;
  } finally {
    s3.destroy();
    cloudfront.destroy();
    await moto.stop();
  }
}

/** Gives the distribution EXISTING invalidations through the shim, as CloudFront would hold them; returns ms taken. */
async function fill(cloudfront: ReturnType<typeof createAwsClients>['cloudfront'], distributionId: string) {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < EXISTING; i = next++) {
      await cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: distributionId,
          InvalidationBatch: {
            CallerReference: `booking-bench-old-${i}:page:v1:busy`,
            Paths: { Quantity: 1, Items: [`/g/old-${i}`] },
          },
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return performance.now() - t0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
