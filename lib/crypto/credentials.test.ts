import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCipheriv } from 'node:crypto';
import { DecryptionError, decryptJson, encryptJson, keyId, keyring, payloadKeyId } from './credentials';

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
    expect(enc).toMatch(/^v2\.[\w-]{11}\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(payloadKeyId(enc)).toBe(keyId(key));
    expect(keyId(key)).not.toContain(key.toString('base64url').slice(0, 6));
  });

  it('uses a fresh IV every time: the same credentials never encrypt to the same text', () => {
    const a = encryptJson(key, { token });
    const b = encryptJson(key, { token });
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('fails loudly with DecryptionError under a wrong key', () => {
    const enc = encryptJson(key, { token });
    const wrong = randomBytes(32);
    expect(() => decryptJson(wrong, enc)).toThrow(DecryptionError);
    expect(() => decryptJson(wrong, enc)).toThrow(/PATCHBAY_ENCRYPTION_KEY is not the key they were encrypted with/);
  });

  it('detects tampering with the ciphertext, the IV or the tag', () => {
    const enc = encryptJson(key, { token });
    const [v, id, iv, tag, data] = enc.split('.');
    const flip = (s: string) => { const b = Buffer.from(s, 'base64url'); b[0] ^= 1; return b.toString('base64url'); };
    for (const bad of [[v, id, iv, tag, flip(data)], [v, id, flip(iv), tag, data], [v, id, iv, flip(tag), data], [v, flip(id), iv, tag, data]]) {
      expect(() => decryptJson(key, bad.join('.'))).toThrow(DecryptionError);
    }
  });

  it('refuses text that is not an encrypted payload', () => {
    expect(() => decryptJson(key, JSON.stringify({ token }))).toThrow(/not in a known format/);
    expect(() => decryptJson(key, 'v2.a.b.c')).toThrow(/not in a known format/);
  });

  describe('key rotation', () => {
    const old = randomBytes(32);
    const next = randomBytes(32);
    /** A payload in the format before key ids (v1.iv.tag.data), as rows written before them hold. */
    const v1 = (k: Buffer, value: unknown) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', k, iv);
      const data = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
      return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    };

    it('writes under the current key and reads under the current or the previous one, by key id', () => {
      const both = keyring(next, old);
      const underOld = encryptJson(old, { token });
      const written = encryptJson(both, { token });
      expect(payloadKeyId(written)).toBe(keyId(next));
      expect(decryptJson(both, underOld)).toEqual({ token });
      expect(decryptJson(both, written)).toEqual({ token });
      expect(() => decryptJson(old, written)).toThrow(DecryptionError);
      expect(() => decryptJson(next, underOld)).toThrow(new RegExp(`need key ${keyId(old)}`));
    });

    it('reads the older v1 format under either key', () => {
      const both = keyring(next, old);
      expect(decryptJson(both, v1(old, { token }))).toEqual({ token });
      expect(decryptJson(both, v1(next, { token }))).toEqual({ token });
      expect(() => decryptJson(next, v1(old, { token }))).toThrow(DecryptionError);
    });
  });
});
