// Connection credentials are encrypted at rest with AES-256-GCM; the key comes from the environment
// (PATCHBAY_ENCRYPTION_KEY) or, in demo mode, from the data folder. A wrong key fails loudly.
// Each ciphertext names the key it was written under (`v2.<key id>.<iv>.<tag>.<data>`, the key id being a keyed
// hash of the key, not the key), so that during a key rotation (`npx patchbay rotate-key`) readers pick the right
// one of the current key and the previous one, and the rotation knows which rows are done. `v1.<iv>.<tag>.<data>`
// (before key ids) is still read, trying each key; the next write or rotation rewrites it as v2.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** The keys a process holds: it writes under `current()`; it reads under any of `readable()` (current first). */
export interface EncryptionKeys {
  current(): Buffer;
  readable(): readonly Buffer[];
}
/** One key alone, or a keyring (current + previous during a rotation). */
export type KeyInput = Buffer | EncryptionKeys;

const currentOf = (k: KeyInput): Buffer => (Buffer.isBuffer(k) ? k : k.current());
const readableOf = (k: KeyInput): readonly Buffer[] => (Buffer.isBuffer(k) ? [k] : k.readable());

/** A key with a previous one still accepted for reading (from PATCHBAY_ENCRYPTION_KEY / _PREVIOUS). */
export function keyring(current: Buffer, previous: Buffer | null = null): EncryptionKeys {
  const all = previous && !previous.equals(current) ? [current, previous] : [current];
  return { current: () => current, readable: () => all };
}

const ids = new WeakMap<Buffer, string>();
/** A short public name of a key (HMAC of a fixed label under the key): tells which key a ciphertext needs. */
export function keyId(key: Buffer): string {
  let id = ids.get(key);
  if (!id) ids.set(key, (id = createHmac('sha256', key).update('patchbay credentials key id').digest('base64url').slice(0, 11)));
  return id;
}

/** The id of the key a v2 payload was written under; null for v1 payloads and anything else. */
export function payloadKeyId(payload: string): string | null {
  return payload.startsWith('v2.') ? payload.split('.')[1] ?? null : null;
}

export function encryptJson(keys: KeyInput, value: unknown): string {
  const key = currentOf(keys);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return ['v2', keyId(key), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

export class DecryptionError extends Error {
  constructor(detail = '') {
    super(`Stored credentials cannot be decrypted: PATCHBAY_ENCRYPTION_KEY is not the key they were encrypted with${detail}`);
    this.name = 'DecryptionError';
  }
}

function open(key: Buffer, iv: string, tag: string, data: string): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
  } catch {
    return null;
  }
}

export function decryptJson<T = Record<string, unknown>>(keys: KeyInput, payload: string): T {
  const parts = payload.split('.');
  const known = (parts[0] === 'v1' && parts.length === 4) || (parts[0] === 'v2' && parts.length === 5);
  if (!known || parts.some((p) => !p)) throw new Error('Stored credentials are not in a known format');
  let out: Buffer | null = null;
  if (parts[0] === 'v2') {
    const [, id, iv, tag, data] = parts;
    const key = readableOf(keys).find((k) => keyId(k) === id);
    if (!key) throw new DecryptionError(` (they need key ${id}; this process holds ${readableOf(keys).map(keyId).join(' and ')})`);
    out = open(key, iv, tag, data);
  } else {
    const [, iv, tag, data] = parts;
    for (const key of readableOf(keys)) if ((out = open(key, iv, tag, data))) break;
  }
  if (!out) throw new DecryptionError();
  return JSON.parse(out.toString('utf8')) as T;
}
