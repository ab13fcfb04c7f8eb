import { acceptThroughMagicLink, crewMagicLinks } from '../../scripts/local-stack/crew-inbox';
import type { LocalStack } from '../../scripts/local-stack/stack';
import type { Booking } from '../../src/domain/booking';
import type { BookingStatus } from '../../workflows/types';
import { waitFor } from './wait';

/** The booking webhook and status API of a local stack's service, and its crew inbox, as the e2e tests use them. */

const serviceHeaders = (stack: LocalStack) => ({
  'content-type': 'application/json',
  'x-service-key': stack.keys.intakeKey,
});

/** Posts a booking to the service's webhook: 202 for a new booking, 200 for a re-delivery. */
export async function postBooking(stack: LocalStack, booking: Booking) {
  const res = await fetch(`${stack.info.urls.service}/tenants/${stack.tenantId}/bookings`, {
    method: 'POST',
    headers: serviceHeaders(stack),
    body: JSON.stringify(booking),
  });
  return { status: res.status, body: (await res.json()) as { workflowId: string; statusUrl: string } };
}

/** The booking's status from the service; undefined while it has none or the service does not answer. */
async function bookingStatus(stack: LocalStack, bookingId: string): Promise<BookingStatus | undefined> {
  // The tests kill and restart the service: a refused connection is one more poll, not a failure.
  const res = await fetch(
    `${stack.info.urls.service}/tenants/${stack.tenantId}/bookings/${bookingId}?source=boatsetter`,
    {
      headers: serviceHeaders(stack),
    },
  ).catch(() => undefined);
  return res?.status === 200 ? ((await res.json()) as BookingStatus) : undefined;
}

/** Polls the service's status API until the booking is at `stage`. */
export const waitForBookingStage = (
  stack: LocalStack,
  bookingId: string,
  stage: BookingStatus['stage'],
  timeoutMs = 60_000,
) =>
  waitFor(
    () => bookingStatus(stack, bookingId),
    (s) => s?.stage === stage,
    timeoutMs,
  ) as Promise<BookingStatus>;

/**
 * Opens each crew member's magic link and clicks Accept, as crew do; SCC then calls our callback.
 * `checkPage` also reads the page first and expects its Accept button, for a test of what crew see.
 */
export async function acceptInCrewInbox(
  stack: LocalStack,
  workflowId: string,
  { checkPage = false }: { checkPage?: boolean } = {},
): Promise<void> {
  for (const url of crewMagicLinks(stack.scc, workflowId)) {
    if (checkPage) {
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/Accept/);
    }
    const click = await acceptThroughMagicLink(url);
    expect(click.status).toBeLessThan(400);
  }
}
