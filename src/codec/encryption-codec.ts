import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKey } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata entry naming the key a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** A payload this process cannot decrypt: tampered, cut short, or made with a key it does not hold. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/**
 * AES-256-GCM over the whole serialized payload (its metadata included, so the encoding and any
 * type information are hidden too). Format of `data`: 12-byte random IV, ciphertext, 16-byte tag;
 * the key id is the additional authenticated data, so a payload relabelled with another key id fails.
 * Payloads that are not `binary/encrypted` decode as they are: histories from before encryption replay.
 * Runs outside the workflow sandbox (node:crypto), as Temporal's payload codecs do.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly encrypting: PayloadKey;
  private readonly byId: Map<string, Buffer>;

  /** `iv` only for the golden-bytes test, which pins the format; anything else takes the random default. */
  constructor(
    keys: readonly PayloadKey[],
    private readonly iv: () => Buffer = () => randomBytes(IV_BYTES),
  ) {
    const [first] = keys;
    if (!first) throw new Error('EncryptionCodec needs at least one key');
    this.encrypting = first;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const { id, key } = this.encrypting;
      const iv = this.iv();
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(utf8(id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString('utf8') !== ENCRYPTED_ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
      if (!keyIdBytes) throw new PayloadDecryptionError(`an encrypted payload has no ${KEY_ID_METADATA}`);
      const id = Buffer.from(keyIdBytes).toString('utf8');
      const key = this.byId.get(id);
      if (!key) {
        throw new PayloadDecryptionError(
          `a payload is encrypted with key id "${id}", which PAYLOAD_KEYS does not hold (it holds ${[...this.byId.keys()].join(', ')}): add that key back`,
        );
      }
      const data = Buffer.from(payload.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES)
        throw new PayloadDecryptionError(`a payload encrypted with "${id}" is cut short`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(utf8(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError(
          `a payload encrypted with key id "${id}" failed authentication: it was altered, or the key under that id changed`,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
