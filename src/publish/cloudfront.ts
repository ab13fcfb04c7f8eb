import { createHash } from 'node:crypto';
import { CreateInvalidationCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { PublishInputError } from './errors';

/**
 * CloudFront documents no maximum for an invalidation's CallerReference; a workflow ID is caller
 * controlled, so we bound it ourselves rather than meet an undocumented limit in production.
 */
export const CALLER_REFERENCE_MAX_LENGTH = 128;
const HASH_HEX_LENGTH = 64;

/**
 * `${workflowId}:page:v${version}:${siteName}`: the same publish of the same page version maps to the
 * same invalidation however often the activity is retried. When too long, a readable prefix plus the
 * SHA-256 of the whole reference keeps it unique and within bounds.
 */
export function invalidationCallerReference(workflowId: string, version: number, siteName: string): string {
  if (!Number.isSafeInteger(version) || version < 0)
    throw new PublishInputError(`page version must be a whole number, got ${version}`);
  const reference = `${workflowId}:page:v${version}:${siteName}`;
  if (reference.length <= CALLER_REFERENCE_MAX_LENGTH) return reference;
  const hash = createHash('sha256').update(reference).digest('hex');
  return `${reference.slice(0, CALLER_REFERENCE_MAX_LENGTH - HASH_HEX_LENGTH - 1)}:${hash}`;
}

/** An invalidation with our CallerReference exists but for other paths: the same version was published differently. */
export class InvalidationConflictError extends PublishInputError {
  constructor(
    readonly distributionId: string,
    readonly callerReference: string,
    readonly requestedPaths: string[],
    cause: Error,
  ) {
    super(
      `distribution ${distributionId} already has invalidation ${callerReference} for other paths than ` +
        `${JSON.stringify(requestedPaths)} (${cause.name}: ${cause.message}): the same page version ` +
        'must always invalidate the same paths; publish a new version instead',
      { cause },
    );
    this.name = 'InvalidationConflictError';
  }
}

export interface EnsureInvalidationInput {
  distributionId: string;
  paths: string[];
  callerReference: string;
  signal?: AbortSignal;
}

/**
 * Creates the invalidation, or finds the one made before with the same CallerReference: CloudFront
 * answers a repeated CallerReference with the same paths with the existing invalidation instead of a
 * new one, so a retry (ours, Temporal's or the SDK's own after a lost answer) never invalidates
 * twice. CloudFront's answer is the same 201 either way, so it does not tell whether this call made it.
 */
export async function ensureInvalidation(cf: CloudFrontClient, input: EnsureInvalidationInput): Promise<string> {
  const { distributionId, paths, callerReference } = input;
  if (paths.length === 0) throw new PublishInputError('an invalidation needs at least one path');
  const result = await cf
    .send(
      new CreateInvalidationCommand({
        DistributionId: distributionId,
        InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
      }),
      { abortSignal: input.signal },
    )
    .catch((err: unknown) => {
      // Documented for a reused CallerReference but not in the SDK's model, so there is no class to match.
      if (err instanceof Error && err.name === 'InvalidationBatchAlreadyExists') {
        throw new InvalidationConflictError(distributionId, callerReference, paths, err);
      }
      throw err;
    });
  const id = result.Invalidation?.Id;
  if (!id) throw new Error(`CloudFront answered an invalidation on ${distributionId} without an Id`);
  return id;
}
