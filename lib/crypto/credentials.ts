// Connection credentials are encrypted at rest with AES-256-GCM; the key comes from the environment
// (PATCHBAY_ENCRYPTION_KEY) or, in demo mode, from the data folder. A wrong key fails loudly.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export function encryptJson(key: Buffer, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

export class DecryptionError extends Error {
  constructor() {
    super('Stored credentials cannot be decrypted: PATCHBAY_ENCRYPTION_KEY is not the key they were encrypted with');
    this.name = 'DecryptionError';
  }
}

export function decryptJson<T = Record<string, unknown>>(key: Buffer, payload: string): T {
  const [version, iv, tag, data] = payload.split('.');
  if (version !== VERSION || !iv || !tag || !data) throw new Error('Stored credentials are not in a known format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const out = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
    return JSON.parse(out.toString('utf8')) as T;
  } catch {
    throw new DecryptionError();
  }
}
