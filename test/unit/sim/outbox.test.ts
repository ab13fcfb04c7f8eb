import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
});
