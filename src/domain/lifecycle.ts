import type { Booking, CrewAssignment } from './booking';
import { diffBookings, movesCharter, type FieldChange } from './booking-changes';
import type { CrewAnswer, CrewMemberStatus, CrewResponse } from './crew';
import { confirmationDeadline, type UploadWindowPolicy, type UploadWindowState } from './time';

/**
 * The booking as an entity (DESIGN.md, "Booking lifecycle"): its current details and revision, the
 * crew asked and their answers, what each system was last brought to, and the emails ops are owed.
 * Everything here is pure and plain data: events are functions from state to state, the workflow only
 * runs the steps that `nextStep` (lifecycle-plan.ts) says are out of date. The state is what a
 * continue-as-new carries.
 */

const HOUR_MS = 3600_000;

/** When silent crew are reminded through SCC: after being asked, and before their deadline. */
export interface ReminderPolicy {
  afterAskMs: number;
  beforeDeadlineMs: number;
}

export const DEFAULT_REMINDERS: ReminderPolicy = { afterAskMs: 24 * HOUR_MS, beforeDeadlineMs: 12 * HOUR_MS };

export interface LifecyclePolicy {
  crewConfirmation: { timeoutMs: number; leadBeforeStartMs: number };
  reminders: ReminderPolicy;
  uploadWindow: UploadWindowPolicy;
}

export type ReminderKind = 'after-ask' | 'before-deadline';

/** One crew member on the booking: asked in a round, maybe reminded, maybe answered, maybe taken off. */
export interface CrewSeat extends CrewAssignment {
  /** Bumped each time this member is asked again (the charter moved). */
  round: number;
  askedAt: string;
  deadline: string;
  /** ISO instants of the reminders SCC was asked to send in this round. */
  reminded: Partial<Record<ReminderKind, string>>;
  answer?: { response: CrewAnswer; respondedAt: string; receivedAt: string };
  /** Set when the deadline passed without an answer and ops were told. */
  escalatedAt?: string;
  /** Set when ops took the member off this booking; the seat stays for the record. */
  removedAt?: string;
  replacedBy?: string;
}

/** An email ops are owed, queued by an event and sent by the ops step, in order. */
export type Notice =
  | { kind: 'change'; revision: number; changes: FieldChange[]; channel: string; crewReasked: boolean }
  | { kind: 'crew-alert'; sequence: number; declined: string[] }
  | { kind: 'escalation'; sequence: number; missing: string[] }
  | { kind: 'crew-update'; sequence: number; changed: string[] }
  /** A booking from a calendar feed took its slot and waits for ops to complete its details. */
  | { kind: 'held'; feed: string };

/**
 * Where a held booking came from: a calendar feed knows only the slot (DESIGN.md: held bookings wait
 * in AWAITING_DETAILS with the JADA entry made, until ops complete them).
 */
export interface HeldBy {
  feed: string;
}

export interface ChangeLogEntry {
  at: string;
  revision: number;
  channel: string;
  fields: string[];
}

export interface LifecycleState {
  booking: Booking;
  /** Ours: 1 at intake, +1 for every change applied. */
  revision: number;
  /** The channel's own `revision` of the details we hold, when it sends one: older deliveries are stale. */
  sourceRevision?: number;
  receivedAt: string;
  crew: CrewSeat[];
  /** Bumped whenever the roster's state changes (an answer, a replacement, a re-ask): the page shows it. */
  crewVersion: number;
  /** What the SCC event should be at; bumped when anything SCC shows changes. */
  sccRevision: number;
  /** The sccRevision at which the charter last moved: an SCC update up to it re-asks the crew. */
  sccTimesMovedAt: number;
  jada: { id?: string; revision: number };
  scc: { id?: string; revision: number };
  /** `version` counts publishes handed out (each has its own invalidations); the rest is what the page shows. */
  page: { version: number; revision: number; crewVersion: number; state?: UploadWindowState; at?: number };
  summary?: { messageId: string; at: string };
  notices: Notice[];
  /** Per-kind counters that make each notice's Message-ID unique and stable. */
  sequences: { alert: number; escalation: number; update: number };
  changes: ChangeLogEntry[];
  /** Set while the booking waits for its details (from a calendar feed); only JADA is told until then. */
  held?: HeldBy & { since: string };
}

export function activeCrew(state: LifecycleState): CrewSeat[] {
  return state.crew.filter((seat) => seat.removedAt === undefined);
}

/** The active crew as SCC gets them: who and in what role, without the seat's bookkeeping. */
export function crewAssignments(state: LifecycleState): CrewAssignment[] {
  return activeCrew(state).map(({ id, role, name }) => ({ id, role, ...(name === undefined ? {} : { name }) }));
}

function askedSeat(member: CrewAssignment, round: number, nowMs: number, state: LifecycleBasis): CrewSeat {
  const { id, role, name } = member;
  return {
    id,
    role,
    ...(name === undefined ? {} : { name }),
    round,
    askedAt: iso(nowMs),
    deadline: iso(crewDeadline(state, nowMs)),
    reminded: {},
  };
}

type LifecycleBasis = Pick<LifecycleState, 'booking'> & { policy: LifecyclePolicy };

function crewDeadline({ booking, policy }: LifecycleBasis, askedAtMs: number): number {
  const { timeoutMs, leadBeforeStartMs } = policy.crewConfirmation;
  return confirmationDeadline(askedAtMs, Date.parse(booking.charter.start), timeoutMs, leadBeforeStartMs);
}

export function initialState(
  booking: Booking,
  crew: readonly CrewAssignment[],
  policy: LifecyclePolicy,
  nowMs: number,
  held?: HeldBy,
): LifecycleState {
  const state: LifecycleState = {
    booking,
    revision: 1,
    sourceRevision: booking.revision,
    receivedAt: iso(nowMs),
    crew: crew.map((member) => askedSeat(member, 1, nowMs, { booking, policy })),
    crewVersion: 0,
    sccRevision: 1,
    sccTimesMovedAt: 0,
    jada: { revision: 0 },
    scc: { revision: 0 },
    page: { version: 0, revision: 0, crewVersion: 0 },
    notices: [],
    sequences: { alert: 0, escalation: 0, update: 0 },
    changes: [],
  };
  if (held) return { ...state, held: { ...held, since: iso(nowMs) }, notices: [{ kind: 'held', feed: held.feed }] };
  return state;
}

// ---- crew answers ----------------------------------------------------------------------------------

export type AnswerOutcome = 'recorded' | 'duplicate' | 'unknown-crew' | 'removed' | 'earlier-round';

/**
 * Keeps the first answer per member and round: SCC may deliver a callback twice and a member may click
 * twice; changing one's mind goes through ops. An answer given before the member was last asked (the
 * charter moved since) is for the old time and ignored. A decline queues a crew alert at once; an
 * accept after the summary queues a crew update.
 */
export function recordAnswer(
  state: LifecycleState,
  response: CrewResponse,
  nowMs: number,
): { state: LifecycleState; outcome: AnswerOutcome } {
  const seats = state.crew.filter((s) => s.id === response.crewId);
  const seat = seats.find((s) => s.removedAt === undefined) ?? seats[seats.length - 1];
  if (!seat) return { state, outcome: 'unknown-crew' };
  if (seat.removedAt !== undefined) return { state, outcome: 'removed' };
  if (seat.answer) return { state, outcome: 'duplicate' };
  if (seat.round > 1 && Date.parse(response.respondedAt) < Date.parse(seat.askedAt)) {
    return { state, outcome: 'earlier-round' };
  }
  const answered: CrewSeat = {
    ...seat,
    answer: { response: response.response, respondedAt: response.respondedAt, receivedAt: iso(nowMs) },
  };
  const next = {
    ...state,
    crew: state.crew.map((s) => (s === seat ? answered : s)),
    crewVersion: state.crewVersion + 1,
  };
  if (response.response === 'declined') return { state: queueAlert(next, [seat.id]), outcome: 'recorded' };
  if (state.summary) return { state: queueUpdate(next, [seat.id]), outcome: 'recorded' };
  return { state: next, outcome: 'recorded' };
}

function queueAlert(state: LifecycleState, declined: string[]): LifecycleState {
  const sequence = state.sequences.alert + 1;
  return {
    ...state,
    sequences: { ...state.sequences, alert: sequence },
    notices: [...state.notices, { kind: 'crew-alert', sequence, declined }],
  };
}

function queueUpdate(state: LifecycleState, changed: string[]): LifecycleState {
  const sequence = state.sequences.update + 1;
  return {
    ...state,
    sequences: { ...state.sequences, update: sequence },
    notices: [...state.notices, { kind: 'crew-update', sequence, changed }],
  };
}

// ---- time passing -----------------------------------------------------------------------------------

/** Members whose deadline passed without an answer are escalated to ops, once per round. */
export function passTime(state: LifecycleState, nowMs: number): LifecycleState {
  // Crew of a held booking have not been asked yet: they are, with fresh deadlines, once it is completed.
  if (state.held) return state;
  const missing = activeCrew(state).filter(
    (s) => !s.answer && s.escalatedAt === undefined && Date.parse(s.deadline) <= nowMs,
  );
  if (missing.length === 0) return state;
  const ids = new Set(missing.map((s) => s.id));
  const sequence = state.sequences.escalation + 1;
  return {
    ...state,
    crew: state.crew.map((s) => (ids.has(s.id) && s.removedAt === undefined ? { ...s, escalatedAt: iso(nowMs) } : s)),
    crewVersion: state.crewVersion + 1,
    sequences: { ...state.sequences, escalation: sequence },
    notices: [...state.notices, { kind: 'escalation', sequence, missing: [...ids] }],
  };
}

// ---- changes ----------------------------------------------------------------------------------------

/** Fields SCC shows (the event's name, times and notes); a change to one of them updates the SCC event. */
const SCC_FIELDS = ['charter.start', 'charter.end', 'boat', 'guest.name', 'guest.partySize', 'notes', 'crew'];

/**
 * What taking new details from a channel always does, for a change and a completion alike: the next
 * revision, the channel's own revision of them when it sends one, and an entry in the change log.
 */
function withDetails(
  state: LifecycleState,
  booking: Booking,
  channel: string,
  fields: string[],
  nowMs: number,
): LifecycleState {
  const revision = state.revision + 1;
  return {
    ...state,
    booking,
    revision,
    sourceRevision: booking.revision ?? state.sourceRevision,
    changes: [...state.changes, { at: iso(nowMs), revision, channel, fields }],
  };
}

/**
 * Applies new details (already validated and found newer; see change-request.ts): JADA always follows,
 * SCC when a field it shows changed, the page through the revision. A move of the charter asks the
 * crew again (answers reset, a new deadline; SCC tells them). A `crew` list in the details replaces
 * the roster: members who stay keep their answers. Ops are owed one change email.
 */
export function applyChange(
  state: LifecycleState,
  booking: Booking,
  channel: string,
  policy: LifecyclePolicy,
  nowMs: number,
): { state: LifecycleState; changes: FieldChange[] } {
  const changes = diffBookings(state.booking, booking);
  if (changes.length === 0) return { state, changes };
  // Crew of a held booking are asked only once it is completed: a move then asks nobody.
  const reask = movesCharter(changes) && !state.held;
  const touchesScc = changes.some((c) => SCC_FIELDS.includes(c.path));
  const fields = changes.map((c) => c.path);
  let next: LifecycleState = {
    ...withDetails(state, booking, channel, fields, nowMs),
    sccRevision: touchesScc ? state.sccRevision + 1 : state.sccRevision,
  };
  const { revision } = next;
  if (reask) next = reaskCrew({ ...next, sccTimesMovedAt: next.sccRevision }, policy, nowMs);
  if (booking.crew && changes.some((c) => c.path === 'crew')) next = rosterFrom(next, booking.crew, policy, nowMs);
  next = {
    ...next,
    notices: [...next.notices, { kind: 'change', revision, changes, channel, crewReasked: reask }],
  };
  return { state: next, changes };
}

function reaskCrew(state: LifecycleState, policy: LifecyclePolicy, nowMs: number): LifecycleState {
  const basis = { booking: state.booking, policy };
  return {
    ...state,
    crew: state.crew.map((s) => (s.removedAt !== undefined ? s : askedSeat(s, s.round + 1, nowMs, basis))),
    crewVersion: state.crewVersion + 1,
  };
}

/** The roster becomes `crew`: members who stay keep their seat, the others are taken off, new ones asked. */
function rosterFrom(
  state: LifecycleState,
  crew: readonly CrewAssignment[],
  policy: LifecyclePolicy,
  nowMs: number,
): LifecycleState {
  const wanted = new Map(crew.map((m) => [m.id, m]));
  const kept = state.crew.map((s) => {
    if (s.removedAt !== undefined) return s;
    const member = wanted.get(s.id);
    return member ? { ...s, role: member.role, name: member.name } : { ...s, removedAt: iso(nowMs) };
  });
  const present = new Set(activeCrew({ ...state, crew: kept }).map((s) => s.id));
  const added = crew
    .filter((m) => !present.has(m.id))
    .map((m) => askedSeat(m, 1, nowMs, { booking: state.booking, policy }));
  return { ...state, crew: [...kept, ...added], crewVersion: state.crewVersion + 1 };
}

export interface AssignCrewRequest {
  /** The member to take off the booking; absent to add a member. */
  replace?: string;
  member: CrewAssignment;
}

/**
 * Replaces a member (or adds one): the replaced seat is kept with `removedAt`/`replacedBy`, the new
 * member is asked with a fresh deadline, SCC gains and loses them. Refusals name the reason.
 */
export function assignCrew(
  state: LifecycleState,
  request: AssignCrewRequest,
  policy: LifecyclePolicy,
  nowMs: number,
): { state: LifecycleState } | { refused: string } {
  const active = activeCrew(state);
  if (request.replace !== undefined && !active.some((s) => s.id === request.replace)) {
    return { refused: `replace: ${request.replace} is not on this booking's crew` };
  }
  if (active.some((s) => s.id === request.member.id)) {
    return { refused: `member.id: ${request.member.id} is already on this booking's crew` };
  }
  const at = iso(nowMs);
  const crew = state.crew.map((s) =>
    s.removedAt === undefined && s.id === request.replace ? { ...s, removedAt: at, replacedBy: request.member.id } : s,
  );
  const seat = askedSeat(request.member, 1, nowMs, { booking: state.booking, policy });
  // The booking's details did not change (JADA does not show crew): the revision stays, the log says it.
  const { revision } = state;
  return {
    state: {
      ...state,
      crew: [...crew, seat],
      crewVersion: state.crewVersion + 1,
      sccRevision: state.sccRevision + 1,
      changes: [...state.changes, { at, revision, channel: 'ops', fields: ['crew'] }],
    },
  };
}

/**
 * Completes a held booking with the details ops entered (already validated, see checkCompletion): the
 * booking becomes an ordinary one. JADA follows through the revision; SCC has not been told yet, so its
 * crew event is created now with the crew asked from now on; the summary will tell ops everything, so
 * no change email is queued, and a `held` notice still queued is dropped.
 */
export function completeHeld(
  state: LifecycleState,
  booking: Booking,
  channel: string,
  policy: LifecyclePolicy,
  nowMs: number,
): { state: LifecycleState; changes: FieldChange[] } {
  const changes = diffBookings(state.booking, booking);
  const crew = booking.crew ?? crewAssignments(state);
  const next: LifecycleState = {
    ...withDetails(state, booking, channel, ['(details completed)', ...changes.map((c) => c.path)], nowMs),
    held: undefined,
    crew: [
      ...state.crew.filter((s) => s.removedAt !== undefined),
      ...crew.map((m) => askedSeat(m, 1, nowMs, { booking, policy })),
    ],
    crewVersion: state.crewVersion + 1,
    notices: state.notices.filter((n) => n.kind !== 'held'),
  };
  return { state: next, changes };
}

// ---- what the systems did ---------------------------------------------------------------------------

export const recordJada = (state: LifecycleState, id: string, revision: number): LifecycleState => ({
  ...state,
  jada: { id, revision: Math.max(state.jada.revision, revision) },
});

export const recordScc = (state: LifecycleState, id: string, revision: number): LifecycleState => ({
  ...state,
  scc: { id, revision: Math.max(state.scc.revision, revision) },
});

export function recordReminder(
  state: LifecycleState,
  crewId: string,
  kind: ReminderKind,
  round: number,
  nowMs: number,
): LifecycleState {
  return {
    ...state,
    crew: state.crew.map((s) =>
      s.removedAt === undefined && s.id === crewId && s.round === round
        ? { ...s, reminded: { ...s.reminded, [kind]: iso(nowMs) } }
        : s,
    ),
  };
}

export function recordPublish(
  state: LifecycleState,
  shown: { version: number; revision: number; crewVersion: number; state: UploadWindowState },
  nowMs: number,
): LifecycleState {
  return { ...state, page: { ...shown, version: Math.max(state.page.version, shown.version), at: nowMs } };
}

export const recordSummary = (state: LifecycleState, messageId: string, nowMs: number): LifecycleState => ({
  ...state,
  summary: { messageId, at: iso(nowMs) },
});

export const recordNoticeSent = (state: LifecycleState, notice: Notice): LifecycleState => ({
  ...state,
  notices: state.notices.filter((n) => n !== notice),
});

// ---- reading it -------------------------------------------------------------------------------------

/** The roster as the page and the emails show it: active members, silent ones past their deadline as no-answer. */
export function roster(state: LifecycleState, nowMs: number): CrewMemberStatus[] {
  return activeCrew(state).map(({ id, role, name, answer, deadline }) => {
    const member = { id, role, ...(name === undefined ? {} : { name }) };
    if (answer) return { ...member, status: answer.response, respondedAt: answer.respondedAt };
    return { ...member, status: Date.parse(deadline) <= nowMs ? 'no-answer' : 'pending' };
  });
}

/** Everyone active answered, or their deadline passed: the page may go out. */
export function crewWaitOver(state: LifecycleState, nowMs: number): boolean {
  return activeCrew(state).every((s) => s.answer !== undefined || Date.parse(s.deadline) <= nowMs);
}

/** Crew ops must act on: declined, or silent past the deadline. */
export function crewNeedingOps(state: LifecycleState, nowMs: number): CrewSeat[] {
  return activeCrew(state).filter(
    (s) => s.answer?.response === 'declined' || (!s.answer && Date.parse(s.deadline) <= nowMs),
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
