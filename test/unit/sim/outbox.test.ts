import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMailTransport, type MailTransport } from '../../../src/mail/transport';
import { startOutbox, type Outbox } from '../../../sim/outbox';

let dir: string;
let outbox: Outbox;
let transport: MailTransport;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-test-'));
  outbox = await startOutbox({ dir });
  transport = createMailTransport(outbox.smtpUrl, { timeoutMs: 2000 });
});

afterEach(async () => {
  transport.close();
  await outbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

function send(subject: string, extra: { html?: string; text?: string } = {}) {
  return transport.sendMail({
    from: 'JADA fulfillment <fulfillment@jada.example>',
    to: ['ops@jada.example'],
    subject,
    text: extra.text ?? `Text of ${subject}`,
    ...(extra.html ? { html: extra.html } : {}),
    messageId: `<${subject.replace(/\W/g, '')}@charter-fulfillment>`,
  });
}

async function html(path: string): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`${outbox.url}${path}`);
  return { status: res.status, body: await res.text(), headers: res.headers };
}

describe('outbox: SMTP catcher and its page', () => {
  it('keeps each accepted message as an .eml file and lists them newest first', async () => {
    await send('First booking');
    await new Promise((r) => setTimeout(r, 5));
    await send('Second booking');
    expect(readdirSync(dir).filter((f) => f.endsWith('.eml'))).toHaveLength(2);

    const list = await outbox.messages();
    expect(list.map((m) => m.subject)).toEqual(['Second booking', 'First booking']);
    expect(list[0]).toMatchObject({
      to: 'ops@jada.example',
      from: expect.stringContaining('fulfillment@jada.example'),
      messageId: '<Secondbooking@charter-fulfillment>',
    });
    expect(Date.parse(list[0]?.date ?? '')).not.toBeNaN();

    const page = await html('/');
    expect(page.status).toBe(200);
    expect(page.body.indexOf('Second booking')).toBeLessThan(page.body.indexOf('First booking'));
    expect(page.body).toContain('ops@jada.example');
    const api = (await (await fetch(`${outbox.url}/api/messages`)).json()) as { subject: string }[];
    expect(api.map((m) => m.subject)).toEqual(['Second booking', 'First booking']);
  });

  it('shows a message: escaped text part, HTML part only in a sandboxed iframe, and the raw source', async () => {
    await send('Crew <confirmed> & page "published"', {
      text: 'Page: https://example.com/g/x\n<script>alert(1)</script>',
      html: '<p onclick="steal()">Hello <b>ops</b></p><script>alert(2)</script>',
    });
    const [message] = await outbox.messages();
    if (!message) throw new Error('no message');
    const page = await html(`/messages/${message.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.body).toContain('<h1>Crew &lt;confirmed&gt; &amp; page &quot;published&quot;</h1>');
    expect(page.body).toContain('<pre>Page: https://example.com/g/x\n&lt;script&gt;alert(1)&lt;/script&gt;</pre>');
    expect(page.body).toContain(
      'srcdoc="&lt;p onclick=&quot;steal()&quot;&gt;Hello &lt;b&gt;ops&lt;/b&gt;&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt;"',
    );
    expect(page.body).toMatch(/<iframe sandbox /);
    expect(page.body).not.toMatch(/<script|<p onclick/);

    const raw = await html(`/messages/${message.id}.eml`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(raw.body).toMatch(/^Message-ID: <Crewconfirmedpagepublished@charter-fulfillment>/im);
  });

  it('survives a restart: the directory is the state', async () => {
    await send('Before restart');
    await outbox.stop();
    outbox = await startOutbox({ dir });
    transport.close();
    transport = createMailTransport(outbox.smtpUrl, { timeoutMs: 2000 });
    await send('After restart');
    expect((await outbox.messages()).map((m) => m.subject)).toEqual(['After restart', 'Before restart']);
  });

  it('serves only its own message files', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'not mail');
    await send('Only one');
    expect((await outbox.messages()).map((m) => m.subject)).toEqual(['Only one']);
    for (const path of [
      '/messages/notes',
      '/messages/..%2f..%2fetc%2fpasswd',
      '/messages/0000000000000-00000000',
      '/nope',
    ]) {
      expect((await html(path)).status).toBe(404);
    }
  });

  it('says so when the outbox is empty', async () => {
    expect((await html('/')).body).toContain('No mail yet');
  });

  it('requires its login when given one: a wrong password is 535, no login is refused, the right one sends', async () => {
    const guarded = await startOutbox({ dir, auth: { user: 'fulfillment', pass: 's3cret-pass' } });
    const withLogin = (login: string) =>
      createMailTransport(guarded.smtpUrl.replace('smtp://', `smtp://${login}@`), { timeoutMs: 2000 });
    const attempts = [withLogin('fulfillment:wrong-pass'), createMailTransport(guarded.smtpUrl, { timeoutMs: 2000 })];
    const right = withLogin('fulfillment:s3cret-pass');
    try {
      await expect(attempts[0]!.verify()).rejects.toMatchObject({ code: 'EAUTH', responseCode: 535 });
      await expect(
        attempts[1]!.sendMail({ from: 'a@jada.example', to: ['ops@jada.example'], subject: 'No login', text: 'x' }),
      ).rejects.toMatchObject({ responseCode: 530 });
      await expect(right.verify()).resolves.toBe(true);
      await right.sendMail({ from: 'a@jada.example', to: ['ops@jada.example'], subject: 'Logged in', text: 'x' });
      expect((await guarded.messages()).map((m) => m.subject)).toEqual(['Logged in']);
    } finally {
      for (const t of [...attempts, right]) t.close();
      await guarded.stop();
    }
  });

  it('holds a message: its 250 waits until released, and the message is written with it', async () => {
    const holding = outbox.holdNext({ messageId: '<Held@charter-fulfillment>', timeoutMs: 5000 });
    await send('Not this one');
    let answered = false;
    const sending = send('Held').then(() => (answered = true));
    const held = await holding;
    expect(held).toMatchObject({ subject: 'Held', messageId: '<Held@charter-fulfillment>' });
    // The sender still waits for the answer; nothing is delivered before it.
    await new Promise((r) => setTimeout(r, 200));
    expect(answered).toBe(false);
    expect((await outbox.messages()).map((m) => m.subject)).toEqual(['Not this one']);

    held.release();
    await sending;
    expect(await held.ended).toBe('kept');
    expect((await outbox.messages()).map((m) => m.subject)).toEqual(['Held', 'Not this one']);
  });

  it('does not deliver a held message whose sender vanishes before the 250, as a real MTA would not', async () => {
    const holding = outbox.holdNext({ timeoutMs: 5000 });
    const client = await rawSmtp(outbox.smtpUrl);
    await client.command('EHLO sender.test', 250);
    await client.command('MAIL FROM:<fulfillment@jada.example>', 250);
    await client.command('RCPT TO:<ops@jada.example>', 250);
    await client.command('DATA', 354);
    client.socket.write('Subject: Vanishing\r\nMessage-ID: <vanishing@charter-fulfillment>\r\n\r\nBody\r\n.\r\n');
    const held = await holding;
    expect(held.messageId).toBe('<vanishing@charter-fulfillment>');
    client.socket.destroy();

    expect(await held.ended).toBe('dropped');
    held.release();
    expect(await outbox.messages()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a late answer (hang) keeps the message although the sender gave up waiting', async () => {
    outbox.faults.atRandom({ failRate: 0, hangRate: 1, hangMs: 1500 });
    const impatient = createMailTransport(outbox.smtpUrl, { timeoutMs: 300 });
    try {
      await expect(
        impatient.sendMail({ from: 'a@jada.example', to: ['ops@jada.example'], subject: 'Answered late', text: 'x' }),
      ).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      expect((await outbox.messages()).map((m) => m.subject)).toEqual(['Answered late']);
    } finally {
      impatient.close();
    }
  });

  it('tells a listener of each message it keeps, held ones when released, until it stops listening', async () => {
    const heard: { subject: string; id: string; messageId?: string }[] = [];
    const stop = outbox.onMessage((m) => heard.push(m));
    const holding = outbox.holdNext({ messageId: '<Heldtoo@charter-fulfillment>', timeoutMs: 5000 });
    await send('Kept at once');
    const sending = send('Held too');
    const held = await holding;
    await new Promise((r) => setTimeout(r, 50));
    expect(heard.map((m) => m.subject)).toEqual(['Kept at once']);
    held.release();
    await sending;
    await new Promise((r) => setTimeout(r, 50));
    expect(heard.map((m) => m.subject)).toEqual(['Kept at once', 'Held too']);
    // What it heard is what messages() lists, ids (arrival ms first) included.
    expect((await outbox.messages()).map((m) => m.id).reverse()).toEqual(heard.map((m) => m.id));
    expect(heard[0]?.messageId).toBe('<Keptatonce@charter-fulfillment>');

    stop();
    await send('After it stopped');
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toHaveLength(2);
  });

  it('a hold for a message that never comes gives up after its timeout', async () => {
    await expect(outbox.holdNext({ messageId: '<never@charter-fulfillment>', timeoutMs: 100 })).rejects.toThrow(
      /did not arrive within 0.1 s/,
    );
    await send('Not held');
    expect((await outbox.messages()).map((m) => m.subject)).toEqual(['Not held']);
  });
});

/** An SMTP client by hand, so a test can close its connection at any point of the session, as a killed sender does. */
async function rawSmtp(
  smtpUrl: string,
): Promise<{ socket: Socket; command(line: string, code: number): Promise<void> }> {
  const socket = connect(Number(new URL(smtpUrl).port), '127.0.0.1');
  let received = '';
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString();
    for (const check of [...waiters]) check();
  });
  const reply = (code: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        // A final reply line is "code SP text"; continuation lines are "code-text".
        const match = /^(\d{3}) .*\r\n/m.exec(received);
        if (!match) return;
        received = received.slice(match.index + match[0].length);
        waiters.splice(waiters.indexOf(check), 1);
        if (Number(match[1]) === code) resolve();
        else reject(new Error(`expected ${code}, got: ${match[0].trim()}`));
      };
      waiters.push(check);
      check();
    });
  await reply(220);
  return {
    socket,
    command: (line, code) => {
      socket.write(`${line}\r\n`);
      return reply(code);
    },
  };
}
