import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError, decryptJson, encryptJson } from './credentials';

const key = randomBytes(32);
const token = 'pat-na1-7f3c2a9e-0b1d-4c5e-9f8a-1234567890ab';

describe('credential encryption (AES-256-GCM)', () => {
  it('round-trips the credentials JSON with the right key', () => {
    const creds = { token, nested: { refreshToken: 'rt_x', expiresAt: 1_800_000_000_000 }, list: [1, 'two'] };
    expect(decryptJson(key, encryptJson(key, creds))).toEqual(creds);
  });

  it('does not contain the secret, in clear or in any common encoding', () => {
    const enc = encryptJson(key, { token });
    for (const form of [token, Buffer.from(token).toString('base64'), Buffer.from(token).toString('base64url'), Buffer.from(token).toString('hex'), 'pat-na1']) {
      expect(enc).not.toContain(form);
    }
    expect(enc).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
  });

  it('uses a fresh IV every time: the same credentials never encrypt to the same text', () => {
    const a = encryptJson(key, { token });
    const b = encryptJson(key, { token });
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
  });

  it('fails loudly with DecryptionError under a wrong key', () => {
    const enc = encryptJson(key, { token });
    const wrong = randomBytes(32);
    expect(() => decryptJson(wrong, enc)).toThrow(DecryptionError);
    expect(() => decryptJson(wrong, enc)).toThrow(/PATCHBAY_ENCRYPTION_KEY is not the key they were encrypted with/);
  });

  it('detects tampering with the ciphertext, the IV or the tag', () => {
    const enc = encryptJson(key, { token });
    const [v, iv, tag, data] = enc.split('.');
    const flip = (s: string) => { const b = Buffer.from(s, 'base64url'); b[0] ^= 1; return b.toString('base64url'); };
    for (const bad of [[v, iv, tag, flip(data)], [v, flip(iv), tag, data], [v, iv, flip(tag), data]]) {
      expect(() => decryptJson(key, bad.join('.'))).toThrow(DecryptionError);
    }
  });

  it('refuses text that is not an encrypted payload', () => {
    expect(() => decryptJson(key, JSON.stringify({ token }))).toThrow(/not in a known format/);
    expect(() => decryptJson(key, 'v2.a.b.c')).toThrow(/not in a known format/);
  });
});
