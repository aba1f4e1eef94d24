// Secrets the process needs. In production they come from the environment and a missing one stops
// start-up; in demo mode generated ones are kept (0600) in the data folder so restarts keep them.
// The encryption keys: PATCHBAY_ENCRYPTION_KEY (+ PATCHBAY_ENCRYPTION_KEY_PREVIOUS while a rotation runs), fixed for
// the process's life; or, when the environment gives none (demo mode), secrets.json's `encryptionKey` (+
// `previousEncryptionKey`), which `npx patchbay rotate-key` rewrites: running processes notice within
// KEY_FILE_RECHECK_MS and take the new keys, so a demo rotation needs no restart.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeKey, type PatchbayConfig } from './config';
import { keyring, type EncryptionKeys } from './crypto/credentials';
import { demoAppSecrets, demoSecretsInUse } from './connections/oauth-clients';

export interface Secrets {
  /** 32-byte key for AES-256-GCM credential encryption (the current one at start). */
  encryptionKey: Buffer;
  /** The keys credentials are written (current) and read (current, previous) under: what the app uses. */
  encryptionKeys: EncryptionKeys;
  authSecret: string;
  embeddedDbPassword: string;
}

/** The secrets from the checked configuration; in demo mode the missing ones are generated and kept. */
export function loadSecrets(cfg: PatchbayConfig): Secrets {
  const file = path.join(cfg.dataDir, 'secrets.json');
  let stored: Record<string, string> = {};
  if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8'));
  const missing: string[] = [];
  const pick = (envName: string, key: 'encryptionKey' | 'authSecret' | 'embeddedDbPassword', make: () => string): string => {
    const given = cfg.secrets[key];
    if (given) return given;
    if (cfg.mode === 'production' && key !== 'embeddedDbPassword') { missing.push(envName); return ''; }
    if (!stored[key]) stored[key] = make();
    return stored[key];
  };
  const enc = pick('PATCHBAY_ENCRYPTION_KEY', 'encryptionKey', () => randomBytes(32).toString('hex'));
  const auth = pick('NEXTAUTH_SECRET', 'authSecret', () => randomBytes(32).toString('base64url'));
  const dbPass = pick('PATCHBAY_EMBEDDED_DB_PASSWORD', 'embeddedDbPassword', () => randomBytes(18).toString('base64url'));
  if (missing.length) throw new Error(`Missing required secret(s) in production mode: ${missing.join(', ')}. Set them in the environment (see README, Configuration).`);
  if (cfg.mode === 'production') {
    const given = Object.fromEntries(Object.entries(cfg.oauthApps).map(([system, app]) => [`PATCHBAY_${system.toUpperCase()}_CLIENT_SECRET`, app.clientSecret]));
    const demo = demoSecretsInUse(given, cfg.dataDir);
    if (demo.length) throw new Error(`${demo.join(', ')} ${demo.length > 1 ? 'hold demo secrets' : 'holds a demo secret'} (public, or known to the local emulators): production needs the real app's client secret.`);
  } else {
    // Demo mode: the installation's demo OAuth app secrets exist from the first start on (the emulators read them).
    demoAppSecrets(cfg.dataDir);
  }
  fs.mkdirSync(cfg.dataDir, { recursive: true });
  writeSecretsFile(file, stored);
  const encryptionKey = decodeKey(enc);
  if (!encryptionKey) throw new Error(`PATCHBAY_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64 (the one in ${file} is not)`);
  const envPrevious = cfg.secrets.previousEncryptionKey ? decodeKey(cfg.secrets.previousEncryptionKey) : null;
  const encryptionKeys = cfg.secrets.encryptionKey ? keyring(encryptionKey, envPrevious) : fileKeyring(file, envPrevious);
  return { encryptionKey, encryptionKeys, authSecret: auth, embeddedDbPassword: dbPass };
}

/** Replaces secrets.json whole (temporary file, fsync, rename): a reader or a crash never sees half of it. */
export function writeSecretsFile(file: string, content: Record<string, string>): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try { fs.writeSync(fd, JSON.stringify(content, null, 2)); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  fs.renameSync(tmp, file);
}

/** How often at most a process looks whether secrets.json changed (a demo key rotation). */
export const KEY_FILE_RECHECK_MS = 1000;

/** The keys in secrets.json, re-read when the file changes (checked at most every KEY_FILE_RECHECK_MS). */
function fileKeyring(file: string, extraReadable: Buffer | null): EncryptionKeys {
  let keys: { current: Buffer; readable: Buffer[] } | null = null;
  // The file's identity: writeSecretsFile renames a new file into place (a new inode), so two writes within one
  // clock tick of the file system (same mtime) still differ.
  let seen = '';
  let checkedAt = 0;
  const refresh = () => {
    const now = Date.now();
    if (keys && now - checkedAt < KEY_FILE_RECHECK_MS) return keys;
    checkedAt = now;
    try {
      const st = fs.statSync(file);
      const mtime = `${st.ino}:${st.mtimeMs}:${st.size}`;
      if (keys && mtime === seen) return keys;
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string | undefined>;
      const current = stored.encryptionKey ? decodeKey(stored.encryptionKey) : null;
      if (!current) throw new Error(`${file} has no valid encryptionKey`);
      const previous = stored.previousEncryptionKey ? decodeKey(stored.previousEncryptionKey) : null;
      keys = { current, readable: [current, previous, extraReadable].filter((k, i, all): k is Buffer => !!k && all.findIndex((o) => o?.equals(k)) === i) };
      seen = mtime;
    } catch (err) {
      if (!keys) throw err;
      // Keep the keys we have: the file is being replaced or was damaged by hand; the next check tries again.
    }
    return keys;
  };
  return { current: () => refresh().current, readable: () => refresh().readable };
}
