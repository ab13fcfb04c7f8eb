/** What one read-only GET answered: its status and headers, or why there was no answer. */
export type ProbeAnswer = { status: number; headers: Headers } | { error: string };

/**
 * A GET with one credential header, for a check: never retried, bounded by `timeoutMs`, the body
 * read and dropped. The error names the host only: a URL may carry a token in its query.
 */
export async function probe(url: string, header: Record<string, string>, timeoutMs: number): Promise<ProbeAnswer> {
  try {
    const res = await fetch(url, { headers: header, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status, headers: res.headers };
  } catch (err) {
    const host = new URL(url).host;
    const why = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'no answer';
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    return { error: `${why} from ${host}${typeof cause === 'string' ? ` (${cause})` : ''}` };
  }
}

/** A base URL and a path, as the clients join them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
