import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { freePort, ManagedProcess } from '../../../scripts/local-stack/processes';
import { temporalDevServerArgs, waitForTemporal } from '../../../scripts/local-stack/temporal';
import { sampleBooking, sampleTenant } from '../../../sim/samples';
import { EncryptionCodec } from '../../../src/codec/encryption-codec';
import { buildCodecServer } from '../../../src/codec-server/app';
import { startBookingFulfillment } from '../../../src/service/start-booking';
import { launchChromium } from '../../support/browser';
import { testPayloadKeys } from '../../support/codec';
import { uniqueTenantId } from '../../support/fulfillment';
import { connectTemporal, type TemporalForTest } from '../../support/temporal';

jest.setTimeout(180_000);

const GUEST = {
  name: 'Octavia Lindqvist',
  email: 'octavia.l@codec-ui.example',
  phone: '+1 415 555 0123',
  partySize: 3,
};
const TOKEN = 'codec-ui-test-token-8c1e77';

const listen = async (app: FastifyInstance) => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
};

/**
 * The Temporal UI as ops use it: a dev server of its own with the UI on and --ui-codec-endpoint at our
 * codec server, a booking started with encrypted input, read in Chromium.
 */
describe('the Temporal UI through the codec server', () => {
  let temporalServer: ManagedProcess;
  let temporal: TemporalForTest;
  let codec: FastifyInstance;
  let guarded: FastifyInstance;
  let elsewhere: Server;
  let browser: Browser;
  let ui: string;
  let codecUrl: string;
  let guardedUrl: string;
  let otherOrigin: string;
  let workflowId: string;

  beforeAll(async () => {
    const cli = process.env.TEST_TEMPORAL_CLI;
    if (!cli) throw new Error('the global setup found no Temporal CLI');
    const [port, uiPort] = [await freePort(), await freePort()];
    ui = `http://127.0.0.1:${uiPort}`;
    const payloadCodec = new EncryptionCodec(testPayloadKeys());
    // The dev server's UI has no login, so it passes no token: this one needs none, the other does.
    codec = buildCodecServer({ codec: payloadCodec, corsOrigin: ui, logger: false });
    guarded = buildCodecServer({ codec: payloadCodec, corsOrigin: ui, authToken: TOKEN, logger: false });
    [codecUrl, guardedUrl] = await Promise.all([listen(codec), listen(guarded)]);
    elsewhere = createServer((_, res) => res.end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;

    const dbFile = join(mkdtempSync(join(process.env.TEST_TMP_DIR ?? tmpdir(), 'ui-codec-')), 'temporal.sqlite');
    temporalServer = new ManagedProcess({
      name: 'temporal-ui-codec',
      command: cli,
      args: temporalDevServerArgs({ port, uiPort, dbFile, codecUrl }),
      env: process.env,
      stopTimeoutMs: 10_000,
    });
    await waitForTemporal(`127.0.0.1:${port}`, 60_000, () => temporalServer.running);
    temporal = await connectTemporal(`127.0.0.1:${port}`);
    // No worker: the UI shows the start event's input, which is what must decode.
    const tenant = sampleTenant({ id: uniqueTenantId() });
    ({ workflowId } = await startBookingFulfillment(temporal.client, tenant, sampleBooking({ guest: GUEST }), {
      taskQueue: 'ui-codec-no-worker',
      slugSecret: 'ui-codec-slug-secret',
      crewConfirmation: { timeoutMs: 60_000, leadBeforeStartMs: 0 },
    }));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await temporal?.close();
    await temporalServer?.stop();
    await Promise.all([codec?.close(), guarded?.close()]);
    elsewhere?.close();
  });

  test("the workflow page shows the booking's decoded input, decoded through the codec server", async () => {
    const page = await browser.newPage();
    const decodes: number[] = [];
    page.on('response', (res) => {
      if (res.url().startsWith(`${codecUrl}/decode`)) decodes.push(res.status());
    });
    await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByText(GUEST.email).first().waitFor({ timeout: 60_000 });
    const text = await page.locator('body').innerText();
    expect(text).toContain(GUEST.name);
    expect(text).toContain(GUEST.phone);
    expect(decodes.length).toBeGreaterThan(0);
    expect(new Set(decodes)).toEqual(new Set([200]));
    await page.close();
  });

  test('a page of another origin cannot call the codec server: the browser refuses (CORS)', async () => {
    const page = await browser.newPage();
    await page.goto(otherOrigin);
    const outcome = await page.evaluate(async (url) => {
      try {
        const res = await fetch(`${url}/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-namespace': 'default' },
          body: JSON.stringify({ payloads: [] }),
        });
        return `answered ${res.status}`;
      } catch (err) {
        return `refused: ${String(err)}`;
      }
    }, codecUrl);
    expect(outcome).toMatch(/^refused: TypeError/);
    await page.close();
  });

  test('with a token configured, a call from the UI without it is 401; with it, 200', async () => {
    const page = await browser.newPage();
    await page.goto(ui);
    const statuses = await page.evaluate(
      async ({ url, token }) => {
        const call = (headers: Record<string, string>) =>
          fetch(`${url}/decode`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
            body: JSON.stringify({ payloads: [] }),
          }).then((res) => res.status);
        return [await call({}), await call({ authorization: `Bearer ${token}` })];
      },
      { url: guardedUrl, token: TOKEN },
    );
    expect(statuses).toEqual([401, 200]);
    await page.close();
  });
});
