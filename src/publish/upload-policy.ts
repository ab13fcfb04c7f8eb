import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { isValidSlug } from '../domain/slug';
import { PublishInputError } from './errors';

export const DEFAULT_UPLOAD_MAX_BYTES = 15 * 1024 * 1024;
/**
 * SigV4 signatures, and so presigned POST policies, are valid for at most seven days, and never longer
 * than the credentials that signed them: with a role's session credentials the form stops working
 * when the session ends, whatever the policy says.
 */
export const MAX_UPLOAD_POLICY_SECONDS = 7 * 24 * 60 * 60;
export const UPLOAD_ACCEPT = ['image/jpeg', 'image/png', 'image/heic', 'image/webp'] as const;

export interface UploadPolicyInput {
  bucket: string;
  slug: string;
  maxBytes?: number;
  /** Capped at seven days. */
  expiresInSeconds: number;
  /** Where S3 sends the browser after a successful upload: the guest page with `?uploaded=1`. */
  successRedirect: string;
}

/**
 * What the guest page's form needs. The form posts `fields` as they are, then a `Content-Type` field
 * set from the chosen file (the policy requires it to start with `image/`), then the `file` field
 * last: S3 ignores fields after the file.
 */
export interface UploadPolicy {
  url: string;
  fields: Record<string, string>;
  maxBytes: number;
  accept: string[];
  /** ISO-8601 instant after which S3 refuses the form. */
  expiresAt: string;
}

export function uploadPrefix(slug: string): string {
  return `uploads/${slug}/`;
}

/**
 * A presigned POST that lets the guest's browser put photos straight into S3, confined by the
 * signed policy to `uploads/{slug}/`, image content types, 1 byte to `maxBytes`, and its expiry.
 */
export async function createUploadPolicy(s3: S3Client, input: UploadPolicyInput): Promise<UploadPolicy> {
  const { bucket, slug, maxBytes = DEFAULT_UPLOAD_MAX_BYTES, expiresInSeconds, successRedirect } = input;
  if (!isValidSlug(slug)) throw new PublishInputError(`not a valid guest page slug: ${JSON.stringify(slug)}`);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    throw new PublishInputError(`maxBytes must be a positive integer, got ${maxBytes}`);
  if (!Number.isFinite(expiresInSeconds) || expiresInSeconds < 1) {
    throw new PublishInputError(`expiresInSeconds must be at least 1, got ${expiresInSeconds}`);
  }
  if (!/^https?:\/\//.test(successRedirect))
    throw new PublishInputError(`successRedirect must be an http(s) URL, got ${successRedirect}`);
  const prefix = uploadPrefix(slug);
  const { url, fields } = await createPresignedPost(s3, {
    Bucket: bucket,
    // S3 substitutes the uploaded file's name for ${filename}; the starts-with condition keeps any
    // other key a tampered form might send inside this booking's prefix.
    Key: `${prefix}\${filename}`,
    Conditions: [
      ['starts-with', '$key', prefix],
      ['starts-with', '$Content-Type', 'image/'],
      ['content-length-range', 1, maxBytes],
    ],
    // Every field given here is signed as an exact match.
    Fields: { success_action_redirect: successRedirect },
    Expires: Math.min(Math.floor(expiresInSeconds), MAX_UPLOAD_POLICY_SECONDS),
  });
  return { url, fields, maxBytes, accept: [...UPLOAD_ACCEPT], expiresAt: policyExpiration(fields) };
}

/** Read back from the signed policy itself, so the page states exactly what S3 will enforce. */
function policyExpiration(fields: Record<string, string>): string {
  const policy = fields.Policy;
  if (!policy) throw new Error('presigned POST has no Policy field');
  const { expiration } = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as { expiration?: unknown };
  if (typeof expiration !== 'string') throw new Error('presigned POST policy has no expiration');
  return new Date(expiration).toISOString();
}
