import fc from 'fast-check';
import { sampleBooking } from '../../../sim/samples';
import type { Booking } from '../../../src/domain/booking';
import { diffBookings } from '../../../src/domain/booking-changes';
import { checkChange, checkCompletion, mergePatch } from '../../../src/domain/change-request';
import {
  DEFAULT_REMINDERS,
  activeCrew,
  applyChange,
  assignCrew,
  completeHeld,
  initialState,
  passTime,
  recordAnswer,
  recordJada,
  recordNoticeSent,
  recordPublish,
  recordReminder,
  recordScc,
  recordSummary,
  roster,
  type LifecyclePolicy,
  type LifecycleState,
} from '../../../src/domain/lifecycle';
import {
  isRestingStage,
  nextStep,
  nextWake,
  reminderTimes,
  stageOf,
  type Step,
} from '../../../src/domain/lifecycle-plan';
import { DEFAULT_UPLOAD_WINDOW } from '../../../src/domain/time';

const HOUR = 3600_000;
const policy: LifecyclePolicy = {
  crewConfirmation: { timeoutMs: 48 * HOUR, leadBeforeStartMs: 24 * HOUR },
  reminders: DEFAULT_REMINDERS,
  uploadWindow: DEFAULT_UPLOAD_WINDOW,
};
/** Ten days before the sample charter (2027-05-29 10:00 PDT). */
const T0 = Date.parse('2027-05-19T17:00:00Z');

function booked(overrides: Partial<Booking> = {}) {
  const booking = sampleBooking(overrides);
  return { booking, state: initialState(booking, booking.crew!, policy, T0) };
}

/** Runs every due step as if each system answered at once, returning the steps in order. */
function settle(state: LifecycleState, now: number): { state: LifecycleState; steps: Step[] } {
  const steps: Step[] = [];
  let s = passTime(state, now);
  for (let step = nextStep(s, policy, now); step; step = nextStep(s, policy, now)) {
    steps.push(step);
    s = perform(s, step, now);
    s = passTime(s, now);
    if (steps.length > 50) throw new Error('no fixed point');
  }
  return { state: s, steps };
}

function perform(s: LifecycleState, step: Step, now: number): LifecycleState {
  switch (step.kind) {
    case 'create-calendar-entry':
      return recordJada(s, 'cal_1', s.revision);
    case 'create-crew-event':
      return recordScc(s, 'evt_1', s.sccRevision);
    case 'update-calendar-entry':
      return recordJada(s, 'cal_1', step.revision);
    case 'update-crew-event':
      return recordScc(s, 'evt_1', step.revision);
    case 'remind-crew':
      return recordReminder(s, step.crewId, step.reminder, step.round, now);
    case 'publish-page':
      return recordPublish(
        s,
        {
          version: s.page.version + 1,
          revision: step.revision,
          crewVersion: step.crewVersion,
          state: step.uploadState,
        },
        now,
      );
    case 'send-summary':
      return recordSummary(s, '<m@x>', now);
    case 'send-notice':
      return recordNoticeSent(s, step.notice);
  }
}

const kinds = (steps: Step[]) => steps.map((s) => (s.kind === 'send-notice' ? `notice:${s.notice.kind}` : s.kind));
const answer = (s: LifecycleState, crewId: string, response: 'accepted' | 'declined', at: number) =>
  recordAnswer(s, { crewId, response, respondedAt: new Date(at).toISOString() }, at);

describe('the booking entity: events and the steps they make due', () => {
  test('a new booking: JADA, then SCC, then it waits for crew (nothing else is due)', () => {
    const { state } = booked();
    const { state: waiting, steps } = settle(state, T0);
    expect(kinds(steps)).toEqual(['create-calendar-entry', 'create-crew-event']);
    expect(stageOf(waiting, policy, T0)).toBe('AWAITING_CREW');
    // The first reminder is the next thing that happens by itself.
    expect(nextWake(waiting, policy, T0)).toBe(T0 + 24 * HOUR);
  });

  test('all crew accept: the page, then the summary; nothing more until the upload window opens', () => {
    let { state } = booked();
    state = settle(state, T0).state;
    state = answer(state, 'crew-captain-ana', 'accepted', T0 + HOUR).state;
    state = answer(state, 'crew-mate-ben', 'accepted', T0 + 2 * HOUR).state;
    const { state: done, steps } = settle(state, T0 + 2 * HOUR);
    expect(kinds(steps)).toEqual(['publish-page', 'send-summary']);
    expect(stageOf(done, policy, T0 + 2 * HOUR)).toBe('KEEPING_PAGE_CURRENT');
    expect(nextWake(done, policy, T0 + 2 * HOUR)).toBe(Date.parse(done.booking.charter.start) - 7 * 24 * HOUR);
  });

  test('a decline alerts ops at once, before the crew wait is over, and the stage says NEEDS_CREW', () => {
    let { state } = booked();
    state = settle(state, T0).state;
    state = answer(state, 'crew-mate-ben', 'declined', T0 + HOUR).state;
    const { state: after, steps } = settle(state, T0 + HOUR);
    expect(kinds(steps)).toEqual(['notice:crew-alert']);
    expect(stageOf(after, policy, T0 + HOUR)).toBe('NEEDS_CREW');
    // A second click changes nothing and alerts no one.
    const again = answer(after, 'crew-mate-ben', 'declined', T0 + 2 * HOUR);
    expect(again.outcome).toBe('duplicate');
    expect(settle(again.state, T0 + 2 * HOUR).steps).toEqual([]);
  });

  test('silence: a reminder 24 h after asking, one 12 h before the deadline, each once, then an escalation', () => {
    let { state } = booked();
    state = settle(state, T0).state;
    const deadline = Date.parse(activeCrew(state)[0]!.deadline);
    expect(deadline).toBe(T0 + 48 * HOUR);
    const r1 = settle(state, T0 + 24 * HOUR);
    expect(r1.steps).toEqual([
      { kind: 'remind-crew', crewId: 'crew-captain-ana', reminder: 'after-ask', round: 1 },
      { kind: 'remind-crew', crewId: 'crew-mate-ben', reminder: 'after-ask', round: 1 },
    ]);
    expect(settle(r1.state, T0 + 25 * HOUR).steps).toEqual([]);
    const r2 = settle(r1.state, deadline - 12 * HOUR);
    expect(r2.steps.map((s) => s.kind === 'remind-crew' && s.reminder)).toEqual(['before-deadline', 'before-deadline']);
    const late = settle(r2.state, deadline);
    // The page goes out with the confirmed crew (none), the summary, then the escalation (fixed order).
    expect(kinds(late.steps)).toEqual(['publish-page', 'send-summary', 'notice:escalation']);
    expect(roster(late.state, deadline).map((m) => m.status)).toEqual(['no-answer', 'no-answer']);
    expect(settle(late.state, deadline + HOUR).steps).toEqual([]);
  });

  test('reminders fall strictly between ask and deadline; a first one at or after the second is dropped', () => {
    const asked = '2027-01-01T00:00:00.000Z';
    expect(reminderTimes({ askedAt: asked, deadline: '2027-01-01T06:00:00.000Z' }, policy)).toEqual([]);
    expect(reminderTimes({ askedAt: asked, deadline: '2027-01-02T12:00:00.000Z' }, policy).map((r) => r.kind)).toEqual([
      'before-deadline',
    ]);
  });

  test('a change of date updates JADA and SCC, re-asks the crew, republishes the page and emails ops once', () => {
    const world = booked();
    const { booking } = world;
    let { state } = world;
    state = settle(state, T0).state;
    state = answer(state, 'crew-captain-ana', 'accepted', T0 + HOUR).state;
    state = answer(state, 'crew-mate-ben', 'accepted', T0 + HOUR).state;
    state = settle(state, T0 + HOUR).state;
    const moved = {
      ...booking,
      charter: { ...booking.charter, start: '2027-05-30T10:00:00-07:00', end: '2027-05-30T13:00:00-07:00' },
    };
    const at = T0 + 2 * HOUR;
    const { state: changed, changes } = applyChange(state, moved, 'boatsetter', policy, at);
    expect(changes.map((c) => c.path)).toEqual(['charter.start', 'charter.end']);
    expect(changed.revision).toBe(2);
    expect(
      activeCrew(changed).every((s) => s.round === 2 && !s.answer && s.askedAt === new Date(at).toISOString()),
    ).toBe(true);
    const { steps } = settle(changed, at);
    expect(steps).toEqual([
      { kind: 'update-calendar-entry', revision: 2 },
      { kind: 'update-crew-event', revision: 2, reask: true },
      expect.objectContaining({ kind: 'publish-page', revision: 2 }),
      expect.objectContaining({
        kind: 'send-notice',
        notice: expect.objectContaining({ kind: 'change', crewReasked: true }),
      }),
    ]);
  });

  test('a change of party size updates JADA and SCC but asks nobody again', () => {
    const world = booked();
    const { booking } = world;
    let { state } = world;
    state = settle(state, T0).state;
    const bigger = { ...booking, guest: { ...booking.guest, partySize: 8 } };
    const { state: changed } = applyChange(state, bigger, 'ops', policy, T0 + HOUR);
    expect(activeCrew(changed).every((s) => s.round === 1)).toBe(true);
    expect(settle(changed, T0 + HOUR).steps).toEqual([
      { kind: 'update-calendar-entry', revision: 2 },
      { kind: 'update-crew-event', revision: 2, reask: false },
      expect.objectContaining({ kind: 'send-notice' }),
    ]);
  });

  test('a change of price is JADA only: SCC does not show it', () => {
    const world = booked();
    const { booking } = world;
    let { state } = world;
    state = settle(state, T0).state;
    const { state: changed } = applyChange(
      state,
      { ...booking, pricing: { ...booking.pricing, tip: 0 } },
      'ops',
      policy,
      T0,
    );
    expect(kinds(settle(changed, T0).steps)).toEqual(['update-calendar-entry', 'notice:change']);
  });

  test('a change before the SCC event exists is folded into its create', () => {
    const { state, booking } = booked();
    const first = recordJada(state, 'cal_1', 1);
    const { state: changed } = applyChange(first, { ...booking, notes: 'Birthday' }, 'ops', policy, T0);
    expect(kinds(settle(changed, T0).steps)).toEqual(['create-crew-event', 'update-calendar-entry', 'notice:change']);
  });

  test('an answer given before the crew were asked again is for the old time and ignored', () => {
    const world = booked();
    const { booking } = world;
    let { state } = world;
    state = settle(state, T0).state;
    const moved = {
      ...booking,
      charter: { ...booking.charter, start: '2027-05-28T10:00:00-07:00', end: '2027-05-28T12:00:00-07:00' },
    };
    state = applyChange(state, moved, 'ops', policy, T0 + 2 * HOUR).state;
    expect(answer(state, 'crew-mate-ben', 'accepted', T0 + HOUR).outcome).toBe('earlier-round');
    expect(answer(state, 'crew-mate-ben', 'accepted', T0 + 3 * HOUR).outcome).toBe('recorded');
  });

  test('replacing a declined member: SCC gains and loses them, the new member gets a fresh wait, the page follows their accept', () => {
    let { state } = booked();
    state = settle(state, T0).state;
    state = answer(state, 'crew-captain-ana', 'accepted', T0 + HOUR).state;
    state = answer(state, 'crew-mate-ben', 'declined', T0 + HOUR).state;
    state = settle(state, T0 + HOUR).state; // the alert, then the page and summary (wait over)
    const at = T0 + 3 * HOUR;
    const assigned = assignCrew(
      state,
      { replace: 'crew-mate-ben', member: { id: 'crew-mate-cy', role: 'Deckhand' } },
      policy,
      at,
    );
    if (!('state' in assigned)) throw new Error(assigned.refused);
    state = assigned.state;
    expect(activeCrew(state).map((s) => s.id)).toEqual(['crew-captain-ana', 'crew-mate-cy']);
    expect(state.crew.find((s) => s.id === 'crew-mate-ben')).toMatchObject({ replacedBy: 'crew-mate-cy' });
    expect(activeCrew(state)[1]!.deadline).toBe(new Date(at + 48 * HOUR).toISOString());
    // JADA does not show crew: only SCC and the page follow.
    expect(kinds(settle(state, at).steps)).toEqual(['update-crew-event', 'publish-page']);
    state = settle(state, at).state;
    state = answer(state, 'crew-mate-cy', 'accepted', at + HOUR).state;
    expect(kinds(settle(state, at + HOUR).steps)).toEqual(['publish-page', 'notice:crew-update']);
    expect(answer(state, 'crew-mate-ben', 'accepted', at + HOUR).outcome).toBe('removed');
  });

  test('replacements that name no member on the crew, or a member already on it, are refused', () => {
    const { state } = booked();
    expect(assignCrew(state, { replace: 'nobody', member: { id: 'x', role: 'Deckhand' } }, policy, T0)).toEqual({
      refused: "replace: nobody is not on this booking's crew",
    });
    expect(assignCrew(state, { member: { id: 'crew-mate-ben', role: 'Deckhand' } }, policy, T0)).toEqual({
      refused: "member.id: crew-mate-ben is already on this booking's crew",
    });
  });
});

describe('checking a change', () => {
  const now = T0;
  const current = () => {
    const booking = sampleBooking({ revision: 5 });
    return { booking, sourceRevision: 5 };
  };

  test('a merge patch changes what it names and removes what it nulls', () => {
    const c = current();
    const checked = checkChange(c, { channel: 'ops', patch: { guest: { partySize: 8, phone: null } } }, now);
    if (!checked.ok) throw new Error(checked.refusal.message);
    expect(checked.booking.guest).toEqual({ ...c.booking.guest, partySize: 8, phone: undefined });
    expect(checked.changes.map((x) => x.path)).toEqual(['guest.phone', 'guest.partySize']);
    expect(mergePatch({ a: { b: 1, c: 2 } }, { a: { c: null }, d: [1] })).toEqual({ a: { b: 1 }, d: [1] });
  });

  test('invalid fields are refused with every error, in intake’s words', () => {
    const checked = checkChange(
      current(),
      { channel: 'ops', patch: { guest: { partySize: 0 }, charter: { end: '2027-05-29T09:00:00-07:00' } } },
      now,
    );
    expect(checked).toMatchObject({ ok: false, refusal: { type: 'InvalidBookingChange' } });
    if (checked.ok || checked.refusal.type !== 'InvalidBookingChange') throw new Error('expected a refusal');
    expect(checked.refusal.errors.map((e) => e.path).sort()).toEqual(['charter.end', 'guest.partySize']);
  });

  test('another source or booking id, a charter that ended, an older revision, no change: each refused by name', () => {
    const c = current();
    const refusalOf = (request: Parameters<typeof checkChange>[1], at = now) => {
      const checked = checkChange(c, request, at);
      return checked.ok ? 'accepted' : checked.refusal.type;
    };
    expect(refusalOf({ channel: 'x', patch: { source: 'getmyboat' } })).toBe('InvalidBookingChange');
    expect(refusalOf({ channel: 'x', patch: { notes: 'late' } }, Date.parse(c.booking.charter.end) + 1)).toBe(
      'BookingChangeRefused',
    );
    expect(refusalOf({ channel: 'x', booking: { ...c.booking, revision: 4, notes: 'old' } })).toBe(
      'StaleBookingChange',
    );
    expect(refusalOf({ channel: 'x', booking: { ...c.booking } })).toBe('BookingUnchanged');
    expect(refusalOf({ channel: 'x', booking: { ...c.booking, revision: 6, notes: 'new' } })).toBe('accepted');
    expect(refusalOf({ channel: 'x' })).toBe('InvalidBookingChange');
  });

  test('instants in another offset are the same instant: no change', () => {
    const c = current();
    const sameTime = { ...c.booking, charter: { ...c.booking.charter, start: '2027-05-29T17:00:00Z' } };
    expect(diffBookings(c.booking, sameTime)).toEqual([]);
  });

  test('property: deliveries in any order never roll a booking back (the newest revision wins)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 1 }),
        fc.integer({ min: 0, max: 5 }),
        (order, dup) => {
          const base = sampleBooking({ bookingId: 'prop-1', revision: 0 });
          const version = (r: number): Booking => ({
            ...base,
            revision: r,
            guest: { ...base.guest, partySize: r + 10 },
          });
          let state = initialState(base, base.crew!, policy, T0);
          const deliveries = [...order, ...order.slice(0, dup)];
          for (const r of deliveries) {
            const checked = checkChange(state, { channel: 'boatsetter', booking: version(r) }, T0);
            if (checked.ok) state = applyChange(state, checked.booking, 'boatsetter', policy, T0).state;
          }
          const newest = Math.max(...order);
          // What the booking holds is never older than any revision delivered before it...
          expect(state.booking.revision).toBe(newest);
          expect(state.booking.guest.partySize).toBe(newest + 10);
          // ...and each applied change moved it forward.
          const applied = state.changes.length;
          expect(applied).toBeLessThanOrEqual(order.length);
        },
      ),
    );
  });
});

describe('a held booking (from a calendar feed): only its slot until ops complete it', () => {
  const held = () => {
    const booking = sampleBooking({
      guest: { name: 'Details pending', partySize: 1 },
      pricing: { currency: 'USD', base: 0 },
      crew: undefined,
    });
    const crew = [{ id: 'crew-captain-ana', role: 'Captain' }];
    return { booking, state: initialState(booking, crew, policy, T0, { feed: 'bs' }) };
  };
  const details = {
    guest: { name: 'Carole Martin', email: 'carole@example.com', partySize: 6 },
    pricing: { currency: 'USD', base: 120_000, tax: 9_900 },
  };

  test('JADA is told and ops are asked for the details; SCC, page and summary wait, and no crew deadline passes', () => {
    const { state } = held();
    expect(stageOf(state, policy, T0)).toBe('CREATING_CALENDAR_ENTRY');
    const first = settle(state, T0);
    expect(kinds(first.steps)).toEqual(['create-calendar-entry', 'notice:held']);
    expect(stageOf(first.state, policy, T0)).toBe('AWAITING_DETAILS');
    // Days later, long past the crew deadline the seat was given: nothing is due, nobody escalated.
    const later = T0 + 5 * 24 * HOUR;
    const waited = settle(first.state, later);
    expect(waited.steps).toEqual([]);
    expect(waited.state.notices).toEqual([]);
    expect(stageOf(waited.state, policy, later)).toBe('AWAITING_DETAILS');
    expect(nextWake(waited.state, policy, later)).toBe(Date.parse(state.booking.charter.end));
  });

  test('a move from the feed updates JADA and tells ops, still held', () => {
    const { state } = settle(held().state, T0);
    const moved = checkChange(
      state,
      {
        channel: 'bs feed',
        patch: { charter: { start: '2027-05-30T10:00:00-07:00', end: '2027-05-30T13:00:00-07:00' } },
      },
      T0,
    );
    if (!moved.ok) throw new Error(moved.refusal.message);
    const applied = applyChange(state, moved.booking, 'bs feed', policy, T0);
    const after = settle(applied.state, T0);
    expect(kinds(after.steps)).toEqual(['update-calendar-entry', 'notice:change']);
    expect(after.steps[1]).toMatchObject({ notice: { crewReasked: false } });
    expect(stageOf(after.state, policy, T0)).toBe('AWAITING_DETAILS');
  });

  test('completing it: the details become the booking, crew are asked from now, and the pipeline runs', () => {
    const { state } = settle(held().state, T0);
    const later = T0 + 3 * 24 * HOUR;
    const checked = checkCompletion(state, { channel: 'ops', details }, later);
    if (!checked.ok) throw new Error(checked.refusal.message);
    const { state: completed, changes } = completeHeld(state, checked.booking, 'ops', policy, later);
    expect(completed.held).toBeUndefined();
    expect(completed.booking.guest).toEqual(details.guest);
    expect(changes.map((c) => c.path)).toEqual(expect.arrayContaining(['guest.name', 'pricing.base']));
    expect(activeCrew(completed).map((s) => s.askedAt)).toEqual([new Date(later).toISOString()]);
    const after = settle(completed, later);
    // JADA gets the real details, SCC its event; no change email (the summary will tell everything).
    expect(kinds(after.steps)).toEqual(['create-crew-event', 'update-calendar-entry']);
    expect(stageOf(after.state, policy, later)).toBe('AWAITING_CREW');
  });

  test('completion is refused without guest or pricing, and for a booking that is not held', () => {
    const { state } = settle(held().state, T0);
    const noPricing = checkCompletion(state, { channel: 'ops', details: { guest: details.guest } }, T0);
    expect(noPricing).toMatchObject({
      ok: false,
      refusal: { type: 'InvalidBookingChange', errors: [{ path: 'pricing' }] },
    });
    const badGuest = checkCompletion(state, { channel: 'ops', details: { ...details, guest: { name: '' } } }, T0);
    expect(badGuest).toMatchObject({ ok: false, refusal: { type: 'InvalidBookingChange' } });
    const { state: ordinary } = booked();
    expect(checkCompletion(ordinary, { channel: 'ops', details }, T0)).toMatchObject({
      ok: false,
      refusal: { type: 'BookingChangeRefused' },
    });
  });

  test('a held booking never completed is over when its charter is', () => {
    const { state } = settle(held().state, T0);
    const end = Date.parse(state.booking.charter.end);
    expect(stageOf(state, policy, end + 1)).toBe('COMPLETED');
  });
});

describe('isRestingStage', () => {
  test('the stages a booking waits in, or ends in, are resting; those lasting one activity are not', () => {
    const resting = ['AWAITING_DETAILS', 'AWAITING_CREW', 'NEEDS_CREW', 'KEEPING_PAGE_CURRENT', 'COMPLETED'] as const;
    const ended = ['CANCELLED', 'FAILED'] as const;
    const transient = ['CREATING_CALENDAR_ENTRY', 'CREATING_CREW_EVENT', 'PUBLISHING_PAGE', 'EMAILING_OPS'] as const;
    for (const stage of [...resting, ...ended]) expect([stage, isRestingStage(stage)]).toEqual([stage, true]);
    for (const stage of transient) expect([stage, isRestingStage(stage)]).toEqual([stage, false]);
  });

  test('every stage stageOf reports on the happy path: the resting ones are where it waits', () => {
    const booking = sampleBooking();
    let state = initialState(booking, booking.crew!, policy, T0);
    const seen = [stageOf(state, policy, T0)];
    state = recordJada(state, 'jada-1', state.revision);
    seen.push(stageOf(state, policy, T0));
    state = recordScc(state, 'scc-1', state.sccRevision);
    seen.push(stageOf(state, policy, T0));
    expect(seen.map((s) => [s, isRestingStage(s)])).toEqual([
      ['CREATING_CALENDAR_ENTRY', false],
      ['CREATING_CREW_EVENT', false],
      ['AWAITING_CREW', true],
    ]);
  });
});
