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

/** How often a driver with emails awaited looks for a process of the stack that exited. */
const LIVENESS_EVERY_MS = 250;
/** How often the SCC stand-in's events are read while a booking waits for its crew event. */
const SCC_POLL_MS = 25;

interface Waiter {
  resolve: (arrivedAt: number) => void;
  reject: (err: Error) => void;
}

/**
 * Bookings into the local stack as a marketplace sends them (the intake webhook, with the intake key),
 * and their ops summaries out of the outbox as it keeps them (its message ids carry each arrival in ms).
 * The outbox tells the driver of each message: reading the whole outbox every 25 ms, as the driver did
 * until session 11, cost about half a CPU-ms a read with 250 messages, charged to the pipeline.
 */
export class PipelineDriver {
  private readonly headers: Record<string, string>;
  /** Ops summary Message-ID -> whoever waits for it. */
  private readonly waiters = new Map<string, Waiter>();
  /** Message-ID -> when its first copy arrived, for whoever asks after it came. */
  private readonly arrived = new Map<string, number>();
  private liveness?: NodeJS.Timeout;

  constructor(private readonly stack: LocalStack) {
    this.headers = { 'content-type': 'application/json', 'x-service-key': stack.keys.intakeKey };
    stack.outbox.onMessage((message) => {
      if (message.messageId === undefined || this.arrived.has(message.messageId)) return;
      const at = Number(message.id.slice(0, 13));
      this.arrived.set(message.messageId, at);
      this.waiters.get(message.messageId)?.resolve(at);
    });
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

  /** Posts the booking and resolves once its ops summary is in the outbox: one turn of a closed loop. */
  async postAndAwaitEmail(booking: Booking, timeoutMs: number): Promise<PostedBooking & { emailedAt: number }> {
    const posted = await this.post(booking);
    return { ...posted, emailedAt: await this.opsEmailArrival(posted, timeoutMs) };
  }

  /**
   * Posts the booking and resolves once the SCC stand-in holds its crew event: from there the booking
   * waits for crew (when they do not answer at once), as most bookings do for days.
   */
  async postAndAwaitCrewEvent(booking: Booking, timeoutMs: number): Promise<PostedBooking> {
    const posted = await this.post(booking);
    const deadline = Date.now() + timeoutMs;
    while (!this.hasCrewEvent(posted.workflowId)) {
      if (Date.now() > deadline) throw new Error(`no SCC event for ${posted.workflowId} within ${timeoutMs / 1000} s`);
      const dead = this.stack.processes.find((child) => !child.running);
      if (dead) throw new Error(`${dead.name} exited while ${posted.workflowId} waited for its SCC event`);
      await sleep(SCC_POLL_MS);
    }
    return posted;
  }

  /** Workflow IDs of the SCC stand-in's events, read on from where the last look stopped. */
  private readonly crewEvents = { ids: new Set<string>(), seen: 0 };
  private hasCrewEvent(workflowId: string): boolean {
    const { events } = this.stack.scc;
    for (; this.crewEvents.seen < events.length; this.crewEvents.seen++)
      this.crewEvents.ids.add(events[this.crewEvents.seen]!.external_id);
    return this.crewEvents.ids.has(workflowId);
  }

  /** The arrival ms of each booking's ops summary, once every one arrived. */
  async opsEmailArrivals(bookings: PostedBooking[], timeoutMs: number): Promise<Map<string, number>> {
    const arrivals = await Promise.all(bookings.map((b) => this.opsEmailArrival(b, timeoutMs)));
    return new Map(bookings.map((b, i) => [b.workflowId, arrivals[i]!]));
  }

  /** The arrival ms of the booking's ops summary; rejects after `timeoutMs` or when a process of the stack exits. */
  opsEmailArrival(booking: PostedBooking, timeoutMs: number): Promise<number> {
    const messageId = opsSummaryMessageId(booking.workflowId);
    const already = this.arrived.get(messageId);
    if (already !== undefined) return Promise.resolve(already);
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(messageId);
        reject(new Error(`the ops email of ${booking.workflowId} did not arrive within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(messageId);
        if (this.waiters.size === 0) this.stopLiveness();
        fn();
      };
      this.waiters.set(messageId, {
        resolve: (arrivedAt) => done(() => resolve(arrivedAt)),
        reject: (err) => done(() => reject(err)),
      });
      this.liveness ??= setInterval(() => this.checkLiveness(), LIVENESS_EVERY_MS);
    });
  }

  /** A process of the stack that exited fails every email still awaited: none of them can come. */
  private checkLiveness(): void {
    const dead = this.stack.processes.find((child) => !child.running);
    if (!dead) return;
    const err = new Error(`${dead.name} exited while ${this.waiters.size} ops emails were awaited`);
    for (const waiter of [...this.waiters.values()]) waiter.reject(err);
  }

  private stopLiveness(): void {
    clearInterval(this.liveness);
    this.liveness = undefined;
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
