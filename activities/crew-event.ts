import { log } from '@temporalio/activity';
import type { CrewAssignment } from '../src/domain/booking';
import { inAttempt, type ActivityContext, type BookingRef } from './context';
import { clientFailure } from './failures';

export interface CrewEvent {
  sccEventId: string;
  created: boolean;
  /** Who SCC notified; the magic links themselves are credentials and never leave the activity. */
  notifiedCrewIds: string[];
}

/** Step 2: the crew event in ShipCaptainCrew, found again by external id = workflow ID. */
export function crewEventActivities(ctx: ActivityContext) {
  return {
    async createCrewEvent({
      tenant,
      workflowId,
      booking,
      crew,
    }: BookingRef & { crew: CrewAssignment[] }): Promise<CrewEvent> {
      return inAttempt(async (call) => {
        try {
          const { event, created } = await ctx.scc(tenant).events.ensure(
            {
              event_name: `${booking.boat}: ${booking.guest.name} (party of ${booking.guest.partySize})`,
              start_time: booking.charter.start,
              end_time: booking.charter.end,
              notes: booking.notes,
              crew: crew.map((c) => ({ id: c.id, role: c.role })),
              external_id: workflowId,
            },
            call,
          );
          log.info(created ? 'SCC crew event created' : 'SCC crew event already existed', { sccEventId: event.id });
          return { sccEventId: event.id, created, notifiedCrewIds: event.magic_links.map((l) => l.crew_id) };
        } catch (err) {
          throw clientFailure(err, 'Creating the SCC crew event failed');
        }
      });
    },
  };
}
