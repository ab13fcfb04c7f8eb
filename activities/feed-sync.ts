import { GetObjectCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { FEED_LIMITS, feedEventKey, fetchFeed, parseFeed } from '../src/channels/ical-feed';
import type { FeedDelivery, FeedEventTimes, FeedSnapshot } from '../src/domain/feed-sync';
import { deliverFeedEvent } from '../src/service/feed-delivery';
import type { IntakeSettings } from '../src/service/start-booking';
import { FEED_CALL } from '../src/domain/time-budgets';
import { inAttempt, type ActivityContext } from './context';
import { awsFailure, configurationFailure, feedFailure } from './failures';

/** Which feed of which tenant: all a feed-sync activity is given (the URL stays in the tenants file). */
export interface FeedRef {
  tenant: string;
  feed: string;
}

export type FetchedFeed =
  | { notModified: true }
  | { notModified: false; etag?: string; lastModified?: string; events: FeedEventTimes[]; skipped: number };

/** What feed syncs need beyond the other activities: intake (a Temporal client and its settings). */
export interface FeedSyncDeps {
  client: Client;
  intake: IntakeSettings;
}

/**
 * The feed-sync workflow's steps: read what the last good sync saw, fetch and parse the feed, deliver
 * each new or moved event through intake, and record what this sync saw. Each is idempotent: the
 * snapshot is a whole object written last, a delivery of the same event starts nothing new and an
 * unchanged time changes nothing.
 */
export function feedSyncActivities(ctx: ActivityContext) {
  const snapshotKey = ({ tenant, feed }: FeedRef) => `feeds/${tenant}/${feed}.json`;
  const intake = (): FeedSyncDeps => {
    if (!ctx.feedSync) {
      throw configurationFailure('This worker cannot start bookings from feeds: set SLUG_SECRET in its environment');
    }
    return ctx.feedSync;
  };

  return {
    async readFeedSnapshot(ref: FeedRef): Promise<FeedSnapshot | undefined> {
      return inAttempt(async ({ signal }) => {
        try {
          const got = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.stateBucket, Key: snapshotKey(ref) }), {
            abortSignal: signal,
          });
          return JSON.parse(
            await (got.Body as { transformToString(): Promise<string> }).transformToString(),
          ) as FeedSnapshot;
        } catch (err) {
          if (
            err instanceof NoSuchKey ||
            (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
          ) {
            return undefined;
          }
          throw awsFailure(err, `Reading the last sync of feed ${ref.feed}`);
        }
      });
    },

    async writeFeedSnapshot({ snapshot, ...ref }: FeedRef & { snapshot: FeedSnapshot }): Promise<void> {
      await inAttempt(async ({ signal }) => {
        await ctx.s3
          .send(
            new PutObjectCommand({
              Bucket: ctx.stateBucket,
              Key: snapshotKey(ref),
              Body: JSON.stringify(snapshot),
              ContentType: 'application/json',
            }),
            { abortSignal: signal },
          )
          .catch((err: unknown) => Promise.reject(awsFailure(err, `Recording the sync of feed ${ref.feed}`)));
      });
    },

    /**
     * Fetches the feed (a conditional GET with the last sync's validators) and parses it. The result
     * holds each event's key and times only: SUMMARY and DESCRIPTION carry guest names, which stay out
     * of workflow history; so does the URL, which carries the marketplace's token.
     */
    async fetchCalendarFeed({
      etag,
      lastModified,
      ...ref
    }: FeedRef & { etag?: string; lastModified?: string }): Promise<FetchedFeed> {
      const feed = ctx.feed(ref.tenant, ref.feed);
      const label = `${ref.tenant}/${feed.name} (${feed.source})`;
      return inAttempt(async ({ signal }) => {
        try {
          const fetched = await fetchFeed(
            feed.url,
            { etag, lastModified },
            { label, maxBytes: FEED_LIMITS.maxBytes, timeoutMs: FEED_CALL.timeoutMs, signal },
          );
          if (fetched.notModified) return { notModified: true };
          const parsed = parseFeed(fetched.text, { timeZone: feed.timeZone, maxEvents: FEED_LIMITS.maxEvents });
          return {
            notModified: false,
            ...(fetched.etag ? { etag: fetched.etag } : {}),
            ...(fetched.lastModified ? { lastModified: fetched.lastModified } : {}),
            events: parsed.events.map((e) => ({ key: feedEventKey(feed.name, e.uid), start: e.start, end: e.end })),
            skipped: parsed.skipped.length,
          };
        } catch (err) {
          throw feedFailure(err, `Calendar feed ${label}`);
        }
      });
    },

    /** One new or moved event through intake: a held booking starts, or the booking's times change. */
    async deliverFeedEvent({ event, ...ref }: FeedRef & { event: FeedEventTimes }): Promise<FeedDelivery> {
      const feed = ctx.feed(ref.tenant, ref.feed);
      const { client, intake: settings } = intake();
      return deliverFeedEvent(client, ctx.tenant(ref.tenant), feed, event, settings);
    },
  };
}
