import { createHash } from 'node:crypto';

/** AES-256 keys by id; `currentKeyId` encrypts, every listed key still decrypts (rotation). */
export interface Keyring {
  currentKeyId: string;
  keys: Record<string, Buffer>;
}

export const KEY_BYTES = 32;
/** The id is stored in clear in every payload's metadata, so it must stay short and boring. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Development only: the key is derived from a public string, so anything it encrypts is readable by anyone. */
export const DEV_KEY_ID = 'dev-insecure';

export class KeyringError extends Error {
  override name = 'KeyringError';
}

/**
 * Parses `PAYLOAD_KEYS`: `id:base64key,id:base64key`, the first entry being the current key.
 * Errors name the entry by position and id, never echo key material.
 */
export function parseKeyring(text: string, source = 'PAYLOAD_KEYS'): Keyring {
  const entries = text.split(',').map((e) => e.trim());
  if (entries.length === 0 || entries.every((e) => e === '')) {
    throw new KeyringError(
      `${source} is empty; expected "<id>:<base64 of ${KEY_BYTES} bytes>[,<older id>:<key>…]"`,
    );
  }
  const keys: Record<string, Buffer> = {};
  entries.forEach((entry, i) => {
    const at = `${source} entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new KeyringError(`${at} must look like "<id>:<base64 key>"`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) throw new KeyringError(`${at}: key id must match ${KEY_ID.source}`);
    if (Object.hasOwn(keys, id)) throw new KeyringError(`${at}: key id "${id}" is listed twice`);
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    if (key?.length !== KEY_BYTES) {
      throw new KeyringError(`${at} ("${id}"): key must be standard base64 of exactly ${KEY_BYTES} bytes`);
    }
    keys[id] = key;
  });
  return { currentKeyId: entries[0]!.slice(0, entries[0]!.indexOf(':')).trim(), keys };
}

/** Throws unless the keyring can encrypt (current key present) and every key is AES-256 sized. */
export function assertKeyring(keyring: Keyring): void {
  if (!Object.hasOwn(keyring.keys, keyring.currentKeyId)) {
    throw new KeyringError(`current key id "${keyring.currentKeyId}" is not in the keyring`);
  }
  for (const [id, key] of Object.entries(keyring.keys)) {
    if (!KEY_ID.test(id)) throw new KeyringError(`key id must match ${KEY_ID.source}`);
    if (key.length !== KEY_BYTES) throw new KeyringError(`key "${id}" must be ${KEY_BYTES} bytes`);
  }
}

/** A fixed key so local runs, the dev UI and tests agree without configuration. Never for real data. */
export function devKeyring(): Keyring {
  const key = createHash('sha256')
    .update('loanflow DEVELOPMENT payload key - public, never use for real data')
    .digest();
  return { currentKeyId: DEV_KEY_ID, keys: { [DEV_KEY_ID]: key } };
}

/** The same development key in `PAYLOAD_KEYS` form, for scripts that hand it to child processes. */
export function devKeyringText(): string {
  const dev = devKeyring();
  return `${dev.currentKeyId}:${dev.keys[dev.currentKeyId]!.toString('base64')}`;
}

/** `PAYLOAD_KEYS` when set, else the development keyring (the embedded local stack needs no setup). */
export function keyringFromEnv(text: string | undefined): Keyring {
  return text?.trim() ? parseKeyring(text) : devKeyring();
}

/** True when new payloads would be encrypted with the public development key, whatever its id. */
export function isDevKeyring(keyring: Keyring): boolean {
  const dev = devKeyring().keys[DEV_KEY_ID]!;
  return keyring.keys[keyring.currentKeyId]?.equals(dev) ?? false;
}
