/**
 * A publish request that can never succeed as given (a bad slug, a site template without `{slug}`,
 * a reused CallerReference with other paths): retrying it only repeats the failure.
 */
export class PublishInputError extends Error {
  override name = 'PublishInputError';
}
