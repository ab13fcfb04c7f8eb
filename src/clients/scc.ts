import { z } from 'zod';
import { SccKeyStrippedError } from './errors';
import { EventCollection } from './event-collection';
import { JsonApi, type MutationOptions, type NotSupported } from './http';

const SccCrewMemberSchema = z.object({ id: z.string(), role: z.string().optional() });
export type SccCrewMember = z.infer<typeof SccCrewMemberSchema>;

/** A crew member's personal link to accept or decline the charter. */
const SccMagicLinkSchema = z.object({ crew_id: z.string(), url: z.string() });
export type SccMagicLink = z.infer<typeof SccMagicLinkSchema>;

/**
 * A ShipCaptainCrew event; field names are SCC's. `external_id` is ours and makes creation idempotent.
 * `magic_links` are the links SCC sent with this answer: everyone's on create (and on a lookup), on a
 * PATCH only those it sent then (members added, or everyone when the times moved).
 */
const SccEventSchema = z.object({
  id: z.string().min(1),
  event_name: z.string(),
  start_time: z.string(),
  end_time: z.string(),
  external_id: z.string(),
  crew: z.array(SccCrewMemberSchema),
  magic_links: z.array(SccMagicLinkSchema),
});
export type SccEvent = z.infer<typeof SccEventSchema>;

/** What we send to create one: SCC assigns the id and answers with the crew's magic links. */
export type NewSccEvent = Pick<SccEvent, 'event_name' | 'start_time' | 'end_time' | 'crew' | 'external_id'> & {
  notes?: string;
};

/**
 * What PATCH /events/{id} may change; absent fields stay as they are. `crew` is the whole new list:
 * SCC sends links to members added, tells members left out they are off the charter, and when
 * start_time or end_time moves it asks everyone again (their answers reset, each gets a fresh link).
 */
export type SccEventPatch = Partial<Pick<SccEvent, 'event_name' | 'start_time' | 'end_time' | 'crew'>> & {
  notes?: string;
};

const SccRemindedSchema = z.object({ reminded: z.array(z.string()) });

export interface SccClientOptions {
  /** The API Gateway origin, never the CDN domain: CloudFront strips X-Service-Key. */
  apiUrl: string;
  serviceKey: string;
  timeoutMs?: number;
}

/**
 * CloudFront marks every response it relays; a regional API Gateway origin does not. (An edge-optimized
 * one does, which is why SccKeyStrippedError's message also allows for a wrong key.)
 */
function relayedByCloudFront(headers: Headers): boolean {
  return /cloudfront/i.test(headers.get('via') ?? '') || headers.has('x-amz-cf-id');
}

export class SccClient {
  /**
   * The crew events we keep there, by external id (the workflow ID); `update` and `remove` are PATCH
   * and DELETE /events/{id} (SCC cancels the event and tells the crew), which a deployment may lack.
   */
  readonly events: EventCollection<SccEvent, NewSccEvent, SccEventPatch>;
  private readonly api: JsonApi;

  constructor(options: SccClientOptions) {
    const host = new URL(options.apiUrl).host;
    this.api = new JsonApi({
      system: 'SCC',
      baseUrl: options.apiUrl,
      credential: {
        header: 'X-Service-Key',
        name: 'service key',
        value: options.serviceKey,
        fix: "check the tenant's SCC service key",
      },
      timeoutMs: options.timeoutMs,
      diagnoseAuth: (status, headers) =>
        status === 401 && relayedByCloudFront(headers) ? new SccKeyStrippedError(host) : undefined,
    });
    this.events = new EventCollection(this.api, {
      path: '/events',
      externalIdField: 'external_id',
      schema: SccEventSchema,
    });
  }

  /**
   * POST /events/{id}/reminders: SCC sends each listed crew member their link again. A crew id not on
   * the event is a 400 (nobody is reminded); an endpoint this deployment lacks is 'not-supported'.
   */
  async remind(
    eventId: string,
    crewIds: readonly string[],
    { idempotencyKey, signal }: MutationOptions,
  ): Promise<{ outcome: 'reminded'; crewIds: string[] } | NotSupported> {
    const result = await this.api.optional({
      method: 'POST',
      path: this.events.eventPath(eventId, '/reminders'),
      body: { crew: crewIds },
      schema: SccRemindedSchema,
      signal,
      idempotencyKey,
    });
    return result.outcome === 'done' ? { outcome: 'reminded', crewIds: result.answer.reminded } : result;
  }
}
