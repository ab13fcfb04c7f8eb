import { createDecipheriv, randomBytes } from 'node:crypto';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { EncryptionCodec, PayloadDecryptionError } from '../../../src/codec/encryption-codec';
import { formatPayloadKeys, parsePayloadKeys, type PayloadKey } from '../../../src/codec/keys';

const key = (id: string, fill: number): PayloadKey => ({ id, key: Buffer.alloc(32, fill) });
const K1 = key('k1', 1);
const K2 = key('k2', 2);
const booking = { guest: { name: 'Carole Baskin', email: 'carole@example.com', phone: '+1 415 555 0100' } };
const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('EncryptionCodec', () => {
  test('round trip: the payload, metadata included, comes back; nothing of it shows in the encoded one', async () => {
    const codec = new EncryptionCodec([K1]);
    const plain = toPayload(booking);
    const [encoded] = await codec.encode([plain]);
    expect(text(encoded!.metadata![METADATA_ENCODING_KEY])).toBe('binary/encrypted');
    expect(text(encoded!.metadata!['encryption-key-id'])).toBe('k1');
    expect(Object.keys(encoded!.metadata!).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toMatch(/Carole|example\.com|json/);
    const [decoded] = await codec.decode([encoded!]);
    expect(fromPayload(decoded!)).toEqual(booking);
    expect(text(decoded!.metadata![METADATA_ENCODING_KEY])).toBe('json/plain');
  });

  test('a random 96-bit IV per payload: the same value twice encrypts differently', async () => {
    const codec = new EncryptionCodec([K1]);
    const [a, b] = await codec.encode([toPayload(booking), toPayload(booking)]);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  test('tampered ciphertext, tag or key id fails authentication', async () => {
    const codec = new EncryptionCodec([K1, key('k1b', 1)]);
    const [encoded] = await codec.encode([toPayload(booking)]);
    const flip = (at: number) => {
      const data = Buffer.from(encoded!.data!);
      data[at] = data[at]! ^ 1;
      return { ...encoded!, data };
    };
    const failure = /key id "k1" failed authentication/;
    await expect(codec.decode([flip(20)])).rejects.toThrow(failure);
    await expect(codec.decode([flip(encoded!.data!.length - 1)])).rejects.toThrow(failure);
    await expect(codec.decode([flip(0)])).rejects.toThrow(failure);
    // The same key under another id: the id is authenticated data, so the relabelled payload fails.
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, 'encryption-key-id': Buffer.from('k1b') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/key id "k1b" failed authentication/);
    await expect(codec.decode([{ ...encoded!, data: Buffer.alloc(10) }])).rejects.toThrow(/cut short/);
  });

  test('an unknown key id fails clearly, naming it and the ids held', async () => {
    const [encoded] = await new EncryptionCodec([K2]).encode([toPayload(booking)]);
    const decoding = new EncryptionCodec([K1]).decode([encoded!]);
    await expect(decoding).rejects.toBeInstanceOf(PayloadDecryptionError);
    await expect(decoding).rejects.toThrow(
      'a payload is encrypted with key id "k2", which PAYLOAD_KEYS does not hold (it holds k1): add that key back',
    );
  });

  test('rotation: with a new first key, new payloads use it and the old key id still decodes', async () => {
    const [old] = await new EncryptionCodec([K1]).encode([toPayload('before')]);
    const rotated = new EncryptionCodec([K2, K1]);
    const [fresh] = await rotated.encode([toPayload('after')]);
    expect(text(fresh!.metadata!['encryption-key-id'])).toBe('k2');
    const decoded = await rotated.decode([old!, fresh!]);
    expect(decoded.map(fromPayload)).toEqual(['before', 'after']);
  });

  test('unencrypted payloads (histories from before encryption) pass through decode untouched', async () => {
    const plain = [toPayload(booking), toPayload(undefined), toPayload(new Uint8Array([1, 2])), {}];
    expect(await new EncryptionCodec([K1]).decode(plain)).toEqual(plain);
  });

  test('golden bytes: the format is IV || AES-256-GCM(Payload protobuf, AAD = key id) || 16-byte tag', async () => {
    const iv = Buffer.from('000102030405060708090a0b', 'hex');
    const codec = new EncryptionCodec([K1], () => iv);
    const [encoded] = await codec.encode([toPayload({ guest: 'Carole' })]);
    expect(Buffer.from(encoded!.data!).toString('base64')).toBe(GOLDEN);
    // The golden bytes decode with the key alone, whatever produced them: the format is pinned.
    const golden = {
      metadata: { encoding: Buffer.from('binary/encrypted'), 'encryption-key-id': Buffer.from('k1') },
      data: Buffer.from(GOLDEN, 'base64'),
    };
    expect((await new EncryptionCodec([K1]).decode([golden])).map(fromPayload)).toEqual([{ guest: 'Carole' }]);
    // And by hand, as another implementation (a codec server in another language) would read it.
    const data = Buffer.from(GOLDEN, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', K1.key, data.subarray(0, 12));
    decipher.setAAD(Buffer.from('k1'));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
    const payload = temporal.api.common.v1.Payload.decode(plain);
    expect(text(payload.metadata?.encoding)).toBe('json/plain');
    expect(text(payload.data)).toBe('{"guest":"Carole"}');
  });
});

/** Pinned: a change here means payloads already in Temporal no longer decode. */
const GOLDEN = 'AAECAwQFBgcICQoLsbCfLkWQZRaaA4mjMmOi0MGoRHqZ8CxuY9hDosbyWMEm8eCGMqJgx2YyJuiBQsopRWOJO+7kfeqhFMv7';

describe('PAYLOAD_KEYS', () => {
  const b64 = (bytes: number) => randomBytes(bytes).toString('base64');

  test('id:base64 entries, comma-separated, first one first', () => {
    const text = `new:${b64(32)}, old:${b64(32)}`;
    const { keys, problems } = parsePayloadKeys(text);
    expect(problems).toEqual([]);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(formatPayloadKeys(keys)).toBe(text.replace(' ', ''));
  });

  test('every problem listed, naming entry and id, never the key material', () => {
    const short = b64(16);
    const { problems } = parsePayloadKeys(
      `a:${short},nocolon,b c:${b64(32)},d:not base64!,e:${b64(32)},e:${b64(32)},f:`,
    );
    expect(problems).toEqual([
      'entry 1 (id a): the key must be 32 bytes, it is 16',
      'entry 2: must be id:base64-key (no ":" found)',
      'entry 3: the key id must be 1-64 letters, digits, ".", "_" or "-"',
      'entry 4 (id d): the key is not base64',
      'entry 6 (id e): the id is listed twice',
      'entry 7 (id f): the key is not base64',
    ]);
    expect(problems.join('\n')).not.toContain(short);
  });
});
