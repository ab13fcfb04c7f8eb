import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { escapeAttr, escapeHtml } from '../src/html/escape';
import { Faults, listen, stopServer } from './faults';

/**
 * The local stack's mail catcher: an SMTP server that accepts every message and keeps it as an .eml
 * file, and an outbox page to read them. Files are the only state, so the outbox survives restarts
 * and a message can be opened in any mail client. A message is written when the server takes
 * responsibility for it, with its 250: one whose sender vanished before that was never delivered.
 */
export interface OutboxOptions {
  /** Where .eml files are kept; created when missing. */
  dir: string;
  /** 0 or absent lets the kernel pick. */
  smtpPort?: number;
  httpPort?: number;
  /**
   * A login the SMTP server requires (AUTH PLAIN/LOGIN), as a real relay does; without it any login,
   * or none, is taken.
   */
  auth?: { user: string; pass: string };
}

export interface OutboxMessage {
  /** The file name without `.eml`; sorts by arrival. */
  id: string;
  subject: string;
  from: string;
  to: string;
  /** ISO instant: the Date header, else the arrival time. */
  date: string;
  messageId?: string;
}

export interface Outbox {
  /** smtp://127.0.0.1:{port}, for SMTP_URL (with `auth`, put the login in it: smtp://user:pass@...). */
  smtpUrl: string;
  /** The outbox page. */
  url: string;
  dir: string;
  /** Newest first. */
  messages(): Promise<OutboxMessage[]>;
  /**
   * Calls `listener` with each message the outbox keeps from now on, once it is written: for a driver
   * that would otherwise read `messages()` over and over while it waits. Returns the way to stop.
   */
  onMessage(listener: (message: OutboxMessage) => void): () => void;
  /** Injected SMTP faults: set `faults.atRandom(...)` for 451 refusals and late 250s. */
  faults: Faults;
  /**
   * Holds the answer to the next message (the next with `messageId`, when given) once it is fully
   * received, before its 250; resolves as soon as it is held, rejects when none arrives within
   * `timeoutMs`. A held message takes no random fault.
   */
  holdNext(options: HoldOptions): Promise<HeldMessage>;
  stop(): Promise<void>;
}

export interface HoldOptions {
  messageId?: string;
  timeoutMs: number;
}

/**
 * A message whose DATA was received in full, its answer held back: the sender waits for the 250, as
 * it would on a slow relay. Like a real MTA, the outbox takes responsibility for a message only with
 * its 250: it writes the message when it answers, and a message whose client vanishes first (a
 * sender killed mid-send) is never delivered.
 */
export interface HeldMessage {
  messageId?: string;
  subject: string;
  /** Keeps the message and sends its 250; does nothing once the client has gone. */
  release(): void;
  /**
   * `kept` once the message was written and its 250 sent; `dropped` when the client closed its
   * connection first (or the outbox stopped, or could not write it): nothing was kept.
   */
  ended: Promise<'kept' | 'dropped'>;
}

const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
const EML = '.eml';
/** Arrival time in ms, zero-padded so names sort by time, plus randomness for messages in the same ms. */
const ID_PATTERN = /^\d{13}-[0-9a-f]{8}$/;

export async function startOutbox(options: OutboxOptions): Promise<Outbox> {
  const { dir } = options;
  await mkdir(dir, { recursive: true });
  // Messages never change once written, so a parsed summary is good for as long as its file exists.
  const summaries = new Map<string, OutboxMessage>();
  // Only random faults here: a message either takes a 451, or is kept and answered late.
  const faults = new Faults();
  const waitingHolds: { messageId?: string; take: (held: HeldMessage) => void; stop: (err: Error) => void }[] = [];
  // The held messages' ways to drop them, for stop().
  const heldDrops = new Set<() => void>();
  // For each open SMTP connection (by session id), what to do when it closes.
  const onClosed = new Map<string, Set<() => void>>();

  const listeners = new Set<(message: OutboxMessage) => void>();
  /** Tells the listeners of a kept message (parsed once, for them and the summaries' cache). */
  const announce = async (id: string, raw: Buffer, parsed?: ParsedMail): Promise<void> => {
    if (listeners.size === 0) return;
    const summary = summarize(id, parsed ?? (await simpleParser(raw)));
    summaries.set(id, summary);
    for (const listener of listeners) listener(summary);
  };

  /** Writes the message; its id (arrival ms and randomness) once it is in the outbox. */
  const store = async (raw: Buffer): Promise<string> => {
    const id = `${String(Date.now()).padStart(13, '0')}-${randomBytes(4).toString('hex')}`;
    const tmp = join(dir, `.${id}.tmp`);
    // The page lists *.eml only, so it never shows a half-written message.
    await writeFile(tmp, raw);
    await rename(tmp, join(dir, `${id}${EML}`));
    return id;
  };

  /** The first waiting hold this message matches, or none. */
  const claimHold = async (
    raw: Buffer,
  ): Promise<{ take: (held: HeldMessage) => void; mail: ParsedMail } | undefined> => {
    if (waitingHolds.length === 0) return undefined;
    const mail = await simpleParser(raw);
    const index = waitingHolds.findIndex((h) => h.messageId === undefined || h.messageId === mail.messageId);
    if (index < 0) return undefined;
    const [hold] = waitingHolds.splice(index, 1);
    return { take: hold!.take, mail };
  };

  const holdAnswer = (
    raw: Buffer,
    sessionId: string,
    mail: ParsedMail,
    take: (held: HeldMessage) => void,
    reply: (refusal?: Error) => void,
  ): void => {
    let end: (how: 'kept' | 'dropped') => void = () => undefined;
    const ended = new Promise<'kept' | 'dropped'>((resolve) => (end = resolve));
    const closes = onClosed.get(sessionId);
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      closes?.delete(drop);
      heldDrops.delete(drop);
      return true;
    };
    function drop(): void {
      if (!settle()) return;
      reply(refusal(421, 'Not kept: the connection closed before the message was answered'));
      end('dropped');
    }
    const release = (): void => {
      if (!settle()) return;
      store(raw).then(
        (id) => {
          reply();
          end('kept');
          void announce(id, raw, mail);
        },
        (err: unknown) => {
          reply(refusal(451, `Cannot store message: ${String(err)}`));
          end('dropped');
        },
      );
    };
    take({
      subject: mail.subject ?? '(no subject)',
      ...(mail.messageId ? { messageId: mail.messageId } : {}),
      release,
      ended,
    });
    // Gone already, while the message was being read for its Message-ID.
    if (!closes) return drop();
    closes.add(drop);
    heldDrops.add(drop);
  };

  /** Answers a message received in full: held for a test, refused or answered late by a fault, or kept. */
  const answer = async (raw: Buffer, sessionId: string, reply: (refusal?: Error) => void): Promise<void> => {
    const hold = await claimHold(raw);
    if (hold) return holdAnswer(raw, sessionId, hold.mail, hold.take, reply);
    const fault = faults.random?.next();
    if (fault?.kind === 'fail') return reply(refusal(451, 'Try again later (injected fault)'));
    const id = await store(raw);
    // A hang takes the message and answers late: past the sender's timeout, its 250 is lost.
    if (fault?.kind === 'hang') setTimeout(() => reply(), fault.ms);
    else reply();
    await announce(id, raw);
  };

  const login = options.auth;
  const smtp = new SMTPServer({
    authOptional: login === undefined,
    // A catcher takes whatever credentials the sender has, unless it was given a login to require.
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => {
      if (login && !(sameText(auth.username ?? '', login.user) && sameText(auth.password ?? '', login.pass))) {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
        return;
      }
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    // No certificate to offer: nodemailer would try STARTTLS and then refuse a self-signed one.
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    // Stopping the stack should not wait out smtp-server's 30 s for a client that never says QUIT.
    closeTimeout: 1000,
    onConnect(session, callback) {
      onClosed.set(session.id, new Set());
      callback();
    },
    onClose(session) {
      const closes = onClosed.get(session.id);
      onClosed.delete(session.id);
      for (const closed of [...(closes ?? [])]) closed();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(refusal(552, `Message exceeds ${MAX_MESSAGE_BYTES} bytes`));
          return;
        }
        let replied = false;
        const reply = (refused?: Error): void => {
          if (replied) return;
          replied = true;
          callback(refused ?? null);
        };
        answer(Buffer.concat(chunks), session.id, reply).catch((err: unknown) =>
          reply(refusal(451, `Cannot store message: ${String(err)}`)),
        );
      });
    },
  });
  // A client that drops its connection mid-session is not the catcher's problem.
  smtp.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, '127.0.0.1', () => {
      smtp.server.off('error', reject);
      resolve();
    });
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const summaryOf = async (id: string): Promise<OutboxMessage> => {
    const cached = summaries.get(id);
    if (cached) return cached;
    const summary = summarize(id, await simpleParser(await readFile(join(dir, `${id}${EML}`))));
    summaries.set(id, summary);
    return summary;
  };

  const messages = async (): Promise<OutboxMessage[]> => {
    const ids = (await readdir(dir))
      .filter((name) => name.endsWith(EML) && ID_PATTERN.test(name.slice(0, -EML.length)))
      .map((name) => name.slice(0, -EML.length))
      .sort()
      .reverse();
    return Promise.all(ids.map(summaryOf));
  };

  const route = async (req: IncomingMessage): Promise<Reply> => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return { status: 405, html: page('Method not allowed', ''), headers: { allow: 'GET' } };
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/') return { status: 200, html: listPage(await messages()) };
    if (path === '/api/messages') return { status: 200, json: await messages() };
    const match = /^\/messages\/([^/]+?)(\.eml)?$/.exec(path);
    const id = match?.[1];
    if (id === undefined || !ID_PATTERN.test(id)) return notFound();
    let raw: Buffer;
    try {
      raw = await readFile(join(dir, `${id}${EML}`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return notFound();
      throw err;
    }
    // Shown as text rather than offered as a download: the raw source is what one opens it to read.
    if (match?.[2]) return { status: 200, raw, headers: { 'content-type': 'text/plain; charset=utf-8' } };
    const mail = await simpleParser(raw);
    return { status: 200, html: messagePage(summarize(id, mail), mail) };
  };

  const http = createServer((req, res) => {
    route(req)
      .then((reply) => send(res, reply, req.method === 'HEAD'))
      .catch((err: unknown) =>
        send(res, { status: 500, html: page('Error', `<pre>${escapeHtml(String(err))}</pre>`) }, false),
      );
  });
  const url = await listen(http, options.httpPort);

  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    url,
    dir,
    messages,
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    faults,
    holdNext({ messageId, timeoutMs }) {
      return new Promise<HeldMessage>((resolve, reject) => {
        const hold = {
          messageId,
          take: (held: HeldMessage) => {
            clearTimeout(timer);
            resolve(held);
          },
          stop: (err: Error) => {
            clearTimeout(timer);
            const index = waitingHolds.indexOf(hold);
            if (index >= 0) waitingHolds.splice(index, 1);
            reject(err);
          },
        };
        const what = messageId ? `a message with Message-ID ${messageId}` : 'a message';
        const timer = setTimeout(
          () => hold.stop(new Error(`outbox: ${what} to hold did not arrive within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        waitingHolds.push(hold);
      });
    },
    async stop() {
      faults.reset();
      for (const hold of [...waitingHolds]) hold.stop(new Error('outbox: stopped before a message to hold arrived'));
      for (const drop of [...heldDrops]) drop();
      await Promise.all([new Promise<void>((resolve) => smtp.close(() => resolve())), stopServer(http)]);
    },
  };
}

type Reply = { status: number; headers?: OutgoingHttpHeaders } & (
  { html: string } | { json: unknown } | { raw: Buffer }
);

function send(res: ServerResponse, reply: Reply, headOnly: boolean): void {
  if (res.headersSent) return void res.destroy();
  const [body, type] =
    'html' in reply
      ? [Buffer.from(reply.html), 'text/html; charset=utf-8']
      : 'json' in reply
        ? [Buffer.from(JSON.stringify(reply.json)), 'application/json; charset=utf-8']
        : [reply.raw, 'application/octet-stream'];
  res.writeHead(reply.status, {
    'content-type': type,
    'content-length': body.length,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Mail HTML is untrusted: no script anywhere, and images only inline, so opening a message
    // neither runs it nor tells a tracker it was read. The iframe's srcdoc inherits this policy.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    ...reply.headers,
  });
  res.end(headOnly ? undefined : body);
}

function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (value === undefined) return '';
  return (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');
}

function summarize(id: string, mail: ParsedMail): OutboxMessage {
  const arrived = new Date(Number(id.slice(0, 13)));
  return {
    id,
    subject: mail.subject ?? '(no subject)',
    from: addressText(mail.from),
    to: addressText(mail.to),
    date: (mail.date ?? arrived).toISOString(),
    ...(mail.messageId ? { messageId: mail.messageId } : {}),
  };
}

function notFound(): Reply {
  return { status: 404, html: page('Not found', '<p>No such message. <a href="/">Outbox</a></p>') };
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · outbox</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
pre{white-space:pre-wrap;background:#f4f4f4;padding:.75rem}.date{white-space:nowrap}iframe{width:100%;height:40rem;border:1px solid #ccc}</style>
</head><body>
<p><small>Local SMTP catcher</small></p>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

function listPage(messages: OutboxMessage[]): string {
  if (messages.length === 0) return page('Outbox', '<p>No mail yet. Reload once a booking has been fulfilled.</p>');
  const rows = messages.map(
    (m) =>
      `<tr><td><a href="/messages/${escapeAttr(m.id)}">${escapeHtml(m.subject)}</a></td><td>${escapeHtml(m.to)}</td><td class="date">${escapeHtml(m.date)}</td></tr>`,
  );
  return page(
    'Outbox',
    `<p>${messages.length} message${messages.length === 1 ? '' : 's'}, newest first.</p>
<table><thead><tr><th>Subject</th><th>To</th><th>Date</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`,
  );
}

function messagePage(summary: OutboxMessage, mail: ParsedMail): string {
  const header = (name: string, value: string | undefined) =>
    value ? `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>` : '';
  const html =
    typeof mail.html === 'string'
      ? `<h2>HTML part</h2>
<iframe sandbox referrerpolicy="no-referrer" title="HTML part" srcdoc="${escapeAttr(mail.html)}"></iframe>`
      : '';
  return page(
    summary.subject,
    `<p><a href="/">Outbox</a> · <a href="/messages/${escapeAttr(summary.id)}.eml">raw (.eml)</a></p>
<table>
${header('From', summary.from)}
${header('To', summary.to)}
${header('Cc', addressText(mail.cc))}
${header('Date', summary.date)}
${header('Message-ID', summary.messageId)}
</table>
<h2>Text part</h2>
<pre>${escapeHtml(mail.text ?? '(none)')}</pre>
${html}`,
  );
}

function refusal(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** Compared as digests, in constant time: the lengths of the two texts do not show either. */
function sameText(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
