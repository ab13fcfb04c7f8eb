/** One AES-256 key of PAYLOAD_KEYS: its id travels in each payload's metadata, the key never leaves the process. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** Key ids go into payload metadata in the clear: short, printable, no separators of the list format. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_BYTES = 32;

/**
 * Reads PAYLOAD_KEYS: `id:base64` entries separated by commas, the first the one that encrypts, every
 * one able to decrypt (so an old key stays listed until no running booking holds payloads it made).
 * Problems name the entry and its id, never the key material.
 */
export function parsePayloadKeys(text: string): { keys: PayloadKey[]; problems: string[] } {
  const keys: PayloadKey[] = [];
  const problems: string[] = [];
  const entries = text.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push(`${where}: must be id:base64-key (no ":" found)`);
      return;
    }
    const id = entry.slice(0, colon);
    const material = entry.slice(colon + 1);
    if (!KEY_ID.test(id)) {
      problems.push(`${where}: the key id must be 1-64 letters, digits, ".", "_" or "-"`);
      return;
    }
    const key = Buffer.from(material, 'base64');
    // Buffer.from skips characters that are not base64; a round trip catches them and lost padding.
    const canonical = key.toString('base64');
    if (material.length === 0 || canonical.replace(/=+$/, '') !== material.replace(/=+$/, '')) {
      problems.push(`${where} (id ${id}): the key is not base64`);
    } else if (key.length !== KEY_BYTES) {
      problems.push(`${where} (id ${id}): the key must be ${KEY_BYTES} bytes, it is ${key.length}`);
    } else if (keys.some((k) => k.id === id)) {
      problems.push(`${where} (id ${id}): the id is listed twice`);
    } else {
      keys.push({ id, key });
    }
  });
  return { keys, problems };
}

/** The PAYLOAD_KEYS text for these keys, as parsePayloadKeys reads it. */
export function formatPayloadKeys(keys: readonly PayloadKey[]): string {
  return keys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(',');
}
