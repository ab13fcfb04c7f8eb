import { z } from 'zod';
import { EventCollection } from './event-collection';
import { JsonApi } from './http';

/** An entry in the operator's JADA calendar; `externalId` is ours and makes creation idempotent. */
const JadaEventSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  start: z.string(),
  end: z.string(),
  notes: z.string().optional(),
  externalId: z.string(),
});
export type JadaEvent = z.infer<typeof JadaEventSchema>;

export type NewJadaEvent = Omit<JadaEvent, 'id'>;

/** What PATCH /calendar/events/{id} may change; absent fields stay as they are. */
export type JadaEventPatch = Partial<Pick<JadaEvent, 'title' | 'start' | 'end' | 'notes'>>;

export interface JadaClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
}

export class JadaClient {
  /**
   * The calendar entries we keep there, by external id (the workflow ID); `update` and `remove` are
   * PATCH and DELETE /calendar/events/{id}, which a deployment may lack ('not-supported').
   */
  readonly events: EventCollection<JadaEvent, NewJadaEvent, JadaEventPatch>;

  constructor(options: JadaClientOptions) {
    const api = new JsonApi({
      system: 'JADA',
      baseUrl: options.baseUrl,
      credential: {
        header: 'X-Dashboard-Token',
        name: 'dashboard token',
        value: options.token,
        fix: "check the tenant's JADA token",
      },
      timeoutMs: options.timeoutMs,
    });
    this.events = new EventCollection(api, {
      path: '/calendar/events',
      externalIdField: 'externalId',
      schema: JadaEventSchema,
    });
  }
}
