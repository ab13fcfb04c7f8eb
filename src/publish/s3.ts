import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CallOptions } from '../domain/time-budgets';

export const GUEST_PAGE_CONTENT_TYPE = 'text/html; charset=utf-8';
/** RFC 5545 §8.1: iCalendar's media type; UTF-8 is its default charset, stated for older clients. */
export const GUEST_CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8';
/**
 * Short: the page changes as crew answer and as the upload window opens and closes. Invalidation
 * clears the edge on each publish; this bounds how long browsers and intermediaries keep an old copy.
 */
export const GUEST_PAGE_CACHE_CONTROL = 'public, max-age=60, must-revalidate';

export interface PutObjectInput {
  bucket: string;
  key: string;
  body: string | Uint8Array;
  contentType: string;
  cacheControl: string;
}

/**
 * Writes the whole object under a key derived from the booking, so a retry overwrites the same
 * object with the same bytes: repeating it is harmless.
 */
export async function putObject(
  s3: S3Client,
  input: PutObjectInput,
  { signal }: CallOptions = {},
): Promise<{ etag?: string }> {
  const result = await s3.send(
    new PutObjectCommand({
      Bucket: input.bucket,
      Key: input.key,
      Body: input.body,
      ContentType: input.contentType,
      CacheControl: input.cacheControl,
    }),
    { abortSignal: signal },
  );
  return result.ETag === undefined ? {} : { etag: result.ETag };
}

/** S3 answers a delete of a missing key with success, so repeating it is harmless too. */
export async function deleteObject(
  s3: S3Client,
  input: { bucket: string; key: string },
  { signal }: CallOptions = {},
): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: input.bucket, Key: input.key }), { abortSignal: signal });
}
