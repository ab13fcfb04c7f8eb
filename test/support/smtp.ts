import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on loopback for tests: nodemailer speaks the whole protocol to it, and each
 * message it accepts is parsed back with mailparser. Failures and hangs are scripted per message, in
 * the order failNext/hangNext were called, and are decided at the end of DATA, after the client has
 * sent the whole message: the point where a real server's verdict matters for retries.
 */
export interface TestSmtpServer {
  /** smtp://127.0.0.1:{port}, for createMailTransport / SMTP_URL. */
  url: string;
  /** Only messages the server answered 250 to, in arrival order. */
  messages: ParsedMail[];
  /** SMTP envelope of each accepted message, parallel to `messages` (Bcc shows only here). */
  envelopes: { from: string; to: string[] }[];
  /** SMTP sessions opened so far: a pooled client opens few, one per message is the unpooled cost. */
  readonly connections: number;
  /** The next n messages are refused with this reply code (4xx transient, 5xx permanent). */
  failNext(n: number, code?: number): void;
  /** The next n messages get no answer to their DATA at all, until stop(). */
  hangNext(n: number): void;
  /** The next n messages are taken, but their 250 comes only after `ms`: a slow server. */
  delayNext(n: number, ms: number): void;
  stop(): Promise<void>;
}

type Outcome = { kind: 'fail'; code: number } | { kind: 'hang' } | { kind: 'delay'; ms: number };

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  const envelopes: { from: string; to: string[] }[] = [];
  const plan: Outcome[] = [];
  const hung = new Set<(err?: Error | null) => void>();
  let connections = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // stop() answers hung sessions itself; this only bounds a client that never says QUIT.
    closeTimeout: 1000,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const outcome = plan.shift();
        if (outcome?.kind === 'hang') {
          hung.add(callback);
          return;
        }
        if (outcome?.kind === 'fail') {
          const reason = outcome.code >= 500 ? 'Message rejected by test server' : 'Try again later (test server)';
          callback(Object.assign(new Error(reason), { responseCode: outcome.code }));
          return;
        }
        simpleParser(Buffer.concat(chunks)).then(
          (mail) => {
            messages.push(mail);
            envelopes.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            });
            if (outcome?.kind === 'delay') setTimeout(() => callback(), outcome.ms);
            else callback();
          },
          (err: unknown) =>
            callback(Object.assign(new Error(`cannot parse message: ${String(err)}`), { responseCode: 451 })),
        );
      });
    },
  });
  // A client that times out drops its socket mid-session; that is expected here, not a test failure.
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    get connections() {
      return connections;
    },
    url: `smtp://127.0.0.1:${port}`,
    messages,
    envelopes,
    failNext(n, code = 451) {
      for (let i = 0; i < n; i++) plan.push({ kind: 'fail', code });
    },
    hangNext(n) {
      for (let i = 0; i < n; i++) plan.push({ kind: 'hang' });
    },
    delayNext(n, ms) {
      for (let i = 0; i < n; i++) plan.push({ kind: 'delay', ms });
    },
    stop() {
      for (const callback of hung) callback(Object.assign(new Error('Test server stopping'), { responseCode: 421 }));
      hung.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
