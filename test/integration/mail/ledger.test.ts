import type { IncomingMessage } from 'node:http';
import { AWS_CALL } from '../../../src/domain/time-budgets';
import { SentMailLedger } from '../../../src/mail/ledger';
import { createBucket, motoClients, uniqueName } from '../../support/aws';
import { startFaultyProxy, type FaultyProxy } from '../../../sim/faulty-proxy';
import { testServers } from '../../support/temporal';

const LEASE_MS = 60_000;

/**
 * The sent-mail ledger against moto's S3 (conditional writes: If-None-Match and If-Match), with the
 * worker's client settings, straight and through a proxy that loses answers.
 */
describe('sent-mail ledger', () => {
  const { motoUrl } = testServers();
  const clients = motoClients(motoUrl);
  let bucket: string;
  let clock: number;
  const ledger = (s3 = clients.s3) => new SentMailLedger(s3, bucket, { leaseMs: LEASE_MS, now: () => clock });
  const messageId = () => `<${uniqueName('m')}@charter-fulfillment.local>`;

  beforeAll(async () => {
    bucket = await createBucket(clients.s3, uniqueName('ledger'));
  });
  beforeEach(() => {
    clock = Date.now();
  });
  afterAll(() => {
    clients.s3.destroy();
    clients.cloudfront.destroy();
  });

  test('the first claim owns the Message-ID; a second sees it in progress, then sent once recorded', async () => {
    const id = messageId();
    const first = await ledger().claim(id, 'wf-1');
    expect(first.outcome).toBe('ours');
    expect(await ledger().claim(id, 'wf-1')).toEqual({
      outcome: 'in-progress',
      leaseUntil: new Date(clock + LEASE_MS).toISOString(),
    });
    if (first.outcome !== 'ours') throw new Error('unreachable');
    expect(await ledger().recordSent(first.claim)).toBe(true);
    expect(await ledger().claim(id, 'wf-1')).toEqual({ outcome: 'sent' });
  });

  test('ten attempts claiming at once: exactly one owns it', async () => {
    const id = messageId();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => ledger().claim(id, 'wf-1')));
    expect(outcomes.filter((o) => o.outcome === 'ours')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'in-progress')).toHaveLength(9);
  });

  test('a claim whose lease ran out is taken over by exactly one of the attempts that find it', async () => {
    const id = messageId();
    const stale = await ledger().claim(id, 'wf-1');
    clock += LEASE_MS + 1;
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => ledger().claim(id, 'wf-1')));
    expect(outcomes.filter((o) => o.outcome === 'ours')).toHaveLength(1);
    // The attempt that lost its claim learns so when it records: it may have sent twice.
    if (stale.outcome !== 'ours') throw new Error('unreachable');
    expect(await ledger().recordSent(stale.claim)).toBe(false);
  });

  test('a claim released after a refusal is taken at once, without waiting for its lease', async () => {
    const id = messageId();
    const refused = await ledger().claim(id, 'wf-1');
    if (refused.outcome !== 'ours') throw new Error('unreachable');
    expect(await ledger().settleFailed(refused.claim, true)).toBe(true);
    expect(await ledger().claim(id, 'wf-1')).toMatchObject({ outcome: 'ours', after: 'released' });
  });

  test('a send whose answer never came is taken at once too, and the taker is told it may be a second copy', async () => {
    const id = messageId();
    const unanswered = await ledger().claim(id, 'wf-1');
    if (unanswered.outcome !== 'ours') throw new Error('unreachable');
    expect(await ledger().settleFailed(unanswered.claim, false)).toBe(true);
    expect(await ledger().claim(id, 'wf-1')).toMatchObject({ outcome: 'ours', after: 'unconfirmed' });
  });

  describe('when S3 answers are lost (the write happens, the answer never arrives)', () => {
    let proxy: FaultyProxy;
    let lossy: ReturnType<typeof motoClients>;
    const put = (req: IncomingMessage) => req.method === 'PUT';

    beforeAll(async () => {
      proxy = await startFaultyProxy(motoUrl);
      lossy = motoClients(proxy.url);
    });
    afterAll(async () => {
      lossy.s3.destroy();
      lossy.cloudfront.destroy();
      await proxy.stop();
    });

    test("the SDK's retry of a claim meets the claim it made, and knows it as its own", async () => {
      const id = messageId();
      proxy.hangNext(1, AWS_CALL.requestTimeoutMs + 1000, put);
      const claimed = await ledger(lossy.s3).claim(id, 'wf-1');
      expect(claimed.outcome).toBe('ours');
      expect(await ledger().claim(id, 'wf-1')).toMatchObject({ outcome: 'in-progress' });
      if (claimed.outcome !== 'ours') throw new Error('unreachable');
      proxy.hangNext(1, AWS_CALL.requestTimeoutMs + 1000, put);
      expect(await ledger(lossy.s3).recordSent(claimed.claim)).toBe(true);
      expect(await ledger().claim(id, 'wf-1')).toEqual({ outcome: 'sent' });
    });
  });
});
