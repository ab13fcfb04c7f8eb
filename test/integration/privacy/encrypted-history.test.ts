import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { sampleBooking } from '../../../sim/samples';
import { EncryptionCodec } from '../../../src/codec/encryption-codec';
import { changeBookingUpdate, crewResponseSignal } from '../../../workflows/messages';
import { testPayloadKeys } from '../../support/codec';
import { replayOptions } from '../../support/histories';
import { startFulfillmentHarness, type FulfillmentHarness } from '../../support/fulfillment';
import { testServers } from '../../support/temporal';
import { waitForStage } from '../../support/wait';

/** A guest whose every detail is unlike anything else in a history, so a match can only be a leak. */
const GUEST = { name: 'Wilhelmina Quartermaine', email: 'wilhelmina.q@privacy-test.example', phone: '+1 415 555 0177' };
const NOTES = 'Allergic to shellfish; anniversary surprise';
const CHANGED_PHONE = '+1 415 555 0199';
/** Each piece of PII as it could appear: whole, or the parts a summary or an email subject would take. */
const SECRETS = [
  GUEST.name,
  'Wilhelmina',
  'Quartermaine',
  GUEST.email,
  GUEST.phone,
  '555 0177',
  NOTES,
  'shellfish',
  CHANGED_PHONE,
];

/** Every string in the JSON, plus, for each base64-looking one (payload data, metadata), its decoding. */
function everyReading(json: string): string {
  const readings: string[] = [json];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= 4 && /^[A-Za-z0-9+/]+={0,2}$/.test(value))
        readings.push(Buffer.from(value, 'base64').toString('latin1'));
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(JSON.parse(json));
  return readings.join('\n');
}

/** The history with every payload run through the codec, as the codec server does for the UI. */
async function decodedHistory(json: string, codec: EncryptionCodec): Promise<string> {
  const decode = async (value: unknown): Promise<unknown> => {
    if (Array.isArray(value)) return Promise.all(value.map(decode));
    if (!value || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    if (typeof record.data === 'string' && record.metadata && typeof record.metadata === 'object') {
      const [payload] = await codec.decode([
        {
          metadata: Object.fromEntries(
            Object.entries(record.metadata as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
          ),
          data: Buffer.from(record.data, 'base64'),
        },
      ]);
      return { metadata: payload!.metadata, data: Buffer.from(payload!.data ?? []).toString('utf8') };
    }
    return Object.fromEntries(await Promise.all(Object.entries(record).map(async ([k, v]) => [k, await decode(v)])));
  };
  return JSON.stringify(await decode(JSON.parse(json)));
}

describe('guest PII in Temporal', () => {
  let h: FulfillmentHarness;
  let plain: Client;
  let connection: Connection;
  let workflowId: string;
  let rawHistory: string;
  let failedHistory: string;

  beforeAll(async () => {
    h = await startFulfillmentHarness({ crewTimeoutMs: 60_000 });
    connection = await Connection.connect({ address: testServers().address });
    // What anyone with access to the cluster (or Temporal Cloud) sees: no codec.
    plain = new Client({ connection });
    const handle = await h.start(sampleBooking({ guest: { ...GUEST, partySize: 4 }, notes: NOTES }));
    workflowId = handle.workflowId;
    await waitForStage(handle, 'AWAITING_CREW');
    await handle.executeUpdate(changeBookingUpdate, {
      args: [{ channel: 'ops', patch: { guest: { phone: CHANGED_PHONE } } }],
    });
    await handle.signal(crewResponseSignal, {
      crewId: 'crew-mate-ben',
      response: 'declined',
      respondedAt: new Date().toISOString(),
    });
    await handle.cancel();
    await handle.result().catch(() => undefined);
    rawHistory = historyToJSON(await plain.workflow.getHandle(workflowId).fetchHistory());
    // The same guest again, refused by JADA (401, not retried): a history with failures in it.
    h.jada.faults.failNext(1, 401);
    const failing = await h.start(sampleBooking({ guest: { ...GUEST, partySize: 4 }, notes: NOTES }));
    await failing.result().catch(() => undefined);
    failedHistory = historyToJSON(await plain.workflow.getHandle(failing.workflowId).fetchHistory());
  }, 90_000);

  afterAll(async () => {
    await connection?.close();
    await h?.stop();
  });

  test('the raw history holds none of the guest name, email, phone or notes, even base64-decoded', () => {
    for (const history of [rawHistory, failedHistory]) {
      const readable = everyReading(history);
      for (const secret of SECRETS) expect(readable).not.toContain(secret);
    }
    // It is the whole booking, not nothing: inputs, results, updates, signals, failures are all there.
    for (const event of ['STARTED', 'UPDATE_ACCEPTED', 'UPDATE_COMPLETED', 'SIGNALED', 'CANCELED']) {
      expect(rawHistory).toContain(`"EVENT_TYPE_WORKFLOW_EXECUTION_${event}"`);
    }
    expect(rawHistory).toContain('"EVENT_TYPE_ACTIVITY_TASK_COMPLETED"');
    expect(failedHistory).toContain('"EVENT_TYPE_ACTIVITY_TASK_FAILED"');
  });

  test('failure messages and stack traces are encoded, and every payload is encrypted', () => {
    const messages = [...failedHistory.matchAll(/"message": "([^"]*)"/g)].map((m) => m[1]);
    expect(messages.length).toBeGreaterThan(0);
    expect(new Set(messages)).toEqual(new Set(['Encoded failure']));
    expect(failedHistory).not.toMatch(/"stackTrace": "[^"]/);
    // Search attributes are the one kind of payload Temporal indexes, so never encoded (their test is below).
    // The tracing interceptors' header (`_tracer-data`, on every activity the workflow schedules) is
    // the other: headers skip the codec, and it holds only W3C trace context (here none: tracing is off).
    // A `patched()` marker is the third: the SDK's core writes its details (the patch id) in JSON itself.
    const encodings: string[] = [];
    const traceHeaders: unknown[] = [];
    const patchMarkers: unknown[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(walk);
      if (!value || typeof value !== 'object') return;
      if ((value as { markerName?: unknown }).markerName === 'core_patch') return void patchMarkers.push(value);
      for (const [key, child] of Object.entries(value)) {
        if (key === 'encoding' && typeof child === 'string') encodings.push(Buffer.from(child, 'base64').toString());
        else if (key === '_tracer-data') traceHeaders.push(child);
        else if (key !== 'searchAttributes') walk(child);
      }
    };
    for (const history of [rawHistory, failedHistory]) walk(JSON.parse(history));
    expect(encodings.length).toBeGreaterThan(10);
    expect(new Set(encodings)).toEqual(new Set(['binary/encrypted']));
    expect(traceHeaders.length).toBeGreaterThan(0);
    for (const header of traceHeaders) {
      const { metadata, data } = header as { metadata: { encoding: string }; data: string };
      expect(Buffer.from(metadata.encoding, 'base64').toString()).toBe('json/plain');
      const context = JSON.parse(Buffer.from(data, 'base64').toString()) as Record<string, unknown>;
      expect(Object.keys(context).filter((k) => k !== 'traceparent' && k !== 'tracestate')).toEqual([]);
    }
    expect(patchMarkers.length).toBeGreaterThan(0);
    for (const marker of patchMarkers) {
      const { details } = marker as {
        details: Record<string, { payloads: { metadata: { encoding: string }; data: string }[] }>;
      };
      const payloads = Object.values(details).flatMap((d) => d.payloads);
      expect(payloads.length).toBeGreaterThan(0);
      for (const { metadata, data } of payloads) {
        expect(Buffer.from(metadata.encoding, 'base64').toString()).toBe('json/plain');
        const patch = JSON.parse(Buffer.from(data, 'base64').toString()) as Record<string, unknown>;
        expect(Object.keys(patch).sort()).toEqual(['deprecated', 'id']);
        expect(typeof patch.id).toBe('string');
      }
    }
  });

  test('search attributes, workflow ID and static summary carry no PII in the clear', async () => {
    const description = await plain.workflow.getHandle(workflowId).describe();
    const seen = everyReading(
      JSON.stringify({
        workflowId,
        searchAttributes: description.raw.workflowExecutionInfo?.searchAttributes,
        memo: description.raw.workflowExecutionInfo?.memo,
        userMetadata: description.raw.executionConfig?.userMetadata,
      }),
    );
    for (const secret of SECRETS) expect(seen).not.toContain(secret);
    expect(seen).toContain('BookingId');
  });

  test('decoded with the codec, the same history shows them; it replays with the data converter', async () => {
    const decoded = await decodedHistory(rawHistory, new EncryptionCodec(testPayloadKeys()));
    for (const secret of [GUEST.name, GUEST.email, GUEST.phone, NOTES, CHANGED_PHONE])
      expect(decoded).toContain(secret);
    // The summary ops see in the UI's list, decrypted there by the codec server.
    const description = await h.temporal.client.workflow.getHandle(workflowId).describe();
    expect(await description.staticSummary()).toContain('Wilhelmina');
    await Worker.runReplayHistory(replayOptions(testServers().bundlePath), JSON.parse(rawHistory), workflowId);
  });
});
