// npm run bench:lookup — caller_lookup over HTTP under wrk, against Patchbay and a bare node:http server doing
// the same work (bench/bare-server.ts), optionally Node-RED (--peers), all in one run on this machine.
//
// --mode as-run (default): Patchbay as `npm start` runs it: the Next.js UI and the job worker in the process,
//   NODE_ENV=production, the embedded PostgreSQL. --mode api: the API-only bundle (PATCHBAY_NO_UI=1).
// For each server it prints req/s, p50, p99 and the CPU time per answered lookup of its whole process tree
// (the server and its PostgreSQL processes, utime + stime from /proc, exited children through their parent's
// cutime/cstime), split into node and PostgreSQL. CPU per lookup holds up on a shared machine where req/s
// swings; the load average is printed beside the figures.
// On the embedded database the bare server runs on its own embedded PostgreSQL (the same data folder, after
// Patchbay stopped), so both trees hold their database. With --db url the database is outside both trees and
// only the servers' node CPU is counted.
//
// Options: --mode as-run|api  --db embedded|url|both (embedded)  --duration 10  --contacts 50000
//          --connections 50,4  --peers (Node-RED 4.1.x, installed on demand into $PATCHBAY_BENCH_PEERS_DIR,
//          default <tmp>/patchbay-bench-peers)  --only patchbay|bare|node-red (repeatable, comma list)
//          --sustain N (N more loads at the first connection count, to see whether throughput holds)
//          --keep (leave the data folder, printed) --data DIR (reuse a data folder seeded before)
//          --profile (node --cpu-prof on Patchbay's server; profiles in <data>/profiles)
//          --root DIR (run the Patchbay of another checkout, e.g. a worktree at an older commit, to bisect)
//          --rate N (a fixed N requests/s from autocannon instead of wrk's all-out load: CPU per lookup compared
//          at the same rate, so fixed costs (timers, batch overheads) weigh the same on both sides; for bisecting
//          on a loaded machine)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { demoContact, demoPerson } from '../lib/seed/demo';
import { upsertContacts } from '../lib/cdp/pg-cdp';
import { buildIfStale } from '../scripts/build-if-stale.mjs';
import { bundledEntry, createScratchDatabase, dropScratchDatabase, freePort, startServer } from '../tests/api/server-process';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'as-run' }, db: { type: 'string', default: 'embedded' }, duration: { type: 'string', default: '10' },
    contacts: { type: 'string', default: '50000' }, connections: { type: 'string', default: '50,4' }, peers: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true }, sustain: { type: 'string', default: '0' }, keep: { type: 'boolean', default: false }, data: { type: 'string' },
    profile: { type: 'boolean', default: false }, root: { type: 'string' }, rate: { type: 'string' },
  },
});
const asRun = values.mode !== 'api';
if (!['as-run', 'api'].includes(values.mode!)) { console.error('--mode is as-run or api'); process.exit(2); }
const duration = Number(values.duration);
const nContacts = Number(values.contacts);
const conns = values.connections!.split(',').map(Number);
const sustain = Number(values.sustain);
const only = new Set((values.only ?? []).flatMap((s) => s.split(',')));
const wants = (s: string) => !only.size || only.has(s);

if (spawnSync('wrk', ['--version']).error) {
  console.error('bench:lookup needs wrk (Debian: apt-get install -y wrk)');
  process.exit(2);
}

// ---- process trees and their CPU time, from /proc --------------------------------------------------------

const TICK_MS = 1000 / (Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100);
interface ProcCpu { pid: number; ppid: number; comm: string; own: number; children: number }
function readProc(pid: number): ProcCpu | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), comm, own: (Number(f[11]) + Number(f[12])) * TICK_MS, children: (Number(f[13]) + Number(f[14])) * TICK_MS };
  } catch { return null; }
}
/** The process and all its descendants. */
function treeOf(root: number): ProcCpu[] {
  const all: ProcCpu[] = [];
  for (const d of fs.readdirSync('/proc')) if (/^\d+$/.test(d)) { const p = readProc(Number(d)); if (p) all.push(p); }
  const out: ProcCpu[] = [];
  const walk = (pid: number) => { for (const p of all) if (p.ppid === pid) { out.push(p); walk(p.pid); } };
  const r = all.find((p) => p.pid === root);
  if (r) out.push(r);
  walk(root);
  return out;
}
const isPostgres = (p: ProcCpu) => p.comm.startsWith('postgres') || p.comm.startsWith('postmaster');
/**
 * CPU (ms) of a tree, split by kind. A child's own time plus, for each process, the time of its children that
 * exited and were reaped (cutime/cstime): a backend that ends during the load still counts, through the postmaster.
 * Reaped time is attributed by the parent's kind.
 */
function treeCpu(root: number): { node: number; pg: number } {
  let node = 0, pg = 0;
  for (const p of treeOf(root)) {
    const t = p.own + (p.pid === root ? 0 : p.children);
    if (isPostgres(p)) pg += t; else node += t;
  }
  return { node, pg };
}
function rssOfTree(root: number): number {
  let sum = 0;
  for (const p of treeOf(root)) {
    if (isPostgres(p)) continue;
    try { sum += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8'))![1]) * 1024; } catch { /* gone */ }
  }
  return sum;
}
const loadavg = () => os.loadavg()[0];

// ---- wrk ---------------------------------------------------------------------------------------------------

function wrkScript(phones: string[], pathOverride: string | null): string {
  const file = path.join(os.tmpdir(), `patchbay-wrk-${process.pid}.lua`);
  fs.writeFileSync(file, `
local phones = { ${phones.map((p) => JSON.stringify(JSON.stringify({ phone: p }))).join(', ')} }
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", ${pathOverride ? JSON.stringify(pathOverride) : 'nil'}, { ["Content-Type"] = "application/json", ["Authorization"] = os.getenv("BENCH_AUTH") }, phones[(i % #phones) + 1])
end
`);
  return file;
}

interface Load { conns: number; rps: number; p50: number; p99: number; errors: number; requests: number; peakRss: number; nodeUs: number; pgUs: number; load: number }
const ms = (v: string, unit: string) => Number(v) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);

/** Fixed-rate load with autocannon (in a child process, outside the measured tree); wrk's output format. */
function fixedRate(url: string, auth: string, connections: number, seconds: number, rate: number): Promise<string> {
  const code = `
const autocannon = require('autocannon');
const phones = JSON.parse(process.env.BENCH_PHONES);
let i = 0;
autocannon({ url: process.env.BENCH_URL, connections: ${connections}, duration: ${seconds}, overallRate: ${rate}, method: 'POST',
  headers: { 'content-type': 'application/json', ...(process.env.BENCH_AUTH ? { authorization: process.env.BENCH_AUTH } : {}) },
  requests: [{ setupRequest: (r) => ({ ...r, body: JSON.stringify({ phone: phones[i++ % phones.length] }) }) }] }, (err, r) => {
  if (err) { console.error(err); process.exit(1); }
  console.log(r.requests.total + ' requests in ' + ${seconds} + 's');
  console.log('Requests/sec: ' + (r.requests.total / ${seconds}).toFixed(2));
  console.log(' 50% ' + r.latency.p50 + 'ms');
  console.log(' 99% ' + r.latency.p99 + 'ms');
  console.log('Non-2xx or 3xx responses: ' + r.non2xx);
});`;
  return new Promise<string>((resolve) => {
    const p = spawn(process.execPath, ['-e', code], { env: { ...process.env, BENCH_URL: url, BENCH_AUTH: auth, BENCH_PHONES: JSON.stringify(benchPhones) } });
    let s = '';
    p.stdout.on('data', (d) => (s += d));
    p.stderr.on('data', (d) => process.stderr.write(d));
    p.on('exit', () => resolve(s));
  });
}
let benchPhones: string[] = [];

async function load(url: string, auth: string, script: string, connections: number, pid: number, seconds = duration): Promise<Load> {
  let peakRss = rssOfTree(pid);
  const c0 = treeCpu(pid);
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, rssOfTree(pid)); }, 1000);
  const la = loadavg();
  const out = values.rate ? await fixedRate(url, auth, connections, seconds, Number(values.rate)) : await new Promise<string>((resolve) => {
    const p = spawn('wrk', ['-t', '2', '-c', String(connections), '-d', `${seconds}s`, '--latency', '-s', script, url], { env: { ...process.env, BENCH_AUTH: auth } });
    let s = '';
    p.stdout.on('data', (d) => (s += d));
    p.on('exit', () => resolve(s));
  });
  clearInterval(sampler);
  const c1 = treeCpu(pid);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?timeout (\d+)/.exec(out)?.[1] ?? 0);
  const per = (v: number) => (requests ? (v * 1000) / requests : NaN);
  return {
    conns: connections, rps, p50: p50 ? ms(p50[1], p50[2]) : NaN, p99: p99 ? ms(p99[1], p99[2]) : NaN, errors, requests, peakRss,
    nodeUs: per(c1.node - c0.node), pgUs: per(c1.pg - c0.pg), load: (la + loadavg()) / 2,
  };
}

// ---- data --------------------------------------------------------------------------------------------------

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

/** The contacts as caller_lookup answers them, by E.164 (for Node-RED's Map). */
async function exportContacts(databaseUrl: string, customerId: string, file: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const rows = await sql<{ phones: string[]; c: unknown }[]>`
    select phones, json_build_object('source', source, 'externalId', external_id, 'kind', kind, 'firstName', first_name, 'lastName', last_name,
      'company', company, 'email', email, 'phones', phones, 'country', country, 'crmUrl', crm_url, 'ownerId', owner_id, 'custom', custom,
      'updatedAt', source_updated_at) as c
    from cdp_contacts where customer_id = ${customerId} and deleted_at is null`;
  const out: [string, unknown][] = [];
  for (const r of rows) for (const p of r.phones) out.push([p, r.c]);
  fs.writeFileSync(file, JSON.stringify(out));
  await sql.end();
}

// ---- Node-RED ----------------------------------------------------------------------------------------------

const NODE_RED_VERSION = '4.1';
const peersDir = process.env.PATCHBAY_BENCH_PEERS_DIR ?? path.join(os.tmpdir(), 'patchbay-bench-peers');

/** Installs Node-RED 4.1.x into a scratch folder (not a project dependency) once; returns its red.js. */
function installNodeRed(): string {
  const dir = path.join(peersDir, 'node-red');
  const red = path.join(dir, 'node_modules', 'node-red', 'red.js');
  if (fs.existsSync(red)) return red;
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(path.join(dir, 'package.json'))) fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'patchbay-bench-peers', private: true }));
  console.log(`  installing node-red@${NODE_RED_VERSION}.x into ${dir} …`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--omit=optional', `node-red@~${NODE_RED_VERSION}.0`], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync(red)) throw new Error('installing Node-RED failed');
  return red;
}

/**
 * Node-RED answering the same lookup: http in (POST /lookup) → function (normalise with libphonenumber-js/max
 * like Patchbay, then a Map in global context) → http response. The Map and the parser are handed in through
 * functionGlobalContext.
 */
async function startNodeRed(contactsFile: string, country: string): Promise<{ proc: ChildProcess; url: string; version: string }> {
  const red = installNodeRed();
  const version = JSON.parse(fs.readFileSync(path.join(path.dirname(red), 'package.json'), 'utf8')).version as string;
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-nodered-'));
  const port = await freePort();
  const lpn = path.resolve('node_modules/libphonenumber-js/max/index.cjs');
  fs.writeFileSync(path.join(userDir, 'settings.js'), `
const contacts = new Map(JSON.parse(require('fs').readFileSync(${JSON.stringify(contactsFile)}, 'utf8')));
module.exports = {
  uiPort: ${port}, uiHost: '127.0.0.1', flowFile: 'flows.json', userDir: ${JSON.stringify(userDir)},
  logging: { console: { level: 'warn' } }, telemetry: { enabled: false }, diagnostics: { enabled: false },
  functionGlobalContext: { contacts, lpn: require(${JSON.stringify(lpn)}) },
};`);
    // (The default country goes in as a string: an options object made in the function node's sandbox is not a plain
  // Object to libphonenumber-js, which refuses it.)
  const fn = `const lpn = global.get('lpn');
const phone = String((msg.payload && msg.payload.phone) || '').trim();
const p = phone ? lpn.parsePhoneNumberFromString(phone.startsWith('00') ? '+' + phone.slice(2) : phone, '${country}') : undefined;
const c = p && p.isValid() ? global.get('contacts').get(p.number) : undefined;
msg.payload = c ? { found: true, contact: c } : { found: false };
return msg;`;
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify([
    { id: 'tab1', type: 'tab', label: 'lookup' },
    { id: 'in1', type: 'http in', z: 'tab1', name: '', url: '/lookup', method: 'post', upload: false, wires: [['fn1']] },
    { id: 'fn1', type: 'function', z: 'tab1', name: 'lookup', func: fn, outputs: 1, wires: [['out1']] },
    { id: 'out1', type: 'http response', z: 'tab1', name: '', statusCode: '', headers: {}, wires: [] },
  ]));
  const proc = spawn(process.execPath, [red, '--settings', path.join(userDir, 'settings.js'), '--userDir', userDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}/lookup`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`Node-RED exited:\n${out}`);
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`Node-RED did not start:\n${out}`); }
    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"phone":"+12025550000"}', signal: AbortSignal.timeout(3000) }).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  return { proc, url, version };
}

// ---- report ------------------------------------------------------------------------------------------------

function fmt(name: string, l: Load) {
  return `  ${name.padEnd(9)} ${String(l.conns).padStart(2)} conns: ${l.rps.toFixed(0).padStart(6)} req/s   p50 ${l.p50.toFixed(2).padStart(6)} ms   p99 ${l.p99.toFixed(2).padStart(6)} ms   `
    + `CPU/lookup ${(l.nodeUs + (l.pgUs || 0)).toFixed(0).padStart(4)} µs (node ${l.nodeUs.toFixed(0)}${l.pgUs ? ` + PostgreSQL ${l.pgUs.toFixed(0)}` : ''})   `
    + `RSS ${(l.peakRss / 1048576).toFixed(0)} MB   load ${l.load.toFixed(1)}${l.errors ? `   ERRORS ${l.errors}` : ''}`;
}
const cpuOf = (l: Load) => l.nodeUs + (l.pgUs || 0);

async function measure(name: string, url: string, auth: string, script: string, pid: number): Promise<Load[]> {
  await load(url, auth, script, 10, pid, Math.min(5, duration)); // warm-up: JIT, caches, connections
  const out: Load[] = [];
  for (const c of conns) { const l = await load(url, auth, script, c, pid); out.push(l); console.log(fmt(name, l)); }
  for (let i = 0; i < sustain; i++) { const l = await load(url, auth, script, conns[0], pid); out.push(l); console.log(fmt(`${name}+${i + 1}`, l)); }
  return out;
}

async function stopProc(p: ChildProcess | null) {
  if (!p || p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  if (p.exitCode === null) p.kill('SIGKILL');
}

async function benchOne(kind: 'embedded' | 'url') {
  console.log(`\n=== caller_lookup, Patchbay ${asRun ? 'as run (npm start: UI + worker in the process)' : 'API only (PATCHBAY_NO_UI=1)'} on ${kind === 'embedded' ? 'the embedded PostgreSQL' : 'a PostgreSQL server (DATABASE_URL)'} — ${nContacts} contacts, ${duration} s per load, ${os.cpus().length} cores, load ${loadavg().toFixed(1)} at start`);
  const build = values.root ? ((await import(path.join(path.resolve(values.root), 'scripts/build-if-stale.mjs'))).buildIfStale as typeof buildIfStale) : buildIfStale;
  if (asRun && build((m: string) => console.log(`  ${m}`)) !== 0) throw new Error('building the web app failed');
  const databaseUrl = kind === 'url' ? await createScratchDatabase('patchbay_bench') : undefined;
  const env: Record<string, string> = { PATCHBAY_DEMO_CONTACTS: '0', PATCHBAY_NO_UI: asRun ? '0' : '1', PATCHBAY_AUTOMATION_CACHE_MS: '2000', PATCHBAY_FLOW_TIMEOUT_MS: '5000' };
  if (asRun) Object.assign(env, { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', PATCHBAY_WORKER: '1' });
  const dataDir = values.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-'));
  const results: Record<string, Load[]> = {};
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  let bare: ChildProcess | null = null;
  let nodeRed: ChildProcess | null = null;
  const script = { file: '' };
  try {
    const root = values.root ? path.resolve(values.root) : undefined;
    const entry = root ? await (await import(path.join(root, 'scripts/build-server.mjs'))).buildServer('server') as string : undefined;
    server = await startServer({ dbKind: kind, databaseUrl, dataDir, env, entry, cwd: root, nodeArgs: values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(dataDir, 'profiles')}`] : [] });
    const { customerId, phones } = await seed(server.databaseUrl);
    const dbUrl = server.databaseUrl;
    script.file = wrkScript(phones, null);
    benchPhones = phones;
    const contactsFile = path.join(dataDir, 'contacts-by-phone.json');
    if (values.peers && wants('node-red')) await exportContacts(dbUrl, customerId, contactsFile);
    if (wants('patchbay')) results.Patchbay = await measure('Patchbay', `${server.baseUrl}/api/v1/customers/demo/automations/caller_lookup`, `Bearer ${server.apiKey}`, script.file, server.proc.pid!);
    // The bare server gets the machine (and, embedded, the data folder) to itself.
    await server.stop();
    server = null;
    if (wants('bare')) {
      const port = await freePort();
      const benv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: dbUrl, BENCH_CUSTOMER_ID: customerId, PORT: String(port) };
      if (kind === 'embedded') benv.BENCH_EMBEDDED_DATA_DIR = dataDir;
      bare = spawn(process.execPath, [await bundledEntry('bench/bare-server')], { env: benv, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => { bare!.stdout!.on('data', (d) => { if (String(d).includes('bare server on')) resolve(); }); bare!.once('exit', () => reject(new Error('the bare server exited'))); });
      results.bare = await measure('bare', `http://127.0.0.1:${port}/`, '', script.file, bare.pid!);
      await stopProc(bare);
      bare = null;
    }
    if (values.peers && wants('node-red')) {
      const nr = await startNodeRed(contactsFile, 'US');
      nodeRed = nr.proc;
      results[`Node-RED`] = await measure('Node-RED', nr.url, '', script.file, nr.proc.pid!);
      console.log(`  (Node-RED ${nr.version}: http in → function (libphonenumber-js/max, Map in global context) → http response)`);
      await stopProc(nodeRed);
      nodeRed = null;
    }
    const pb = results.Patchbay, b = results.bare;
    if (pb && b) {
      for (let i = 0; i < conns.length; i++) {
        const eff = cpuOf(b[i]) / cpuOf(pb[i]);
        console.log(`  ${conns[i]} conns: efficiency (bare CPU/lookup ÷ Patchbay CPU/lookup) ${eff.toFixed(2)}${i === 0 ? ` (target ≥ 0.5: ${eff >= 0.5 ? 'met' : 'NOT met'})` : ''}; req/s ratio ${(pb[i].rps / b[i].rps).toFixed(2)}`);
      }
    }
    if (pb) {
      const at = (c: number) => pb[conns.indexOf(c)];
      if (at(50)) console.log(`  Patchbay p99 at 50 conns ${at(50).p99.toFixed(1)} ms (target < 20 ms: ${at(50).p99 < 20 ? 'met' : 'NOT met'})`);
      if (at(4)) console.log(`  Patchbay p99 at 4 conns ${at(4).p99.toFixed(1)} ms (target < 5 ms: ${at(4).p99 < 5 ? 'met' : 'NOT met'})`);
      const nr = results['Node-RED'];
      if (nr) console.log(`  vs Node-RED at ${conns[0]} conns: req/s ${(pb[0].rps / nr[0].rps).toFixed(2)}×, CPU/lookup ${(cpuOf(pb[0])).toFixed(0)} vs ${cpuOf(nr[0]).toFixed(0)} µs, p99 ${pb[0].p99.toFixed(1)} vs ${nr[0].p99.toFixed(1)} ms`);
    }
  } finally {
    if (script.file) fs.rmSync(script.file, { force: true });
    await stopProc(bare);
    await stopProc(nodeRed);
    await server?.stop();
    if (databaseUrl) await dropScratchDatabase(databaseUrl);
    if (values.keep || values.data) console.log(`  data folder kept: ${dataDir}`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const kinds: ('embedded' | 'url')[] = values.db === 'both' ? ['embedded', 'url'] : [values.db as 'embedded' | 'url'];
for (const k of kinds) await benchOne(k);
process.exit(0);
