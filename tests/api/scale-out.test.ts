// The documented scale-out deployment, as processes on one PostgreSQL: `npm start` with PATCHBAY_ROLE=api and
// PATCHBAY_API_PROCESSES=2 (two HTTP processes sharing a port, no job worker) and two `npm start` with
// PATCHBAY_ROLE=worker. Ten customers, each with its own HubSpot (an emulator counting requests per window and
// answering 429 past its limit) and the call_logging template:
// - the ten contact syncs run once each: every page read once, every contact written once;
// - calls from the phone system reach the API processes; the call-logging jobs are spread over both workers;
// - a worker killed with SIGKILL in the middle of a call-logging run: the other takes the run over once its lease
//   runs out, and the call is logged exactly once;
// - the rate budget per customer per CRM is shared by both workers (syncs and call logging): no HubSpot ever had
//   to refuse a request.
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
import { syntheticPerson } from '@/engine/connectors/kit/synthetic';
import { saveConnection } from '@/lib/engine-host/connections';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { runMigrations } from '@/lib/db/migrate';
import { ensureSyncState } from '@/lib/sync/sync-store';
import { bundledEntry, createScratchDatabase, dropScratchDatabase, startServer, type StartedServer } from './server-process';

const CUSTOMERS = 10;
const CONTACTS = 60;
const LIMIT = 5; // requests per window, per customer's HubSpot
const WINDOW_MS = 1000;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await wait(150);
  }
}

/** A proxy in front of an emulator that can hold every request until released (to catch a run mid-step). */
async function holdingProxy(target: string) {
  let holding = false;
  const held: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const forward = () => {
      if (req.socket.destroyed) return; // its worker died while the request was held: it never reaches the CRM
      const up = http.request(new URL(req.url!, target), { method: req.method, headers: req.headers }, (r) => { res.writeHead(r.statusCode!, r.headers); r.pipe(res); });
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if (holding) held.push(forward); else forward();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    hold() { holding = true; },
    heldCount: () => held.length,
    release() { holding = false; for (const f of held.splice(0)) f(); },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

interface Proc { proc: ChildProcess; out: () => string; id: string; stop(): Promise<void> }

/** `npm start` with PATCHBAY_ROLE=worker (the bundled server entry, as `npm start` runs it). */
async function startWorker(env: Record<string, string>): Promise<Proc> {
  let out = '';
  const proc = spawn(process.execPath, ['--enable-source-maps', await bundledEntry('server')], { cwd: process.cwd(), env: { ...process.env, ...env, PATCHBAY_ROLE: 'worker' } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const p: Proc = {
    proc, out: () => out, id: `${os.hostname()}:${proc.pid}`,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, wait(15_000)]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      proc.stdout?.destroy();
      proc.stderr?.destroy();
    },
  };
  return until('a worker to start', async () => {
    if (proc.exitCode !== null) throw new Error(`worker exited:\n${out}`);
    return out.includes('Job worker running') ? p : null;
  }, 90_000);
}

interface Tenant { id: string; ext: string; secret: string; hs: HubspotEmulator; proxy: Awaited<ReturnType<typeof holdingProxy>> }

// The deployment owns its database and processes; it does not use the suite's server, so it runs in one pass only.
describe.skipIf(inject('dbKind') !== 'embedded')('scale-out: 2 API processes and 2 workers on one PostgreSQL', () => {
  let url = '';
  let sql: postgres.Sql | undefined;
  let api: StartedServer | undefined;
  let pb: PhoneSystemEmulator | undefined;
  const workers: Proc[] = [];
  const tenants: Tenant[] = [];
  let vendorSlug = '';

  afterAll(async () => {
    for (const w of workers) await w.stop();
    await api?.stop();
    await Promise.all([pb?.close(), ...tenants.flatMap((t) => [t.hs.close(), t.proxy.close()])]);
    await sql?.end({ timeout: 2 });
    if (url) await dropScratchDatabase(url);
  });

  it('runs syncs once, spreads call logging over both workers, takes over a killed worker\'s run, and keeps every HubSpot under its limit', async () => {
    url = await createScratchDatabase('patchbay_scale');
    await runMigrations(url);
    sql = postgres(url, { max: 4, onnotice: () => {} });
    const key = randomBytes(32);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-scale-'));
    const env = {
      DATABASE_URL: url, PATCHBAY_DATA_DIR: dataDir, PATCHBAY_ENCRYPTION_KEY: key.toString('hex'), NEXTAUTH_SECRET: randomBytes(24).toString('hex'),
      PATCHBAY_SEED_DEMO: '0', PATCHBAY_ALLOW_PRIVATE_HOSTS: '1', PATCHBAY_RUN_LEASE_MS: '3000', PATCHBAY_SYNC_LEASE_MS: '5000',
    };

    // Tenants: one vendor, ten customers, each with its own HubSpot behind a proxy that can hold requests.
    pb = await startPhoneSystemEmulator({ token: 'pb', webhookRetryDelayMs: 100 });
    const [v] = await sql<{ id: string; slug: string }[]>`insert into vendors (slug, name) values (${`scale${Date.now().toString(36)}`}, 'Scale vendor') returning id, slug`;
    vendorSlug = v.slug;
    const definition = JSON.parse(fs.readFileSync(path.resolve('engine/fixtures/call-logging.flow.json'), 'utf8'));
    const saved = await saveFlowVersion(sql, { vendorId: v.id, definition });
    await publishFlow(sql, v.id, saved.flowId, saved.version);
    for (let i = 0; i < CUSTOMERS; i++) {
      const hs = await startHubspotEmulator({ contacts: CONTACTS, companies: 0, users: 2, token: `hs${i}`, rateLimit: LIMIT, rateWindowMs: WINDOW_MS });
      const proxy = await holdingProxy(hs.url);
      const ext = `cust${i}`;
      const [c] = await sql<{ id: string }[]>`insert into customers (vendor_id, external_id, name, default_country) values (${v.id}, ${ext}, ${`Customer ${i}`}, 'US') returning id`;
      const secret = `whsec_${i}_${randomBytes(6).toString('hex')}`;
      await saveConnection(sql, key, { customerId: c.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: proxy.url, credentials: { token: `hs${i}` } });
      await saveConnection(sql, key, { customerId: c.id, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: 'pb', webhookSecret: secret } });
      await enableIntegration(sql, { vendorId: v.id, customerId: c.id, flowId: saved.flowId, options: { crm: 'hubspot', delayMinutes: 0.02, waitForRecording: false, storeRecordings: false } });
      const state = await ensureSyncState(sql, c.id, 'hubspot', { kinds: ['person'], destinations: ['cdp'], pageSize: 20 });
      await sql`update sync_states set next_run_at = now() - interval '1 second' where id = ${state.id}`;
      tenants.push({ id: c.id, ext, secret, hs, proxy });
    }

    // The deployment: two HTTP processes (one `npm start`, PATCHBAY_API_PROCESSES=2) and two workers.
    api = await startServer({ dbKind: 'url', databaseUrl: url, dataDir, env: { ...env, PATCHBAY_ROLE: 'api', PATCHBAY_API_PROCESSES: '2' } });
    await until('both HTTP processes to be ready', async () => (api!.output().match(/Ready on/g) ?? []).length >= 2);
    expect(api.output()).not.toContain('Job worker running');
    workers.push(await startWorker(env), await startWorker(env));

    // 1. Calls through the API processes while the syncs (due now) run: call logging and the sync
    // of the same customer spend one HubSpot window from different workers.
    const caller = syntheticPerson(0);
    const calls: { t: Tenant; callId: string }[] = [];
    for (const [i, t] of tenants.entries()) {
      pb.setWebhook({ url: `${api.baseUrl}/api/v1/hooks/${vendorSlug}/${t.ext}/phone-system`, secret: t.secret });
      // Three close together for four customers (their runs meet in one HubSpot window from both workers), one for the rest.
      for (let k = 0; k < (i < 4 ? 3 : 1); k++) {
        const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: t.hs.store.owners[1].email, durationSec: 30 });
        calls.push({ t, callId: placed.callId });
      }
    }
    // 2. The ten syncs (the workers' scheduler tick started them) each ran once.
    const runs = await until('the ten syncs to finish', async () => {
      const rows = await sql!<{ customer_id: string; status: string; read: number; written: number; worker: string }[]>`
        select customer_id, status, read, written, worker from sync_runs where status not in ('queued', 'running')`;
      return rows.length >= CUSTOMERS ? rows : null;
    }, 120_000);
    expect(runs).toHaveLength(CUSTOMERS);
    for (const r of runs) expect(r).toMatchObject({ status: 'succeeded', read: CONTACTS, written: CONTACTS });
    expect(new Set(runs.map((r) => r.customer_id)).size).toBe(CUSTOMERS);
    // Every page read and written once (the counters are committed with each page): each customer's contacts, once.
    for (const t of tenants) {
      const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from cdp_contacts where customer_id = ${t.id} and deleted_at is null`;
      expect(n).toBe(CONTACTS);
    }
    const [{ all }] = await sql<{ all: number }[]>`select count(*)::int as all from sync_runs`;
    expect(all).toBe(CUSTOMERS);

    const logged = (t: Tenant, callId: string) => t.hs.store.calls().filter((c) => c.properties.hs_call_external_id === callId).length;
    // The call-logging runs landed on both workers, and each call was logged once.
    await until('every call to be logged', async () => calls.every(({ t, callId }) => logged(t, callId) >= 1), 120_000);
    for (const { t, callId } of calls) expect(logged(t, callId)).toBe(1);
    const byWorker = await sql<{ worker: string; n: number }[]>`select worker, count(*)::int as n from runs where worker is not null group by worker`;
    expect(byWorker.map((r) => r.worker).sort()).toEqual(workers.map((w) => w.id).sort());

    // 3. A worker killed mid-run: HubSpot holds the run's requests, the worker dies, the other takes the run over.
    const victimTenant = tenants[0];
    victimTenant.proxy.hold();
    pb.setWebhook({ url: `${api.baseUrl}/api/v1/hooks/${vendorSlug}/${victimTenant.ext}/phone-system`, secret: victimTenant.secret });
    const victimCall = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: victimTenant.hs.store.owners[1].email, durationSec: 30 });
    const stuck = await until('a call-logging run to be waiting on HubSpot', async () => {
      if (!victimTenant.proxy.heldCount()) return null;
      const [s] = await sql!<{ run_ids: string[] }[]>`select run_ids from call_sessions where customer_id = ${victimTenant.id} and call_id = ${victimCall.callId}`;
      if (!s) return null;
      const [r] = await sql!<{ id: string; worker: string }[]>`select id, worker from runs where id = any(${s.run_ids}::uuid[]) and status = 'running' and worker is not null`;
      return r ?? null;
    });
    const victim = workers.find((w) => w.id === stuck.worker)!;
    const survivor = workers.find((w) => w !== victim)!;
    victim.proc.kill('SIGKILL');
    await new Promise((r) => victim.proc.once('exit', r));
    victimTenant.proxy.release(); // the dead worker's held requests never reach HubSpot
    const done = await until('the run to be taken over and finished', async () => {
      const [r] = await sql!<{ status: string; worker: string }[]>`select status, worker from runs where id = ${stuck.id}`;
      return r.status === 'succeeded' || r.status === 'failed' ? r : null;
    }, 60_000);
    expect(done).toEqual({ status: 'succeeded', worker: survivor.id });
    await until('the call to be logged', async () => logged(victimTenant, victimCall.callId) === 1);
    await wait(1500);
    expect(logged(victimTenant, victimCall.callId)).toBe(1);

    // 4. One budget per customer per CRM across both workers: no HubSpot ever answered 429.
    expect(tenants.map((t) => t.hs.stats.rateLimited)).toEqual(tenants.map(() => 0));
  }, 400_000);
});
