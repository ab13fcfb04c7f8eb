import { createHmac } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { bookingWorkflowId, type Booking } from '../domain/booking';
import { guestSlug } from '../domain/slug';
import { DEFAULT_UPLOAD_WINDOW, type UploadWindowPolicy } from '../domain/time';
import type { Tenant } from '../config/tenant';
import type { HeldBy, ReminderPolicy } from '../domain/lifecycle';
import type { bookingLifecycle } from '../../workflows/booking-lifecycle';
import type { BookingLifecycleInput, CrewConfirmationPolicy } from '../../workflows/types';
import { BookingIdKey, CharterStartKey, FulfillmentStageKey, TenantKey } from '../../workflows/search-attributes';
import { describeBooking, findLegacyBooking, type FoundBooking } from './running-booking';
import { dateTimeFormat } from '../domain/intl';

export interface IntakeSettings {
  taskQueue: string;
  /** Key of the HMAC that makes page slugs unguessable. Rotating it changes the slugs of new bookings only. */
  slugSecret: string;
  crewConfirmation: CrewConfirmationPolicy;
  /** Defaults to DEFAULT_UPLOAD_WINDOW (opens 7 days before, closes 3 days after, refreshed every 6). */
  uploadWindow?: UploadWindowPolicy;
  /** When silent crew are reminded; the workflow's DEFAULT_REMINDERS (24 h after asking, 12 h before the deadline) when absent. */
  crewReminders?: ReminderPolicy;
}

const HOUR_MS = 3600_000;

/** The intake variables of ServiceEnv and WorkerEnv (src/config/env.ts), in hours. */
export interface IntakeEnvValues {
  SLUG_SECRET: string;
  CREW_CONFIRMATION_TIMEOUT_HOURS: number;
  CREW_CONFIRMATION_LEAD_HOURS: number;
  CREW_REMINDER_AFTER_ASK_HOURS: number;
  CREW_REMINDER_BEFORE_DEADLINE_HOURS: number;
  UPLOAD_WINDOW_OPENS_BEFORE_START_HOURS: number;
  UPLOAD_WINDOW_CLOSES_AFTER_END_HOURS: number;
  UPLOAD_POLICY_REFRESH_HOURS: number;
}

/** Intake's settings from the environment: the service and the worker (for feeds) read the same. */
export function intakeSettingsFromEnv(env: IntakeEnvValues, taskQueue: string): IntakeSettings {
  return {
    taskQueue,
    slugSecret: env.SLUG_SECRET,
    crewConfirmation: {
      timeoutMs: env.CREW_CONFIRMATION_TIMEOUT_HOURS * HOUR_MS,
      leadBeforeStartMs: env.CREW_CONFIRMATION_LEAD_HOURS * HOUR_MS,
    },
    crewReminders: {
      afterAskMs: env.CREW_REMINDER_AFTER_ASK_HOURS * HOUR_MS,
      beforeDeadlineMs: env.CREW_REMINDER_BEFORE_DEADLINE_HOURS * HOUR_MS,
    },
    uploadWindow: {
      openBeforeStartMs: env.UPLOAD_WINDOW_OPENS_BEFORE_START_HOURS * HOUR_MS,
      closeAfterEndMs: env.UPLOAD_WINDOW_CLOSES_AFTER_END_HOURS * HOUR_MS,
      refreshEveryMs: env.UPLOAD_POLICY_REFRESH_HOURS * HOUR_MS,
    },
  };
}

export function fulfillmentInput(
  tenant: Tenant,
  booking: Booking,
  settings: Pick<IntakeSettings, 'slugSecret' | 'crewConfirmation' | 'uploadWindow' | 'crewReminders'>,
  held?: HeldBy,
) {
  const workflowId = bookingWorkflowId(tenant.id, booking);
  const input: BookingLifecycleInput = {
    tenant: tenant.id,
    booking,
    crew: booking.crew ?? tenant.defaultCrew,
    slug: guestSlug(booking, createHmac('sha256', settings.slugSecret).update(workflowId).digest()),
    crewConfirmation: settings.crewConfirmation,
    uploadWindow: settings.uploadWindow ?? DEFAULT_UPLOAD_WINDOW,
    ...(settings.crewReminders ? { crewReminders: settings.crewReminders } : {}),
    ...(held ? { held } : {}),
  };
  return { workflowId, input };
}

export type StartedBooking =
  | { outcome: 'started'; workflowId: string }
  /** A previous delivery started it: the running (or closed) booking, for the change path. */
  | { outcome: 'duplicate'; workflowId: string; found?: FoundBooking }
  /** The exact ID holds an older booking whose id differs only in case (see findBooking). */
  | { outcome: 'id-taken'; workflowId: string; heldBy: string };

/**
 * Starts the booking's workflow, or finds the one a previous delivery started. The ID reuse policy
 * rejects a duplicate even after the first workflow closed, so a late re-delivery never fulfils a
 * booking twice. (The TS client does not say whether a USE_EXISTING start created a run, so a conflict
 * is detected as WorkflowExecutionAlreadyStartedError instead; the effect is the same: one workflow.)
 */
export async function startBookingFulfillment(
  client: Client,
  tenant: Tenant,
  booking: Booking,
  settings: IntakeSettings,
  /** A booking from a calendar feed whose details are not known: it waits in AWAITING_DETAILS. */
  held?: HeldBy,
): Promise<StartedBooking> {
  // A re-delivery of a booking that started before booking ids kept their case is that booking.
  const legacy = await findLegacyBooking(client, tenant.id, booking);
  if (legacy) return { outcome: 'duplicate', workflowId: legacy.handle.workflowId, found: legacy };
  const { workflowId, input } = fulfillmentInput(tenant, booking, settings, held);
  try {
    await client.workflow.start<typeof bookingLifecycle>('bookingLifecycle', {
      taskQueue: settings.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: BookingIdKey, value: booking.bookingId },
        { key: TenantKey, value: tenant.id },
        { key: CharterStartKey, value: new Date(booking.charter.start) },
        { key: FulfillmentStageKey, value: 'RECEIVED' },
      ],
      staticSummary: staticSummary(tenant, booking, held),
    });
    return { outcome: 'started', workflowId };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const found = await describeBooking(client, tenant.id, workflowId);
  const holder = found?.description.typedSearchAttributes.get(BookingIdKey);
  return holder === undefined || holder === booking.bookingId
    ? { outcome: 'duplicate', workflowId, found }
    : { outcome: 'id-taken', workflowId, heldBy: holder };
}

/**
 * "Charter: Carole, May 30 10:00-13:00, JADA": what ops read in the Temporal UI's list. It may name
 * the guest: the SDK (1.24, encodeUserMetadata) runs the summary through the payload codec like any
 * input, so Temporal holds it encrypted and the UI shows it only through the codec server
 * (test/integration/privacy proves both). Search attributes, which are never encoded, carry no name.
 */
export function staticSummary(tenant: Tenant, booking: Booking, held?: HeldBy): string {
  const zone = booking.charter.timeZone;
  const day = dateTimeFormat('en-US', { timeZone: zone, month: 'short', day: 'numeric' }).format(
    new Date(booking.charter.start),
  );
  const hm = (iso: string) =>
    dateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
      new Date(iso),
    );
  const when = `${day} ${hm(booking.charter.start)}-${hm(booking.charter.end)}`;
  if (held) return `Held (${held.feed} feed): ${booking.boat}, ${when}, ${tenant.name}`;
  const firstName = booking.guest.name.trim().split(/\s+/)[0];
  return `Charter: ${firstName}, ${when}, ${tenant.name}`;
}
