import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from './config';
import { randomBytes } from 'node:crypto';
import { decryptJson, encryptJson, keyId } from './crypto/credentials';
import { KEY_FILE_RECHECK_MS, loadSecrets, writeSecretsFile } from './secrets';
import { demoApp, PUBLIC_DEMO_SECRETS } from './connections/oauth-clients';

const envOf = (e: Record<string, string>) => e as unknown as NodeJS.ProcessEnv;

const dirs: string[] = [];
const tmp = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-secrets-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

const key = 'a1'.repeat(32);

describe('loadSecrets', () => {
  it('refuses to start in production without PATCHBAY_ENCRYPTION_KEY (and writes no key of its own)', () => {
    const env = envOf({ PATCHBAY_MODE: 'production', PATCHBAY_DATA_DIR: tmp(), NEXTAUTH_SECRET: 's'.repeat(32) });
    const cfg = readConfig(env);
    expect(cfg.mode).toBe('production');
    expect(() => loadSecrets(cfg)).toThrow(/Missing required secret\(s\) in production mode: PATCHBAY_ENCRYPTION_KEY\b/);
    const file = path.join(cfg.dataDir, 'secrets.json');
    if (fs.existsSync(file)) expect(JSON.parse(fs.readFileSync(file, 'utf8')).encryptionKey).toBeUndefined();
  });

  it('names every missing production secret at once', () => {
    const env = envOf({ PATCHBAY_MODE: 'production', PATCHBAY_DATA_DIR: tmp() });
    expect(() => loadSecrets(readConfig(env))).toThrow(/PATCHBAY_ENCRYPTION_KEY, NEXTAUTH_SECRET/);
  });

  it('takes the production key from the environment (hex or base64) and never stores it', () => {
    const dir = tmp();
    const env = envOf({ PATCHBAY_MODE: 'production', PATCHBAY_DATA_DIR: dir, PATCHBAY_ENCRYPTION_KEY: key, NEXTAUTH_SECRET: 'auth-secret' });
    const s = loadSecrets(readConfig(env));
    expect(s.encryptionKey.toString('hex')).toBe(key);
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).not.toContain(key);
    const b64 = envOf({ ...env, PATCHBAY_ENCRYPTION_KEY: Buffer.from(key, 'hex').toString('base64') });
    expect(loadSecrets(readConfig(b64)).encryptionKey.toString('hex')).toBe(key);
  });

  it('rejects a key that is not 32 bytes', () => {
    const env = envOf({ PATCHBAY_MODE: 'production', PATCHBAY_DATA_DIR: tmp(), PATCHBAY_ENCRYPTION_KEY: 'abcd', NEXTAUTH_SECRET: 'x' });
    expect(() => loadSecrets(readConfig(env))).toThrow(/PATCHBAY_ENCRYPTION_KEY must be 32 bytes/);
  });

  it('in demo mode generates a key, keeps it (0600) in the data folder, and reuses it on restart', () => {
    const dir = tmp();
    const env = envOf({ PATCHBAY_DATA_DIR: dir });
    const cfg = readConfig(env);
    expect(cfg.mode).toBe('demo');
    const first = loadSecrets(cfg);
    expect(first.encryptionKey).toHaveLength(32);
    const file = path.join(dir, 'secrets.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).encryptionKey).toBe(first.encryptionKey.toString('hex'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecrets(cfg).encryptionKey.equals(first.encryptionKey)).toBe(true);
    // Another data folder is another install: another key.
    const other = tmp();
    expect(loadSecrets(readConfig(envOf({ PATCHBAY_DATA_DIR: other }))).encryptionKey.equals(first.encryptionKey)).toBe(false);
  });

  it('generates the demo OAuth apps\' secrets per installation, kept in the data folder (0600)', () => {
    const a = tmp(), b = tmp();
    loadSecrets(readConfig(envOf({ PATCHBAY_DATA_DIR: a })));
    loadSecrets(readConfig(envOf({ PATCHBAY_DATA_DIR: b })));
    const file = path.join(a, 'demo-apps.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const sa = demoApp('hubspot', a)!.clientSecret;
    expect(sa).toBe(JSON.parse(fs.readFileSync(file, 'utf8')).hubspot);
    expect(sa).not.toBe(demoApp('hubspot', b)!.clientSecret);
    expect(PUBLIC_DEMO_SECRETS).not.toContain(sa);
    expect(sa.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses to start in production with a demo app secret: a public one, or the installation\'s own', () => {
    const dir = tmp();
    loadSecrets(readConfig(envOf({ PATCHBAY_DATA_DIR: dir })));
    const prod = { PATCHBAY_MODE: 'production', PATCHBAY_DATA_DIR: dir, PATCHBAY_ENCRYPTION_KEY: key, NEXTAUTH_SECRET: 's'.repeat(32) };
    const withSecret = (v: string) => envOf({ ...prod, PATCHBAY_HUBSPOT_CLIENT_ID: 'real-app', PATCHBAY_HUBSPOT_CLIENT_SECRET: v });
    expect(() => loadSecrets(readConfig(withSecret('patchbay-demo-hubspot-secret')))).toThrow(/PATCHBAY_HUBSPOT_CLIENT_SECRET holds a demo secret/);
    const own = demoApp('salesforce', dir)!.clientSecret;
    expect(() => loadSecrets(readConfig(withSecret(own)))).toThrow(/PATCHBAY_HUBSPOT_CLIENT_SECRET holds a demo secret/);
    expect(() => loadSecrets(readConfig(withSecret('a-real-hubspot-app-secret')))).not.toThrow();
  });

  it('holds PATCHBAY_ENCRYPTION_KEY_PREVIOUS for reading only', () => {
    const old = 'b2'.repeat(32);
    const env = envOf({ PATCHBAY_MODE: 'production', PATCHBAY_DATA_DIR: tmp(), PATCHBAY_ENCRYPTION_KEY: key, PATCHBAY_ENCRYPTION_KEY_PREVIOUS: old, NEXTAUTH_SECRET: 'auth-secret' });
    const { encryptionKeys } = loadSecrets(readConfig(env));
    expect(encryptionKeys.current().toString('hex')).toBe(key);
    expect(encryptionKeys.readable().map((k) => k.toString('hex'))).toEqual([key, old]);
    expect(decryptJson(encryptionKeys, encryptJson(Buffer.from(old, 'hex'), { a: 1 }))).toEqual({ a: 1 });
  });

  it('demo mode: takes the keys rotate-key writes into secrets.json without a restart', async () => {
    const dir = tmp();
    const { encryptionKey: old, encryptionKeys } = loadSecrets(readConfig(envOf({ PATCHBAY_DATA_DIR: dir })));
    const file = path.join(dir, 'secrets.json');
    const next = randomBytes(32);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    writeSecretsFile(file, { ...stored, encryptionKey: next.toString('hex'), previousEncryptionKey: old.toString('hex') });
    const end = Date.now() + 10 * KEY_FILE_RECHECK_MS;
    while (!encryptionKeys.current().equals(next) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(keyId(encryptionKeys.current())).toBe(keyId(next));
    expect(decryptJson(encryptionKeys, encryptJson(old, { a: 1 }))).toEqual({ a: 1 });
    writeSecretsFile(file, { ...stored, encryptionKey: next.toString('hex') });
    const end2 = Date.now() + 10 * KEY_FILE_RECHECK_MS;
    while (encryptionKeys.readable().length > 1 && Date.now() < end2) await new Promise((r) => setTimeout(r, 50));
    expect(encryptionKeys.readable()).toEqual([next]);
    expect(() => decryptJson(encryptionKeys, encryptJson(old, { a: 1 }))).toThrow(/cannot be decrypted/);
  });
});
