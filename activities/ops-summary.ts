import { createHash } from 'node:crypto';
import { HeadObjectCommand, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { CrewMemberStatus } from '../src/domain/crew';
import { composeOpsSummary } from '../src/mail/summary';
import { opsSummaryMessageId } from '../src/mail/message-id';
import { isRetryableMailError, sendOpsSummary as sendMail } from '../src/mail/transport';
import type { ActivityContext, BookingRef } from './context';
import { awsFailure } from './failures';

export interface OpsSummarySent {
  messageId: string;
  /** True when an earlier attempt already sent it: nothing was sent this time. */
  alreadySent: boolean;
}

/** Step 5: the summary email to ops, sent once per booking. */
export function opsSummaryActivities(ctx: ActivityContext) {
  return {
    async sendOpsSummary(
      input: BookingRef & { crew: CrewMemberStatus[]; pages: { site: string; url: string }[]; jadaEventId: string; sccEventId: string },
    ): Promise<OpsSummarySent> {
      const tenant = ctx.tenantOf(input.tenant);
      const messageId = opsSummaryMessageId(input.workflowId);
      // SMTP cannot be asked "did you get this already?", so the worker keeps its own record. A crash
      // between send and record can still send twice; the deterministic Message-ID lets mail clients
      // fold that duplicate.
      const ledgerKey = `ops-mail/${createHash('sha256').update(messageId).digest('hex')}.json`;
      try {
        if (await objectExists(ctx.s3, ctx.stateBucket, ledgerKey)) return { messageId, alreadySent: true };
      } catch (err) {
        throw awsFailure(err, 'Checking whether the ops summary was already sent failed');
      }
      const summary = composeOpsSummary({
        tenantName: tenant.name,
        booking: input.booking,
        workflowId: input.workflowId,
        crew: input.crew,
        pages: input.pages,
        jadaEventId: input.jadaEventId,
        sccEventId: input.sccEventId,
        temporalUiUrl: ctx.temporalUiWorkflowUrl?.replace('{workflowId}', encodeURIComponent(input.workflowId)),
      });
      try {
        await sendMail(ctx.mail, { from: tenant.ops.from, to: tenant.ops.to, messageId, summary });
      } catch (err) {
        const message = `Sending the ops summary email failed: ${err instanceof Error ? err.message : String(err)}`;
        throw isRetryableMailError(err)
          ? ApplicationFailure.retryable(message, 'MailUnavailable')
          : ApplicationFailure.nonRetryable(message, 'MailRejected');
      }
      try {
        await ctx.s3.send(
          new PutObjectCommand({
            Bucket: ctx.stateBucket,
            Key: ledgerKey,
            Body: JSON.stringify({ messageId, workflowId: input.workflowId, sentAt: new Date(ctx.now()).toISOString() }),
            ContentType: 'application/json',
          }),
        );
      } catch (err) {
        log.warn('Ops summary sent but not recorded; a retry may send it again', { error: String(err) });
      }
      return { messageId, alreadySent: false };
    },
  };
}

async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if (err instanceof NotFound || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}
