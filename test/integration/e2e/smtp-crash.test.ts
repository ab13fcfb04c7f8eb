import type { IncomingMessage } from 'node:http';
import { simpleParser } from 'mailparser';
import type { LocalStack } from '../../../scripts/local-stack/stack';
import { sampleBooking } from '../../../sim/samples';
import type { OutboxMessage } from '../../../sim/outbox';
import { MAIL_CLAIM_LEASE_MS } from '../../../src/domain/time-budgets';
import { ledgerKey } from '../../../src/mail/ledger';
import { opsSummaryMessageId } from '../../../src/mail/message-id';
import { acceptInCrewInbox, postBooking, waitForBookingStage } from '../../support/e2e';
import { startTestStack } from '../../support/local-stack';
import { connectTemporal, type TemporalForTest } from '../../support/temporal';

/**
 * The worker SIGKILLed in the middle of sending the ops summary, on the local stack: the worker runs
 * as in production (its entry point, the pooled SMTP transport, the sent-mail ledger in S3 behind the
 * faulty proxy), the outbox is a real SMTP server. Two moments of the kill:
 *
 * - while the outbox holds the answer to the message's DATA: the server has not taken the message, so
 *   the killed attempt delivered nothing, and the retry sends the one copy;
 * - after the 250, while the ledger's record of it is held at the proxy: the ledger cannot know that
 *   the message went out, so the retry sends it again. SMTP gives no way to ask; the second copy is
 *   the same email under the same Message-ID, which the ops mailbox folds.
 *
 * Either way the retry waits out the killed attempt's claim (MAIL_CLAIM_LEASE_MS): Temporal notices
 * the dead attempt within the mail profile's heartbeat timeout, but only the lease says that the
 * attempt is no longer sending.
 */
describe('the ops summary across a worker SIGKILLed mid-send', () => {
  let stack: LocalStack;
  let temporal: TemporalForTest;

  beforeAll(async () => {
    stack = await startTestStack({
      faultyAws: true,
      env: { service: { CREW_CONFIRMATION_TIMEOUT_HOURS: '1', CREW_CONFIRMATION_LEAD_HOURS: '0' } },
    });
    temporal = await connectTemporal();
  });
  afterAll(async () => {
    await temporal?.close();
    await stack?.stop();
  });

  const opsEmails = async (messageId: string) =>
    (await stack.outbox.messages()).filter((m) => m.messageId === messageId);

  /** A booking waiting for crew, whose crew then accept: the ops summary is the next email it sends. */
  async function bookingAboutToEmail(): Promise<{ bookingId: string; workflowId: string; messageId: string }> {
    const booking = sampleBooking();
    const created = await postBooking(stack, booking);
    expect(created.status).toBe(202);
    const { workflowId } = created.body;
    await waitForBookingStage(stack, booking.bookingId, 'AWAITING_CREW', 60_000);
    return { bookingId: booking.bookingId, workflowId, messageId: opsSummaryMessageId(workflowId) };
  }

  /** The attempt of sendOpsSummary that completed, from the workflow's history. */
  async function completedAttempt(workflowId: string): Promise<number> {
    const events = (await temporal.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendOpsSummary',
    )?.eventId;
    const started = events.find(
      (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled),
    );
    return started?.activityTaskStartedEventAttributes?.attempt ?? 0;
  }

  const arrivedAt = (m: OutboxMessage) => Number(m.id.slice(0, 13));

  /** Message-IDs that appear more than once in the outbox. */
  async function duplicatedIds(): Promise<string[]> {
    const ids = (await stack.outbox.messages()).map((m) => m.messageId ?? m.id);
    return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  }

  async function crashAndRestart(): Promise<void> {
    await stack.crashApp();
    expect(stack.worker?.exit?.signal).toBe('SIGKILL');
    await stack.startApp();
  }

  test('killed while the outbox holds the answer to its DATA: nothing was delivered, and the retry sends it once', async () => {
    const { bookingId, workflowId, messageId } = await bookingAboutToEmail();
    const holding = stack.outbox.holdNext({ messageId, timeoutMs: 60_000 });
    await acceptInCrewInbox(stack, workflowId);
    const held = await holding;
    const heldAt = Date.now();
    await crashAndRestart();
    expect(await held.ended).toBe('dropped');
    expect(await opsEmails(messageId)).toHaveLength(0);

    const done = await waitForBookingStage(stack, bookingId, 'KEEPING_PAGE_CURRENT', MAIL_CLAIM_LEASE_MS + 120_000);
    expect(done.opsEmailMessageId).toBe(messageId);
    const copies = await opsEmails(messageId);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.subject).toBe(held.subject);
    // Sent by a later attempt, once the killed attempt's claim had run out (the claim came just before
    // the hold: the time to open a pooled connection and hand over the message).
    expect(await completedAttempt(workflowId)).toBeGreaterThanOrEqual(2);
    expect(arrivedAt(copies[0]!) - heldAt).toBeGreaterThan(MAIL_CLAIM_LEASE_MS - 5_000);
    expect(await duplicatedIds()).toEqual([]);
  }, 300_000);

  test('killed after the 250, before the ledger recorded it: the retry sends a second copy, the same email under the same Message-ID', async () => {
    const { bookingId, workflowId, messageId } = await bookingAboutToEmail();
    // The claim is PUT If-None-Match; the record of the 250 is the next write to the key, PUT If-Match.
    const key = ledgerKey(messageId);
    const isRecord = (req: IncomingMessage) =>
      req.method === 'PUT' && (req.url ?? '').includes(key) && req.headers['if-match'] !== undefined;
    const recording = stack.awsFaults!.holdNext(isRecord, 60_000);
    await acceptInCrewInbox(stack, workflowId);
    const record = await recording;
    // The record comes only after the 250: the outbox has the message.
    expect(await opsEmails(messageId)).toHaveLength(1);
    await crashAndRestart();
    expect(await record.ended).toBe('dropped');

    const done = await waitForBookingStage(stack, bookingId, 'KEEPING_PAGE_CURRENT', MAIL_CLAIM_LEASE_MS + 120_000);
    expect(done.opsEmailMessageId).toBe(messageId);
    const copies = await opsEmails(messageId);
    expect(copies).toHaveLength(2);
    const [second, first] = await Promise.all(
      copies.map(async (m) =>
        simpleParser(Buffer.from(await (await fetch(`${stack.outbox.url}/messages/${m.id}.eml`)).arrayBuffer())),
      ),
    );
    expect({ subject: second!.subject, text: second!.text, html: second!.html }).toEqual({
      subject: first!.subject,
      text: first!.text,
      html: first!.html,
    });
    expect(await duplicatedIds()).toEqual([messageId]);
    // The retry says in the worker's log that a copy may have gone out already.
    expect(stack.worker!.output()).toMatch(
      /Sending the ops summary again: the previous attempt's copy may have been delivered/,
    );
  }, 300_000);
});
