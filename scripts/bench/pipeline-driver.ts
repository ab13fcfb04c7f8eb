import type { Booking } from '../../src/domain/booking';
import { opsSummaryMessageId } from '../../src/mail/message-id';
import type { BookingStatus } from '../../workflows/types';
import type { LocalStack } from '../local-stack/stack';
import { sleep } from '../local-stack/processes';

export interface PostedBooking {
  bookingId: string;
  workflowId: string;
  statusUrl: string;
  /** Date.now() just before the POST: where webhook -> ops email latency starts. */
  postedAt: number;
}

/** How often the outbox is read while waiting: arrival times come from the file names, not from this. */
const OUTBOX_POLL_MS = 250;

/**
 * Bookings into the local stack as a marketplace sends them (the intake webhook, with the intake key),
 * and their ops summaries out of the outbox, whose file names carry each message's arrival time in ms.
 */
export class PipelineDriver {
  private readonly headers: Record<string, string>;

  constructor(private readonly stack: LocalStack) {
    this.headers = { 'content-type': 'application/json', 'x-service-key': stack.keys.intakeKey };
  }

  async post(booking: Booking): Promise<PostedBooking> {
    const postedAt = Date.now();
    const res = await fetch(`${this.stack.info.urls.service}/tenants/${this.stack.tenantId}/bookings`, {
      method: 'POST',
      headers: this.headers,
      body: JSON.stringify(booking),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`POST booking ${booking.bookingId}: HTTP ${res.status} ${text}`);
    const { workflowId, statusUrl } = JSON.parse(text) as { workflowId: string; statusUrl: string };
    return { bookingId: booking.bookingId, workflowId, statusUrl, postedAt };
  }

  /** The arrival ms of each booking's ops summary, once every one arrived; throws after `timeoutMs`. */
  async opsEmailArrivals(bookings: PostedBooking[], timeoutMs: number): Promise<Map<string, number>> {
    const wanted = new Map(bookings.map((b) => [opsSummaryMessageId(b.workflowId), b.workflowId]));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const arrivals = new Map<string, number>();
      for (const message of await this.stack.outbox.messages()) {
        const workflowId = message.messageId === undefined ? undefined : wanted.get(message.messageId);
        // Newest first: the earliest copy wins, and a second copy shows in the effect counts instead.
        if (workflowId !== undefined) arrivals.set(workflowId, Number(message.id.slice(0, 13)));
      }
      if (arrivals.size === wanted.size) return arrivals;
      const dead = this.stack.processes.find((child) => !child.running);
      if (dead) throw new Error(`${dead.name} exited while ${wanted.size - arrivals.size} ops emails were awaited`);
      if (Date.now() > deadline) {
        throw new Error(
          `${wanted.size - arrivals.size} of ${wanted.size} ops emails did not arrive within ${timeoutMs / 1000} s`,
        );
      }
      await sleep(OUTBOX_POLL_MS);
    }
  }

  /** How many of each effect every booking has: one JADA entry, one SCC event, one ops summary each. */
  async effects(bookings: PostedBooking[]): Promise<Map<string, { jada: number; scc: number; opsEmails: number }>> {
    const messages = await this.stack.outbox.messages();
    return new Map(
      bookings.map(({ workflowId }) => {
        const messageId = opsSummaryMessageId(workflowId);
        return [
          workflowId,
          {
            jada: this.stack.jada.events.filter((e) => e.externalId === workflowId).length,
            scc: this.stack.scc.events.filter((e) => e.external_id === workflowId).length,
            opsEmails: messages.filter((m) => m.messageId === messageId).length,
          },
        ];
      }),
    );
  }

  /** Every crew answer the SCC stand-in gave, and whether our callback took it (202). */
  crewAnswers(): { given: number; accepted: number } {
    const answers = [...this.stack.scc.answers.values()];
    return {
      given: answers.length,
      accepted: answers.filter((a) => 'status' in a.delivery && a.delivery.status === 202).length,
    };
  }

  /** The booking's status as ops read it (GET statusUrl): the workflow's status query. */
  async status(booking: PostedBooking): Promise<BookingStatus> {
    const res = await fetch(booking.statusUrl, { headers: this.headers, signal: AbortSignal.timeout(30_000) });
    if (res.status !== 200) throw new Error(`GET ${booking.statusUrl}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as BookingStatus;
  }
}
