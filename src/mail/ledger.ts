import { createHash } from 'node:crypto';
import { HeadObjectCommand, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * SMTP cannot be asked "did you get this already?", so the worker keeps its own record of what it
 * sent: one object per Message-ID in a private bucket. A crash between the send and the record can
 * still send twice; the deterministic Message-ID lets mail clients fold that duplicate.
 */
export class SentMailLedger {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async wasSent(messageId: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: ledgerKey(messageId) }));
      return true;
    } catch (err) {
      if (
        err instanceof NotFound ||
        (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
      ) {
        return false;
      }
      throw err;
    }
  }

  async recordSent(messageId: string, details: { workflowId: string; sentAt: string }): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: ledgerKey(messageId),
        Body: JSON.stringify({ messageId, ...details }),
        ContentType: 'application/json',
      }),
    );
  }
}

/** Hashed: a Message-ID holds characters S3 keys should not, and the key says nothing about the booking. */
function ledgerKey(messageId: string): string {
  return `ops-mail/${createHash('sha256').update(messageId).digest('hex')}.json`;
}
