import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { assertKeyring, type Keyring } from './keyring';

export {
  devKeyring,
  devKeyringText,
  isDevKeyring,
  keyringFromEnv,
  parseKeyring,
  DEV_KEY_ID,
  KeyringError,
  type Keyring,
} from './keyring';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ProtoPayload = temporal.api.common.v1.Payload;

export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

/**
 * The key id goes into the GCM associated data so relabelling a payload's key id is detected, and the
 * version prefix lets a future format change be told apart from tampering.
 */
function associatedData(keyId: string): Buffer {
  return Buffer.from(`loanflow-payload-v1:${keyId}`, 'utf8');
}

function metadataString(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? Buffer.from(value).toString('utf8') : undefined;
}

/**
 * AES-256-GCM over the whole serialized payload (its metadata too, so the inner encoding is hidden).
 * Layout of `data`: 12-byte IV, ciphertext, 16-byte tag.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {
    assertKeyring(keyring);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.keyring.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyring.keys[keyId]!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(keyId));
    const plaintext = ProtoPayload.encode(payload).finish();
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        encoding: Buffer.from(ENCRYPTED_ENCODING, 'utf8'),
        [KEY_ID_METADATA]: Buffer.from(keyId, 'utf8'),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    // Histories written before the codec existed, and anything else not ours, stay readable.
    if (metadataString(payload, 'encoding') !== ENCRYPTED_ENCODING) return payload;
    const keyId = metadataString(payload, KEY_ID_METADATA);
    if (!keyId) throw new PayloadDecryptionError(`encrypted payload has no ${KEY_ID_METADATA} metadata`);
    if (!Object.hasOwn(this.keyring.keys, keyId)) {
      throw new PayloadDecryptionError(
        `payload encrypted with key id "${keyId}", which is not in the keyring (was it dropped from PAYLOAD_KEYS too early?)`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(`encrypted payload is truncated (${data.length} bytes)`);
    const decipher = createDecipheriv('aes-256-gcm', this.keyring.keys[keyId]!, data.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(associatedData(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new PayloadDecryptionError(
        `encrypted payload failed authentication with key "${keyId}": altered, or a different key under that id`,
      );
    }
    return ProtoPayload.decode(plaintext);
  }
}
