import { z } from 'zod';
import { SccKeyStrippedError } from './errors';
import { EventCollection } from './event-collection';
import { JsonApi } from './http';

const SccCrewMemberSchema = z.object({ id: z.string(), role: z.string().optional() });
export type SccCrewMember = z.infer<typeof SccCrewMemberSchema>;

/** A crew member's personal link to accept or decline the charter. */
const SccMagicLinkSchema = z.object({ crew_id: z.string(), url: z.string() });
export type SccMagicLink = z.infer<typeof SccMagicLinkSchema>;

/** A ShipCaptainCrew event; field names are SCC's. `external_id` is ours and makes creation idempotent. */
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
  /** The crew events we keep there, by external id (the workflow ID). */
  readonly events: EventCollection<SccEvent, NewSccEvent, never>;

  constructor(options: SccClientOptions) {
    const host = new URL(options.apiUrl).host;
    const api = new JsonApi({
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
    this.events = new EventCollection(api, { path: '/events', externalIdField: 'external_id', schema: SccEventSchema });
  }
}
