import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import fc from 'fast-check';
import {
  DEV_KEY_ID,
  devKeyring,
  devKeyringText,
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  isDevKeyring,
  KEY_ID_METADATA,
  type Keyring,
  keyringFromEnv,
  parseKeyring,
  PayloadDecryptionError,
} from '../../codec/payload-codec';

const key = () => randomBytes(32);
const ring = (currentKeyId: string, keys: Record<string, Buffer>): Keyring => ({ currentKeyId, keys });
const text = (p: Payload, name: string) => Buffer.from(p.metadata?.[name] ?? []).toString('utf8');
/** Compares what matters (protobuf decoding yields Buffers and omits nothing else we set). */
const plain = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('hex')]),
  ),
  data: Buffer.from(p.data ?? []).toString('hex'),
});

const arbPayload: fc.Arbitrary<Payload> = fc.record({
  metadata: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.uint8Array({ maxLength: 40 }), {
    maxKeys: 4,
  }),
  data: fc.uint8Array({ maxLength: 2048 }),
});

describe('EncryptionCodec', () => {
  const codec = new EncryptionCodec(devKeyring());

  it('round-trips arbitrary payloads and hides them behind binary/encrypted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbPayload, { maxLength: 5 }), async (payloads) => {
        const encoded = await codec.encode(payloads);
        expect(encoded).toHaveLength(payloads.length);
        for (const e of encoded) {
          expect(text(e, 'encoding')).toBe(ENCRYPTED_ENCODING);
          expect(text(e, KEY_ID_METADATA)).toBe(DEV_KEY_ID);
          expect(Object.keys(e.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA]);
        }
        expect((await codec.decode(encoded)).map(plain)).toEqual(payloads.map(plain));
      }),
    );
  });

  it('uses a fresh IV for every payload, so equal inputs never give equal ciphertexts', async () => {
    const p = defaultPayloadConverter.toPayload({ idNumber: '110101199001011234' });
    const [a, b] = await codec.encode([p, p]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).includes('110101199001011234')).toBe(false);
  });

  it.each([
    ['IV', (_d: Buffer) => 0],
    ['ciphertext', (d: Buffer) => 12 + Math.floor((d.length - 28) / 2)],
    ['tag', (d: Buffer) => d.length - 1],
  ])('rejects a payload whose %s was altered', async (_part, at) => {
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload({ card: '6222020000000000' })]);
    const data = Buffer.from(encoded!.data!);
    const i = at(data);
    data[i] = data[i]! ^ 0x01;
    await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(/failed authentication/);
  });

  it('rejects a relabelled key id and a truncated payload', async () => {
    const keys = { a: key(), b: key() };
    const both = new EncryptionCodec(ring('a', keys));
    const [encoded] = await both.encode([defaultPayloadConverter.toPayload('x')]);
    const relabelled = {
      ...encoded,
      metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: Buffer.from('b') },
    };
    await expect(both.decode([relabelled])).rejects.toThrow(PayloadDecryptionError);
    await expect(both.decode([{ ...encoded, data: Buffer.alloc(10) }])).rejects.toThrow(/truncated/);
  });

  it('keeps decrypting old payloads after a rotation while encrypting new ones with the new key', async () => {
    const k1 = key();
    const k2 = key();
    const before = new EncryptionCodec(ring('k1', { k1 }));
    const [old] = await before.encode([defaultPayloadConverter.toPayload('written before rotation')]);

    const after = new EncryptionCodec(ring('k2', { k2, k1 }));
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload('written after rotation')]);
    expect(text(old!, KEY_ID_METADATA)).toBe('k1');
    expect(text(fresh!, KEY_ID_METADATA)).toBe('k2');
    const decoded = await after.decode([old!, fresh!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      'written before rotation',
      'written after rotation',
    ]);
    // The old key alone cannot read what the new one wrote.
    await expect(before.decode([fresh!])).rejects.toThrow(/key id "k2".*not in the keyring/);
  });

  it('fails clearly on an unknown key id or a missing one', async () => {
    const [encoded] = await new EncryptionCodec(ring('gone', { gone: key() })).encode([
      defaultPayloadConverter.toPayload(1),
    ]);
    await expect(codec.decode([encoded!])).rejects.toThrow(
      'payload encrypted with key id "gone", which is not in the keyring',
    );
    const { [KEY_ID_METADATA]: _dropped, ...metadata } = encoded!.metadata!;
    await expect(codec.decode([{ ...encoded, metadata }])).rejects.toThrow(/no encryption-key-id/);
    const sneaky = {
      ...encoded,
      metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: Buffer.from('__proto__') },
    };
    await expect(codec.decode([sneaky])).rejects.toThrow(/not in the keyring/);
  });

  it('passes payloads it did not encrypt through decode unchanged', async () => {
    const legacy = defaultPayloadConverter.toPayload({ written: 'before the codec' });
    const [decoded] = await codec.decode([legacy]);
    expect(decoded).toBe(legacy);
  });

  it('refuses a keyring whose current key is missing or the wrong size', () => {
    expect(() => new EncryptionCodec(ring('k2', { k1: key() }))).toThrow(
      /current key id "k2" is not in the keyring/,
    );
    expect(() => new EncryptionCodec(ring('k1', { k1: randomBytes(16) }))).toThrow(/must be 32 bytes/);
  });
});

describe('parseKeyring', () => {
  const b64 = (b: Buffer) => b.toString('base64');

  it('takes the first entry as current and keeps the rest for decryption', () => {
    const k1 = key();
    const k2 = key();
    const parsed = parseKeyring(` k2:${b64(k2)} , k1:${b64(k1)}`);
    expect(parsed.currentKeyId).toBe('k2');
    expect(parsed.keys.k2!.equals(k2)).toBe(true);
    expect(parsed.keys.k1!.equals(k1)).toBe(true);
  });

  it.each([
    ['an empty value', '', /is empty/],
    ['an entry without id', 'k1', /entry 1 must look like "<id>:<base64 key>"/],
    ['an empty id', ':abc', /entry 1 must look like/],
    ['an id with spaces', 'bad id:AAAA', /entry 1: key id must match/],
    [
      'a 16-byte key',
      `k1:${b64(randomBytes(16))}`,
      /entry 1 \("k1"\): key must be standard base64 of exactly 32 bytes/,
    ],
    ['a key that is not base64', `k1:${b64(randomBytes(32))},k2:not*base64`, /entry 2 \("k2"\)/],
    ['a duplicated id', `k1:${b64(randomBytes(32))},k1:${b64(randomBytes(32))}`, /"k1" is listed twice/],
  ])('rejects %s', (_label, input, message) => {
    expect(() => parseKeyring(input)).toThrow(message);
  });

  it('never echoes key material in its errors', () => {
    const secret = b64(randomBytes(31));
    expect(() => parseKeyring(`k1:${secret}`)).toThrow();
    try {
      parseKeyring(`k1:${secret}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
    }
  });

  it('falls back to the labelled development keyring only when PAYLOAD_KEYS is unset', () => {
    expect(isDevKeyring(keyringFromEnv(undefined))).toBe(true);
    expect(isDevKeyring(keyringFromEnv('  '))).toBe(true);
    expect(isDevKeyring(parseKeyring(devKeyringText()))).toBe(true);
    expect(isDevKeyring(keyringFromEnv(`prod1:${b64(key())}`))).toBe(false);
    expect(devKeyring().currentKeyId).toBe(DEV_KEY_ID);
  });
});
