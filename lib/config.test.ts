// The configuration: every variable with a wrong value stops the start with its name in the message, the
// README's table lists exactly the variables read, and a real start with a wrong value exits naming it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledEntry } from '@/tests/api/server-process';
import { CONFIG_VARIABLES, ConfigError, readConfig, VARIABLES } from './config';

/** A wrong value for every variable; the test fails when a variable is added without one. */
const BAD: Record<keyof typeof VARIABLES, string> = {
  PORT: '80a',
  HOST: 'not a host!',
  DATABASE_URL: 'mysql://localhost/db',
  PATCHBAY_DATA_DIR: 'data\nx',
  PATCHBAY_MODE: 'prod',
  PATCHBAY_ENCRYPTION_KEY: 'abcd',
  PATCHBAY_ENCRYPTION_KEY_PREVIOUS: 'c2hvcnQ=',
  NEXTAUTH_SECRET: 'short',
  NEXTAUTH_URL: 'localhost:3000',
  PATCHBAY_DEMO_API_KEY: 'pb x',
  PATCHBAY_DEMO_CONTACTS: '-5',
  PATCHBAY_SEED_DEMO: 'yes',
  PATCHBAY_FLOW_TIMEOUT_MS: '5s',
  PATCHBAY_ALLOW_PRIVATE_HOSTS: 'true',
  PATCHBAY_WORKER: 'off',
  PATCHBAY_ROLE: 'web',
  PATCHBAY_API_PROCESSES: '0',
  PATCHBAY_NO_UI: '2',
  PATCHBAY_SYNC_LEASE_MS: '100',
  PATCHBAY_RUN_LEASE_MS: '1 min',
  PATCHBAY_RUN_RETENTION_DAYS: 'forever',
  PATCHBAY_RUN_MAX_MB: '10GB',
  PATCHBAY_RUN_MIN_AGE_HOURS: '-1',
  PATCHBAY_DISK_WARN_PERCENT: '100',
  PATCHBAY_METRICS_TOKEN: 'short',
  PATCHBAY_METRICS_LISTEN: '0.0.0.0:9464',
  PATCHBAY_LOG_FORMAT: 'xml',
  PATCHBAY_LOOKUP_CONNECTIONS: '0',
  PATCHBAY_LOOKUP_CACHE: 'cached',
  PATCHBAY_DB_POOL: 'ten',
  PATCHBAY_AUTOMATION_CACHE_MS: '1.5',
  PATCHBAY_EMBEDDED_DB_PORT: '70000',
  PATCHBAY_EMBEDDED_DB_PASSWORD: 'pw',
  PATCHBAY_DEBUG: 'verbose',
  PATCHBAY_DEBUG_DB: 'yes please',
  PATCHBAY_TRUST_PROXY: 'on',
  PATCHBAY_CONNECTION_DEADLINE_MS: '10 s',
};

describe('readConfig', () => {
  it('has defaults for everything', () => {
    const cfg = readConfig({});
    expect(cfg).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: null, mode: 'demo', flowTimeoutMs: 5000, seedDemo: true, runWorker: true, allowPrivateHosts: true, ui: true, syncLeaseMs: 60_000, runRetentionDays: 30, dbPool: 10 });
    expect(readConfig({ PATCHBAY_MODE: 'production', PORT: '', PATCHBAY_WORKER: '0' })).toMatchObject({ mode: 'production', port: 3000, seedDemo: false, allowPrivateHosts: false, runWorker: false });
    expect(readConfig({})).toMatchObject({ role: 'all', apiProcesses: 1, runWorker: true });
    expect(readConfig({ PATCHBAY_ROLE: 'api', PATCHBAY_API_PROCESSES: '4' })).toMatchObject({ role: 'api', apiProcesses: 4, runWorker: false });
    expect(readConfig({ PATCHBAY_ROLE: 'worker' })).toMatchObject({ role: 'worker', runWorker: true });
  });

  for (const [name, bad] of Object.entries(BAD)) {
    it(`stops on a wrong ${name}, naming it and what it expects`, () => {
      let err: unknown;
      try { readConfig({ [name]: bad }); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.name)).toEqual([name]);
      expect((err as Error).message).toMatch(new RegExp(`${name} must `));
    });
  }

  it('has a wrong value for every variable in this test', () => {
    expect(Object.keys(BAD).sort()).toEqual(Object.keys(VARIABLES).sort());
  });

  it('names every wrong variable at once, and an OAuth app missing half its pair', () => {
    const err = (() => { try { readConfig({ PORT: 'x', PATCHBAY_MODE: 'y', PATCHBAY_HUBSPOT_CLIENT_ID: 'id' }); } catch (e) { return e as ConfigError; } })();
    expect(err!.problems.map((p) => p.name).sort()).toEqual(['PATCHBAY_HUBSPOT_CLIENT_SECRET', 'PATCHBAY_MODE', 'PORT']);
    expect(readConfig({ PATCHBAY_HUBSPOT_CLIENT_ID: 'id', PATCHBAY_HUBSPOT_CLIENT_SECRET: 'sec' }).oauthApps).toEqual({ hubspot: { clientId: 'id', clientSecret: 'sec' } });
  });
});

describe('the README configuration table', () => {
  it('lists exactly the variables lib/config.ts reads', () => {
    const readme = fs.readFileSync(path.resolve('README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    const names = section.split('\n').filter((l) => /^\| `/.test(l)).flatMap((l) => [...l.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    expect(names.length).toBeGreaterThan(20);
    expect([...names].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});

describe('a start with a wrong value', () => {
  it('stops the server and the worker before doing anything, naming the variable', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-config-'));
    try {
      for (const [entry, name, value] of [['server', 'PATCHBAY_FLOW_TIMEOUT_MS', '5s'], ['worker', 'PATCHBAY_WORKER', 'off']] as const) {
        const r = spawnSync(process.execPath, [await bundledEntry(entry)], { env: { ...process.env, PATCHBAY_DATA_DIR: dataDir, DATABASE_URL: '', [name]: value }, encoding: 'utf8', timeout: 30_000 });
        expect(r.status, r.stdout + r.stderr).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`failed to start: Invalid configuration: ${name} must `));
        expect(fs.existsSync(path.join(dataDir, 'postgres'))).toBe(false);
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
