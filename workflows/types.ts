import type { Booking, CrewAssignment } from '../src/domain/booking';
import type { CrewMemberStatus } from '../src/domain/crew';
import type { ChangeLogEntry, HeldBy, LifecycleState, ReminderPolicy, ReminderKind } from '../src/domain/lifecycle';
import type { LifecycleStage } from '../src/domain/lifecycle-plan';
import type { UploadWindowPolicy, UploadWindowState } from '../src/domain/time';

export const TASK_QUEUE_DEFAULT = 'booking-fulfillment';

export interface CrewConfirmationPolicy {
  /** How long crew have to answer after the booking arrives. */
  timeoutMs: number;
  /** Stop waiting at the latest this long before the charter starts, whatever the timeout says. */
  leadBeforeStartMs: number;
}

export interface BookingFulfillmentInput {
  tenant: string;
  booking: Booking;
  /** The booking's crew, or the tenant's default crew when the booking names none (resolved at intake). */
  crew: CrewAssignment[];
  /** Public, unguessable page slug (friendly part + HMAC suffix), computed at intake. */
  slug: string;
  crewConfirmation: CrewConfirmationPolicy;
  /** When guests may upload photos; absent in histories recorded before the page was kept current. */
  uploadWindow?: UploadWindowPolicy;
}

/**
 * A booking as the entity workflow (bookingLifecycle) takes it: what intake resolved, the reminder
 * policy, and, after a continue-as-new, the state it carries on with.
 */
export interface BookingLifecycleInput extends BookingFulfillmentInput {
  /** When silent crew are reminded; DEFAULT_REMINDERS when absent. */
  crewReminders?: ReminderPolicy;
  /** A booking from a calendar feed with only its slot known: it waits in AWAITING_DETAILS. */
  held?: HeldBy;
  carried?: CarriedLifecycle;
}

/** What one run of the entity hands the next (continue-as-new). */
export interface CarriedLifecycle {
  state: LifecycleState;
  pages: PublishedPageRef[];
  timestamps: BookingStatus['timestamps'];
}

/** Named outcomes, in the order a booking moves through them (src/domain/lifecycle-plan.ts), or how it ended. */
export type FulfillmentStage = LifecycleStage | 'CANCELLED' | 'FAILED';

export type CrewOutcome = 'ALL_CONFIRMED' | 'ALL_ANSWERED' | 'TIMED_OUT';

export interface PublishedPageRef {
  site: string;
  url: string;
}

export interface BookingStatus {
  workflowId: string;
  tenant: string;
  bookingId: string;
  source: Booking['source'];
  stage: FulfillmentStage;
  crew: CrewMemberStatus[];
  crewOutcome?: CrewOutcome;
  /** ISO instant at which the workflow stops waiting for crew. */
  crewDeadline?: string;
  jadaEventId?: string;
  sccEventId?: string;
  pages: PublishedPageRef[];
  /** How many times the page has been published; each version is invalidated once per site. */
  pageVersion: number;
  uploadWindow?: { opensAt: string; closesAt: string; state: UploadWindowState };
  opsEmailMessageId?: string;
  /** A human-readable reason when stage is FAILED. */
  failure?: string;
  /** ISO instants of stage changes, for "how long did this take" questions. */
  timestamps: Partial<Record<FulfillmentStage | 'RECEIVED', string>>;
  /** The entity only (bookingLifecycle): the details as they are now and their revision (1 at intake). */
  revision?: number;
  booking?: Booking;
  /** Every change applied: when, which fields, from which channel. */
  changes?: ChangeLogEntry[];
  /** Every member ever asked, with when they were asked, reminded, answered or taken off. */
  crewHistory?: CrewSeatStatus[];
  /** What a system without the lifecycle endpoints left for ops to do by hand. */
  toDoByHand?: string[];
  /** Set while a booking from a calendar feed waits for ops to complete its details. */
  held?: { feed: string; since: string };
}

export interface CrewSeatStatus extends CrewAssignment {
  round: number;
  askedAt: string;
  deadline: string;
  reminded: Partial<Record<ReminderKind, string>>;
  answer?: CrewMemberStatus['status'];
  answeredAt?: string;
  escalatedAt?: string;
  removedAt?: string;
  replacedBy?: string;
}

export type BookingFulfillmentResult = BookingStatus;
