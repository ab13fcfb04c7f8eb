import { z } from 'zod';
import { ExternalAuthError } from './errors';
import { assertHeaderValue, requestJson, type JsonRequest } from './http';

/** An entry in the operator's JADA calendar; `externalId` is ours and makes creation idempotent. */
export interface JadaEvent {
  id: string;
  title: string;
  start: string;
  end: string;
  notes?: string;
  externalId: string;
}

export type NewJadaEvent = Omit<JadaEvent, 'id'>;

export interface JadaClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
}

const JadaEventSchema: z.ZodType<JadaEvent> = z.object({
  id: z.string().min(1),
  title: z.string(),
  start: z.string(),
  end: z.string(),
  notes: z.string().optional(),
  externalId: z.string(),
});

const JadaEventListSchema = z.object({ events: z.array(JadaEventSchema) });

export class JadaClient {
  private readonly baseUrl: string;
  private readonly token: string;
  private readonly timeoutMs?: number;

  constructor(options: JadaClientOptions) {
    assertHeaderValue('JADA', options.token, "check the tenant's JADA token");
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs;
  }

  async findEventByExternalId(externalId: string): Promise<JadaEvent | undefined> {
    const { events } = await this.request({
      method: 'GET',
      url: `${this.baseUrl}/calendar/events?externalId=${encodeURIComponent(externalId)}`,
      schema: JadaEventListSchema,
    });
    // The filter is JADA's; an exact match is ours to insist on.
    return events.find((event) => event.externalId === externalId);
  }

  createEvent(input: NewJadaEvent): Promise<JadaEvent> {
    return this.request({
      method: 'POST',
      url: `${this.baseUrl}/calendar/events`,
      body: input,
      schema: JadaEventSchema,
    });
  }

  /**
   * Lookup before create: an attempt that timed out may still have created the event, so a retry must
   * find it rather than add a second calendar entry.
   */
  async ensureEvent(input: NewJadaEvent): Promise<{ event: JadaEvent; created: boolean }> {
    const existing = await this.findEventByExternalId(input.externalId);
    if (existing) return { event: existing, created: false };
    return { event: await this.createEvent(input), created: true };
  }

  private request<T>(req: Pick<JsonRequest<T>, 'method' | 'url' | 'body' | 'schema'>): Promise<T> {
    return requestJson({
      ...req,
      system: 'JADA',
      headers: { 'X-Dashboard-Token': this.token },
      timeoutMs: this.timeoutMs,
      authError: (status) =>
        new ExternalAuthError(
          'JADA',
          `JADA rejected the dashboard token (${status}): check the tenant's JADA token`,
          status,
        ),
    });
  }
}
