import { createTransport, type SMTPSentMessageInfo, type Transporter } from 'nodemailer';
import { SMTP_CALL } from '../domain/time-budgets';
import type { OpsEmail } from './email';

export type MailTransport = Transporter<SMTPSentMessageInfo>;

/**
 * How many SMTP connections a worker keeps open, and how many messages each carries before it is
 * replaced. Every new connection costs a TCP (+ TLS + AUTH) handshake and the server's greeting delay
 * (smtp-server, like many relays, waits 100 ms to catch early talkers): a pool pays that once per
 * connection instead of once per email. Relays limit concurrent connections per client (Gmail 10,
 * SES and Postfix defaults around 10-20); a handful is plenty for ops emails.
 */
export const SMTP_POOL = { maxConnections: 3, maxMessages: 100 } as const;

export interface MailTransportOptions {
  timeoutMs?: number;
  /** false: one connection per message (nodemailer's default), as before the pool. */
  pool?: boolean;
  maxConnections?: number;
  maxMessages?: number;
}

/**
 * A pooled nodemailer transport. nodemailer's defaults (2 min to connect, 10 min of socket silence)
 * outlast any sensible activity timeout; a stuck server fails the attempt quickly so that Temporal
 * retries it. A connection that breaks fails only the message on it (the activity retries it, and
 * the sent-mail ledger keeps that exactly once); the pool opens a new one for the next. close() ends
 * every pooled connection: the worker calls it on shutdown.
 */
export function createMailTransport(smtpUrl: string, opts: MailTransportOptions = {}): MailTransport {
  const timeoutMs = opts.timeoutMs ?? SMTP_CALL.timeoutMs;
  const timeouts = {
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  };
  if (opts.pool === false) return createTransport({ url: smtpUrl, ...timeouts });
  return createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: opts.maxConnections ?? SMTP_POOL.maxConnections,
    maxMessages: opts.maxMessages ?? SMTP_POOL.maxMessages,
    ...timeouts,
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
