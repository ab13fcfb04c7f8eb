import type { z } from 'zod';
import { fieldError } from '../domain/validation';

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
  return issues.map((issue) => {
    const { path, message } = fieldError(issue, '(root)');
    return `${prefix}${path}: ${message}`;
  });
}
