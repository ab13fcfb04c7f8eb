import { log } from '@temporalio/activity';
import type { FieldChange } from '../src/domain/booking-changes';
import type { CrewMemberStatus } from '../src/domain/crew';
import { composeBookingChange } from '../src/mail/booking-change';
import { composeCancellationNotice } from '../src/mail/cancellation';
import { composeCrewAlert, composeCrewEscalation, type CrewReplacementContext } from '../src/mail/crew-alert';
import { composeCrewUpdate } from '../src/mail/crew-update';
import { composeFeedEventsMissing, composeFeedOutage } from '../src/mail/feed-alerts';
import { composeHeldBooking } from '../src/mail/held-booking';
import { composeOpsDigest } from '../src/mail/ops-digest';
import { composeCrewRoster } from '../src/mail/crew-roster';
import { tenantTimeZone } from '../src/config/tenant';
import type { CrewRoster, OpsDigest } from '../src/domain/ops-digest';
import type { FeedEventTimes } from '../src/domain/feed-sync';
import { bookingWorkflowId } from '../src/domain/booking';
import type { BookingEmailContext, OpsEmail } from '../src/mail/email';
import { SentMailLedger } from '../src/mail/ledger';
import {
  bookingChangeMessageId,
  cancellationNoticeMessageId,
  crewAlertMessageId,
  crewEscalationMessageId,
  crewRosterMessageId,
  crewUpdateMessageId,
  feedEventsMissingMessageId,
  feedOutageMessageId,
  heldBookingMessageId,
  opsDigestMessageId,
  opsSummaryMessageId,
} from '../src/mail/message-id';
import { composeOpsSummary } from '../src/mail/summary';
import { sendMail, smtpRefused } from '../src/mail/transport';
import { MAIL_CLAIM_LEASE_MS } from '../src/domain/time-budgets';
import { inAttempt, type ActivityContext, type BookingRef } from './context';
import { awsFailure, mailFailure, mailInProgressFailure, mailInputFailure } from './failures';

/** What a crew alert and an escalation both take: the roster now, and the round of asking crew it is about. */
export type CrewRound = BookingRef & { crew: CrewMemberStatus[]; round: number };

export interface OpsMailSent {
  messageId: string;
  /** True when an earlier attempt already sent it: nothing was sent this time. */
  alreadySent: boolean;
}

/**
 * Step 5, the summary email to ops, and what ops must hear of afterwards: crew updates, changes to
 * the booking, crew who decline or never answer, and the notice when a booking is cancelled. Each is
 * sent once, under a Message-ID derived from what it tells (src/mail/message-id.ts).
 */
export function opsMailActivities(ctx: ActivityContext) {
  const temporalUiUrl = (workflowId: string) =>
    ctx.temporalUiWorkflowUrl?.replace('{workflowId}', encodeURIComponent(workflowId));

  const ledger = new SentMailLedger(ctx.s3, ctx.stateBucket, {
    leaseMs: ctx.mailClaimLeaseMs ?? MAIL_CLAIM_LEASE_MS,
    now: ctx.now,
  });

  /**
   * Sends the email exactly once across attempts (see SentMailLedger): claim its Message-ID, send,
   * record. Once SMTP has the message, the send runs to its end even if the attempt is cancelled: a
   * send cut short is the one case that could go out twice.
   */
  async function sendOnce(
    input: Pick<BookingRef, 'tenant' | 'workflowId'>,
    what: string,
    messageId: string,
    compose: () => OpsEmail,
  ): Promise<OpsMailSent> {
    const tenant = ctx.tenant(input.tenant);
    return inAttempt(async (call) => {
      const claimed = await ledger
        .claim(messageId, input.workflowId, call)
        .catch((err: unknown) =>
          Promise.reject(awsFailure(err, `Claiming the ${what} in the sent-mail ledger failed`)),
        );
      if (claimed.outcome === 'sent') return { messageId, alreadySent: true };
      if (claimed.outcome === 'in-progress') {
        throw mailInProgressFailure(
          `Another attempt is sending the ${what} (its claim holds until ${claimed.leaseUntil})`,
          Math.max(1000, Date.parse(claimed.leaseUntil) - ctx.now() + 1000),
        );
      }
      const { claim } = claimed;
      // Unconfirmed: its answer never came. Expired: its attempt died (or overran) mid-send, maybe after the 250.
      if (claimed.after === 'unconfirmed' || claimed.after === 'expired') {
        log.warn(`Sending the ${what} again: the previous attempt's copy may have been delivered (same Message-ID)`, {
          previousClaim: claimed.after,
        });
      }
      call.signal?.throwIfAborted();
      try {
        await sendMail(ctx.mail, { from: tenant.ops.from, to: tenant.ops.to, messageId, email: compose() });
      } catch (err) {
        // Settled by this attempt, which is no longer sending: the retry need not wait out the lease.
        await ledger.settleFailed(claim, smtpRefused(err)).catch(() => undefined);
        throw mailFailure(err, `Sending the ${what} email failed`);
      }
      const recorded = await ledger.recordSent(claim).catch((err: unknown) => {
        // Sent, and this attempt completes: only a lost completion could bring a retry, which the
        // claim's lease then holds off.
        log.warn(`The ${what} was sent but not recorded in the sent-mail ledger`, { error: String(err) });
        return true;
      });
      if (!recorded) log.warn(`The ${what} was sent after another attempt took its claim over; it may go out twice`);
      return { messageId, alreadySent: false };
    });
  }

  /** The part every email shares: the operator, the booking, and the link to its workflow. */
  const about = ({ tenant, booking, workflowId }: BookingRef): BookingEmailContext => ({
    tenantName: ctx.tenant(tenant).name,
    booking,
    workflowId,
    temporalUiUrl: temporalUiUrl(workflowId),
  });

  const opsPageUrl = (tenant: string) => ctx.opsPageUrl?.replace('{tenant}', encodeURIComponent(tenant));

  function aboutFeed(tenantId: string, feedName: string, workflowId: string) {
    return {
      tenantName: ctx.tenant(tenantId).name,
      feed: ctx.feed(tenantId, feedName),
      workflowId,
      temporalUiUrl: temporalUiUrl(workflowId),
      opsPageUrl: opsPageUrl(tenantId),
    };
  }

  /** What a crew alert or escalation is about: the roster, which the crew it names must be on. */
  function aboutCrew(
    ref: BookingRef,
    crew: CrewMemberStatus[],
    named: readonly string[],
    what: string,
  ): CrewReplacementContext {
    if (named.length === 0) throw mailInputFailure(`A ${what} names no crew`);
    const unknown = named.filter((id) => !crew.some((m) => m.id === id));
    if (unknown.length) throw mailInputFailure(`A ${what} names crew not on its roster: ${unknown.join(', ')}`);
    return { ...about(ref), tenantId: ref.tenant, crew };
  }

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

    /** `booking` is the booking as the change left it; one email per revision. */
    async sendBookingChange({
      changes,
      revision,
      channel,
      crewReasked,
      ...ref
    }: BookingRef & {
      changes: FieldChange[];
      revision: number;
      channel: string;
      crewReasked: boolean;
    }): Promise<OpsMailSent> {
      if (changes.length === 0) throw mailInputFailure(`The change to revision ${revision} changed nothing`);
      return sendOnce(ref, 'booking change', bookingChangeMessageId(ref.workflowId, revision), () =>
        composeBookingChange({ ...about(ref), changes, revision, channel, crewReasked }),
      );
    },

    /**
     * Sent at once when crew decline. One email per (round, declined crew ids): pass each decline in
     * one alert only, and two declines that arrive apart each get their own.
     */
    async sendCrewAlert({ crew, declined, round, ...ref }: CrewRound & { declined: string[] }): Promise<OpsMailSent> {
      const context = aboutCrew(ref, crew, declined, 'crew alert');
      return sendOnce(ref, 'crew alert', crewAlertMessageId(ref.workflowId, round, declined), () =>
        composeCrewAlert({ ...context, declined }),
      );
    },

    /** Sent when a round's crew deadline passes with crew still silent: one email per round. */
    async sendCrewEscalation({
      crew,
      missing,
      round,
      ...ref
    }: CrewRound & { missing: string[] }): Promise<OpsMailSent> {
      const context = aboutCrew(ref, crew, missing, 'crew escalation');
      return sendOnce(ref, 'crew escalation', crewEscalationMessageId(ref.workflowId, round), () =>
        composeCrewEscalation({ ...context, missing }),
      );
    },

    /** A booking from a calendar feed holds its JADA slot and waits for ops to enter its details. */
    async sendHeldBookingNotice({
      feed,
      jadaEventId,
      ...ref
    }: BookingRef & { feed: string; jadaEventId: string }): Promise<OpsMailSent> {
      return sendOnce(ref, 'held booking notice', heldBookingMessageId(ref.workflowId), () =>
        composeHeldBooking({
          ...about(ref),
          tenantId: ref.tenant,
          feed,
          jadaEventId,
          // The booking's own page, where its complete form is.
          opsPageUrl: opsPageUrl(ref.tenant)?.replace(
            /\/?$/,
            `/bookings/${encodeURIComponent(ref.booking.source)}/${encodeURIComponent(ref.booking.bookingId)}`,
          ),
        }),
      );
    },

    /** Reservations gone from a calendar feed: ops confirm on the marketplace; nothing is cancelled. */
    async sendFeedEventsMissing({
      tenant,
      feed,
      workflowId,
      events,
    }: {
      tenant: string;
      feed: string;
      workflowId: string;
      events: FeedEventTimes[];
    }): Promise<OpsMailSent> {
      if (events.length === 0) throw mailInputFailure('A missing-events email names no events');
      const about = aboutFeed(tenant, feed, workflowId);
      const messageId = feedEventsMissingMessageId(
        tenant,
        feed,
        events.map((e) => e.key),
      );
      return sendOnce({ tenant, workflowId }, 'feed events missing', messageId, () =>
        composeFeedEventsMissing({
          ...about,
          events: events.map((e) => ({
            ...e,
            workflowId: bookingWorkflowId(tenant, { source: about.feed.source, bookingId: e.key }),
          })),
        }),
      );
    },

    /** A feed that cannot be read: once per outage (named by the last good sync before it). */
    async sendFeedOutage({
      tenant,
      feed,
      workflowId,
      reason,
      lastGoodSync,
    }: {
      tenant: string;
      feed: string;
      workflowId: string;
      reason: string;
      lastGoodSync?: string;
    }): Promise<OpsMailSent> {
      return sendOnce(
        { tenant, workflowId },
        'feed outage alert',
        feedOutageMessageId(tenant, feed, lastGoodSync),
        () => composeFeedOutage({ ...aboutFeed(tenant, feed, workflowId), reason, lastGoodSync }),
      );
    },

    /** The daily digest: once per tenant and period (the tenant-local date of the run's scheduled time). */
    async sendOpsDigest({ workflowId, digest }: { workflowId: string; digest: OpsDigest }): Promise<OpsMailSent> {
      return sendOnce(
        { tenant: digest.tenant, workflowId },
        'ops digest',
        opsDigestMessageId(digest.tenant, digest.period),
        () => composeOpsDigest({ tenantName: ctx.tenant(digest.tenant).name, digest, temporalUiUrl }),
      );
    },

    /** One charter's crew roster: once per booking and charter start, whichever run finds it first. */
    async sendCrewRoster({
      tenant,
      workflowId,
      roster,
    }: {
      tenant: string;
      workflowId: string;
      roster: CrewRoster;
    }): Promise<OpsMailSent> {
      const found = ctx.tenant(tenant);
      return sendOnce({ tenant, workflowId }, 'crew roster', crewRosterMessageId(roster.workflowId, roster.start), () =>
        composeCrewRoster({
          tenantName: found.name,
          roster,
          timeZone: tenantTimeZone(found),
          temporalUiUrl: temporalUiUrl(roster.workflowId),
        }),
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
