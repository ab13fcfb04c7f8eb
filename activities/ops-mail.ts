import { log } from '@temporalio/activity';
import type { CrewMemberStatus } from '../src/domain/crew';
import { composeCancellationNotice } from '../src/mail/cancellation';
import { composeCrewUpdate } from '../src/mail/crew-update';
import type { BookingEmailContext, OpsEmail } from '../src/mail/email';
import { SentMailLedger } from '../src/mail/ledger';
import { cancellationNoticeMessageId, crewUpdateMessageId, opsSummaryMessageId } from '../src/mail/message-id';
import { composeOpsSummary } from '../src/mail/summary';
import { sendMail } from '../src/mail/transport';
import type { ActivityContext, BookingRef } from './context';
import { awsFailure, mailFailure } from './failures';

export interface OpsMailSent {
  messageId: string;
  /** True when an earlier attempt already sent it: nothing was sent this time. */
  alreadySent: boolean;
}

/** Step 5, the summary email to ops, crew updates after it, and the notice when a booking is cancelled: each sent once. */
export function opsMailActivities(ctx: ActivityContext) {
  const temporalUiUrl = (workflowId: string) =>
    ctx.temporalUiWorkflowUrl?.replace('{workflowId}', encodeURIComponent(workflowId));

  const ledger = new SentMailLedger(ctx.s3, ctx.stateBucket);

  /** Sends the email unless the ledger says an earlier attempt did. */
  async function sendOnce(
    input: BookingRef,
    what: string,
    messageId: string,
    compose: () => OpsEmail,
  ): Promise<OpsMailSent> {
    const tenant = ctx.tenant(input.tenant);
    try {
      if (await ledger.wasSent(messageId)) return { messageId, alreadySent: true };
    } catch (err) {
      throw awsFailure(err, `Checking whether the ${what} was already sent failed`);
    }
    try {
      await sendMail(ctx.mail, { from: tenant.ops.from, to: tenant.ops.to, messageId, email: compose() });
    } catch (err) {
      throw mailFailure(err, `Sending the ${what} email failed`);
    }
    try {
      await ledger.recordSent(messageId, { workflowId: input.workflowId, sentAt: new Date(ctx.now()).toISOString() });
    } catch (err) {
      log.warn(`The ${what} was sent but not recorded; a retry may send it again`, { error: String(err) });
    }
    return { messageId, alreadySent: false };
  }

  /** The part every email shares: the operator, the booking, and the link to its workflow. */
  const about = ({ tenant, booking, workflowId }: BookingRef): BookingEmailContext => ({
    tenantName: ctx.tenant(tenant).name,
    booking,
    workflowId,
    temporalUiUrl: temporalUiUrl(workflowId),
  });

  return {
    async sendOpsSummary({
      crew,
      pages,
      jadaEventId,
      sccEventId,
      ...ref
    }: BookingRef & {
      crew: CrewMemberStatus[];
      pages: { site: string; url: string }[];
      jadaEventId: string;
      sccEventId: string;
    }): Promise<OpsMailSent> {
      return sendOnce(ref, 'ops summary', opsSummaryMessageId(ref.workflowId), () =>
        composeOpsSummary({ ...about(ref), crew, pages, jadaEventId, sccEventId }),
      );
    },

    async sendCrewUpdate({
      crew,
      changed,
      sequence,
      ...ref
    }: BookingRef & { crew: CrewMemberStatus[]; changed: string[]; sequence: number }): Promise<OpsMailSent> {
      return sendOnce(ref, 'crew update', crewUpdateMessageId(ref.workflowId, sequence), () =>
        composeCrewUpdate({ ...about(ref), crew, changed }),
      );
    },

    async sendCancellationNotice({
      reason,
      undone,
      toDoByHand,
      ...ref
    }: BookingRef & { reason?: string; undone: string[]; toDoByHand: string[] }): Promise<OpsMailSent> {
      return sendOnce(ref, 'cancellation notice', cancellationNoticeMessageId(ref.workflowId), () =>
        composeCancellationNotice({ ...about(ref), reason, undone, toDoByHand }),
      );
    },
  };
}
