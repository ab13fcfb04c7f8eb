import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PORTS, stackPaths } from '../../../scripts/local-stack/config';
import { readLocalKeys } from '../../../scripts/local-stack/keys';
import { ManagedProcess, freePort, groupAlive, poll, type ChildExit } from '../../../scripts/local-stack/processes';
import { readStackInfo, type StackInfo } from '../../../scripts/local-stack/stack-file';
import { sampleFareHarborDelivery } from '../../../sim/samples';

/**
 * `scripts/start.ts` as `npm start` runs it (through tsx), each time on ports of its own and a fresh
 * data directory, so it neither meets nor touches a developer's running stack or .data/.
 */
const ROOT = resolve(__dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const STEP_TIMEOUT_MS = 60_000;
/** The node arguments of package.json's `start` script, so the test starts the stack exactly as it does. */
const START_ARGS = (() => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = scripts.start.split(' ');
  if (node !== 'node') throw new Error(`the start script no longer runs node: ${scripts.start}`);
  return args;
})();

jest.setTimeout(300_000);

interface LaunchedStack {
  proc: ManagedProcess;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Resolves once stack.json is written, i.e. every part answered. */
  ready(): Promise<StackInfo>;
  /** Every live process that carries this stack's data directory in its environment: the stack and all it started. */
  leftovers(): string[];
  cleanUp(): Promise<void>;
}

const launched: LaunchedStack[] = [];

async function launchStack(overrides: Record<string, string> = {}): Promise<LaunchedStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stack-test-'));
  const ports = await Promise.all(
    Object.values(PORTS).map(async (spec) => [spec.env, String(await freePort())] as const),
  );
  const env = { ...process.env, LOCAL_DATA_DIR: dataDir, ...Object.fromEntries(ports), ...overrides };
  // Its own process group, as a terminal gives `npm start`, so clean-up after a failed test reaches all of it.
  // As `npm start` runs it: node with tsx's loader, one process that takes SIGTERM itself (the tsx CLI
  // would relay it with a 30 ms window, which a busy machine misses).
  const proc = new ManagedProcess({
    name: 'npm start',
    command: process.execPath,
    args: START_ARGS,
    env,
    cwd: ROOT,
  });
  const stack: LaunchedStack = {
    proc,
    dataDir,
    env,
    ready: () => until(stack, 'the stack file', 240_000, async () => readStackInfo(stackPaths(dataDir).stack)),
    leftovers: () => processesWithEnv(`LOCAL_DATA_DIR=${dataDir}`),
    async cleanUp() {
      const info = readStackInfo(stackPaths(dataDir).stack);
      for (const pgid of Object.values(info?.children ?? {})) if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
      await proc.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  launched.push(stack);
  return stack;
}

/** Polls `probe` while the stack runs; its output is in the error when time runs out. */
function until<T>(stack: LaunchedStack, what: string, timeoutMs: number, probe: () => Promise<T | undefined>) {
  return poll(probe, { what, timeoutMs, stillRunning: () => stack.proc.running }).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\n--- stack output ---\n${stack.proc.output().slice(-6000)}`);
  });
}

async function exitWithin(stack: LaunchedStack, ms: number): Promise<Omit<ChildExit, 'error'> | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([
    stack.proc.exited.then(({ code, signal }) => ({ code, signal })),
    new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms))),
  ]);
  clearTimeout(timer);
  return exit;
}

function processesWithEnv(marker: string): string[] {
  if (!existsSync('/proc')) return [];
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (`\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`.includes(`\0${marker}\0`)) {
        found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
      }
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

afterAll(async () => {
  for (const stack of launched) await stack.cleanUp();
});

describe('npm start: the acceptance', () => {
  let stack: LaunchedStack;
  let info: StackInfo;

  beforeAll(async () => {
    stack = await launchStack();
  });

  it('starts every part and prints every URL', async () => {
    info = await stack.ready();
    await until(stack, 'the banner', 5_000, async () =>
      stack.proc.output().includes('Ctrl-C stops everything') ? true : undefined,
    );
    for (const url of [
      info.urls.temporalUi,
      info.urls.codec,
      info.urls.service,
      info.urls.crewInbox,
      info.urls.outbox,
      info.urls.edge.nested,
      info.urls.edge.flat,
      info.urls.jada,
    ]) {
      expect(stack.proc.output()).toContain(url);
    }
    expect(stack.proc.output()).toContain('resets on restart; Temporal state persists in');
    expect(Object.keys(info.children).sort()).toEqual(['codec', 'moto', 'service', 'temporal', 'worker']);
    expect((await fetch(info.urls.temporalUi)).status).toBe(200);
    expect((await fetch(`${info.urls.service}/readyz`)).status).toBe(200);
  });

  it('fulfils the demo booking once both crew accept in the inbox', async () => {
    const demo = spawnSync(TSX, ['scripts/demo.ts'], { cwd: ROOT, env: stack.env, encoding: 'utf8', timeout: 60_000 });
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
    const summary = JSON.parse(demo.stdout.trim().split('\n').pop() ?? '{}') as {
      status: number;
      workflowId: string;
      statusUrl: string;
    };
    expect(summary.status).toBe(202);
    expect(demo.stdout).toContain(`${info.urls.temporalUi}/namespaces/default/workflows/${summary.workflowId}`);
    expect(demo.stdout).toContain(info.urls.crewInbox);

    const inbox = await until(stack, 'the crew event in the inbox', STEP_TIMEOUT_MS, async () => {
      const html = await (await fetch(info.urls.crewInbox)).text();
      return html.includes(summary.workflowId) ? html : undefined;
    });
    const links = [...inbox.matchAll(/href="(http:\/\/127\.0\.0\.1:\d+\/m\/[A-Za-z0-9_-]+)"/g)].map((m) => m[1] ?? '');
    expect(links).toHaveLength(2);
    for (const link of links) {
      const res = await fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'response=accepted',
      });
      const page = await res.text();
      expect({ status: res.status, callback: /Callback answered HTTP \d+/.exec(page)?.[0] }).toEqual({
        status: 200,
        callback: 'Callback answered HTTP 202',
      });
    }

    const key = readLocalKeys(info.files.keys).intakeKey;
    const status = await until(stack, 'the page and the email', STEP_TIMEOUT_MS, async () => {
      const res = await fetch(summary.statusUrl, { headers: { 'x-service-key': key } });
      const body = (await res.json()) as {
        pages: { site: string; url: string }[];
        opsEmailMessageId?: string;
        crewOutcome?: string;
      };
      return body.opsEmailMessageId ? body : undefined;
    });
    expect(status.crewOutcome).toBe('ALL_CONFIRMED');
    expect(status.pages.map((p) => p.site).sort()).toEqual(['flat', 'nested']);
    for (const page of status.pages) {
      expect(page.url.startsWith(info.urls.edge[page.site as 'nested' | 'flat'])).toBe(true);
      const res = await fetch(page.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('Carole');
    }

    const mail = await until(stack, 'the ops email in the outbox', STEP_TIMEOUT_MS, async () => {
      const messages = (await (await fetch(`${info.urls.outbox}/api/messages`)).json()) as {
        id: string;
        messageId?: string;
        to: string;
      }[];
      return messages.find((m) => m.messageId === status.opsEmailMessageId);
    });
    expect(mail.to).toBe('ops@jada.example');
    expect((await fetch(`${info.urls.outbox}/messages/${mail.id}`)).status).toBe(200);

    // The CLI reads the history encrypted, or decoded through the printed codec server.
    const show = (...extra: string[]) => {
      const cli = process.env.TEST_TEMPORAL_CLI;
      if (!cli) throw new Error('the global setup found no Temporal CLI');
      const args = ['workflow', 'show', '--address', info.temporalAddress, '--workflow-id', summary.workflowId];
      const run = spawnSync(cli, [...args, '--output', 'json', ...extra], { encoding: 'utf8', timeout: 30_000 });
      expect(run.stderr).toBe('');
      // JSON output keeps payload data base64, decoded or not.
      return [...run.stdout.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)]
        .map((m) => Buffer.from(m[1] ?? '', 'base64').toString('utf8'))
        .join('\n');
    };
    expect(show()).not.toContain('carole@example.com');
    expect(show('--codec-endpoint', info.urls.codec)).toContain('carole@example.com');
  });

  it('serves the ops page at the printed URL, where opsKey from the keys file logs in', async () => {
    const opsPage = info.urls.opsPage;
    expect(opsPage).toBe(`${info.urls.service}/ops/jada/`);
    expect(stack.proc.output()).toContain(opsPage);
    const login = await fetch(`${opsPage}login`);
    const nonce = /ops_login=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
    const token = /name="loginToken" value="([^"]+)"/.exec(await login.text())?.[1];
    const loggedIn = await fetch(`${opsPage}login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `ops_login=${nonce}` },
      body: new URLSearchParams({ loginToken: token ?? '', key: readLocalKeys(info.files.keys).opsKey }).toString(),
      redirect: 'manual',
    });
    expect(loggedIn.status).toBe(303);
    const session = /ops_session=[^;]+/.exec(loggedIn.headers.get('set-cookie') ?? '')?.[0] ?? '';
    const list = await fetch(opsPage, { headers: { cookie: session } });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('<h1>Bookings</h1>');
  });

  it('takes FareHarbor deliveries at the printed webhook URL, and `npm run demo -- fareharbor` posts them', async () => {
    const webhook = info.urls.fareHarborWebhook;
    expect(webhook).toMatch(new RegExp(`^${info.urls.service}/tenants/jada/channels/fareharbor/[\\w-]{20,}$`));
    expect(stack.proc.output()).toContain(webhook);
    const post = (url: string, body: unknown) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const delivery = sampleFareHarborDelivery({
      startAt: '2027-05-29T10:00:00-0700',
      endAt: '2027-05-29T13:00:00-0700',
    });
    const wrong = await post(webhook.replace(/[^/]+$/, 'not-the-secret'), delivery);
    expect(wrong.status).toBe(404);
    const res = await post(webhook, delivery);
    const answer = (await res.json()) as { workflowId?: string; statusUrl: string };
    expect({ status: res.status, workflowId: answer.workflowId }).toEqual({
      status: 200,
      workflowId: `booking-jada-fareharbor-${delivery.booking.uuid}`,
    });
    const key = readLocalKeys(info.files.keys).intakeKey;
    // Until the crew are asked: a stack still calling its stand-ins is slower to answer the SIGTERM test's signal.
    const crewAsked = (statusUrl: string) =>
      until(stack, 'the FareHarbor booking asking its crew', 15_000, async () => {
        const reply = await fetch(new URL(statusUrl, info.urls.service), { headers: { 'x-service-key': key } });
        const body = reply.status === 200 ? ((await reply.json()) as { bookingId: string; sccEventId?: string }) : {};
        return 'sccEventId' in body && body.sccEventId ? body : undefined;
      });
    expect(await crewAsked(answer.statusUrl)).toEqual(
      expect.objectContaining({ bookingId: delivery.booking.uuid, source: 'fareharbor' }),
    );

    const demo = spawnSync(TSX, ['scripts/demo.ts', 'fareharbor'], {
      cwd: ROOT,
      env: stack.env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
    expect(demo.stdout).not.toContain(webhook);
    const summary = JSON.parse(demo.stdout.trim().split('\n').pop() ?? '{}') as {
      status: number;
      workflowId: string;
      statusUrl: string;
      redelivery: { status: number; changed?: string[] };
    };
    expect(summary.status).toBe(200);
    expect(summary.workflowId).toMatch(/^booking-jada-fareharbor-/);
    expect(summary.redelivery.status).toBe(200);
    expect(summary.redelivery.changed).toEqual(expect.arrayContaining(['guest.partySize']));
    await crewAsked(summary.statusUrl);
  });

  it('stops everything on SIGTERM and leaves no process behind', async () => {
    process.kill(stack.proc.pid ?? 0, 'SIGTERM');
    expect(await exitWithin(stack, 60_000)).toEqual({ code: 0, signal: null });
    expect(stack.proc.output()).toMatch(/\[stack\] stopped in \d/);
    expect(existsSync(stackPaths(stack.dataDir).stack)).toBe(false);
    for (const pid of Object.values(info.children))
      expect({ pid, alive: groupAlive(pid) }).toEqual({ pid, alive: false });
    expect(stack.leftovers()).toEqual([]);
  });
});

describe('npm start: failures', () => {
  it('stops everything with a non-zero exit when a child dies, saying which and why', async () => {
    const stack = await launchStack();
    const info = await stack.ready();
    process.kill(info.children.service ?? 0, 'SIGKILL');
    expect(await exitWithin(stack, 60_000)).toEqual({ code: 1, signal: null });
    expect(stack.proc.output()).toContain('[stack] service was killed by SIGKILL. Its last lines');
    expect(stack.proc.output()).toMatch(/\[stack\] stopped after a failure/);
    expect(stack.leftovers()).toEqual([]);
  });

  it('refuses to start when a port is taken, naming it and the variable that moves it', async () => {
    const squatter: Server = createServer();
    const port = await freePort();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      const stack = await launchStack({ LOCAL_OUTBOX_PORT: String(port) });
      expect(await exitWithin(stack, 60_000)).toEqual({ code: 1, signal: null });
      expect(stack.proc.output()).toContain(
        `${port} (outbox page) is already in use: free it or set LOCAL_OUTBOX_PORT=<port>`,
      );
      expect(stack.leftovers()).toEqual([]);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});
