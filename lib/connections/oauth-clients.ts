// Which OAuth app Patchbay signs customers in with, per connector: PATCHBAY_<SYSTEM>_CLIENT_ID and
// PATCHBAY_<SYSTEM>_CLIENT_SECRET from the environment, or in demo mode the installation's demo app, which
// `npm run emulator` (same data folder) registers too, so "Connect with OAuth" works against a local emulator
// out of the box. A demo app's client secret is generated per installation and kept in the data folder
// (`demo-apps.json`, 0600): it also signs HubSpot's deletion webhooks, so a public constant would let anyone
// forge them.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { catalog } from '@/engine/connectors';

/** The environment variables read here (process.env, or a plain object in tests). */
export type Env = Record<string, string | undefined>;

export interface OAuthClient { clientId: string; clientSecret: string; demo: boolean }

/**
 * The demo OAuth apps and the ports the README's emulator commands use, as each connector declares them. Their
 * client ids are public; the secret a connector declares is public too and never used: demoApp gives the
 * installation's own.
 */
export const DEMO_EMULATORS: Record<string, { port: number; clientId: string; clientSecret: string }> = Object.fromEntries(
  Object.values(catalog).flatMap(({ connector: c }) => (c.emulator?.demo.oauthClient ? [[c.id, { port: c.emulator.demo.port, ...c.emulator.demo.oauthClient }]] : [])),
);

/** The demo apps' client secrets when they were public constants (before 2026-11): never a valid secret. */
export const PUBLIC_DEMO_SECRETS: readonly string[] = [...new Set([
  ...Object.keys(DEMO_EMULATORS).map((s) => `patchbay-demo-${s}-secret`),
  ...Object.values(DEMO_EMULATORS).map((d) => d.clientSecret),
])];

export interface DemoApp { port: number; clientId: string; clientSecret: string }

/** The data folder a process uses (as lib/config reads it). */
export const dataDirOf = (env: Env = process.env) => path.resolve(env.PATCHBAY_DATA_DIR ?? path.join(process.cwd(), 'data'));
const demoAppsFile = (dataDir: string) => path.join(dataDir, 'demo-apps.json');
const loaded = new Map<string, Record<string, string>>();

/**
 * The installation's demo app secrets (one per system), created on first use. Created with O_EXCL, so
 * processes starting at once (server, emulator) all end up with the first one's secrets.
 */
export function demoAppSecrets(dataDir: string): Record<string, string> {
  const file = demoAppsFile(dataDir);
  const cached = loaded.get(file);
  if (cached) return cached;
  let secrets: Record<string, string> | null = null;
  if (!fs.existsSync(file)) {
    const fresh = Object.fromEntries(Object.keys(DEMO_EMULATORS).map((s) => [s, `pbdemo_${randomBytes(24).toString('base64url')}`]));
    fs.mkdirSync(dataDir, { recursive: true });
    try { fs.writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600, flag: 'wx' }); secrets = fresh; } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
  }
  if (!secrets) {
    // Another process may be between creating and writing it: wait for content.
    for (let i = 0; ; i++) {
      try { secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>; break; } catch (e) { if (i > 50) throw e; Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); }
    }
  }
  // A connector added since the file was written gets its secret now.
  const missing = Object.keys(DEMO_EMULATORS).filter((k) => !secrets![k]);
  if (missing.length) {
    for (const k of missing) secrets[k] = `pbdemo_${randomBytes(24).toString('base64url')}`;
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  loaded.set(file, secrets);
  return secrets;
}

/** The demo app of `system` in the installation whose data folder is `dataDir`. */
export function demoApp(system: string, dataDir: string): DemoApp | null {
  const d = DEMO_EMULATORS[system];
  const secret = d ? demoAppSecrets(dataDir)[system] : undefined;
  return d && secret ? { port: d.port, clientId: d.clientId, clientSecret: secret } : null;
}

const envName = (system: string, part: 'CLIENT_ID' | 'CLIENT_SECRET') => `PATCHBAY_${system.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${part}`;

export function oauthClientFor(system: string, env: Env = process.env): OAuthClient | null {
  const clientId = env[envName(system, 'CLIENT_ID')];
  const clientSecret = env[envName(system, 'CLIENT_SECRET')];
  if (clientId && clientSecret) return { clientId, clientSecret, demo: false };
  if (env.PATCHBAY_MODE === 'production' || !DEMO_EMULATORS[system]) return null;
  const demo = demoApp(system, dataDirOf(env))!;
  return { clientId: demo.clientId, clientSecret: demo.clientSecret, demo: true };
}

/** What the portal offers as the base URL: the local emulator in demo mode, the real service otherwise. */
export function suggestedBaseUrl(system: string, defaultBaseUrl: string, env: Env = process.env): string {
  // Every emulator's demo port, not only those with a demo OAuth app (SugarCRM signs in with a password).
  const port = Object.prototype.hasOwnProperty.call(catalog, system) ? catalog[system].connector.emulator?.demo.port : undefined;
  return env.PATCHBAY_MODE !== 'production' && port ? `http://127.0.0.1:${port}` : defaultBaseUrl;
}

export function oauthEnvNames(system: string): [string, string] {
  return [envName(system, 'CLIENT_ID'), envName(system, 'CLIENT_SECRET')];
}

/**
 * Production refuses a demo app's secret as a real app's client secret: a public constant of older releases,
 * or the installation's own demo secret (known to the local emulators). Returns the offending variables.
 */
export function demoSecretsInUse(env: Env, dataDir: string): string[] {
  const installation = fs.existsSync(demoAppsFile(dataDir)) ? Object.values(demoAppSecrets(dataDir)) : [];
  const bad = new Set([...PUBLIC_DEMO_SECRETS, ...installation]);
  return Object.keys(env).filter((k) => /^PATCHBAY_[A-Z0-9_]+_CLIENT_SECRET$/.test(k) && bad.has(env[k] ?? ''));
}
