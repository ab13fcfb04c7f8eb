import type { z } from 'zod';

/** Thrown at start-up with every configuration problem at once, so one restart fixes them all. */
export class ConfigurationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

export function issuesToProblems(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((issue) => `${prefix}${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
}
