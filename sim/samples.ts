import { randomUUID } from 'node:crypto';
import type { CalendarFeed, Tenant } from '../src/config/tenant';
import type { TenantFileEntry } from '../src/config/tenants-file';
import type { Booking } from '../src/domain/booking';
import { defaultSites } from '../src/publish/sites';

/**
 * The sample operator and booking of the seed article: JADA Charters, and Carole's Boatsetter
 * charter on the Sea Breeze. The local stack, the tests and the benchmarks all start from these and
 * override what they need; nothing shipped uses them.
 */

/**
 * A bcrypt-shaped hash that no key matches: the default for tests that never authenticate. Callers
 * that do pass real hashes.
 */
export const UNUSABLE_HASH = `$2b$04$${'.'.repeat(53)}`;

/** JADA Charters as the worker and the service load it (secrets resolved), on its two default sites. */
export function sampleTenant(overrides: Partial<Tenant> = {}): Tenant {
  return {
    id: 'jada',
    name: 'JADA Charters',
    auth: { intakeKeyHash: UNUSABLE_HASH, crewCallbackKeyHash: UNUSABLE_HASH },
    // Port 9 (discard) on loopback: a tenant that never calls JADA or SCC fails fast if it ever does.
    jada: { baseUrl: 'http://127.0.0.1:9', token: 'unused-jada-token' },
    scc: { apiUrl: 'http://127.0.0.1:9', serviceKey: 'unused-scc-service-key' },
    sites: defaultSites({
      nested: { bucket: 'jada-guests-nested', distributionId: 'E1NESTEDSAMPLE', domain: 'guests.jada.example' },
      flat: { bucket: 'jada-guests-flat', distributionId: 'E2FLATSAMPLE', domain: 'book.jada.example' },
    }),
    uploads: { bucket: 'jada-guest-uploads', maxBytes: 15 * 1024 * 1024 },
    ops: { from: 'JADA fulfillment <fulfillment@jada.example>', to: ['ops@jada.example'] },
    defaultCrew: [
      { id: 'crew-captain-ana', role: 'Captain', name: 'Ana Reyes' },
      { id: 'crew-mate-ben', role: 'Deckhand', name: 'Ben Okafor' },
    ],
    contact: { phone: '+1 415 555 0100', email: 'hello@jada.example' },
    meetingPoint: { name: 'Pier 39, Dock B', directionsUrl: 'https://maps.example.com/?q=pier+39' },
    ...overrides,
  };
}

/**
 * The Sea Breeze's Boatsetter calendar feed, as a tenant lists it. Its URL is port 9 (discard) on
 * loopback, as the tenant's JADA and SCC are: a test that fetches the feed gives a stand-in's URL.
 */
export function sampleFeed(overrides: Partial<CalendarFeed> = {}): CalendarFeed {
  return {
    name: 'bs',
    url: 'http://127.0.0.1:9/unused.ics',
    source: 'boatsetter',
    boat: 'Sea Breeze',
    timeZone: 'America/Los_Angeles',
    currency: 'USD',
    ...overrides,
  };
}

/** The environment variables that hold a tenant's secrets, as the tenants file names them. */
export interface TenantSecretEnv {
  jadaToken: string;
  sccServiceKey: string;
}

/** A tenant as an entry of the tenants file: everything but its secrets, which it names by variable. */
export function tenantFileEntry(tenant: Tenant, secretEnv: TenantSecretEnv): TenantFileEntry {
  const { jada, scc, feeds, ...rest } = tenant;
  return {
    ...rest,
    // Feeds as they are: their URLs are local stand-ins, not secrets.
    feeds: (feeds ?? []).map((feed) => ({ ...feed })),
    jada: { url: jada.baseUrl, tokenEnv: secretEnv.jadaToken },
    scc: { apiUrl: scc.apiUrl, serviceKeyEnv: secretEnv.sccServiceKey },
  };
}

let bookings = 0;

/** Carole's charter, with a booking id of its own on every call unless one is given. */
export function sampleBooking(overrides: Partial<Booking> = {}): Booking {
  bookings += 1;
  return {
    source: 'boatsetter',
    bookingId: `bs-${Date.now().toString(36)}-${process.pid}-${bookings}`,
    guest: { name: 'Carole Martin', email: 'carole@example.com', phone: '+1 415 555 0134', partySize: 6 },
    charter: {
      start: '2027-05-29T10:00:00-07:00',
      end: '2027-05-29T13:00:00-07:00',
      timeZone: 'America/Los_Angeles',
    },
    boat: 'Sea Breeze',
    crew: [
      { id: 'crew-captain-ana', role: 'Captain', name: 'Ana Reyes' },
      { id: 'crew-mate-ben', role: 'Deckhand', name: 'Ben Okafor' },
    ],
    pricing: {
      currency: 'USD',
      base: 120000,
      captain: 25000,
      fuel: 8000,
      serviceFee: 15300,
      tax: 9800,
      tip: 20000,
      payout: 150000,
    },
    notes: 'Birthday party; bringing a cake.',
    ...overrides,
  };
}

/** The body of FareHarbor's booking webhook (fareharbor-docs webhooks/schemas/booking-webhook.json). */
export interface FareHarborWebhook {
  booking: Record<string, unknown> & {
    uuid: string;
    status: 'booked' | 'cancelled' | 'rebooked';
    availability: Record<string, unknown> & { start_at: string; end_at: string };
  };
}

export interface FareHarborSampleOptions {
  uuid?: string;
  status?: 'booked' | 'cancelled' | 'rebooked';
  rebookedFrom?: string | null;
  rebookedTo?: string | null;
  startAt?: string;
  endAt?: string;
  customerCount?: number;
  /** Merged over the booking last: any FareHarbor field, or a field set to undefined to drop it. */
  booking?: Record<string, unknown>;
}

/**
 * A FareHarbor webhook delivery as FareHarbor documents it (the Booking example of
 * external-api/endpoints/data-types.md, with every field the webhook schema requires): Carole's
 * charter on the Sea Breeze booked through the operator's FareHarbor, in Honolulu. A fresh uuid on
 * every call unless one is given.
 */
export function sampleFareHarborDelivery(options: FareHarborSampleOptions = {}): FareHarborWebhook {
  const uuid = options.uuid ?? randomUUID();
  const customerCount = options.customerCount ?? 6;
  const customer = (pk: number) => ({
    pk,
    checkin_url: `https://fhchk.co/${pk.toString(36)}`,
    checkin_status: null,
    invoice_cost: null,
    total_cost: { price: 20000, tax: 1633, taxable: 20000, feeable: 20000, tax_by_type: { 53558: 1633 }, total: 21633 },
    customer_type_rate: {
      pk: 65675,
      total: 20000,
      capacity: 12,
      minimum_party_size: null,
      maximum_party_size: null,
      customer_type: { pk: 978, singular: 'Adult', plural: 'Adults', note: 'At least 18 years old.' },
      customer_prototype: { pk: 2522, display_name: 'Adult', note: '', total: 20000, total_including_tax: 21633 },
    },
    custom_field_values: [],
  });
  const booking = {
    pk: 6876876,
    uuid,
    availability: {
      pk: 4786,
      start_at: options.startAt ?? '2027-05-29T10:00:00-1000',
      end_at: options.endAt ?? '2027-05-29T13:00:00-1000',
      capacity: 12,
      minimum_party_size: 1,
      maximum_party_size: null,
      headline: 'Sunset sail',
      item: { pk: 1867, name: 'Sea Breeze' },
      customer_type_rates: [],
      custom_field_instances: [],
    },
    company: { shortname: 'jadacharters', name: 'JADA Charters', currency: 'usd' },
    affiliate_company: null,
    contact: {
      name: 'Carole Martin',
      phone: '+1-415-555-0134',
      phone_country: 'US',
      normalized_phone: '+14155550134',
      language: 'en-us',
      email: 'carole@example.com',
      is_subscribed_for_email_updates: false,
    },
    customers: Array.from({ length: customerCount }, (_, i) => customer(90210 + i)),
    invoice_price: null,
    invoice_price_display: null,
    display_id: '#6876876',
    external_id: '',
    order: null,
    status: options.status ?? 'booked',
    rebooked_from: options.rebookedFrom ?? null,
    rebooked_to: options.rebookedTo ?? null,
    confirmation_url: `https://fareharbor.com/embeds/book/jadacharters/items/1867/booking/${uuid}/`,
    voucher_number: '',
    receipt_subtotal: 120000,
    receipt_subtotal_display: '$1,200.00',
    receipt_taxes: 9800,
    receipt_taxes_display: '$98.00',
    receipt_total: 129800,
    receipt_total_display: '$1,298.00',
    amount_paid: 40000,
    amount_paid_display: '$400.00',
    custom_field_values: [],
    note: 'Birthday party; bringing a cake.',
    note_safe_html: '<p>Birthday party; bringing a cake.</p>',
    pickup: null,
    arrival: null,
    effective_cancellation_policy: { type: 'hours-before-start', cutoff_hours_before: 24 },
    is_eligible_for_cancellation: true,
    agent: null,
    desk: null,
    dashboard_url: `https://fareharbor.com/jadacharters/dashboard/?overlay=/contacts/7/bookings/${uuid}/`,
    customer_count: customerCount,
    is_subscribed_for_sms_updates: false,
    ...options.booking,
  };
  return { booking };
}

/** FareHarbor's delivery of a cancelled booking: the same booking, `status: "cancelled"`. */
export function sampleFareHarborCancellation(uuid: string): FareHarborWebhook {
  return sampleFareHarborDelivery({ uuid, status: 'cancelled', booking: { is_eligible_for_cancellation: false } });
}

/**
 * A rebooking as FareHarbor delivers it: the old booking, now `rebooked` with `rebooked_to`, and the
 * new booking, `booked` with `rebooked_from` (here moved a day later).
 */
export function sampleFareHarborRebooking(oldUuid: string, newUuid: string = randomUUID()) {
  return {
    old: sampleFareHarborDelivery({ uuid: oldUuid, status: 'rebooked', rebookedTo: newUuid }),
    new: sampleFareHarborDelivery({
      uuid: newUuid,
      rebookedFrom: oldUuid,
      startAt: '2027-05-30T10:00:00-1000',
      endAt: '2027-05-30T13:00:00-1000',
    }),
  };
}
