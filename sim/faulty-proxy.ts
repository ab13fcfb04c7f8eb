import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RandomFaults, type RandomFaultOptions } from './faults';

/**
 * An HTTP proxy in front of an implementation we do not control (moto), so tests can inject the
 * failures real AWS has: `failNext` answers 500 without forwarding; `hangNext` forwards (the effect
 * happens) and holds the response back, so the client times out and must not repeat the effect.
 * Only requests for which `matches` is true are affected.
 */
export interface FaultyProxy {
  url: string;
  failNext(n: number, matches?: (req: IncomingMessage) => boolean): void;
  hangNext(n: number, ms: number, matches?: (req: IncomingMessage) => boolean): void;
  /** From now on, every request no queued fault claims may fail (500) or hang at random. */
  atRandom(options: RandomFaultOptions): RandomFaults;
  stop(): Promise<void>;
}

type Fault = { kind: 'fail' } | { kind: 'hang'; ms: number };

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const upstream = new URL(target);
  const faults: { fault: Fault; matches: (req: IncomingMessage) => boolean }[] = [];
  let random: RandomFaults | undefined;
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const index = faults.findIndex((f) => f.matches(req));
    const fault = index >= 0 ? faults.splice(index, 1)[0]?.fault : random?.next();
    if (fault?.kind === 'fail') {
      req.resume();
      res.writeHead(500, { 'content-type': 'application/xml' });
      res.end('<Error><Code>InternalError</Code><Message>injected by the test proxy</Message></Error>');
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        const send = () => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        };
        if (fault?.kind === 'hang') {
          const timer = setTimeout(() => {
            timers.delete(timer);
            send();
          }, fault.ms);
          timers.add(timer);
        } else {
          send();
        }
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const any = () => true;
  return {
    url: `http://127.0.0.1:${port}`,
    failNext: (n, matches = any) => {
      for (let i = 0; i < n; i++) faults.push({ fault: { kind: 'fail' }, matches });
    },
    hangNext: (n, ms, matches = any) => {
      for (let i = 0; i < n; i++) faults.push({ fault: { kind: 'hang', ms }, matches });
    },
    atRandom: (options) => (random = new RandomFaults(options)),
    stop: () =>
      new Promise<void>((resolve) => {
        timers.forEach(clearTimeout);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
