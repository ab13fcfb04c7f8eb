import { z } from 'zod';
import type { CallOptions } from '../domain/time-budgets';
import type { JsonApi, MutationOptions, NotSupported } from './http';

export interface EventCollectionOptions<Event, NewEvent> {
  /** Where the system lists (GET, filtered by our external id) and creates (POST) its events. */
  path: string;
  /** The field that holds our external id; the list is filtered by a query parameter of the same name. */
  externalIdField: ExternalIdField<Event, NewEvent>;
  schema: z.ZodType<Event>;
}

/** A field both an event and a new event have, holding a string. */
type ExternalIdField<Event, NewEvent> = {
  [K in keyof Event & keyof NewEvent]: Event[K] extends string ? (NewEvent[K] extends string ? K : never) : never;
}[keyof Event & keyof NewEvent] &
  string;

/**
 * Events an operator's system keeps for us under our external id (the workflow ID): JADA's calendar
 * entries and SCC's crew events. The external id is what makes creating one idempotent; changing or
 * removing one (`{path}/{id}`, endpoints a deployment may lack) is idempotent by the caller's key.
 */
export class EventCollection<Event, NewEvent, EventPatch> {
  private readonly listSchema: z.ZodType<{ events: Event[] }>;

  constructor(
    private readonly api: JsonApi,
    private readonly options: EventCollectionOptions<Event, NewEvent>,
  ) {
    this.listSchema = z.object({ events: z.array(options.schema) });
  }

  async find(externalId: string, { signal }: CallOptions = {}): Promise<Event | undefined> {
    const { path, externalIdField: field } = this.options;
    const { events } = await this.api.request({
      method: 'GET',
      path: `${path}?${field}=${encodeURIComponent(externalId)}`,
      schema: this.listSchema,
      signal,
    });
    // The filter is the system's; an exact match is ours to insist on.
    return events.find((event) => event[field] === externalId);
  }

  /**
   * Creates the event with an Idempotency-Key derived from its external id: two attempts whose
   * lookups both found nothing (one still in flight when the other looked) still create one event.
   */
  create(input: NewEvent, { signal }: CallOptions = {}): Promise<Event> {
    return this.api.request({
      method: 'POST',
      path: this.options.path,
      body: input,
      schema: this.options.schema,
      signal,
      idempotencyKey: `${input[this.options.externalIdField] as string}:create`,
    });
  }

  /**
   * Lookup before create: an attempt that timed out may still have created the event (and, at SCC,
   * sent crew their links), so a retry must find it rather than create a second one. `mayExist: false`
   * is the caller's word that no earlier call can have created it (the first attempt of a booking's
   * first create, activities/context.ts `noEarlierCreate`): then the lookup, one round trip and at
   * SCC one bcrypt check of our key, is skipped. The create keeps its Idempotency-Key either way.
   */
  async ensure(
    input: NewEvent,
    options: CallOptions = {},
    { mayExist }: { mayExist: boolean } = { mayExist: true },
  ): Promise<{ event: Event; created: boolean }> {
    if (mayExist) {
      const existing = await this.find(input[this.options.externalIdField] as string, options);
      if (existing !== undefined) return { event: existing, created: false };
    }
    return { event: await this.create(input, options), created: true };
  }

  /** PATCH: only the fields given change; the answer is the event as it is now. */
  async update(
    id: string,
    patch: EventPatch,
    { idempotencyKey, signal }: MutationOptions,
  ): Promise<{ outcome: 'updated'; event: Event } | NotSupported> {
    const result = await this.api.optional({
      method: 'PATCH',
      path: this.eventPath(id),
      body: patch,
      schema: this.options.schema,
      signal,
      idempotencyKey,
    });
    return result.outcome === 'done' ? { outcome: 'updated', event: result.answer } : result;
  }

  /**
   * DELETE (204). A retry after a lost 204 must carry the same key: without it the event is gone and
   * the retry's 404 reads as "not supported".
   */
  async remove(
    id: string,
    { idempotencyKey, signal }: MutationOptions,
  ): Promise<{ outcome: 'removed' } | NotSupported> {
    const result = await this.api.optional({
      method: 'DELETE',
      path: this.eventPath(id),
      // 204 has no body; a deployment that answers 200 with one has removed it all the same.
      schema: z.unknown(),
      signal,
      idempotencyKey,
    });
    return result.outcome === 'done' ? { outcome: 'removed' } : result;
  }

  /** `{path}/{id}`, and below it (SCC's reminders). */
  eventPath(id: string, below = ''): string {
    return `${this.options.path}/${encodeURIComponent(id)}${below}`;
  }
}
