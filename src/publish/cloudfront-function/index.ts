import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, Script, type Context } from 'node:vm';

/** The CloudFront Function source exactly as deployed; it is plain JS so nothing transforms it. */
export const GUEST_REWRITE_PATH = join(__dirname, 'guest-rewrite.js');

export type GuestRewriteResult = { type: 'request'; uri: string } | { type: 'response'; statusCode: number };

export function loadGuestRewriteSource(): string {
  return readFileSync(GUEST_REWRITE_PATH, 'utf8');
}

/**
 * CloudFront stops a function that exceeds its compute budget (about a millisecond). Here the bound
 * only keeps a looping function from hanging the local edge server, and it is wall-clock time (node:vm
 * runs a watchdog thread): at 100 ms, a two-core machine busy with a browser and moto timed out
 * ordinary calls now and then, so it is far above what any real call takes.
 */
const CALL_TIMEOUT_MS = 1000;
const EVENT_GLOBAL = '__viewerRequestEvent';
const callHandler = new Script(`handler(${EVENT_GLOBAL})`, { filename: 'guest-rewrite-call.js' });

let defaultSource: string | undefined;
let loaded: { source: string; context: Context } | undefined;

/**
 * Evaluates the source in an empty context, as CloudFront does: no require, no module, no Node
 * globals, so a function that leans on them fails here before it fails at the edge. The compiled
 * context is reused while the source is unchanged; the handler keeps no state between calls.
 */
function contextFor(source: string): Context {
  if (loaded?.source === source) return loaded.context;
  const context = createContext({}, { codeGeneration: { strings: false, wasm: false } });
  new Script(source, { filename: 'guest-rewrite.js' }).runInContext(context, { timeout: CALL_TIMEOUT_MS });
  if (typeof (context as { handler?: unknown }).handler !== 'function') {
    throw new Error('guest-rewrite.js defines no top-level function handler(event)');
  }
  loaded = { source, context };
  return context;
}

/** Runs the guest-rewrite function on a viewer request for `uri`, as the edge would. */
export function runGuestRewrite(uri: string, source?: string): GuestRewriteResult {
  const context = contextFor(source ?? (defaultSource ??= loadGuestRewriteSource()));
  (context as Record<string, unknown>)[EVENT_GLOBAL] = {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '127.0.0.1' },
    request: { method: 'GET', uri, querystring: {}, headers: { host: { value: 'example.com' } }, cookies: {} },
  };
  let result: unknown;
  try {
    result = callHandler.runInContext(context, { timeout: CALL_TIMEOUT_MS });
  } finally {
    delete (context as Record<string, unknown>)[EVENT_GLOBAL];
  }
  return toResult(result);
}

function toResult(result: unknown): GuestRewriteResult {
  if (typeof result === 'object' && result !== null) {
    const { statusCode, uri } = result as { statusCode?: unknown; uri?: unknown };
    if (typeof statusCode === 'number') return { type: 'response', statusCode };
    if (typeof uri === 'string') return { type: 'request', uri };
  }
  throw new Error(`guest-rewrite returned neither a request nor a response: ${String(result)}`);
}
