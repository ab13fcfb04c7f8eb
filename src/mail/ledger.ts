import { createHash, randomUUID } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CallOptions } from '../domain/time-budgets';

/**
 * SMTP cannot be asked "did you get this already?", so the worker keeps its own record of what it
 * sent: one object per Message-ID in a private bucket, written with S3's conditional writes so that
 * two attempts of the same activity (one Temporal has given up on, still running, and its retry)
 * cannot both send.
 *
 *   claim   PUT If-None-Match: *        the first attempt owns the Message-ID for a lease
 *           412: read it                 sent: done. claimed, lease running: another attempt is
 *                                        sending, come back later. Lease over, or released: take it
 *                                        over with PUT If-Match: its ETag, so only one attempt does.
 *   send    SMTP, after the claim
 *   record  PUT If-Match: our ETag       state "sent". After a failed send the attempt settles the
 *                                        claim itself, so the retry need not wait out the lease:
 *                                        "released" when the server refused (nothing delivered),
 *                                        "unconfirmed" when the answer never came (it may have been).
 *
 * The lease only holds off other attempts while the owner may still be sending: an attempt Temporal
 * gave up on, a worker that died mid-send. The one gap SMTP leaves: a server that took the message
 * but whose 250 never arrived looks like a failure, so the retry sends again (and so does a worker
 * killed between the 250 and the record). That copy has the same deterministic Message-ID, which
 * lets mail clients fold it.
 */

export type LedgerState = 'claimed' | 'released' | 'unconfirmed' | 'sent';

export interface LedgerEntry {
  state: LedgerState;
  messageId: string;
  workflowId: string;
  /** Which attempt wrote it: a random id, so an attempt recognises its own write behind a lost answer. */
  claimId: string;
  /** ISO instant until which a claim keeps other attempts from sending. */
  leaseUntil: string;
  updatedAt: string;
}

/** The attempt that may send, and the ETag its next conditional write must match. */
export interface OwnedClaim {
  key: string;
  claimId: string;
  etag: string;
  messageId: string;
  workflowId: string;
}

export type ClaimResult =
  /** `after` says what the claim took over from, when it took one over. */
  | { outcome: 'ours'; claim: OwnedClaim; after?: 'released' | 'unconfirmed' | 'expired' }
  | { outcome: 'sent' }
  | { outcome: 'in-progress'; leaseUntil: string };

export interface SentMailLedgerOptions {
  /** How long a claim holds off other attempts: longer than a send and its record can take. */
  leaseMs: number;
  now?: () => number;
}

export class SentMailLedger {
  private readonly now: () => number;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly options: SentMailLedgerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async claim(messageId: string, workflowId: string, call: CallOptions = {}): Promise<ClaimResult> {
    const key = ledgerKey(messageId);
    const claimId = randomUUID();
    const entry = (): LedgerEntry => this.entry('claimed', { messageId, workflowId, claimId });
    const owned = (etag: string, after?: 'released' | 'unconfirmed' | 'expired'): ClaimResult => ({
      outcome: 'ours',
      claim: { key, claimId, etag, messageId, workflowId },
      ...(after ? { after } : {}),
    });

    const created = await this.put(key, entry(), { IfNoneMatch: '*' }, call);
    if (created.ok) return owned(created.etag);
    const current = await this.read(key, call);
    if (!current) throw new Error(`sent-mail ledger: ${key} refused a first write but cannot be read`);
    // Our own PUT landed and the SDK's retry of it met it: the claim is ours.
    if (current.entry.claimId === claimId) return owned(current.etag);
    if (current.entry.state === 'sent') return { outcome: 'sent' };
    if (current.entry.state === 'claimed' && Date.parse(current.entry.leaseUntil) > this.now()) {
      return { outcome: 'in-progress', leaseUntil: current.entry.leaseUntil };
    }
    // A settled claim, or one whose attempt died or overran its lease: take it over, conditionally.
    const after = current.entry.state === 'claimed' ? 'expired' : current.entry.state;
    const taken = await this.put(key, entry(), { IfMatch: current.etag }, call);
    if (taken.ok) return owned(taken.etag, after);
    const now = await this.read(key, call);
    if (now?.entry.claimId === claimId) return owned(now.etag, after);
    return now?.entry.state === 'sent'
      ? { outcome: 'sent' }
      : { outcome: 'in-progress', leaseUntil: now?.entry.leaseUntil ?? new Date(this.now()).toISOString() };
  }

  /** After SMTP's 250. False when another attempt took the claim over meanwhile (it may send again). */
  recordSent(claim: OwnedClaim, call: CallOptions = {}): Promise<boolean> {
    return this.settle(claim, 'sent', call);
  }

  /**
   * After a failed send, so the retry may claim at once: `refused` when the server said no (nothing
   * was delivered), else the answer never came and the message may have been delivered.
   */
  settleFailed(claim: OwnedClaim, refused: boolean, call: CallOptions = {}): Promise<boolean> {
    return this.settle(claim, refused ? 'released' : 'unconfirmed', call);
  }

  private async settle(claim: OwnedClaim, state: Exclude<LedgerState, 'claimed'>, call: CallOptions): Promise<boolean> {
    const written = await this.put(claim.key, this.entry(state, claim), { IfMatch: claim.etag }, call);
    if (written.ok) return true;
    // A lost answer to our own write looks like a conflict when the SDK retries it.
    const current = await this.read(claim.key, call);
    return current?.entry.claimId === claim.claimId && current.entry.state === state;
  }

  private entry(state: LedgerState, about: Pick<LedgerEntry, 'messageId' | 'workflowId' | 'claimId'>): LedgerEntry {
    const now = this.now();
    return {
      state,
      ...about,
      leaseUntil: new Date(now + (state === 'claimed' ? this.options.leaseMs : 0)).toISOString(),
      updatedAt: new Date(now).toISOString(),
    };
  }

  private async put(
    key: string,
    entry: LedgerEntry,
    condition: { IfNoneMatch: '*' } | { IfMatch: string },
    { signal }: CallOptions,
  ): Promise<{ ok: true; etag: string } | { ok: false }> {
    try {
      const result = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: JSON.stringify(entry),
          ContentType: 'application/json',
          ...condition,
        }),
        { abortSignal: signal },
      );
      if (!result.ETag) throw new Error(`sent-mail ledger: S3 answered the write of ${key} without an ETag`);
      return { ok: true, etag: result.ETag };
    } catch (err) {
      // 412: the condition failed, someone else wrote first. 409: a concurrent conditional write
      // was in progress (S3 asks to retry); either way, read what is there.
      if (statusOf(err) === 412 || statusOf(err) === 409) return { ok: false };
      throw err;
    }
  }

  private async read(key: string, { signal }: CallOptions): Promise<{ entry: LedgerEntry; etag: string } | undefined> {
    try {
      const result = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: signal,
      });
      const entry = JSON.parse(await result.Body!.transformToString()) as LedgerEntry;
      return { entry, etag: result.ETag! };
    } catch (err) {
      if (err instanceof NoSuchKey || statusOf(err) === 404) return undefined;
      throw err;
    }
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** Hashed: a Message-ID holds characters S3 keys should not, and the key says nothing about the booking. */
export function ledgerKey(messageId: string): string {
  return `ops-mail/${createHash('sha256').update(messageId).digest('hex')}.json`;
}
