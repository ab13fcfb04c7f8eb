import type { Site } from '../config/tenant';
import { isValidSlug } from '../domain/slug';
import { PublishInputError } from './errors';

/** A site with `{slug}` filled in: where one guest page lives in S3 and where guests read it. */
export interface ExpandedSite {
  name: string;
  bucket: string;
  distributionId: string;
  objectKey: string;
  publicPath: string;
  publicUrl: string;
}

const SLUG_PLACEHOLDER = '{slug}';

export function expandSite(site: Site, slug: string): ExpandedSite {
  if (!isValidSlug(slug)) throw new PublishInputError(`not a valid guest page slug: ${JSON.stringify(slug)}`);
  // A template without {slug} would publish every guest's page to the same key: a config bug that
  // must not reach S3.
  for (const field of ['objectKey', 'publicPath', 'publicUrl'] as const) {
    if (!site[field].includes(SLUG_PLACEHOLDER)) {
      throw new PublishInputError(`site ${site.name}: ${field} ${JSON.stringify(site[field])} has no ${SLUG_PLACEHOLDER}`);
    }
  }
  if (site.objectKey.startsWith('/')) throw new PublishInputError(`site ${site.name}: objectKey must not start with "/"`);
  if (!site.publicPath.startsWith('/')) throw new PublishInputError(`site ${site.name}: publicPath must start with "/"`);
  const fill = (template: string) => template.split(SLUG_PLACEHOLDER).join(slug);
  return {
    name: site.name,
    bucket: site.bucket,
    distributionId: site.distributionId,
    objectKey: fill(site.objectKey),
    publicPath: fill(site.publicPath),
    publicUrl: fill(site.publicUrl),
  };
}

/**
 * Every path CloudFront may hold the page under: the viewer path guests use and the object path
 * (AWS advises invalidating both when a viewer-request function rewrites the URI, and the object path
 * is also reachable directly).
 */
export function invalidationPaths(site: Pick<ExpandedSite, 'objectKey' | 'publicPath'>): string[] {
  return [...new Set([site.publicPath, `/${site.objectKey}`])];
}

export interface SiteLocation {
  bucket: string;
  distributionId: string;
  /** Host name such as `guests.example.com` (served over https), or a full origin such as `http://127.0.0.1:8080`. */
  domain: string;
}

function origin(domain: string): string {
  const base = /^https?:\/\//.test(domain) ? domain : `https://${domain}`;
  return base.replace(/\/+$/, '');
}

/**
 * The operator's two sites: the nested one serves `guests/{slug}/index.html` at `/g/{slug}` through
 * the guest-rewrite CloudFront Function; the flat one serves `g/{slug}.html` under its own key.
 */
export function DEFAULT_SITES(locations: { nested: SiteLocation; flat: SiteLocation }): Site[] {
  const { nested, flat } = locations;
  return [
    {
      name: 'nested',
      bucket: nested.bucket,
      distributionId: nested.distributionId,
      objectKey: 'guests/{slug}/index.html',
      publicPath: '/g/{slug}',
      publicUrl: `${origin(nested.domain)}/g/{slug}`,
    },
    {
      name: 'flat',
      bucket: flat.bucket,
      distributionId: flat.distributionId,
      objectKey: 'g/{slug}.html',
      publicPath: '/g/{slug}.html',
      publicUrl: `${origin(flat.domain)}/g/{slug}.html`,
    },
  ];
}
