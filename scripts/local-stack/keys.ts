import { compare, hash } from 'bcrypt';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { DataConverter } from '@temporalio/common';
import { encryptedDataConverter } from '../../src/codec/data-converter';
import { parsePayloadKeys } from '../../src/codec/keys';

/**
 * The local stack's secrets, generated on the first start and kept in .data/local-keys.json so that
 * scripts, bookmarks and curl commands keep working across restarts. Local only: nothing here is
 * ever used outside this machine.
 */
export interface LocalKeys {
  /** X-Service-Key for booking intake and status (what `npm run demo` sends). */
  intakeKey: string;
  /** X-Service-Key the SCC stand-in sends to our crew-response callback. */
  crewCallbackKey: string;
  jadaDashboardToken: string;
  sccServiceKey: string;
  slugSecret: string;
  /** The secret in the path of the local tenant's FareHarbor webhook (FareHarbor sends no headers). */
  fareHarborSecret: string;
  /** The key ops log in to the ops page with (`/ops/{tenant}/`). */
  opsKey: string;
  /** OPS_SESSION_SECRET: signs the ops page's session cookies. */
  opsSessionSecret: string;
  /** PAYLOAD_KEYS of the worker, the service and the codec server: Temporal holds only ciphertext. */
  payloadKeys: string;
  /**
   * bcrypt hashes of the keys that are verified by hash (tenants file, SCC stand-in). Kept with the
   * keys so the generated files are the same on every start.
   */
  hashes: { intakeKey: string; crewCallbackKey: string; sccServiceKey: string; opsKey: string };
}

const HASHED = ['intakeKey', 'crewCallbackKey', 'sccServiceKey', 'opsKey'] as const;
/** The cost a real deployment would use, so the service's bcrypt cache is exercised as in production. */
const BCRYPT_COST = 10;

const newKey = (bytes = 24): string => randomBytes(bytes).toString('base64url');

/** Reads the keys, or makes them; a hash that no longer matches its key (a hand edit) is made again. */
export async function ensureLocalKeys(path: string): Promise<{ keys: LocalKeys; created: boolean }> {
  const existing = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalKeys>) : {};
  const keys: LocalKeys = {
    intakeKey: existing.intakeKey || newKey(),
    crewCallbackKey: existing.crewCallbackKey || newKey(),
    jadaDashboardToken: existing.jadaDashboardToken || newKey(),
    sccServiceKey: existing.sccServiceKey || newKey(),
    slugSecret: existing.slugSecret || newKey(32),
    fareHarborSecret: existing.fareHarborSecret || newKey(32),
    opsKey: existing.opsKey || newKey(),
    opsSessionSecret: existing.opsSessionSecret || newKey(32),
    // A keys file from before encryption gains one; a later key is added in front by hand (rotation).
    // The id is unique too: two stacks' keys under one id would fail as tampering, not as a missing key.
    payloadKeys:
      existing.payloadKeys || `local-${randomBytes(4).toString('hex')}:${randomBytes(32).toString('base64')}`,
    hashes: { intakeKey: '', crewCallbackKey: '', sccServiceKey: '', opsKey: '' },
  };
  let changed = JSON.stringify({ ...existing, hashes: undefined }) !== JSON.stringify({ ...keys, hashes: undefined });
  await Promise.all(
    HASHED.map(async (name) => {
      const known = existing.hashes?.[name];
      if (known && (await compare(keys[name], known).catch(() => false))) {
        keys.hashes[name] = known;
      } else {
        keys.hashes[name] = await hash(keys[name], BCRYPT_COST);
        changed = true;
      }
    }),
  );
  if (changed) writeFileSync(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return { keys, created: Object.keys(existing).length === 0 };
}

/** The data converter of the local stack's worker and service, for scripts that talk to its Temporal. */
export function localDataConverter(keys: LocalKeys): DataConverter {
  return encryptedDataConverter(parsePayloadKeys(keys.payloadKeys).keys);
}

export function readLocalKeys(path: string): LocalKeys {
  return JSON.parse(readFileSync(path, 'utf8')) as LocalKeys;
}
