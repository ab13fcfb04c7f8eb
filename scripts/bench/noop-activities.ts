import type { Client } from '@temporalio/client';
import type { BookingRef } from '../../activities';
import type { CrewAssignment } from '../../src/domain/booking';
import type { CrewMemberStatus } from '../../src/domain/crew';
import type { UploadWindow, UploadWindowState } from '../../src/domain/time';
import { opsSummaryMessageId } from '../../src/mail/message-id';
import { crewResponseSignal } from '../../workflows/messages';

/**
 * The floor's activities: bookingFulfillment's steps, each answering at once with a result of the
 * real one's shape. The crew event's no-op makes the crew answer as SCC's callback would (a
 * crewResponse signal per member, through a Temporal client); the email's says when it ran.
 */
export function createNoopActivities(deps: {
  client: Client;
  /** Called with Date.now() when a booking's ops email step runs. */
  onEmailed: (workflowId: string, at: number) => void;
}) {
  return {
    async createCalendarEntry({ workflowId }: BookingRef) {
      return { jadaEventId: `cal_${workflowId}`, created: true };
    },

    async createCrewEvent({ workflowId, crew }: BookingRef & { crew: CrewAssignment[] }) {
      const handle = deps.client.workflow.getHandle(workflowId);
      const respondedAt = new Date().toISOString();
      await Promise.all(
        crew.map((member) =>
          handle.signal(crewResponseSignal, { crewId: member.id, response: 'accepted', respondedAt }),
        ),
      );
      return { sccEventId: `evt_${workflowId}`, created: true, notifiedCrewIds: crew.map((c) => c.id) };
    },

    async publishGuestPage({
      slug,
      version,
      uploadState,
    }: BookingRef & {
      slug: string;
      crew: CrewMemberStatus[];
      version: number;
      uploadWindow: UploadWindow;
      uploadState: UploadWindowState;
    }) {
      const pages = ['nested', 'flat'].map((site) => ({
        site,
        url: `https://${site}.guests.example/g/${slug}`,
        invalidationId: 'noop',
      }));
      return { version, uploadState, bytes: 0, pages };
    },

    async sendOpsSummary({
      workflowId,
    }: BookingRef & {
      crew: CrewMemberStatus[];
      pages: { site: string; url: string }[];
      jadaEventId: string;
      sccEventId: string;
    }) {
      deps.onEmailed(workflowId, Date.now());
      return { messageId: opsSummaryMessageId(workflowId), alreadySent: false };
    },
  };
}

export type NoopActivities = ReturnType<typeof createNoopActivities>;
