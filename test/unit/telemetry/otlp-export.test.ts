import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing } from '../../../src/telemetry/tracing';

/**
 * The OTLP exporter as configured by the standard environment: a collector at
 * OTEL_EXPORTER_OTLP_ENDPOINT receives protobuf at /v1/traces, with OTEL_EXPORTER_OTLP_HEADERS.
 */
describe('OTLP export', () => {
  let collector: Server;
  const received: { url?: string; contentType?: string; team?: string; bytes: number }[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    collector = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          url: req.url,
          contentType: req.headers['content-type'],
          team: req.headers['x-honeycomb-team'] as string | undefined,
          bytes: Buffer.concat(chunks).length,
        });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-honeycomb-team=test-ingest-key';
  });
  afterAll(async () => {
    process.env = saved;
    await new Promise((resolve) => collector.close(resolve));
  });

  test('spans reach the collector as OTLP/HTTP protobuf, with the configured headers', async () => {
    const tracing = startTracing({ serviceName: 'otlp-test', destinations: ['otlp'] });
    tracing.tracer.startSpan('probe').end();
    await tracing.shutdown();
    expect(received).toEqual([
      expect.objectContaining({ url: '/v1/traces', contentType: 'application/x-protobuf', team: 'test-ingest-key' }),
    ]);
    expect(received[0]!.bytes).toBeGreaterThan(0);
  });
});
