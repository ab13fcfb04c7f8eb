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

export interface JadaClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
}

export class JadaClient {
  /** The calendar entries we keep there, by external id (the workflow ID). */
  readonly events: EventCollection<JadaEvent, NewJadaEvent>;

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
