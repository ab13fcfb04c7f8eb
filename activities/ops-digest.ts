import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { tenantTimeZone } from '../src/config/tenant';
import { parseBookingWorkflowId } from '../src/domain/booking';
import {
  digestDays,
  planOpsDigest,
  planRosters,
  rosterWindow,
  type BookingSighting,
  type CrewRoster,
  type OpsDigest,
} from '../src/domain/ops-digest';
import { VISIBILITY_CALL, VISIBILITY_LIMITS } from '../src/domain/time-budgets';
import { statusQuery } from '../workflows/messages';
import { BookingIdKey, CharterStartKey, FulfillmentStageKey } from '../workflows/search-attributes';
import { inAttempt, type ActivityContext } from './context';
import { configurationFailure } from './failures';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The digest's and the rosters' reading of Temporal: one visibility list over the search attributes
 * (Tenant, CharterStart, FulfillmentStage, no guest details), then each booking's `status` query for
 * its crew and details. Read-only, so a retry simply reads again. A query that does not answer in
 * time leaves that booking with visibility's view ("status did not answer"), never the run failed.
 */
export function opsDigestActivities(ctx: ActivityContext) {
  const client = (): Client => {
    if (!ctx.client) throw configurationFailure('This worker has no Temporal client for the digest and rosters');
    return ctx.client;
  };

  /** Bookings matching `query`, each once (a continued-as-new run is the same booking as its successor). */
  async function sightings(query: string, into: Map<string, BookingSighting>): Promise<boolean> {
    const temporal = client();
    let listed = 0;
    const iterator = temporal.workflow.list({ query, pageSize: VISIBILITY_LIMITS.pageSize })[Symbol.asyncIterator]();
    for (;;) {
      if (listed >= VISIBILITY_LIMITS.listPages * VISIBILITY_LIMITS.pageSize) return true;
      // A next() that needs a page is one call, bounded by its own deadline.
      const next = await temporal.connection.withDeadline(Date.now() + VISIBILITY_CALL.timeoutMs, () =>
        iterator.next(),
      );
      if (next.done) return false;
      listed += 1;
      const info = next.value;
      if (info.status.name === 'CONTINUED_AS_NEW' || into.has(info.workflowId)) continue;
      const parsed = parseBookingWorkflowId(info.workflowId);
      if (!parsed) continue;
      if (into.size >= VISIBILITY_LIMITS.bookings) return true;
      const attributes = info.typedSearchAttributes;
      const start = attributes.get(CharterStartKey);
      const stage = attributes.get(FulfillmentStageKey);
      into.set(info.workflowId, {
        workflowId: info.workflowId,
        source: parsed.source,
        // The exact id: a booking started before ids kept their case has a lower-cased workflow ID.
        bookingId: attributes.get(BookingIdKey) ?? parsed.bookingId,
        execution: info.status.name,
        ...(start ? { charterStart: start.toISOString() } : {}),
        ...(stage ? { stage } : {}),
      });
    }
  }

  /** Each sighting's status query, a batch at a time; one that does not answer keeps visibility's view. */
  async function withStatuses(found: Map<string, BookingSighting>): Promise<BookingSighting[]> {
    const temporal = client();
    const all = [...found.values()];
    for (let i = 0; i < all.length; i += VISIBILITY_LIMITS.queriesAtOnce) {
      await Promise.all(
        all.slice(i, i + VISIBILITY_LIMITS.queriesAtOnce).map(async (s) => {
          if (s.execution === 'CANCELLED' || s.execution === 'TERMINATED') return;
          try {
            s.status = await temporal.connection.withDeadline(Date.now() + VISIBILITY_CALL.timeoutMs, () =>
              temporal.workflow.getHandle(s.workflowId).query(statusQuery),
            );
          } catch (err) {
            log.warn('A booking did not answer its status query', { workflowId: s.workflowId, error: String(err) });
          }
        }),
      );
    }
    return all;
  }

  return {
    /**
     * Everything the day's digest needs: the charters from yesterday's start to tomorrow's end, and the
     * bookings needing action whatever their date (crew missing or held awaiting details while running,
     * or failed, with a charter still ahead). `at` is the run's scheduled time, never the clock.
     */
    async gatherOpsDigest(input: { tenant: string; at: string; everySeconds?: number }): Promise<OpsDigest> {
      const tenant = ctx.tenant(input.tenant);
      const timeZone = tenantTimeZone(tenant);
      const atMs = Date.parse(input.at);
      const { bounds } = digestDays(atMs, timeZone);
      // Tenant ids are [a-z0-9] (the tenants file's schema): nothing to quote.
      const charters =
        `Tenant = "${tenant.id}" AND CharterStart >= "${iso(bounds.yesterday)}" ` +
        `AND CharterStart < "${iso(bounds.dayAfter)}"`;
      const needingAction =
        `Tenant = "${tenant.id}" AND CharterStart >= "${iso(bounds.today)}" AND (ExecutionStatus = "Failed" OR ` +
        `(ExecutionStatus = "Running" AND FulfillmentStage IN ("NEEDS_CREW", "AWAITING_DETAILS")))`;
      return inAttempt(async () => {
        const found = new Map<string, BookingSighting>();
        const chartersCut = await sightings(charters, found);
        const actionsCut = await sightings(needingAction, found);
        const seen = await withStatuses(found);
        return planOpsDigest({
          tenant: tenant.id,
          atMs,
          timeZone,
          ...(input.everySeconds === undefined ? {} : { everySeconds: input.everySeconds }),
          sightings: seen,
          truncated: chartersCut || actionsCut,
        });
      });
    },

    /** The charters whose roster is due in this run's window (src/domain/ops-digest.ts: rosterWindow). */
    async findCrewRosters(input: {
      tenant: string;
      at: string;
      leadMs: number;
      periodMs: number;
    }): Promise<{ after: string; until: string; rosters: CrewRoster[]; truncated: boolean }> {
      const tenant = ctx.tenant(input.tenant);
      const window = rosterWindow(Date.parse(input.at), input.leadMs, input.periodMs);
      const query =
        `Tenant = "${tenant.id}" AND CharterStart > "${iso(window.after)}" ` +
        `AND CharterStart <= "${iso(window.until)}"`;
      return inAttempt(async () => {
        const found = new Map<string, BookingSighting>();
        const truncated = await sightings(query, found);
        const rosters = planRosters(await withStatuses(found), window);
        return { after: iso(window.after), until: iso(window.until), rosters, truncated };
      });
    },
  };
}
