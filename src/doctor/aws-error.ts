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

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'TimeoutError']);

/** No answer from AWS at all: the SDK passes the socket's code (or its own TimeoutError) through. */
function unreachable(err: unknown): string | undefined {
  const { code, name } = err as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
  return typeof name === 'string' && UNREACHABLE.has(name) ? name : undefined;
}

/** The fix for an AWS error no check reads more closely: unreachable, denied (which permission), else what it said. */
export function awsFix(err: unknown, action: string, resource: string): string {
  const noAnswer = unreachable(err);
  if (noAnswer) {
    return `cannot reach AWS for ${action} on ${resource} (${noAnswer}): check AWS_REGION, AWS_ENDPOINT_URL (local only) and the network`;
  }
  if (awsCode(err) === 'CredentialsProviderError') {
    return `no AWS credentials for ${action}: run with the worker's (its role, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`;
  }
  if (isAccessDenied(err)) {
    return `the worker's AWS identity may not ${action} on ${resource}: allow it in its IAM policy (check AWS credentials and AWS_REGION)`;
  }
  return `${action} on ${resource} failed: ${describeError(err)}`;
}
