/** Polls until the URL answers with one of `okStatuses`; stops early when the process behind it is gone. */
export async function waitForHttp(
  url: string,
  o: { timeoutMs: number; what: string; okStatuses?: number[]; stillRunning?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (o.stillRunning && !o.stillRunning()) throw new Error(`${o.what} exited while starting`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      if (o.okStatuses ? o.okStatuses.includes(res.status) : res.ok) return;
      last = `HTTP ${res.status} ${body.slice(0, 200)}`;
    } catch (err) {
      last = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${o.what} did not answer at ${url} within ${o.timeoutMs / 1000} s (last: ${last})`);
}
