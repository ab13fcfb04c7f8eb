import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RandomFaults, type RandomFaultOptions } from './faults';

/**
 * An HTTP proxy in front of an implementation we do not control (moto), so tests can inject the
 * failures real AWS has: `failNext` answers 500 without forwarding; `hangNext` forwards (the effect
 * happens) and holds the response back, so the client times out and must not repeat the effect;
 * `holdNext` keeps a request from upstream until the test lets it through, so a test can kill the client
 * while its write has not happened. Only requests for which `matches` is true are affected.
 */
export interface FaultyProxy {
  url: string;
  failNext(n: number, matches?: (req: IncomingMessage) => boolean): void;
  hangNext(n: number, ms: number, matches?: (req: IncomingMessage) => boolean): void;
  /**
   * Holds the next matching request before forwarding it (holds come before queued faults); resolves
   * once one is held, rejects when none arrives within `timeoutMs`.
   */
  holdNext(matches: (req: IncomingMessage) => boolean, timeoutMs: number): Promise<HeldRequest>;
  /** From now on, every request no queued fault claims may fail (500) or hang at random. */
  atRandom(options: RandomFaultOptions): RandomFaults;
  stop(): Promise<void>;
}

/** A request not yet forwarded: its client waits for the answer. */
export interface HeldRequest {
  method: string;
  /** The path and query, as the client sent them. */
  url: string;
  /** Forwards it, as though it had just arrived; does nothing once the client has gone. */
  release(): void;
  /** `dropped` when the client closed its connection first (or the proxy stopped): it never reached upstream. */
  ended: Promise<'forwarded' | 'dropped'>;
}

type Fault = { kind: 'fail' } | { kind: 'hang'; ms: number };
type Hold = {
  matches: (req: IncomingMessage) => boolean;
  take: (held: HeldRequest) => void;
  stop: (err: Error) => void;
};

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const upstream = new URL(target);
  const faults: { fault: Fault; matches: (req: IncomingMessage) => boolean }[] = [];
  let random: RandomFaults | undefined;
  const timers = new Set<NodeJS.Timeout>();
  const holds: Hold[] = [];

  const hold = (req: IncomingMessage, res: ServerResponse, take: Hold['take']): void => {
    let end: (how: 'forwarded' | 'dropped') => void = () => undefined;
    const ended = new Promise<'forwarded' | 'dropped'>((resolve) => (end = resolve));
    let settled = false;
    // Before an answer, the response closes only when its connection does.
    const drop = (): void => {
      if (settled) return;
      settled = true;
      end('dropped');
    };
    res.once('close', drop);
    take({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      release: () => {
        if (settled) return;
        settled = true;
        res.off('close', drop);
        end('forwarded');
        handle(req, res);
      },
      ended,
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
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
  };

  const server: Server = createServer((req, res) => {
    const index = holds.findIndex((h) => h.matches(req));
    if (index >= 0) return hold(req, res, holds.splice(index, 1)[0]!.take);
    handle(req, res);
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
    holdNext: (matches, timeoutMs) =>
      new Promise<HeldRequest>((resolve, reject) => {
        const waiting: Hold = {
          matches,
          take: (held) => {
            clearTimeout(timer);
            resolve(held);
          },
          stop: (err) => {
            clearTimeout(timer);
            const index = holds.indexOf(waiting);
            if (index >= 0) holds.splice(index, 1);
            reject(err);
          },
        };
        const timer = setTimeout(
          () => waiting.stop(new Error(`faulty proxy: no request to hold arrived within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        holds.push(waiting);
      }),
    atRandom: (options) => (random = new RandomFaults(options)),
    stop: () =>
      new Promise<void>((resolve) => {
        timers.forEach(clearTimeout);
        for (const waiting of [...holds])
          waiting.stop(new Error('faulty proxy: stopped before a request to hold arrived'));
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
