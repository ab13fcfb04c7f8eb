import { createHash } from 'node:crypto';
import {
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  type CloudFrontClient,
  type InvalidationSummary,
} from '@aws-sdk/client-cloudfront';
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
    readonly existingPaths: string[],
    readonly requestedPaths: string[],
  ) {
    super(
      `distribution ${distributionId} already has invalidation ${callerReference} for ` +
        `${JSON.stringify(existingPaths)}, not ${JSON.stringify(requestedPaths)}`,
    );
    this.name = 'InvalidationConflictError';
  }
}

export interface EnsureInvalidationInput {
  distributionId: string;
  paths: string[];
  callerReference: string;
  /**
   * No invalidation with this CallerReference can predate this instant (e.g. the workflow's start,
   * less a margin for clock skew), so older ones are not fetched one by one.
   */
  notBefore?: Date;
}

/**
 * Creates the invalidation unless one with the same CallerReference exists. Real CloudFront would
 * answer a repeated CallerReference with the existing invalidation, but moto creates a second one and
 * the result could not tell a retry from a first publish, so we look first.
 */
export async function ensureInvalidation(
  cf: CloudFrontClient,
  input: EnsureInvalidationInput,
): Promise<{ id: string; created: boolean }> {
  const { distributionId, paths, callerReference } = input;
  if (paths.length === 0) throw new PublishInputError('an invalidation needs at least one path');
  const existing = await findInvalidation(cf, distributionId, callerReference, input.notBefore);
  if (existing) {
    if (!samePaths(existing.paths, paths)) {
      throw new InvalidationConflictError(distributionId, callerReference, existing.paths, paths);
    }
    return { id: existing.id, created: false };
  }
  const result = await cf.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
    }),
  );
  const id = result.Invalidation?.Id;
  if (!id) throw new Error(`CloudFront created an invalidation on ${distributionId} without an Id`);
  return { id, created: true };
}

/**
 * Lists every page of the distribution's invalidations and fetches each to compare its
 * CallerReference (the summaries omit it), newest first, stopping at the first match. A real
 * deployment makes a few invalidations per distribution per day and CloudFront lists only recent
 * ones, so this stays small; `notBefore` skips the fetch for anything older.
 */
async function findInvalidation(
  cf: CloudFrontClient,
  distributionId: string,
  callerReference: string,
  notBefore: Date | undefined,
): Promise<{ id: string; paths: string[] } | undefined> {
  let marker: string | undefined;
  do {
    const { InvalidationList: list } = await cf.send(
      new ListInvalidationsCommand({ DistributionId: distributionId, Marker: marker }),
    );
    // CloudFront pages newest first; moto pages oldest first. Sorting each page puts the likeliest
    // match (the latest attempt) first either way.
    const candidates = (list?.Items ?? [])
      .filter((summary) => !notBefore || !summary.CreateTime || summary.CreateTime >= notBefore)
      .sort(newestFirst);
    for (const summary of candidates) {
      if (!summary.Id) continue;
      const { Invalidation: invalidation } = await cf.send(
        new GetInvalidationCommand({ DistributionId: distributionId, Id: summary.Id }),
      );
      if (invalidation?.InvalidationBatch?.CallerReference === callerReference) {
        return { id: summary.Id, paths: invalidation.InvalidationBatch.Paths?.Items ?? [] };
      }
    }
    const next = list?.IsTruncated ? list.NextMarker : undefined;
    if (next !== undefined && next === marker)
      throw new Error(`ListInvalidations on ${distributionId} repeated marker ${next}`);
    marker = next;
  } while (marker);
  return undefined;
}

function newestFirst(a: InvalidationSummary, b: InvalidationSummary): number {
  return (b.CreateTime?.getTime() ?? 0) - (a.CreateTime?.getTime() ?? 0);
}

function samePaths(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((path, i) => path === right[i]);
}
