import { createTransport, type SMTPSentMessageInfo, type Transporter } from 'nodemailer';
import { SMTP_CALL } from '../domain/time-budgets';
import type { OpsEmail } from './email';

export type MailTransport = Transporter<SMTPSentMessageInfo>;

/**
 * nodemailer's defaults (2 min to connect, 10 min of socket silence) outlast any sensible activity
 * timeout; a stuck server should fail the attempt quickly so that Temporal retries it.
 */

export function createMailTransport(smtpUrl: string, opts: { timeoutMs?: number } = {}): MailTransport {
  const timeoutMs = opts.timeoutMs ?? SMTP_CALL.timeoutMs;
  return createTransport({
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
}

export interface MailDelivery {
  from: string;
  to: string[];
  /** Deterministic (src/mail/message-id.ts): the same on every retry. */
  messageId: string;
  email: OpsEmail;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  /** Recipients the server refused while taking the message for the others. */
  rejected: string[];
}

function addresses(list: ReadonlyArray<string | { address: string }>): string[] {
  return list.map((a) => (typeof a === 'string' ? a : a.address));
}

export async function sendMail(transport: MailTransport, delivery: MailDelivery): Promise<SentMail> {
  const info = await transport.sendMail({
    from: delivery.from,
    to: delivery.to,
    subject: delivery.email.subject,
    text: delivery.email.text,
    html: delivery.email.html,
    messageId: delivery.messageId,
  });
  return { messageId: info.messageId, accepted: addresses(info.accepted), rejected: addresses(info.rejected) };
}

/** Errors nodemailer raises when the connection, not the message, failed: the next attempt may work. */
const TRANSIENT_CODES = new Set([
  'ETIMEDOUT',
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether sending the same message again can succeed. The SMTP reply code decides when there is one
 * (RFC 5321: 4yz transient, 5yz permanent; 503 "bad sequence" is a session-state error, not a verdict on
 * the message, as nodemailer's own isPermanentResponseCode also holds). Without a code, only connection
 * failures are retried: configuration, envelope and auth problems come back the same every time.
 */
export function isRetryableMailError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { responseCode, code } = err as { responseCode?: unknown; code?: unknown };
  if (typeof responseCode === 'number' && responseCode >= 400) {
    return responseCode < 500 || responseCode === 503;
  }
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

/**
 * Whether the server refused the message (it answered 4yz or 5yz) or it never got that far (the
 * connection was refused): either way nothing was delivered. A timeout or a dropped connection after
 * the message was sent proves nothing: the server may have taken it.
 */
export function smtpRefused(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { responseCode, code, originalCode } = err as {
    responseCode?: unknown;
    code?: unknown;
    originalCode?: unknown;
  };
  // nodemailer reports a refused connection as ESOCKET and keeps the system's code beside it.
  return (typeof responseCode === 'number' && responseCode >= 400) || [code, originalCode].includes('ECONNREFUSED');
}
