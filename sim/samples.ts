import type { Tenant } from '../src/config/tenant';
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

/** The environment variables that hold a tenant's secrets, as the tenants file names them. */
export interface TenantSecretEnv {
  jadaToken: string;
  sccServiceKey: string;
}

/** A tenant as an entry of the tenants file: everything but its secrets, which it names by variable. */
export function tenantFileEntry(tenant: Tenant, secretEnv: TenantSecretEnv): TenantFileEntry {
  const { jada, scc, ...rest } = tenant;
  return {
    ...rest,
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
