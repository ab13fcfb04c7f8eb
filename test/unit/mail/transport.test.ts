import { opsSummaryMessageId } from '../../../src/mail/message-id';
import type { OpsEmail } from '../../../src/mail/email';
import { createMailTransport, isRetryableMailError, sendMail, type MailTransport } from '../../../src/mail/transport';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp';

const summary: OpsEmail = {
  subject: 'Booked: Carole Smith · Sat, May 30 10:00 AM PDT · Sea Breeze (2/3 crew confirmed)',
  text: 'New booking for Bay Charters\n\nGuest total  $1,981.00\n',
  html: '<!doctype html><html><body><p>New booking for Bay Charters</p><p>Guest total <strong>$1,981.00</strong></p></body></html>',
};

function delivery(workflowId: string) {
  return {
    from: 'Charter Fulfillment <fulfillment@baycharters.example>',
    to: ['ops@baycharters.example', 'owner@baycharters.example'],
    messageId: opsSummaryMessageId(workflowId),
    email: summary,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the send to fail');
}

describe('sendMail over SMTP', () => {
  let smtp: TestSmtpServer;
  let transport: MailTransport;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    transport = createMailTransport(smtp.url, { timeoutMs: 500 });
  });

  afterAll(async () => {
    transport.close();
    await smtp.stop();
  });

  beforeEach(() => {
    smtp.messages.length = 0;
    smtp.envelopes.length = 0;
  });

  it('delivers one message with text and HTML parts, our Message-ID, subject and recipients', async () => {
    const sent = await sendMail(transport, delivery('booking-bay-boatsetter-bs-1001'));

    const messageId = opsSummaryMessageId('booking-bay-boatsetter-bs-1001');
    expect(sent).toEqual({
      messageId,
      accepted: ['ops@baycharters.example', 'owner@baycharters.example'],
      rejected: [],
    });
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail?.messageId).toBe(messageId);
    expect(mail?.subject).toBe(summary.subject);
    expect(mail?.text).toBe(summary.text);
    expect(mail?.html).toBe(summary.html);
    expect(mail?.from?.value).toEqual([{ name: 'Charter Fulfillment', address: 'fulfillment@baycharters.example' }]);
    const to = Array.isArray(mail?.to) ? mail.to.flatMap((t) => t.value) : (mail?.to?.value ?? []);
    expect(to.map((a) => a.address)).toEqual(['ops@baycharters.example', 'owner@baycharters.example']);
    expect(smtp.envelopes).toEqual([
      { from: 'fulfillment@baycharters.example', to: ['ops@baycharters.example', 'owner@baycharters.example'] },
    ]);
  });

  it('classifies a 451 as retryable, accepts nothing, and the retry delivers exactly once', async () => {
    smtp.failNext(1, 451);
    const err = await failureOf(sendMail(transport, delivery('wf-451')));
    expect(err).toMatchObject({ responseCode: 451 });
    expect(isRetryableMailError(err)).toBe(true);
    expect(smtp.messages).toHaveLength(0);

    await sendMail(transport, delivery('wf-451'));
    expect(smtp.messages.map((m) => m.messageId)).toEqual([opsSummaryMessageId('wf-451')]);
  });

  it('classifies a 550 as permanent', async () => {
    smtp.failNext(1, 550);
    const err = await failureOf(sendMail(transport, delivery('wf-550')));
    expect(err).toMatchObject({ responseCode: 550 });
    expect(isRetryableMailError(err)).toBe(false);
    expect(smtp.messages).toHaveLength(0);
  });

  it('times out a server that never answers DATA and calls that retryable', async () => {
    smtp.hangNext(1);
    const started = Date.now();
    const err = await failureOf(sendMail(transport, delivery('wf-hang')));
    expect(err).toMatchObject({ code: 'ETIMEDOUT' });
    expect(isRetryableMailError(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(smtp.messages).toHaveLength(0);
  });

  it('calls a refused connection retryable', async () => {
    const closed = await startSmtpServer();
    await closed.stop();
    const dead = createMailTransport(closed.url, { timeoutMs: 500 });
    const err = await failureOf(sendMail(dead, delivery('wf-dead')));
    dead.close();
    expect(isRetryableMailError(err)).toBe(true);
  });
});

describe('the pooled transport', () => {
  let smtp: TestSmtpServer;

  beforeEach(async () => {
    smtp = await startSmtpServer();
  });
  afterEach(() => smtp.stop());

  it('sends one email after another over one connection; unpooled, each opens its own', async () => {
    const pooled = createMailTransport(smtp.url, { timeoutMs: 2000 });
    for (let i = 0; i < 5; i++) await sendMail(pooled, delivery(`booking-bay-boatsetter-pool-${i}`));
    pooled.close();
    expect(smtp.messages).toHaveLength(5);
    expect(smtp.connections).toBe(1);

    const unpooled = createMailTransport(smtp.url, { timeoutMs: 2000, pool: false });
    for (let i = 0; i < 3; i++) await sendMail(unpooled, delivery(`booking-bay-boatsetter-single-${i}`));
    unpooled.close();
    expect(smtp.connections).toBe(1 + 3);
  });

  it('opens at most maxConnections for concurrent sends, and a new connection after maxMessages', async () => {
    const pooled = createMailTransport(smtp.url, { timeoutMs: 2000, maxConnections: 2, maxMessages: 3 });
    smtp.delayNext(4, 100);
    await Promise.all([0, 1, 2, 3].map((i) => sendMail(pooled, delivery(`booking-bay-boatsetter-burst-${i}`))));
    expect(smtp.connections).toBe(2);
    for (let i = 0; i < 4; i++) await sendMail(pooled, delivery(`booking-bay-boatsetter-after-${i}`));
    pooled.close();
    expect(smtp.messages).toHaveLength(8);
    // 8 messages at most 3 per connection: at least 3 connections, and never one per message.
    expect(smtp.connections).toBeGreaterThanOrEqual(3);
    expect(smtp.connections).toBeLessThan(8);
  });

  it('a message that hangs fails alone: the next one goes out on a fresh connection', async () => {
    const pooled = createMailTransport(smtp.url, { timeoutMs: 500 });
    await sendMail(pooled, delivery('booking-bay-boatsetter-before-hang'));
    smtp.hangNext(1);
    const err = await failureOf(sendMail(pooled, delivery('booking-bay-boatsetter-hangs')));
    expect(isRetryableMailError(err)).toBe(true);
    await sendMail(pooled, delivery('booking-bay-boatsetter-after-hang'));
    pooled.close();
    expect(smtp.messages.map((m) => m.messageId)).toEqual([
      opsSummaryMessageId('booking-bay-boatsetter-before-hang'),
      opsSummaryMessageId('booking-bay-boatsetter-after-hang'),
    ]);
    expect(smtp.connections).toBe(2);
  });
});

describe('isRetryableMailError', () => {
  it.each([
    [{ responseCode: 421, code: 'ECONNECTION' }, true],
    [{ responseCode: 450, code: 'EENVELOPE' }, true],
    [{ responseCode: 452, code: 'EMESSAGE' }, true],
    [{ responseCode: 454, code: 'EAUTH' }, true],
    [{ code: 'ETIMEDOUT' }, true],
    [{ code: 'ECONNECTION' }, true],
    [{ code: 'ESOCKET' }, true],
    [{ code: 'EDNS' }, true],
    [{ responseCode: 503, code: 'EPROTOCOL' }, true],
    [{ responseCode: 550, code: 'EENVELOPE' }, false],
    [{ responseCode: 552, code: 'EMESSAGE' }, false],
    [{ responseCode: 553, code: 'EENVELOPE' }, false],
    [{ responseCode: 535, code: 'EAUTH' }, false],
    [{ code: 'EENVELOPE' }, false],
    [{ code: 'ECONFIG' }, false],
    [new TypeError('x is undefined'), false],
    ['ETIMEDOUT', false],
    [null, false],
  ])('%j -> %s', (err, retryable) => {
    expect(isRetryableMailError(err)).toBe(retryable);
  });
});
