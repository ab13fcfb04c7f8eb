import type { Site } from '../config/tenant';
import { isValidSlug } from '../domain/slug';
import { PublishInputError } from './errors';

/** A site with `{slug}` filled in: where one guest page lives in S3 and where guests read it. */
export type ExpandedSite = Site;

const SLUG_PLACEHOLDER = '{slug}';

export function expandSite(site: Site, slug: string): ExpandedSite {
  if (!isValidSlug(slug)) throw new PublishInputError(`not a valid guest page slug: ${JSON.stringify(slug)}`);
  // A template without {slug} would publish every guest's page to the same key: a config bug that
  // must not reach S3.
  for (const field of ['objectKey', 'publicPath', 'publicUrl'] as const) {
    if (!site[field].includes(SLUG_PLACEHOLDER)) {
      throw new PublishInputError(
        `site ${site.name}: ${field} ${JSON.stringify(site[field])} has no ${SLUG_PLACEHOLDER}`,
      );
    }
  }
  if (site.objectKey.startsWith('/'))
    throw new PublishInputError(`site ${site.name}: objectKey must not start with "/"`);
  if (!site.publicPath.startsWith('/'))
    throw new PublishInputError(`site ${site.name}: publicPath must start with "/"`);
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

/** Where a site keeps the charter's calendar file and where guests fetch it. */
export interface CalendarLocation {
  objectKey: string;
  /** The calendar is served under its own key: no CloudFront Function rewrite is involved. */
  publicPath: string;
  publicUrl: string;
}

const PAGE_SUFFIX = '.html';
const DIRECTORY_INDEX = 'index.html';
const CALENDAR_IN_DIRECTORY = 'charter.ics';

/**
 * The calendar file sits beside the page: a page that is a directory index (`guests/{slug}/index.html`)
 * gets `charter.ics` in the same directory, a page named after the slug (`g/{slug}.html`) gets the
 * same name with `.ics` (`g/{slug}.ics`, which the guest-rewrite function passes through). Only the
 * file name changes, so the slug in the page's key stays in the calendar's. Its URL is the page's with
 * the page's public path swapped for the calendar's, so a site served under a path prefix keeps it.
 */
export function calendarLocation(site: ExpandedSite): CalendarLocation {
  const slash = site.objectKey.lastIndexOf('/');
  const directory = site.objectKey.slice(0, slash + 1);
  const file = site.objectKey.slice(slash + 1);
  let objectKey: string;
  if (file === DIRECTORY_INDEX) objectKey = `${directory}${CALENDAR_IN_DIRECTORY}`;
  else if (file.endsWith(PAGE_SUFFIX)) objectKey = `${site.objectKey.slice(0, -PAGE_SUFFIX.length)}.ics`;
  else objectKey = `${site.objectKey}.ics`;
  const publicPath = `/${objectKey}`;
  const base = site.publicUrl.endsWith(site.publicPath)
    ? site.publicUrl.slice(0, site.publicUrl.length - site.publicPath.length)
    : originOf(site);
  return { objectKey, publicPath, publicUrl: `${base}${publicPath}` };
}

function originOf(site: ExpandedSite): string {
  try {
    return new URL(site.publicUrl).origin;
  } catch {
    throw new PublishInputError(`site ${site.name}: publicUrl ${JSON.stringify(site.publicUrl)} is not a URL`);
  }
}

export interface SiteLocation {
  bucket: string;
  distributionId: string;
  /** Host name such as `guests.example.com` (served over https), or a full origin such as `http://127.0.0.1:8080`. */
  domain: string;
  /** The CloudFront Function that rewrites the site's paths (the nested site's guest-rewrite). */
  cloudFrontFunction?: string;
}

function origin(domain: string): string {
  const base = /^https?:\/\//.test(domain) ? domain : `https://${domain}`;
  return base.replace(/\/+$/, '');
}

/**
 * The operator's two sites: the nested one serves `guests/{slug}/index.html` at `/g/{slug}` through
 * the guest-rewrite CloudFront Function; the flat one serves `g/{slug}.html` under its own key.
 */
export function defaultSites(locations: { nested: SiteLocation; flat: SiteLocation }): Site[] {
  const { nested, flat } = locations;
  return [
    {
      name: 'nested',
      bucket: nested.bucket,
      distributionId: nested.distributionId,
      objectKey: 'guests/{slug}/index.html',
      publicPath: '/g/{slug}',
      publicUrl: `${origin(nested.domain)}/g/{slug}`,
      ...(nested.cloudFrontFunction ? { cloudFrontFunction: nested.cloudFrontFunction } : {}),
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
