import { log } from '@temporalio/activity';
import type { SccEventPatch } from '../src/clients/scc';
import type { Booking, CrewAssignment } from '../src/domain/booking';
import { inAttempt, mayAlreadyExist, type ActivityContext, type BookingRef, type CreateRef } from './context';
import { clientFailure } from './failures';

export interface CrewEvent {
  sccEventId: string;
  created: boolean;
  /** Who SCC notified; the magic links themselves are credentials and never leave the activity. */
  notifiedCrewIds: string[];
}

export interface CrewEventUpdate {
  /** 'not-supported': this SCC lacks PATCH (404, 405 or 501); ops tell the crew by hand. */
  outcome: 'updated' | 'not-supported';
  /** Who SCC sent a link to with this change: members added, and everyone when it re-asked. */
  notifiedCrewIds: string[];
}

export interface CrewEventCancellation {
  /** 'not-supported': this SCC lacks DELETE, or the event is not there (a 404 cannot tell which). */
  outcome: 'cancelled' | 'not-supported';
}

export interface CrewReminder {
  /** 'not-supported': this SCC lacks reminders (404, 405 or 501); nobody was reminded. */
  outcome: 'reminded' | 'not-supported';
  /** Who SCC reminded. */
  crewIds: string[];
}

interface CrewEventRef {
  tenant: string;
  workflowId: string;
  sccEventId: string;
}

/** Step 2: the crew event in ShipCaptainCrew, found again by external id = workflow ID. */
export function crewEventActivities(ctx: ActivityContext) {
  return {
    async createCrewEvent(ref: CreateRef & { crew: CrewAssignment[] }): Promise<CrewEvent> {
      const { tenant, workflowId, booking, crew } = ref;
      return inAttempt(async (call) => {
        try {
          const { event, created } = await ctx.scc(tenant).events.ensure(
            {
              event_name: crewEventName(booking),
              start_time: booking.charter.start,
              end_time: booking.charter.end,
              notes: booking.notes,
              crew: sccCrew(crew),
              external_id: workflowId,
            },
            call,
            { mayExist: mayAlreadyExist(ref) },
          );
          log.info(created ? 'SCC crew event created' : 'SCC crew event already existed', { sccEventId: event.id });
          return { sccEventId: event.id, created, notifiedCrewIds: event.magic_links.map((l) => l.crew_id) };
        } catch (err) {
          throw clientFailure(err, 'Creating the SCC crew event failed');
        }
      });
    },

    /**
     * Name, times, notes and the whole crew list, always. SCC decides whether to re-ask by comparing
     * the times it holds with the times sent (as instants), so what it holds converges on the booking
     * even after a change it never saw. `reask` is the workflow's reading (the times moved); a warning
     * is logged when SCC did not send everyone a fresh link then. `notifiedCrewIds` is what SCC did. Notes are sent as '' when the booking has
     * none, since an absent field would keep the old ones.
     */
    async updateCrewEvent({
      tenant,
      workflowId,
      booking,
      sccEventId,
      crew,
      revision,
      reask,
    }: BookingRef & {
      sccEventId: string;
      crew: CrewAssignment[];
      revision: number;
      reask: boolean;
    }): Promise<CrewEventUpdate> {
      return inAttempt(async ({ signal }) => {
        try {
          const patch: Required<SccEventPatch> = {
            event_name: crewEventName(booking),
            start_time: booking.charter.start,
            end_time: booking.charter.end,
            notes: booking.notes ?? '',
            crew: sccCrew(crew),
          };
          const result = await ctx
            .scc(tenant)
            .events.update(sccEventId, patch, { idempotencyKey: `${workflowId}:scc-update:${revision}`, signal });
          if (result.outcome === 'not-supported') {
            log.warn('SCC cannot update crew events: ops must tell the crew by hand', {
              sccEventId,
              status: result.status,
            });
            return { outcome: 'not-supported', notifiedCrewIds: [] };
          }
          const notifiedCrewIds = result.event.magic_links.map((l) => l.crew_id);
          // The one disagreement this can see: after moved times SCC sends every member a fresh link.
          if (reask && !crew.every((c) => notifiedCrewIds.includes(c.id))) {
            log.warn('SCC did not re-ask every crew member although the times moved', {
              sccEventId,
              revision,
              notifiedCrewIds,
            });
          }
          log.info('SCC crew event updated', { sccEventId, revision, notifiedCrewIds });
          return { outcome: 'updated', notifiedCrewIds };
        } catch (err) {
          throw clientFailure(err, 'Updating the SCC crew event failed');
        }
      });
    },

    /** SCC cancels the event and tells the crew; a retry after a lost 204 carries the same key. */
    async cancelCrewEvent({ tenant, workflowId, sccEventId }: CrewEventRef): Promise<CrewEventCancellation> {
      return inAttempt(async ({ signal }) => {
        try {
          const result = await ctx
            .scc(tenant)
            .events.remove(sccEventId, { idempotencyKey: `${workflowId}:scc-cancel`, signal });
          if (result.outcome === 'not-supported') {
            log.warn('SCC did not cancel the crew event (no DELETE, or no such event): ops must check by hand', {
              sccEventId,
              status: result.status,
            });
            return { outcome: 'not-supported' };
          }
          log.info('SCC crew event cancelled', { sccEventId });
          return { outcome: 'cancelled' };
        } catch (err) {
          throw clientFailure(err, 'Cancelling the SCC crew event failed');
        }
      });
    },

    /**
     * SCC sends each listed member their link again. `reminder` names which reminder this is
     * (`r1-after-ask`) and makes the key: each reminder reaches each member once, however often it
     * is retried. A crew id not on the event fails for good (SCC answers 400 and reminds nobody).
     */
    async remindCrew({
      tenant,
      workflowId,
      sccEventId,
      crewIds,
      reminder,
    }: CrewEventRef & { crewIds: string[]; reminder: string }): Promise<CrewReminder> {
      return inAttempt(async ({ signal }) => {
        try {
          const result = await ctx
            .scc(tenant)
            .remind(sccEventId, crewIds, { idempotencyKey: `${workflowId}:remind:${reminder}`, signal });
          if (result.outcome === 'not-supported') {
            log.warn('SCC cannot send reminders: ops must remind the crew by hand', {
              sccEventId,
              reminder,
              status: result.status,
            });
            return { outcome: 'not-supported', crewIds: [] };
          }
          log.info('SCC reminded the crew', { sccEventId, reminder, crewIds: result.crewIds });
          return { outcome: 'reminded', crewIds: result.crewIds };
        } catch (err) {
          throw clientFailure(err, 'Reminding the crew through SCC failed');
        }
      });
    },
  };
}

function crewEventName(booking: Booking): string {
  return `${booking.boat}: ${booking.guest.name} (party of ${booking.guest.partySize})`;
}

function sccCrew(crew: CrewAssignment[]): { id: string; role: string }[] {
  return crew.map((c) => ({ id: c.id, role: c.role }));
}
