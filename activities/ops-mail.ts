import { createHash } from 'node:crypto';
import { HeadObjectCommand, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { CrewMemberStatus } from '../src/domain/crew';
import { composeCancellationNotice } from '../src/mail/cancellation';
import { cancellationNoticeMessageId, crewUpdateMessageId, opsSummaryMessageId } from '../src/mail/message-id';
import { composeCrewUpdate } from '../src/mail/crew-update';
import { composeOpsSummary, type OpsSummary } from '../src/mail/summary';
import { isRetryableMailError, sendOpsSummary as sendMail } from '../src/mail/transport';
import type { ActivityContext, BookingRef } from './context';
import { awsFailure } from './failures';

export interface OpsMailSent {
  messageId: string;
  /** True when an earlier attempt already sent it: nothing was sent this time. */
  alreadySent: boolean;
}

/** Step 5, the summary email to ops, crew updates after it, and the notice when a booking is cancelled: each sent once. */
export function opsMailActivities(ctx: ActivityContext) {
  const temporalUiUrl = (workflowId: string) =>
    ctx.temporalUiWorkflowUrl?.replace('{workflowId}', encodeURIComponent(workflowId));

  /**
   * SMTP cannot be asked "did you get this already?", so the worker keeps its own record in the state
   * bucket. A crash between send and record can still send twice; the deterministic Message-ID lets
   * mail clients fold that duplicate.
   */
  async function sendOnce(
    input: BookingRef,
    what: string,
    messageId: string,
    compose: () => OpsSummary,
  ): Promise<OpsMailSent> {
    const tenant = ctx.tenantOf(input.tenant);
    const ledgerKey = `ops-mail/${createHash('sha256').update(messageId).digest('hex')}.json`;
    try {
      if (await objectExists(ctx.s3, ctx.stateBucket, ledgerKey)) return { messageId, alreadySent: true };
    } catch (err) {
      throw awsFailure(err, `Checking whether the ${what} was already sent failed`);
    }
    try {
      await sendMail(ctx.mail, { from: tenant.ops.from, to: tenant.ops.to, messageId, summary: compose() });
    } catch (err) {
      const message = `Sending the ${what} email failed: ${err instanceof Error ? err.message : String(err)}`;
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
      log.warn(`The ${what} was sent but not recorded; a retry may send it again`, { error: String(err) });
    }
    return { messageId, alreadySent: false };
  }

  return {
    async sendOpsSummary(
      input: BookingRef & {
        crew: CrewMemberStatus[];
        pages: { site: string; url: string }[];
        jadaEventId: string;
        sccEventId: string;
      },
    ): Promise<OpsMailSent> {
      return sendOnce(input, 'ops summary', opsSummaryMessageId(input.workflowId), () =>
        composeOpsSummary({
          tenantName: ctx.tenantOf(input.tenant).name,
          booking: input.booking,
          workflowId: input.workflowId,
          crew: input.crew,
          pages: input.pages,
          jadaEventId: input.jadaEventId,
          sccEventId: input.sccEventId,
          temporalUiUrl: temporalUiUrl(input.workflowId),
        }),
      );
    },

    async sendCrewUpdate(
      input: BookingRef & { crew: CrewMemberStatus[]; changed: string[]; sequence: number },
    ): Promise<OpsMailSent> {
      return sendOnce(input, 'crew update', crewUpdateMessageId(input.workflowId, input.sequence), () =>
        composeCrewUpdate({
          tenantName: ctx.tenantOf(input.tenant).name,
          booking: input.booking,
          workflowId: input.workflowId,
          crew: input.crew,
          changed: input.changed,
          temporalUiUrl: temporalUiUrl(input.workflowId),
        }),
      );
    },

    async sendCancellationNotice(
      input: BookingRef & { reason?: string; undone: string[]; toDoByHand: string[] },
    ): Promise<OpsMailSent> {
      return sendOnce(input, 'cancellation notice', cancellationNoticeMessageId(input.workflowId), () =>
        composeCancellationNotice({
          tenantName: ctx.tenantOf(input.tenant).name,
          booking: input.booking,
          workflowId: input.workflowId,
          reason: input.reason,
          undone: input.undone,
          toDoByHand: input.toDoByHand,
          temporalUiUrl: temporalUiUrl(input.workflowId),
        }),
      );
    },
  };
}

async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if (
      err instanceof NotFound ||
      (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
    )
      return false;
    throw err;
  }
}
