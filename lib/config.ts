// Every environment variable Patchbay reads, declared once with its zod schema, default and meaning, read and
// validated once at start (lib/boot.ts): a wrong value stops the start with a message naming the variable and
// what it expects. The README's configuration table lists exactly these (lib/config.test.ts compares them).
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** An empty value is the same as an unset one. */
const unsetIfEmpty = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());
const whole = (min: number, max: number) => z.string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const flag = z.enum(['0', '1'], { error: 'must be 0 or 1' }).transform((v) => v === '1');
const httpUrl = z.string().refine((v) => { try { return /^https?:$/.test(new URL(v).protocol); } catch { return false; } }, 'must be an http(s) URL such as https://patchbay.example.com');

/** 32 bytes as 64 hex characters or base64 (AES-256-GCM). */
export function decodeKey(value: string): Buffer | null {
  const buf = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  return buf.length === 32 ? buf : null;
}

/** Name → schema of its raw value (undefined when unset). */
export const VARIABLES = {
  PORT: whole(0, 65535),
  HOST: z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address to listen on'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL'),
  PATCHBAY_DATA_DIR: z.string().refine((p) => !/[\n\r\0]/.test(p), 'must be a folder path'),
  PATCHBAY_MODE: z.enum(['demo', 'production'], { error: 'must be demo or production' }),
  PATCHBAY_ENCRYPTION_KEY: z.string().refine((v) => decodeKey(v) !== null, 'must be 32 bytes, as 64 hex characters or base64'),
  PATCHBAY_ENCRYPTION_KEY_PREVIOUS: z.string().refine((v) => decodeKey(v) !== null, 'must be 32 bytes, as 64 hex characters or base64'),
  NEXTAUTH_SECRET: z.string().min(8, 'must be at least 8 characters (use 32 random bytes)'),
  NEXTAUTH_URL: httpUrl,
  PATCHBAY_DEMO_API_KEY: z.string().min(8, 'must be at least 8 characters').max(200, 'must be at most 200 characters').regex(/^\S+$/, 'must not contain spaces'),
  PATCHBAY_DEMO_CONTACTS: whole(0, 10_000_000),
  PATCHBAY_SEED_DEMO: flag,
  PATCHBAY_FLOW_TIMEOUT_MS: whole(10, 600_000),
  PATCHBAY_ALLOW_PRIVATE_HOSTS: flag,
  PATCHBAY_WORKER: flag,
  PATCHBAY_ROLE: z.enum(['all', 'api', 'worker'], { error: 'must be all, api or worker' }),
  PATCHBAY_API_PROCESSES: whole(1, 256),
  PATCHBAY_NO_UI: flag,
  PATCHBAY_SYNC_LEASE_MS: whole(500, 86_400_000),
  PATCHBAY_RUN_LEASE_MS: whole(500, 86_400_000),
  PATCHBAY_RUN_RETENTION_DAYS: z.string().regex(/^\d+(\.\d+)?$/, 'must be a number of days (0 keeps runs forever)').transform(Number),
  PATCHBAY_LOOKUP_CONNECTIONS: whole(1, 64),
  PATCHBAY_LOOKUP_CACHE: flag,
  PATCHBAY_DB_POOL: whole(1, 1000),
  PATCHBAY_AUTOMATION_CACHE_MS: whole(0, 3_600_000),
  PATCHBAY_EMBEDDED_DB_PORT: whole(1, 65535),
  PATCHBAY_EMBEDDED_DB_PASSWORD: z.string().min(8, 'must be at least 8 characters'),
  PATCHBAY_DEBUG: flag,
  PATCHBAY_DEBUG_DB: flag,
  PATCHBAY_TRUST_PROXY: flag,
  PATCHBAY_CONNECTION_DEADLINE_MS: whole(100, 600_000),
  PATCHBAY_RUN_MAX_MB: whole(0, 100_000_000),
  PATCHBAY_RUN_MIN_AGE_HOURS: z.string().regex(/^\d+(\.\d+)?$/, 'must be a number of hours').transform(Number),
  PATCHBAY_DISK_WARN_PERCENT: whole(0, 99),
  PATCHBAY_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (use 32 random bytes)').regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  PATCHBAY_METRICS_LISTEN: z.string().refine((v) => privateListen(v) !== null, 'must be host:port on a loopback or private address, e.g. 127.0.0.1:9464 or 10.0.0.5:9464'),
  PATCHBAY_LOG_FORMAT: z.enum(['text', 'json'], { error: 'must be text or json' }),
} as const;

/** host:port of a private listener (/metrics without a token): loopback, RFC 1918, IPv6 unique-local or loopback. */
export function privateListen(v: string): { host: string; port: number } | null {
  const m = /^\[?([0-9A-Fa-f:.]+)\]?:(\d{1,5})$/.exec(v);
  if (!m) return null;
  const host = m[1], port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host)?.slice(1).map(Number);
  if (v4) {
    if (v4.some((n) => n > 255)) return null;
    const [a, b] = v4;
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ? { host, port } : null;
  }
  const h = host.toLowerCase();
  return h === '::1' || /^f[cd][0-9a-f]{2}:/.test(h) ? { host, port } : null;
}

export type VariableName = keyof typeof VARIABLES;

/** The OAuth apps, one pair per connector that connects with OAuth: PATCHBAY_HUBSPOT_CLIENT_ID … */
export const OAUTH_VARIABLE = /^PATCHBAY_([A-Z0-9]+)_CLIENT_(ID|SECRET)$/;
/** As the README's table names them. */
export const CONFIG_VARIABLES: readonly string[] = [...Object.keys(VARIABLES), 'PATCHBAY_<SYSTEM>_CLIENT_ID', 'PATCHBAY_<SYSTEM>_CLIENT_SECRET'];

export class ConfigError extends Error {
  constructor(readonly problems: { name: string; message: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.name} ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** One variable, parsed (undefined when unset or empty); throws ConfigError naming it when its value is wrong. */
export function envValue<N extends VariableName>(name: N, env: Env = process.env): z.output<(typeof VARIABLES)[N]> | undefined {
  const r = unsetIfEmpty(VARIABLES[name]).safeParse(env[name]);
  if (!r.success) throw new ConfigError([{ name, message: `${r.error.issues[0].message} (got "${String(env[name]).slice(0, 60)}")` }]);
  return r.data as z.output<(typeof VARIABLES)[N]> | undefined;
}

export interface PatchbayConfig {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  /** production: secrets must come from the environment; demo: generated ones are kept in the data folder. */
  mode: 'production' | 'demo';
  flowTimeoutMs: number;
  demoApiKey: string | null;
  seedDemo: boolean;
  demoContacts: number;
  /** all: HTTP and the job worker; api: HTTP only; worker: the job worker only (no HTTP). */
  role: 'all' | 'api' | 'worker';
  /** HTTP processes `npm start` runs on this machine (node:cluster, sharing the port); 1: the process itself. */
  apiProcesses: number;
  runWorker: boolean;
  allowPrivateHosts: boolean;
  ui: boolean;
  syncLeaseMs: number;
  /** How long a background run stays its worker's without a heartbeat before another worker takes it over. */
  runLeaseMs: number;
  runRetentionDays: number;
  lookupConnections: number;
  /** Caller lookups answered from the process's coherent cache (lib/cdp/phone-cache.ts). */
  lookupCache: boolean;
  dbPool: number;
  automationCacheMs: number;
  embeddedDbPort: number;
  debug: boolean;
  debugDb: boolean;
  /** Sign-in throttling takes the client address from X-Forwarded-For (behind the operator's own proxy only). */
  trustProxy: boolean;
  /** How long "Test connection" and the OAuth code exchange wait for the other system. */
  connectionDeadlineMs: number;
  /** Size budget of the detailed run records in MB (0: no size limit); the oldest are pruned first. */
  runMaxMb: number;
  /** The size budget never prunes runs younger than this (hours). */
  runMinAgeHours: number;
  /** Warn (staff app, log) when the data folder's disk has less than this share free (percent; 0: never). */
  diskWarnPercent: number;
  /** Bearer token that opens GET /metrics on the main server; null: /metrics only on metricsListen (if set). */
  metricsToken: string | null;
  /** A private host:port serving /metrics without a token. */
  metricsListen: { host: string; port: number } | null;
  logFormat: 'text' | 'json';
  /** Raw secret values from the environment (lib/secrets.ts generates the missing ones in demo mode). */
  secrets: { encryptionKey: string | null; previousEncryptionKey: string | null; authSecret: string | null; embeddedDbPassword: string | null };
  nextauthUrl: string | null;
  /** OAuth apps from PATCHBAY_<SYSTEM>_CLIENT_ID / _SECRET, by lower-case system id. */
  oauthApps: Record<string, { clientId: string; clientSecret: string }>;
}

/** Reads and checks every variable; every wrong one is named in the one error. */
export function readConfig(env: Env = process.env): PatchbayConfig {
  const problems: { name: string; message: string }[] = [];
  const get = <N extends VariableName>(name: N) => {
    try { return envValue(name, env); } catch (err) { problems.push(...(err as ConfigError).problems); return undefined; }
  };
  const mode = get('PATCHBAY_MODE') ?? 'demo';
  const role = get('PATCHBAY_ROLE') ?? 'all';
  const demo = mode === 'demo';
  const oauthApps: PatchbayConfig['oauthApps'] = {};
  for (const [name, value] of Object.entries(env)) {
    const m = OAUTH_VARIABLE.exec(name);
    if (!m || !value) continue;
    const other = `PATCHBAY_${m[1]}_CLIENT_${m[2] === 'ID' ? 'SECRET' : 'ID'}`;
    if (!env[other]) { problems.push({ name: other, message: `must be set too: ${name} is set (an OAuth app needs both)` }); continue; }
    if (/\s/.test(value) || value.length > 500) { problems.push({ name, message: 'must be up to 500 characters without spaces' }); continue; }
    const app = (oauthApps[m[1].toLowerCase()] ??= { clientId: '', clientSecret: '' });
    if (m[2] === 'ID') app.clientId = value; else app.clientSecret = value;
  }
  const cfg: PatchbayConfig = {
    port: get('PORT') ?? 3000,
    host: get('HOST') ?? '127.0.0.1',
    databaseUrl: get('DATABASE_URL') ?? null,
    dataDir: path.resolve(get('PATCHBAY_DATA_DIR') ?? path.join(process.cwd(), 'data')),
    mode,
    flowTimeoutMs: get('PATCHBAY_FLOW_TIMEOUT_MS') ?? 5000,
    demoApiKey: get('PATCHBAY_DEMO_API_KEY') ?? null,
    seedDemo: get('PATCHBAY_SEED_DEMO') ?? demo,
    demoContacts: get('PATCHBAY_DEMO_CONTACTS') ?? 5000,
    role,
    apiProcesses: get('PATCHBAY_API_PROCESSES') ?? 1,
    // PATCHBAY_ROLE=api turns the worker off; PATCHBAY_WORKER=0 is the older spelling of the same.
    runWorker: role !== 'api' && (get('PATCHBAY_WORKER') ?? true),
    allowPrivateHosts: get('PATCHBAY_ALLOW_PRIVATE_HOSTS') ?? demo,
    ui: !(get('PATCHBAY_NO_UI') ?? false),
    syncLeaseMs: get('PATCHBAY_SYNC_LEASE_MS') ?? 60_000,
    runLeaseMs: get('PATCHBAY_RUN_LEASE_MS') ?? 60_000,
    runRetentionDays: get('PATCHBAY_RUN_RETENTION_DAYS') ?? 30,
    lookupConnections: get('PATCHBAY_LOOKUP_CONNECTIONS') ?? Math.max(2, Math.min(8, os.availableParallelism())),
    lookupCache: get('PATCHBAY_LOOKUP_CACHE') ?? true,
    dbPool: get('PATCHBAY_DB_POOL') ?? 10,
    automationCacheMs: get('PATCHBAY_AUTOMATION_CACHE_MS') ?? 2000,
    embeddedDbPort: get('PATCHBAY_EMBEDDED_DB_PORT') ?? 54329,
    debug: get('PATCHBAY_DEBUG') ?? false,
    debugDb: get('PATCHBAY_DEBUG_DB') ?? false,
    trustProxy: get('PATCHBAY_TRUST_PROXY') ?? false,
    connectionDeadlineMs: get('PATCHBAY_CONNECTION_DEADLINE_MS') ?? 10_000,
    runMaxMb: get('PATCHBAY_RUN_MAX_MB') ?? 10_240,
    runMinAgeHours: get('PATCHBAY_RUN_MIN_AGE_HOURS') ?? 1,
    diskWarnPercent: get('PATCHBAY_DISK_WARN_PERCENT') ?? 10,
    metricsToken: get('PATCHBAY_METRICS_TOKEN') ?? null,
    metricsListen: ((v) => (v ? privateListen(v) : null))(get('PATCHBAY_METRICS_LISTEN')),
    logFormat: get('PATCHBAY_LOG_FORMAT') ?? 'text',
    secrets: { encryptionKey: get('PATCHBAY_ENCRYPTION_KEY') ?? null, previousEncryptionKey: get('PATCHBAY_ENCRYPTION_KEY_PREVIOUS') ?? null, authSecret: get('NEXTAUTH_SECRET') ?? null, embeddedDbPassword: get('PATCHBAY_EMBEDDED_DB_PASSWORD') ?? null },
    nextauthUrl: get('NEXTAUTH_URL') ?? null,
    oauthApps,
  };
  if (problems.length) throw new ConfigError(problems);
  return cfg;
}

/** Patchbay's public address (NEXTAUTH_URL, set by the server at start): OAuth redirects, signed webhook URLs. */
export function publicBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.NEXTAUTH_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
}
