import type { z } from 'zod';

/** One problem with an input, as a 400 answer and a configuration error list it: where, and what is wrong. */
export interface FieldError {
  path: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** A zod issue as `{path, message}`; a missing field says "is required" rather than zod's type wording. */
export function fieldError(issue: z.core.$ZodIssue, rootPath = '(body)'): FieldError {
  const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
  return { path: issue.path.map(String).join('.') || rootPath, message: missing ? 'is required' : issue.message };
}

export function fieldErrors(issues: readonly z.core.$ZodIssue[], rootPath?: string): FieldError[] {
  return issues.map((issue) => fieldError(issue, rootPath));
}

/** Parses untrusted input with `schema`, listing every problem at once, each with its dotted path. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown): ParseResult<T> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrors(result.error.issues) };
}
