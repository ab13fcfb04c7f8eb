/**
 * One line of the doctor's table: what was checked for which tenant, and for a failure the fix in one
 * line. `skip` is a check that could not be made because another one failed first (its `fix` says
 * which); only `fail` makes the doctor exit non-zero.
 */
export interface CheckResult {
  /** The tenant's id, or undefined for what every tenant shares (SMTP, Temporal). */
  tenant?: string;
  check: string;
  status: 'ok' | 'fail' | 'skip';
  /** For a failure, what to change; for a skip, why it was not checked. */
  fix?: string;
}

export const ok = (check: string, tenant?: string): CheckResult => ({ tenant, check, status: 'ok' });

export const fail = (check: string, fix: string, tenant?: string): CheckResult => ({
  tenant,
  check,
  status: 'fail',
  fix,
});

export const skip = (check: string, why: string, tenant?: string): CheckResult => ({
  tenant,
  check,
  status: 'skip',
  fix: why,
});

/** The error's name and message, for a fix line that has no better reading of it. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const why = cause instanceof Error ? ` (${cause.message})` : '';
    return `${err.name}: ${err.message}${why}`;
  }
  return String(err);
}
