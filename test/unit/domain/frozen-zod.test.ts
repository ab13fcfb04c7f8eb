import * as zod from 'zod';
import { sampleBooking } from '../../../sim/samples';
import * as shared from '../../../workflows/shared-modules';

type BookingModule = typeof import('../../../src/domain/booking');
type ChangeModule = typeof import('../../../src/domain/change-request');
let parseBooking: BookingModule['parseBooking'];
let checkChange: ChangeModule['checkChange'];
let checkCompletion: ChangeModule['checkCompletion'];

/**
 * The worker shares one zod between all workflows and the SDK deep-freezes it (workflows/shared-modules.ts);
 * the schemas of booking.ts and change-request.ts are built per workflow on that frozen zod. Here zod is
 * frozen the way the SDK's reusable-vm.js does it (every own property, recursively; functions frozen but
 * not walked) after what the worker preloads has run, warm-up included; then, as in a workflow, the
 * schema modules load, and their schemas run on valid and invalid input: anything zod writes to
 * its own module state after loading (a format pattern's lastIndex, a cached flag) throws here as it
 * would in a workflow, where it fails the workflow task.
 */
function deepFreeze(object: unknown, visited = new WeakSet<object>()): void {
  if (object === null || (typeof object !== 'object' && typeof object !== 'function')) return;
  // Unlike the SDK, a frozen object is walked too: zod's CommonJS build freezes its namespace objects,
  // which webpack's module objects in the bundle are not.
  if (visited.has(object)) return;
  visited.add(object);
  if (typeof object === 'object') {
    for (const key of Reflect.ownKeys(object)) {
      try {
        deepFreeze((object as Record<PropertyKey, unknown>)[key], visited);
      } catch {
        // As the SDK: some objects (typed arrays) cannot be frozen.
      }
    }
  }
  Object.freeze(object);
}

beforeAll(() => {
  expect(shared.zod).toBe(zod);
  deepFreeze(zod);
  expect(Object.isFrozen(zod.regexes.email)).toBe(true);
  // Loaded only now, so their schemas are built on the frozen zod (sampleBooking imports no schema).
  expect(jest.requireActual<object>('../../../src/domain/validation')).toBe(shared.validation);
  ({ parseBooking } = jest.requireActual<BookingModule>('../../../src/domain/booking'));
  ({ checkChange, checkCompletion } = jest.requireActual<ChangeModule>('../../../src/domain/change-request'));
});

describe('the workflow-side schemas on a zod frozen as the worker freezes it', () => {
  test('a booking with every optional field parses', () => {
    const booking = sampleBooking();
    expect(booking.guest.email).toBeDefined();
    expect(parseBooking(booking)).toEqual({
      ok: true,
      value: expect.objectContaining({ bookingId: booking.bookingId }),
    });
  });

  test('an invalid booking lists its errors', () => {
    const booking = sampleBooking();
    const result = parseBooking({
      ...booking,
      guest: { ...booking.guest, email: 'not-an-email', phone: 'x', partySize: 0 },
      pricing: { ...booking.pricing, currency: 'usd' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['guest.email', 'guest.phone', 'guest.partySize', 'pricing.currency']),
    );
  });

  test('a change and a completion are checked', () => {
    const booking = sampleBooking();
    const nowMs = Date.parse(booking.charter.start) - 7 * 24 * 3600_000;
    const changed = checkChange(
      { booking },
      { channel: 'ops', patch: { guest: { email: 'else@example.com' } } },
      nowMs,
    );
    expect(changed).toEqual(expect.objectContaining({ ok: true }));
    const refused = checkChange({ booking }, { channel: 'ops', patch: { guest: { email: 'x' } } }, nowMs);
    expect(refused).toEqual(
      expect.objectContaining({ ok: false, refusal: expect.objectContaining({ type: 'InvalidBookingChange' }) }),
    );
    const completed = checkCompletion(
      { booking, held: true },
      { channel: 'boatsetter', details: { guest: booking.guest, pricing: booking.pricing } },
      nowMs,
    );
    expect(completed).toEqual(expect.objectContaining({ ok: true }));
  });
});
