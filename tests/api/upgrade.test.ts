// Upgrades: a database made by the previous release (tests/fixtures/release-0d9f9c2: flows, runs, CDP, a
// connection, sync state, at that release's schema) is brought to this version's schema, and everything in it still
// answers through this version's API.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { decryptJson } from '@/lib/crypto/credentials';
import { startServer, type StartedServer } from './server-process';

const fixture = path.join(process.cwd(), 'tests', 'fixtures', 'release-0d9f9c2');
const running: StartedServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of running) await s.stop().catch(() => {});
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe.skipIf(inject('dbKind') !== 'embedded')('upgrade from the previous release', () => {
  it('its database, with data, migrates to this version and everything still answers', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-upgrade-'));
    dirs.push(dir);
    for (const f of ['secrets.json', 'demo.json']) fs.copyFileSync(path.join(fixture, f), path.join(dir, f));
    // The restore loads it at the release's schema (0010), then runs this version's migrations: the upgrade.
    const r = spawnSync(process.execPath, ['bin/patchbay.mjs', 'restore', path.join(fixture, 'data.backup')], { env: { ...process.env, PATCHBAY_DATA_DIR: dir }, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/Restored .*: 26 tables/);
    expect(r.status).toBe(0);

    const key = 'pb_prev_release_fixture';
    const s = await startServer({ dbKind: 'embedded', dataDir: dir, env: { PATCHBAY_DEMO_API_KEY: key } });
    running.push(s);
    const call = async (p: string, body?: unknown) => {
      const res = await fetch(s.baseUrl + p, { method: body ? 'POST' : 'GET', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: await res.json() };
    };
    // The demo CDP and the contacts the old version synced from HubSpot.
    expect((await call('/api/v1/customers/demo/automations/caller_lookup', { phone: '(415) 704-0007' })).body.contact.displayName).toBe('Barbara Lovelace');
    const synced = await call('/api/v1/customers/demo/automations/caller_lookup', { phone: '+12022000000' });
    expect(synced.body).toMatchObject({ found: true, contact: { source: 'hubspot', firstName: 'Ada', lastName: 'Lovelace' } });

    const sql = postgres(s.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const journal = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'drizzle', 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
      const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(n).toBe(journal.entries.length);
      // An old run reads back through this version's runs API.
      const [old] = await sql<{ id: string }[]>`select id from runs where automation = 'caller_lookup' order by started_at limit 1`;
      const run = await call(`/api/v1/runs/${old.id}`);
      expect(run.status).toBe(200);
      expect(run.body.status).toBe('succeeded');
      // The connection still decrypts with the installation's key; the sync's state and history are there.
      const secrets = JSON.parse(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')) as { encryptionKey: string };
      const [conn] = await sql<{ credentials_enc: string }[]>`select credentials_enc from connections where system = 'hubspot'`;
      expect(decryptJson(Buffer.from(secrets.encryptionKey, 'hex'), conn.credentials_enc)).toEqual({ token: 'hs-prev' });
      const syncs = await sql<{ status: string; read: number }[]>`select status, read from sync_runs`;
      expect(syncs).toContainEqual({ status: 'succeeded', read: 170 }); // (the restored schedule may already have queued the next run)
    } finally {
      await sql.end();
    }
    expect((await fetch(`${s.baseUrl}/api/v1/ready`)).status).toBe(200);
  }, 180_000);
});
