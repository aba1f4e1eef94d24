// npm run bench:soak -- --minutes 30 --rate 500
// caller_lookup at a fixed request rate against the app as users run it (the bundled server `npm start` runs,
// its embedded PostgreSQL, the demo tenant with --contacts contacts), printing every minute: req/s, p50/p99
// (measured from each request's scheduled time, so a stall counts against every request it delays), the node
// process's RSS, the database size and the runs stored. At the end: whether RSS levelled off and p99 held over
// the second half, then bytes and CPU per lookup under each recording policy (all, errors, sampled 1 %, and the
// default) in --compare-seconds phases, and the disk growth per day at --rate.
// Options: --minutes 30 --rate 500 --policy default|all|errors|sampled --share 0.01 --contacts 20000 --compare-seconds 30 --ui
import http from 'node:http';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { upsertContacts } from '../lib/cdp/pg-cdp';
import { demoContact, demoPerson } from '../lib/seed/demo';
import { startServer } from '../tests/api/server-process';
import { cpuOf, loadAverage, rssOf, treeCpuOf } from './proc-stats';

const { values } = parseArgs({ options: {
  minutes: { type: 'string', default: '30' }, rate: { type: 'string', default: '500' }, policy: { type: 'string', default: 'default' },
  share: { type: 'string', default: '0.01' }, contacts: { type: 'string', default: '20000' }, 'compare-seconds': { type: 'string', default: '30' },
  ui: { type: 'boolean', default: false },
} });
const minutes = Number(values.minutes), rate = Number(values.rate), share = Number(values.share);
const nContacts = Number(values.contacts), compareSeconds = Number(values['compare-seconds']);
type Policy = 'default' | 'all' | 'errors' | 'sampled';
if (!(minutes > 0) || !(rate > 0) || !['default', 'all', 'errors', 'sampled'].includes(values.policy!)) {
  console.error('usage: npm run bench:soak -- --minutes 30 --rate 500 [--policy default|all|errors|sampled] [--share 0.01]');
  process.exit(2);
}

const MB = 1048576;
const server = await startServer({ dbKind: 'embedded', env: { PATCHBAY_DEMO_CONTACTS: '0', PATCHBAY_NO_UI: values.ui ? '0' : '1', PATCHBAY_AUTOMATION_CACHE_MS: '2000', PATCHBAY_RUN_MAX_MB: '0' } });
const pid = server.proc.pid!;
const sql = postgres(server.databaseUrl, { max: 2, onnotice: () => {} });

async function seed(): Promise<string[]> {
  const [c] = await sql<{ id: string }[]>`select id from customers where external_id = 'demo'`;
  for (let i = 0; i < nContacts; i += 5000) await upsertContacts(sql, c.id, 'US', Array.from({ length: Math.min(5000, nContacts - i) }, (_, k) => demoContact(i + k)));
  await sql`analyze cdp_contacts`;
  // 80% hits in mixed formats, 20% misses (like bench:lookup)
  const phones: string[] = [];
  for (let k = 0; k < 500; k++) {
    const p = demoPerson((k * 4999) % nContacts);
    phones.push(k % 5 === 4 ? `+1 202 555 ${String(1000 + k).slice(-4)}` : k % 2 ? p.phoneAsTyped : p.e164);
  }
  return phones;
}

async function setPolicy(p: Policy): Promise<void> {
  const recording = p === 'default' ? null : JSON.stringify(p === 'sampled' ? { policy: 'sampled', share } : { policy: p });
  await sql`update integrations set recording = ${recording}::text::jsonb where automation = 'caller_lookup' and customer_id = (select id from customers where external_id = 'demo')`;
  await new Promise((r) => setTimeout(r, 2600)); // the binding cache (PATCHBAY_AUTOMATION_CACHE_MS=2000)
}

const phones = await seed();
const bodies = phones.map((p) => JSON.stringify({ phone: p }));
const url = new URL(`${server.baseUrl}/api/v1/customers/demo/automations/caller_lookup`);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface Window { sent: number; ok: number; errors: number; lat: number[] }
let win: Window = { sent: 0, ok: 0, errors: 0, lat: [] };
let inFlight = 0, skipped = 0, k = 0;

function send(scheduled: number): void {
  if (inFlight > 4000) { skipped++; return; } // the server is far behind: count, don't pile up
  inFlight++;
  win.sent++;
  const w = win;
  const body = bodies[k++ % bodies.length];
  const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${server.apiKey}` } }, (res) => {
    res.resume();
    res.on('end', () => {
      inFlight--;
      if (res.statusCode === 200) { w.ok++; w.lat.push(performance.now() - scheduled); } else w.errors++;
    });
  });
  req.on('error', () => { inFlight--; w.errors++; });
  req.end(body);
}

/** Sends at `rate` per second for `seconds`, on a 10 ms schedule; calls `tick` every 60 s (and at the end). */
async function drive(seconds: number, tick?: (minute: number) => Promise<void>): Promise<void> {
  const start = performance.now();
  let due = 0;
  let nextMinute = 60_000;
  for (;;) {
    const now = performance.now() - start;
    if (now >= seconds * 1000) break;
    const should = Math.floor((now / 1000) * rate);
    for (; due < should; due++) send(start + (due / rate) * 1000);
    if (tick && now >= nextMinute) { await tick(nextMinute / 60_000); nextMinute += 60_000; }
    await new Promise((r) => setTimeout(r, 10));
  }
  const t = performance.now();
  while (inFlight > 0 && performance.now() - t < 10_000) await new Promise((r) => setTimeout(r, 20));
  // the last (possibly partial) minute
  if (tick && nextMinute - 60_000 < seconds * 1000) await tick(seconds / 60);
}

const pct = (a: number[], q: number) => { if (!a.length) return NaN; const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const dbSize = async () => Number((await sql<{ n: string }[]>`select pg_database_size(current_database())::text as n`)[0].n);
const historySize = async () => Number((await sql<{ n: string }[]>`select (pg_total_relation_size('runs') + pg_total_relation_size('run_aggregates'))::text as n`)[0].n);
const runsStored = async () => Number((await sql<{ n: string }[]>`select count(*)::text as n from runs where automation = 'caller_lookup'`)[0].n);

// ── the soak ─────────────────────────────────────────────────────────────────────────────────────────────
await setPolicy(values.policy as Policy);
console.log(`\n=== bench:soak — caller_lookup at ${rate} req/s for ${minutes} min, recording policy ${values.policy}${values.policy === 'sampled' ? ` (${share})` : ''}, ${nContacts} contacts, embedded PostgreSQL`);
console.log(`    load average at start: ${loadAverage()} (${(await import('node:os')).availableParallelism()} cores)`);
console.log(' min   req/s   errors   p50 ms   p99 ms   RSS MB   DB MB   runs stored   load');
const rows: { rps: number; p99: number; rss: number; db: number; runs: number }[] = [];
let last = performance.now();
const db0 = await dbSize();
await drive(minutes * 60, async (m) => {
  const w = win;
  win = { sent: 0, ok: 0, errors: 0, lat: [] };
  const secs = (performance.now() - last) / 1000;
  last = performance.now();
  const row = { rps: w.ok / secs, p99: pct(w.lat, 0.99), rss: rssOf(pid) / MB, db: (await dbSize()) / MB, runs: await runsStored() };
  rows.push(row);
  console.log(`${m.toFixed(m % 1 ? 1 : 0).padStart(4)} ${row.rps.toFixed(0).padStart(7)} ${String(w.errors).padStart(8)} ${pct(w.lat, 0.5).toFixed(2).padStart(8)} ${row.p99.toFixed(2).padStart(8)} ${row.rss.toFixed(0).padStart(8)} ${row.db.toFixed(0).padStart(7)} ${String(row.runs).padStart(13)}   ${loadAverage()}`);
});
if (skipped) console.log(`    (${skipped} requests not sent: over 4,000 in flight)`);
const half = rows.slice(Math.floor(rows.length / 2));
if (half.length >= 2) {
  const slope = (ys: number[]) => { const n = ys.length, mx = (n - 1) / 2, my = ys.reduce((a, b) => a + b, 0) / n; let num = 0, den = 0; ys.forEach((y, i) => { num += (i - mx) * (y - my); den += (i - mx) ** 2; }); return den ? num / den : 0; };
  console.log(`    second half: RSS ${half[0].rss.toFixed(0)} → ${half[half.length - 1].rss.toFixed(0)} MB (slope ${slope(half.map((r) => r.rss)).toFixed(1)} MB/min), p99 ${half[0].p99.toFixed(1)} → ${half[half.length - 1].p99.toFixed(1)} ms (slope ${slope(half.map((r) => r.p99)).toFixed(2)} ms/min)`);
}
const grown = (await dbSize()) - db0;
console.log(`    database grew ${(grown / MB).toFixed(1)} MB in ${minutes} min → ${((grown / minutes) * 1440 / 1024 ** 3).toFixed(2)} GB/day at ${rate} req/s (policy ${values.policy})`);

// ── bytes and CPU per lookup under each policy ─────────────────────────────────────────────────────────────
console.log(`\n=== per policy: ${compareSeconds} s at ${rate} req/s each`);
console.log(' policy          stored/lookup   bytes/lookup   GB/day at rate   CPU µs/lookup server + db   p99 ms');
for (const p of ['all', 'errors', 'sampled', 'default'] as Policy[]) {
  await setPolicy(p);
  await new Promise((r) => setTimeout(r, 6000)); // earlier phases' records and aggregates written
  const s0 = await historySize(), r0 = await runsStored();
  const c0 = cpuOf(pid), d0 = treeCpuOf(pid);
  win = { sent: 0, ok: 0, errors: 0, lat: [] };
  await drive(compareSeconds);
  const c1 = cpuOf(pid), d1 = treeCpuOf(pid);
  const w = win;
  await new Promise((r) => setTimeout(r, 6000)); // the recorder's batches and the aggregates (every 5 s) land
  const s1 = await historySize(), r1 = await runsStored();
  const perLookup = (s1 - s0) / w.ok;
  const label = p === 'sampled' ? `sampled ${share}` : p === 'default' ? 'default (1% + 10/min)' : p;
  console.log(` ${label.padEnd(22)} ${((r1 - r0) / w.ok).toFixed(3).padStart(8)} ${perLookup.toFixed(0).padStart(14)} ${((perLookup * rate * 86400) / 1024 ** 3).toFixed(2).padStart(16)} ${(((c1 - c0) / w.ok) * 1000).toFixed(0).padStart(14)} + ${(((d1 - d0) / w.ok) * 1000).toFixed(0).padEnd(10)} ${pct(w.lat, 0.99).toFixed(1).padStart(7)}`);
}
console.log(`    (bytes/lookup: growth of runs + run_aggregates with indexes, per answered lookup; load average now ${loadAverage()})`);

await sql.end();
agent.destroy();
await server.stop();
fs.rmSync(server.dataDir, { recursive: true, force: true });
process.exit(0);
