import type { CheckResult } from './check';

const STATUS_TEXT = { ok: 'ok', fail: 'FAIL', skip: 'skip' } as const;
const SHARED = '(all)';
/** Shorter strings than this are not worth redacting: they would blank ordinary words. */
const MIN_SECRET_LENGTH = 6;

/**
 * Removes every secret from a line: each known value (tokens, keys, passwords), and the credentials
 * of any URL (`scheme://user:pass@host` -> `scheme://[redacted]@host`), whatever printed them.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1[redacted]@');
  const known = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  for (const secret of known) {
    out = out.split(secret).join('[redacted]');
    // A URL or form may carry it percent-encoded.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join('[redacted]');
  }
  return out;
}

/**
 * The doctor's table: tenant, check, result, and the fix for each failure (the reason for a skip);
 * then a summary line. Every cell goes through `redact`.
 */
export function formatReport(results: readonly CheckResult[], secrets: readonly string[] = []): string {
  const rows = results.map((r) => [
    r.tenant ?? SHARED,
    r.check,
    STATUS_TEXT[r.status],
    redact((r.fix ?? '').replace(/\s+/g, ' ').trim(), secrets),
  ]);
  const header = ['tenant', 'check', 'result', 'fix'];
  const widths = header.slice(0, 3).map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell))
      .join('  ')
      .trimEnd();
  const failed = results.filter((r) => r.status === 'fail').length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const summary =
    failed === 0
      ? `all ${results.length - skipped} checks passed${skipped ? `, ${skipped} skipped` : ''}`
      : `${failed} of ${results.length} checks FAILED${skipped ? `, ${skipped} skipped` : ''}: fix them and run the doctor again`;
  return [line(header), ...rows.map(line), '', summary, ''].join('\n');
}
