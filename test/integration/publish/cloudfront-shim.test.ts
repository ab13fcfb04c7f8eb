import { CreateInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { startCloudFrontShim } from '../../../sim/cloudfront-dedupe';
import { InvalidationConflictError, ensureInvalidation } from '../../../src/publish/cloudfront';
import { createBucket, createDistribution, invalidationsOf, motoClients, uniqueName } from '../../support/aws';
import { testServers } from '../../support/temporal';

/** The CloudFront shim in front of moto (sim/cloudfront-dedupe.ts): CallerReference dedupes as on CloudFront. */
describe('CloudFront shim: CreateInvalidation is idempotent by CallerReference', () => {
  const { motoUrl, motoDirectUrl } = testServers();
  const viaShim = motoClients(motoUrl);
  const behindTheShim = motoClients(motoDirectUrl);

  afterAll(() => {
    for (const client of Object.values({ ...viaShim, ...behindTheShim })) client.destroy();
  });

  const newDistribution = async () =>
    (await createDistribution(viaShim.cloudfront, await createBucket(viaShim.s3, uniqueName('shim')))).id;

  const create = (cloudfront: CloudFrontClient, distributionId: string, callerReference: string, paths: string[]) =>
    cloudfront.send(
      new CreateInvalidationCommand({
        DistributionId: distributionId,
        InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
      }),
    );

  test('a repeat with the same paths answers 201 with the same invalidation; moto holds one', async () => {
    const distributionId = await newDistribution();
    // Characters XML must escape, in the reference and in a path, survive the round trip.
    const reference = 'booking-acme-direct-1:page:v1:<nested>&"flat"';
    const paths = ['/g/a&b', '/guests/a&b/index.html'];

    const first = await create(viaShim.cloudfront, distributionId, reference, paths);
    const again = await create(viaShim.cloudfront, distributionId, reference, [...paths].reverse());

    expect(first.$metadata.httpStatusCode).toBe(201);
    expect(again.$metadata.httpStatusCode).toBe(201);
    expect(again.Location).toBe(first.Location);
    expect(again.Invalidation).toEqual(first.Invalidation);
    expect(first.Invalidation?.InvalidationBatch).toEqual({
      CallerReference: reference,
      Paths: { Quantity: 2, Items: paths },
    });
    expect(await invalidationsOf(behindTheShim.cloudfront, distributionId)).toEqual([
      { id: first.Invalidation?.Id, callerReference: reference, paths: [...paths].sort() },
    ]);
  });

  test('other paths under a used reference answer InvalidationBatchAlreadyExists (409), which the product maps to InvalidationConflictError', async () => {
    const distributionId = await newDistribution();
    await create(viaShim.cloudfront, distributionId, 'ref:conflict', ['/a']);

    await expect(create(viaShim.cloudfront, distributionId, 'ref:conflict', ['/a', '/b'])).rejects.toMatchObject({
      name: 'InvalidationBatchAlreadyExists',
      $metadata: { httpStatusCode: 409 },
    });
    const conflict = ensureInvalidation(viaShim.cloudfront, {
      distributionId,
      paths: ['/b'],
      callerReference: 'ref:conflict',
    });
    await expect(conflict).rejects.toBeInstanceOf(InvalidationConflictError);
    await expect(conflict).rejects.toMatchObject({ name: 'InvalidationConflictError', distributionId });
    expect(await invalidationsOf(behindTheShim.cloudfront, distributionId)).toHaveLength(1);
  });

  test('concurrent identical creates (overlapping attempts) make one invalidation', async () => {
    const distributionId = await newDistribution();

    const answers = await Promise.all(
      Array.from({ length: 5 }, () => create(viaShim.cloudfront, distributionId, 'ref:concurrent', ['/x'])),
    );

    expect(new Set(answers.map((answer) => answer.Invalidation?.Id)).size).toBe(1);
    expect(await invalidationsOf(behindTheShim.cloudfront, distributionId)).toHaveLength(1);
  });

  test('a reference is per distribution, as on CloudFront', async () => {
    const [one, two] = await Promise.all([newDistribution(), newDistribution()]);

    const [a, b] = await Promise.all([
      create(viaShim.cloudfront, one, 'ref:shared', ['/a']),
      create(viaShim.cloudfront, two, 'ref:shared', ['/b']),
    ]);

    expect(a.Invalidation?.Id).not.toBe(b.Invalidation?.Id);
  });

  test('a shim started after moto already holds invalidations learns their references', async () => {
    const distributionId = await newDistribution();
    // moto lists 100 per page: the reference asked for again sits on the second page.
    const made = [];
    for (let i = 0; i < 101; i++)
      made.push(await create(behindTheShim.cloudfront, distributionId, `ref:${i}`, [`/p/${i}`]));
    const late = await startCloudFrontShim({ upstream: motoDirectUrl });
    const { cloudfront } = motoClients(late.url);
    try {
      const again = await create(cloudfront, distributionId, 'ref:100', ['/p/100']);
      expect(again.Invalidation?.Id).toBe(made[100]?.Invalidation?.Id);
      await expect(create(cloudfront, distributionId, 'ref:0', ['/other'])).rejects.toMatchObject({
        name: 'InvalidationBatchAlreadyExists',
      });
      expect(await invalidationsOf(behindTheShim.cloudfront, distributionId)).toHaveLength(101);
    } finally {
      cloudfront.destroy();
      await late.stop();
    }
  });
});
