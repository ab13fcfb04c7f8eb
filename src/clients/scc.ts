import { z } from 'zod';
import { ExternalAuthError, SccKeyStrippedError, type ExternalError } from './errors';
import { assertHeaderValue, requestJson, type JsonRequest } from './http';

export interface SccCrewMember {
  id: string;
  role?: string;
}

/** A crew member's personal link to accept or decline the charter. */
export interface SccMagicLink {
  crew_id: string;
  url: string;
}

/** A ShipCaptainCrew event; field names are SCC's. `external_id` is ours and makes creation idempotent. */
export interface SccEvent {
  id: string;
  event_name: string;
  start_time: string;
  end_time: string;
  external_id: string;
  crew: SccCrewMember[];
  magic_links: SccMagicLink[];
}

export interface NewSccEvent {
  event_name: string;
  start_time: string;
  end_time: string;
  notes?: string;
  crew: SccCrewMember[];
  external_id: string;
}

export interface SccClientOptions {
  /** The API Gateway origin, never the CDN domain: CloudFront strips X-Service-Key. */
  apiUrl: string;
  serviceKey: string;
  timeoutMs?: number;
}

const SccEventSchema: z.ZodType<SccEvent> = z.object({
  id: z.string().min(1),
  event_name: z.string(),
  start_time: z.string(),
  end_time: z.string(),
  external_id: z.string(),
  crew: z.array(z.object({ id: z.string(), role: z.string().optional() })),
  magic_links: z.array(z.object({ crew_id: z.string(), url: z.string() })),
});

const SccEventListSchema = z.object({ events: z.array(SccEventSchema) });

/**
 * CloudFront marks every response it relays; a regional API Gateway origin does not. (An edge-optimized
 * one does, which is why SccKeyStrippedError's message also allows for a wrong key.)
 */
function relayedByCloudFront(headers: Headers): boolean {
  return /cloudfront/i.test(headers.get('via') ?? '') || headers.has('x-amz-cf-id');
}

export class SccClient {
  private readonly apiUrl: string;
  private readonly serviceKey: string;
  private readonly timeoutMs?: number;

  constructor(options: SccClientOptions) {
    assertHeaderValue('SCC', options.serviceKey, "check the tenant's SCC service key");
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.serviceKey = options.serviceKey;
    this.timeoutMs = options.timeoutMs;
  }

  async findEventByExternalId(externalId: string): Promise<SccEvent | undefined> {
    const { events } = await this.request({
      method: 'GET',
      url: `${this.apiUrl}/events?external_id=${encodeURIComponent(externalId)}`,
      schema: SccEventListSchema,
    });
    return events.find((event) => event.external_id === externalId);
  }

  createEvent(input: NewSccEvent): Promise<SccEvent> {
    return this.request({ method: 'POST', url: `${this.apiUrl}/events`, body: input, schema: SccEventSchema });
  }

  /**
   * Lookup before create: an attempt that timed out may still have created the event (and sent crew
   * their links), so a retry must find it rather than invite the crew twice.
   */
  async ensureEvent(input: NewSccEvent): Promise<{ event: SccEvent; created: boolean }> {
    const existing = await this.findEventByExternalId(input.external_id);
    if (existing) return { event: existing, created: false };
    return { event: await this.createEvent(input), created: true };
  }

  private request<T>(req: Pick<JsonRequest<T>, 'method' | 'url' | 'body' | 'schema'>): Promise<T> {
    return requestJson({
      ...req,
      system: 'SCC',
      headers: { 'X-Service-Key': this.serviceKey },
      timeoutMs: this.timeoutMs,
      authError: (status, headers): ExternalError =>
        status === 401 && relayedByCloudFront(headers)
          ? new SccKeyStrippedError(new URL(this.apiUrl).host)
          : new ExternalAuthError(
              'SCC',
              `SCC rejected the service key (${status}): check the tenant's SCC service key`,
              status,
            ),
    });
  }
}
