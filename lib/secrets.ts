// Secrets the process needs. In production they come from the environment and a missing one stops
// start-up; in demo mode generated ones are kept (0600) in the data folder so restarts keep them.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeKey, type PatchbayConfig } from './config';
import { demoAppSecrets, demoSecretsInUse } from './connections/oauth-clients';

export interface Secrets {
  /** 32-byte key for AES-256-GCM credential encryption. */
  encryptionKey: Buffer;
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
  fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  const encryptionKey = decodeKey(enc);
  if (!encryptionKey) throw new Error(`PATCHBAY_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64 (the one in ${file} is not)`);
  return { encryptionKey, authSecret: auth, embeddedDbPassword: dbPass };
}
