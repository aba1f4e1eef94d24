// Contact sync as processes: real `npm run worker` processes on a scratch database, one killed with SIGKILL
// in the middle of a sync; and the delete webhook on the running server.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { saveConnection } from '@/lib/engine-host/connections';
import { runMigrations } from '@/lib/db/migrate';
import { ensureSyncState } from '@/lib/sync/sync-store';
import { seedVendor } from '@/lib/testing/scratch-db';
import contactSyncFlow from '@/engine/fixtures/contact-sync.flow.json';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { api, db } from './helpers';
import { bundledEntry, createScratchDatabase, dropScratchDatabase } from './server-process';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await wait(100);
  }
}

/**
 * A pass-through proxy in front of an emulator that can hold requests: the test stops the CRM answering at a
 * moment it chooses (mid-sync, a request in flight), instead of racing the sync's speed on a loaded machine.
 */
async function gatedProxy(target: string, holdAfter: number) {
  let held = false;
  let heldCount = 0;
  let forwarded = 0;
  const waiting: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const forward = () => {
      if (req.socket.destroyed) return; // its worker was killed while the request was held
      const up = http.request(new URL(req.url!, target), { method: req.method, headers: req.headers }, (r) => { res.writeHead(r.statusCode!, r.headers); r.pipe(res); });
      up.on('error', () => { res.destroy(); });
      req.pipe(up);
    };
    if (!held && forwarded >= holdAfter) held = true;
    if (held) { heldCount++; waiting.push(forward); } else { forwarded++; forward(); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    heldRequests: () => heldCount,
    release() { held = false; holdAfter = Infinity; for (const f of waiting.splice(0)) f(); },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

interface Worker { proc: ChildProcess; out: () => string; stop(): Promise<void> }

async function startWorker(env: Record<string, string>): Promise<Worker> {
  let out = '';
  const proc = spawn(process.execPath, ['--enable-source-maps', await bundledEntry('worker')], { cwd: process.cwd(), env: { ...process.env, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const w: Worker = {
    proc,
    out: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, wait(10_000)]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      proc.stdout?.destroy();
      proc.stderr?.destroy();
    },
  };
  return until('the worker to start', async () => {
    if (proc.exitCode !== null) throw new Error(`worker exited:\n${out}`);
    return out.includes('ready (pid') ? w : null;
  }, 60_000);
}

// The process test owns its database and workers; it does not use the suite's server, so it runs in one pass only.
describe.skipIf(inject('dbKind') !== 'embedded')('contact sync: kill and resume with real worker processes', () => {
  let url = '';
  let sql: postgres.Sql | undefined;
  let hs: HubspotEmulator | undefined;
  let pb: PhoneSystemEmulator | undefined;
  let gate: Awaited<ReturnType<typeof gatedProxy>> | undefined;
  const workers: Worker[] = [];

  afterAll(async () => {
    for (const w of workers) await w.stop();
    await Promise.all([hs?.close(), pb?.close(), gate?.close()]);
    await sql?.end({ timeout: 2 });
    if (url) await dropScratchDatabase(url);
  });

  it('a worker SIGKILLed mid-sync is taken over by another, which ends with exactly the source\'s contacts', async () => {
    url = await createScratchDatabase('patchbay_sync_kill');
    await runMigrations(url);
    sql = postgres(url, { max: 3, onnotice: () => {} });
    // A rate limit paces the sync (the budget leaves 30% of each window); the gate in front of HubSpot then stops
    // it answering after 15 requests (about half the sync), so the worker is surely mid-sync when it is killed.
    [hs, pb] = await Promise.all([startHubspotEmulator({ contacts: 600, companies: 0, token: 'hs', rateLimit: 5, rateWindowMs: 150 }), startPhoneSystemEmulator({ token: 'pb' })]);
    gate = await gatedProxy(hs.url, 15);
    const key = randomBytes(32);
    const { customerId } = await seedVendor(sql, `kill${Date.now().toString(36)}`);
    await saveConnection(sql, key, { customerId, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: gate.url, credentials: { token: 'hs' } });
    await saveConnection(sql, key, { customerId, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: 'pb' } });
    // Due now: the worker's scheduler tick starts it.
    const state = await ensureSyncState(sql, customerId, 'hubspot', { kinds: ['person'], destinations: ['cdp', 'phonebook'], pageSize: 20 });
    await sql`update sync_states set next_run_at = now() - interval '1 second' where id = ${state.id}`;

    const env = {
      DATABASE_URL: url, PATCHBAY_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-worker-')), PATCHBAY_ENCRYPTION_KEY: key.toString('hex'),
      PATCHBAY_SYNC_LEASE_MS: '2000', PATCHBAY_ALLOW_PRIVATE_HOSTS: '1', PATCHBAY_SEED_DEMO: '0',
    };
    const a = await startWorker(env);
    workers.push(a);
    const run = await until('the sync to be under way and waiting on HubSpot', async () => {
      const [r] = await sql!<{ id: string; read: number; status: string }[]>`select id, read, status from sync_runs where customer_id = ${customerId}`;
      return r && r.read > 0 && gate!.heldRequests() > 0 ? r : null;
    }, 60_000);
    a.proc.kill('SIGKILL');
    await new Promise((r) => a.proc.once('exit', r));
    const [mid] = await sql<{ read: number; status: string }[]>`select read, status from sync_runs where id = ${run.id}`;
    expect(mid.status).toBe('running');
    expect(mid.read).toBeLessThan(600);
    gate.release(); // the killed worker's held request is answered to a closed socket; the next worker reads freely

    const b = await startWorker(env);
    workers.push(b);
    const done = await until('the run to finish on the second worker', async () => {
      const [r] = await sql!<{ status: string; read: number; written: number; stats: Record<string, number>; worker: string }[]>`select status, read, written, stats, worker from sync_runs where id = ${run.id}`;
      return r.status !== 'running' && r.status !== 'queued' ? r : null;
    });
    expect(done.status).toBe('succeeded');
    expect(done.stats.resumes).toBe(1);
    // Counters are committed with each page: the page in flight at the kill is counted once, on replay.
    expect(done.read).toBe(600);
    expect(done.written).toBe(600);
    const source = hs.store.list('contacts').map((r) => r.id).sort();
    const cdp = await sql<{ external_id: string }[]>`select external_id from cdp_contacts where customer_id = ${customerId} and deleted_at is null order by external_id`;
    expect(cdp.map((r) => r.external_id)).toEqual(source);
    const entries = pb.store.contacts().map((c) => c.externalId ?? '').sort();
    expect(entries).toEqual(source); // every contact once: none lost, none duplicated
    const [lease] = await sql<{ locked_by: string | null }[]>`select locked_by from sync_states where id = ${state.id}`;
    expect(lease.locked_by).toBeNull();
  }, 90_000);

  it('a worker stopped with SIGTERM mid-sync hands the run to another worker at once, not after its lease', async () => {
    // Runs after the kill test, on its database and HubSpot emulator; its own customer, gate and phonebook.
    for (const w of workers.splice(0)) await w.stop(); // that test's workers hold another encryption key
    const [gate2, pb2] = await Promise.all([gatedProxy(hs!.url, 15), startPhoneSystemEmulator({ token: 'pb' })]);
    try {
      const key = randomBytes(32);
      const { customerId } = await seedVendor(sql!, `term${Date.now().toString(36)}`);
      await saveConnection(sql!, key, { customerId, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: gate2.url, credentials: { token: 'hs' } });
      await saveConnection(sql!, key, { customerId, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb2.url, credentials: { token: 'pb' } });
      const state = await ensureSyncState(sql!, customerId, 'hubspot', { kinds: ['person'], destinations: ['cdp', 'phonebook'], pageSize: 20 });
      await sql!`update sync_states set next_run_at = now() - interval '1 second' where id = ${state.id}`;
      // A one-minute lease: waiting for it (or for the minute's tick) would take far longer than the hand-over.
      const env = {
        DATABASE_URL: url, PATCHBAY_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-worker-')), PATCHBAY_ENCRYPTION_KEY: key.toString('hex'),
        PATCHBAY_SYNC_LEASE_MS: '60000', PATCHBAY_ALLOW_PRIVATE_HOSTS: '1', PATCHBAY_SEED_DEMO: '0',
      };
      const a = await startWorker(env);
      workers.push(a);
      const run = await until('the sync to be under way and waiting on HubSpot', async () => {
        const [r] = await sql!<{ id: string; read: number }[]>`select id, read from sync_runs where customer_id = ${customerId}`;
        return r && r.read > 0 && gate2.heldRequests() > 0 ? r : null;
      }, 60_000);
      const b = await startWorker(env);
      workers.push(b);
      await until('the second worker to run', async () => b.out().includes('Job worker running'), 60_000);
      // The ticks the workers queued at start have run (the next is the minute's): only a hand-over moves the run now.
      // A tick the SIGKILLed worker of the last test had taken stays "active" until pg-boss expires it, and moves
      // nothing: only ticks taken in the last 30 s count.
      await until('the start-up sync ticks to have run', async () => {
        const [{ n }] = await sql!<{ n: number }[]>`select count(*)::int as n from pgboss.job where name = 'sync-tick'
          and ((state in ('created', 'retry') and start_after < now() + interval '5 seconds') or (state = 'active' and started_on > now() - interval '30 seconds'))`;
        return n === 0;
      }, 30_000);
      const t0 = Date.now();
      const stopped = a.stop();
      gate2.release();
      await stopped;
      expect(a.proc.exitCode).toBe(0);
      const done = await until('the run to finish on the second worker', async () => {
        const [r] = await sql!<{ status: string; read: number; written: number; stats: Record<string, number>; error: string | null }[]>`select status, read, written, stats, error from sync_runs where id = ${run.id}`;
        return r.status !== 'running' && r.status !== 'queued' ? r : null;
      }, 45_000);
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect({ status: done.status, error: done.error }).toEqual({ status: 'succeeded', error: null });
      expect(done.stats.resumes).toBe(1);
      expect(done.read).toBe(600);
      const source = hs!.store.list('contacts').map((r) => r.id).sort();
      expect(pb2.store.contacts().map((c) => c.externalId ?? '').sort()).toEqual(source); // none lost, none twice
    } finally {
      await Promise.all([gate2.close(), pb2.close()]);
    }
  }, 120_000);
});

describe('contact sync on the running server', () => {
  it('the contact_sync template starts a durable sync that the server\'s worker runs; the CLI follows one to its end', async () => {
    const hs = await startHubspotEmulator({ contacts: 150, companies: 5, token: 'hs-api' });
    try {
      const ext = `sync-${Math.random().toString(36).slice(2, 8)}`;
      expect((await api('/api/v1/customers', { body: { externalId: ext, name: 'Sync Co', defaultCountry: 'US' } })).status).toBe(201);
      const sql = db();
      const [c] = await sql<{ id: string; vendor_id: string }[]>`select id, vendor_id from customers where external_id = ${ext}`;
      const secrets = JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')) as { encryptionKey: string };
      await saveConnection(sql, Buffer.from(secrets.encryptionKey, 'hex'), { customerId: c.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: hs.url, credentials: { token: 'hs-api' } });
      // The demo seed's playbook templates already publish the contact_sync flow for the vendor (names are unique).
      const [seeded] = await sql<{ id: string }[]>`select id from flows where vendor_id = ${c.vendor_id} and automation = 'contact_sync' and deleted_at is null and published_version is not null`;
      let flowId = seeded?.id;
      if (!flowId) {
        const saved = await saveFlowVersion(sql, { vendorId: c.vendor_id, definition: contactSyncFlow });
        await publishFlow(sql, c.vendor_id, saved.flowId, saved.version);
        flowId = saved.flowId;
      }
      await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId, options: { crm: 'hubspot', destinations: ['cdp'] } });

      const r = await api(`/api/v1/customers/${ext}/automations/contact_sync`, { body: {} });
      expect(r.status).toBe(202);
      expect(r.body.status).toBe('queued');
      const again = await api(`/api/v1/customers/${ext}/automations/contact_sync`, { body: {} });
      expect([202, 409]).toContain(again.status); // 409 while the first is queued or running, with its id
      if (again.status === 409) expect(again.body.syncRunId).toBe(r.body.syncRunId);
      const run = await until('the server\'s worker to finish the sync', async () => {
        const [x] = await sql<{ status: string; read: number; trigger: string }[]>`select status, read, trigger from sync_runs where id = ${r.body.syncRunId}`;
        return x.status !== 'queued' && x.status !== 'running' ? x : null;
      });
      expect(run).toEqual({ status: 'succeeded', read: 155, trigger: 'flow' });
      const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from cdp_contacts where customer_id = ${c.id} and source = 'hubspot' and deleted_at is null`;
      expect(n).toBe(155);

      // The CLI queues the next run in the same installation and draws its progress until it ends.
      hs.store.remove('contacts', hs.store.list('contacts')[0].id);
      // Asynchronously: the emulator lives in this process and must keep answering while the CLI waits.
      const cli = await new Promise<{ stdout: string; status: number | null }>((resolve) => {
        const p = spawn(process.execPath, ['bin/patchbay.mjs', 'sync', '--customer', ext, '--source', 'hubspot', '--full'], { env: { ...process.env, DATABASE_URL: inject('databaseUrl') } });
        let stdout = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', (d) => (stdout += d));
        p.on('exit', (status) => resolve({ stdout, status }));
      });
      expect(cli.stdout).toContain('Queued full hubspot sync');
      expect(cli.stdout).toMatch(/✓ succeeded in [\d.]+ s: read 0, written 0, skipped 0, failed 0, deleted 1/);
      expect(cli.status).toBe(0);
    } finally {
      await hs.close();
    }
  }, 60_000);
});

describe('contact sync: delete webhook', () => {
  it('deletes the announced contacts from the CDP at once and records a webhook run', async () => {
    const sql = db();
    const [c] = await sql<{ id: string }[]>`select id from customers where external_id = 'demo'`;
    const contacts = ['901', '902', '903'].map((id) => ({ source: 'hubspot', externalId: id, firstName: 'Web', lastName: `Hook ${id}`, phones: [`+1202555${id}0`] }));
    contacts.push({ source: 'hubspot', externalId: 'company:904', firstName: 'Co', lastName: '', phones: ['+12025559040'] });
    expect((await api('/api/v1/customers/demo/cdp/contacts', { body: { contacts } })).status).toBe(200);

    const r = await api('/api/v1/customers/demo/webhooks/hubspot/contacts-deleted', { body: { ids: ['901', 902] } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ received: 2, deleted: { cdp: 2 }, problems: [] });
    const company = await api('/api/v1/customers/demo/webhooks/hubspot/contacts-deleted', { body: { ids: ['904'], kind: 'company' } });
    expect(company.body.deleted).toEqual({ cdp: 1 });
    const live = await sql<{ external_id: string }[]>`select external_id from cdp_contacts where customer_id = ${c.id} and source = 'hubspot' and external_id in ('901', '902', '903', 'company:904') and deleted_at is null`;
    expect(live.map((x) => x.external_id)).toEqual(['903']);
    const [run] = await sql<{ kind: string; status: string; deleted: number }[]>`select kind, status, deleted from sync_runs where id = ${r.body.syncRunId}`;
    expect(run).toEqual({ kind: 'webhook', status: 'succeeded', deleted: 2 });
  });

  it('names the problem: unknown system, no ids, no key', async () => {
    expect((await api('/api/v1/customers/demo/webhooks/nosuchcrm/contacts-deleted', { body: { ids: ['1'] } })).body.error.code).toBe('unknown_system');
    const empty = await api('/api/v1/customers/demo/webhooks/hubspot/contacts-deleted', { body: { ids: [] } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.path).toEqual(['ids']);
    expect((await api('/api/v1/customers/demo/webhooks/hubspot/contacts-deleted', { body: { ids: ['1'] }, key: null })).status).toBe(401);
  });
});
