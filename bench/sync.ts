// npm run bench:sync — the contact sync engine on a real PostgreSQL (PATCHBAY_TEST_PG_ADMIN_URL, default the
// local server; a scratch database is made and dropped).
//   1. first sync: N contacts (default 100,000) from the HubSpot emulator (its own process, rate limits off)
//      into the CDP through the real engine (executeSyncRun): wall time, contacts/s, peak RSS of the syncing process;
//   2. full comparison: M source ids (default 1,000,000, from a generated ContactSource: the point is the
//      engine's memory, not an emulator's) against M CDP rows, 1% gone: time and peak RSS, also at M/10 to show
//      that memory stays flat as M grows.
// Each part runs in its own process so its peak RSS (VmHWM) is its own.
//   Options: --contacts 100000 --ids 1000000 --only sync|compare
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import type { ContactSource } from '../engine/connectors/kit/contact-source';
import { connect } from '../lib/db/client';
import { runMigrations } from '../lib/db/migrate';
import { saveConnection } from '../lib/engine-host/connections';
import { createCdpDestination } from '../lib/sync/destinations/cdp-destination';
import { compareAndDelete } from '../lib/sync/full-comparison';
import { executeSyncRun } from '../lib/sync/run-sync';
import { startSync } from '../lib/sync/start-sync';
import { readSyncRun } from '../lib/sync/sync-store';
import { seedVendor } from '../lib/testing/scratch-db';
import { createScratchDatabase, dropScratchDatabase } from '../tests/api/server-process';

const { values } = parseArgs({ options: {
  contacts: { type: 'string', default: '100000' }, ids: { type: 'string', default: '1000000' }, only: { type: 'string' },
  part: { type: 'string' }, db: { type: 'string' }, n: { type: 'string' },
} });

function peakRss(): number {
  return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
}
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

/** Runs this script again as one part; it answers one JSON line. */
function runPart(part: string, db: string, n: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'bench/sync.ts', '--part', part, '--db', db, '--n', String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try { if (code === 0) return resolve(JSON.parse(line)); } catch { /* below */ }
      reject(new Error(`part ${part} failed (${code}):\n${out}`));
    });
  });
}

async function startHubspot(n: number): Promise<{ url: string; stop(): void }> {
  const p = spawn(process.execPath, ['--import', 'tsx', 'cli/emulator.ts', 'hubspot', '--contacts', String(n), '--token', 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    p.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], stop: () => p.kill('SIGTERM') });
    });
    p.on('exit', (code) => reject(new Error(`the emulator exited (${code}): ${out}`)));
  });
}

// ---- part 1: first sync of N contacts into the CDP ------------------------------------------------------
async function partSync(dbUrl: string, n: number) {
  const emu = await startHubspot(n);
  const { sql } = connect(dbUrl, 6);
  try {
    const key = randomBytes(32);
    const { customerId } = await seedVendor(sql, 'benchsync');
    await saveConnection(sql, key, { customerId, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: emu.url, credentials: { token: 'bench' } });
    const started = await startSync(sql, async () => null, { customerId, source: 'hubspot', trigger: 'manual', config: { kinds: ['person'], destinations: ['cdp'], pageSize: 200 } });
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const out = await executeSyncRun({ sql, encryptionKey: key, fetch, workerId: 'bench', leaseMs: 60_000 }, started.syncRunId);
    const seconds = (performance.now() - t0) / 1000;
    const run = (await readSyncRun(sql, started.syncRunId))!;
    if (out.status !== 'succeeded' || run.read !== n) throw new Error(`sync ended ${out.status} after ${run.read} records: ${run.error}`);
    const [{ count }] = await sql<{ count: number }[]>`select count(*)::int as count from cdp_contacts where customer_id = ${customerId} and deleted_at is null`;
    const syncPeak = peakRss();
    // Then a full run over HTTP: no changes to read, every id listed from HubSpot (100 per page) and compared.
    const full = await startSync(sql, async () => null, { customerId, source: 'hubspot', mode: 'full', trigger: 'manual' });
    const t1 = performance.now();
    const fullOut = await executeSyncRun({ sql, encryptionKey: key, fetch, workerId: 'bench', leaseMs: 60_000 }, full.syncRunId);
    const fullSeconds = (performance.now() - t1) / 1000;
    const fullRun = (await readSyncRun(sql, full.syncRunId))!;
    if (fullOut.status !== 'succeeded') throw new Error(`full run ended ${fullOut.status}: ${fullRun.error}`);
    return { contacts: count, seconds, perSecond: count / seconds, peakRss: syncPeak, rssBefore, pages: Number(run.stats.pages), fullSeconds, fullIds: Number(fullRun.stats.sourceIds), fullPeakRss: peakRss() };
  } finally {
    emu.stop();
    await sql.end({ timeout: 2 });
  }
}

// ---- part 2: full comparison over M ids --------------------------------------------------------------------
/** M ids in pages of 1000, every 100th one gone from the source: all generated, nothing held. */
function generatedSource(m: number): ContactSource {
  return {
    system: 'bench',
    async *listChanged() { /* not used */ },
    async *listAllIds() {
      for (let start = 1; start <= m; start += 1000) {
        const page: string[] = [];
        for (let i = start; i < start + 1000 && i <= m; i++) if (i % 100 !== 0) page.push(String(i));
        yield page;
      }
    },
  };
}

async function partCompare(dbUrl: string, m: number) {
  const { sql } = connect(dbUrl, 4);
  try {
    const { customerId } = await seedVendor(sql, `benchcmp${m}`);
    const t0 = performance.now();
    for (let start = 1; start <= m; start += 250_000) {
      await sql`
        insert into cdp_contacts (customer_id, source, external_id, kind, first_name, content_hash)
        select ${customerId}::uuid, 'bench', g::text, 'person', 'Bench', 'h' from generate_series(${start}::int, ${Math.min(m, start + 249_999)}::int) g`;
    }
    await sql`analyze cdp_contacts`;
    const seedSeconds = (performance.now() - t0) / 1000;
    const rssBefore = process.memoryUsage().rss;
    const t1 = performance.now();
    const cdp = createCdpDestination(sql, { customerId, defaultCountry: 'US', source: 'bench' });
    const r = await compareAndDelete({
      sql, source: generatedSource(m), call: { fetch, conn: {} as never, requestLog: [] }, kinds: ['person'], destinations: [cdp], threshold: 0.2, stillOwner: async () => true,
    });
    const seconds = (performance.now() - t1) / 1000;
    const [{ live }] = await sql<{ live: number }[]>`select count(*)::int as live from cdp_contacts where customer_id = ${customerId} and deleted_at is null`;
    if (r.deleted !== Math.floor(m / 100) || live !== m - r.deleted) throw new Error(`comparison deleted ${r.deleted}, ${live} left`);
    return { ids: r.sourceIds, rows: m, deleted: r.deleted, seconds, seedSeconds, peakRss: peakRss(), rssBefore };
  } finally {
    await sql.end({ timeout: 2 });
  }
}

async function main() {
  if (values.part) {
    const n = Number(values.n);
    const out = values.part === 'sync' ? await partSync(values.db!, n) : await partCompare(values.db!, n);
    console.log(JSON.stringify(out));
    return;
  }
  const nContacts = Number(values.contacts);
  const nIds = Number(values.ids);
  const url = await createScratchDatabase('patchbay_bench_sync');
  try {
    await runMigrations(url);
    console.log(`bench:sync on ${new URL(url).host} (scratch database), ${(await import('node:os')).cpus().length} cores\n`);
    if (values.only !== 'compare') {
      console.log(`first sync: ${nContacts.toLocaleString('en')} contacts, HubSpot emulator (own process, no rate limit) → CDP …`);
      const s = await runPart('sync', url, nContacts);
      console.log(`  ${s.contacts.toLocaleString('en')} contacts in ${s.seconds.toFixed(1)} s = ${Math.round(s.perSecond).toLocaleString('en')} contacts/s (${s.pages} pages)   peak RSS ${mb(s.peakRss)} (at start ${mb(s.rssBefore)})   target < 60 s: ${s.seconds < 60 ? 'met' : 'MISSED'}`);
      console.log(`  then a full run over HTTP (nothing changed; ${s.fullIds.toLocaleString('en')} ids listed from the emulator and compared): ${s.fullSeconds.toFixed(1)} s   peak RSS ${mb(s.fullPeakRss)}\n`);
    }
    if (values.only !== 'sync') {
      for (const m of [Math.floor(nIds / 10), nIds]) {
        console.log(`full comparison: ${m.toLocaleString('en')} source ids vs ${m.toLocaleString('en')} CDP rows (1% gone) …`);
        const c = await runPart('compare', url, m);
        console.log(`  ${c.ids.toLocaleString('en')} ids compared, ${c.deleted.toLocaleString('en')} deleted in ${c.seconds.toFixed(1)} s   peak RSS ${mb(c.peakRss)} (at start ${mb(c.rssBefore)})${m === nIds ? `   target < 500 MB: ${c.peakRss < 500 * 1024 * 1024 ? 'met' : 'MISSED'}` : ''}   (seeding the rows took ${c.seedSeconds.toFixed(1)} s)\n`);
      }
    }
  } finally {
    await dropScratchDatabase(url);
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
