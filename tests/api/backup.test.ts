// Backup and restore (`npx patchbay backup FILE`, `npx patchbay restore FILE`): a backup taken while the app
// answers lookups, restored into a fresh embedded database, holds flows, runs, CDP, connections (still decrypting
// with the installation's key) and queued jobs exactly as they were at the backup's moment.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { decryptJson } from '@/lib/crypto/credentials';
import { saveConnection } from '@/lib/engine-host/connections';
import { startServer, type StartedServer } from './server-process';

const running: StartedServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of running) await s.stop().catch(() => {});
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/patchbay.mjs', ...args], { env: { ...process.env, ...env } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (status) => resolve({ status, out }));
  });
}

/** One fingerprint per table: the md5 of its rows in a stable order. */
async function fingerprints(sql: postgres.Sql, tables: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tables) {
    const [r] = await sql.unsafe(`select count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ${t} x`);
    out[t] = `${r.n}:${r.h}`;
  }
  return out;
}

const STABLE = ['vendors', 'customers', 'staff_users', 'flows', 'flow_versions', 'integrations', 'connections', 'cdp_contacts', 'sync_states'];

// Brings its own servers and data folders; runs in the embedded pass only.
describe.skipIf(inject('dbKind') !== 'embedded')('backup and restore', () => {
  it('a backup taken under load restores into a fresh embedded database with everything in it', async () => {
    const a = await startServer({ dbKind: 'embedded' });
    running.push(a);
    const secrets = JSON.parse(fs.readFileSync(path.join(a.dataDir, 'secrets.json'), 'utf8')) as { encryptionKey: string };
    const key = Buffer.from(secrets.encryptionKey, 'hex');
    const sqlA = postgres(a.databaseUrl, { max: 2, onnotice: () => {} });
    const [c] = await sqlA<{ id: string }[]>`select id from customers where external_id = 'demo'`;
    await saveConnection(sqlA, key, { customerId: c.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: 'https://api.hubapi.com', credentials: { token: 'pat-na1-backup-test' } });
    const lookup = (base: string, apiKey: string) => fetch(`${base}/api/v1/customers/demo/automations/caller_lookup`, {
      method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ phone: '+14157040007' }),
    });

    // Lookups keep arriving while the backup runs.
    let loading = true;
    let answered = 0;
    const load = Promise.all(Array.from({ length: 4 }, async () => {
      while (loading) { const r = await lookup(a.baseUrl, a.apiKey); if (r.status === 200) answered++; await r.arrayBuffer(); }
    }));
    while (answered < 20) await new Promise((r) => setTimeout(r, 50));
    const file = path.join(a.dataDir, 'nightly.patchbay-backup');
    const backup = await cli(['backup', file], { PATCHBAY_DATA_DIR: a.dataDir });
    loading = false;
    await load;
    expect(backup.out).toMatch(/Backup written to .*nightly\.patchbay-backup: \d+ tables, \d+ rows/);
    expect(backup.status).toBe(0);
    expect(answered).toBeGreaterThan(20);
    const backedUpRuns = Number(/public\.runs\s+(\d+) rows/.exec(backup.out)?.[1]);
    expect(backedUpRuns).toBeGreaterThan(0);
    const before = await fingerprints(sqlA, STABLE);
    const [{ schedules }] = await sqlA<{ schedules: number }[]>`select count(*)::int as schedules from pgboss.schedule`;
    // The run recorder writes every 50 ms: once the count holds still, every run of the snapshot is in A's database.
    let count = -1;
    for (;;) {
      const [{ n }] = await sqlA<{ n: number }[]>`select count(*)::int as n from runs`;
      if (n === count) break;
      count = n;
      await new Promise((r) => setTimeout(r, 500));
    }
    const runsOfA = new Map((await sqlA<{ id: string; h: string }[]>`select id, md5(r::text) as h from runs r`).map((r) => [r.id, r.h]));
    await sqlA.end();
    await a.stop();

    // A new machine: the same secrets (they are never in a backup), an empty data folder.
    const b = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-restore-'));
    dirs.push(b);
    fs.copyFileSync(path.join(a.dataDir, 'secrets.json'), path.join(b, 'secrets.json'));
    fs.copyFileSync(path.join(a.dataDir, 'demo.json'), path.join(b, 'demo.json'));
    const restore = await cli(['restore', file], { PATCHBAY_DATA_DIR: b });
    expect(restore.out).toMatch(/Restored .*: \d+ tables, \d+ rows/);
    expect(restore.status).toBe(0);

    const s = await startServer({ dbKind: 'embedded', dataDir: b, env: { PATCHBAY_DEMO_API_KEY: a.apiKey } });
    running.push(s);
    const sqlB = postgres(s.databaseUrl, { max: 2, onnotice: () => {} });
    try {
      expect(await fingerprints(sqlB, STABLE)).toEqual(before);
      // Every run of the snapshot, byte for byte, and the restored key answers.
      const runsB = await sqlB<{ id: string; h: string }[]>`select id, md5(r::text) as h from runs r`;
      expect(runsB.length).toBe(backedUpRuns);
      for (const r of runsB) expect(runsOfA.get(r.id)).toBe(r.h);
      const res = await lookup(s.baseUrl, a.apiKey);
      expect(res.status).toBe(200);
      expect((await res.json()).contact.displayName).toBe('Barbara Lovelace');
      const [conn] = await sqlB<{ credentials_enc: string }[]>`select credentials_enc from connections where customer_id = ${c.id} and system = 'hubspot'`;
      expect(decryptJson(key, conn.credentials_enc)).toEqual({ token: 'pat-na1-backup-test' });
      const [{ schedules: restoredSchedules }] = await sqlB<{ schedules: number }[]>`select count(*)::int as schedules from pgboss.schedule`;
      expect(restoredSchedules).toBe(schedules);
      // Restoring over data is refused, not merged.
      await s.stop();
      const again = await cli(['restore', file], { PATCHBAY_DATA_DIR: b });
      expect(again.status).toBe(1);
      expect(again.out).toMatch(/not empty/);
    } finally {
      await sqlB.end();
    }
  }, 240_000);
});
