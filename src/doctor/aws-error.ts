import { describeError } from './check';

/** The AWS error code (NoSuchBucket, AccessDenied, ...): the SDK's exception name. */
export function awsCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { name, Code } = err as { name?: unknown; Code?: unknown };
  return typeof Code === 'string' ? Code : typeof name === 'string' ? name : undefined;
}

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'Forbidden', 'InvalidAccessKeyId']);

export function isAccessDenied(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return ACCESS_DENIED.has(awsCode(err) ?? '') || status === 403;
}

/** The fix for an AWS error no check reads more closely: denied (which permission), else what it said. */
export function awsFix(err: unknown, action: string, resource: string): string {
  if (isAccessDenied(err)) {
    return `the worker's AWS identity may not ${action} on ${resource}: allow it in its IAM policy (check AWS credentials and AWS_REGION)`;
  }
  return `${action} on ${resource} failed: ${describeError(err)}`;
}
