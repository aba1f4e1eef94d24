// npm run bench:connectors — pulls every contact out of each CRM emulator in the catalog (HubSpot, Salesforce,
// Pipedrive, Dynamics 365, Zoho CRM, SugarCRM, Copper) through the connector's ContactSource.listChanged, the
// way contact sync reads them: page by page,
// counting, never collecting. Each emulator runs in its own process with rate limits off; each pull runs
// in a fresh process whose peak RSS (VmHWM) is reported, at 10k and 50k contacts, to show memory stays flat.
// Options: --sizes 10000,50000  --systems hubspot,salesforce,pipedrive
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ConnectionHandle } from '../engine';
import { catalog } from '../engine/connectors';
import { freePort } from '../tests/api/server-process';

const TOKEN = 'bench-token';

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
function procKb(field: 'VmRSS' | 'VmHWM', pid: number | 'self' = 'self'): number {
  try { return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024; } catch { return 0; }
}

interface PullResult { system: string; contacts: number; pages: number; requests: number; ms: number; rssBefore: number; peakRss: number }

/** Child process: pull everything from one emulator and print one JSON line. */
async function pull(system: string, baseUrl: string): Promise<void> {
  const source = catalog[system]?.contactSource;
  // Each connector declares its largest page (HubSpot search: 200, Pipedrive v2: 500, Salesforce SOQL: 2000) and its token credentials.
  const bench = catalog[system]?.connector.emulator?.bench;
  if (!source || !bench) throw new Error(`${system} has no contact source or benchmark settings`);
  const conn: ConnectionHandle = {
    id: `bench-${system}`, system, baseUrl, credentials: bench.credentials(TOKEN),
    saveCredentials: async () => {}, reportHealth: async () => {},
  };
  const requestLog: NonNullable<Parameters<typeof source.listChanged>[0]['requestLog']> = [];
  global.gc?.();
  const rssBefore = procKb('VmRSS');
  let contacts = 0, pages = 0, requests = 0;
  const t0 = performance.now();
  for await (const page of source.listChanged({ fetch, conn, requestLog }, { kind: 'person', cursor: null, pageSize: bench.pageSize })) {
    contacts += page.contacts.length;
    pages++;
    // A sync worker keeps only the current page's request log.
    requests += requestLog.length;
    requestLog.length = 0;
  }
  const ms = performance.now() - t0;
  const out: PullResult = { system, contacts, pages, requests, ms, rssBefore, peakRss: procKb('VmHWM') };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function run(cmd: string, args: string[], until?: RegExp): Promise<{ out: string; kill: () => void; done: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const done = new Promise<number | null>((r) => p.once('exit', r));
    const ready = () => resolve({ out, kill: () => p.kill('SIGTERM'), done });
    p.stdout.on('data', (d) => { out += d; if (until?.test(out)) ready(); });
    p.stderr.on('data', (d) => { out += d; });
    p.once('exit', (code) => { if (!until) ready(); else if (!until.test(out)) reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`)); });
  });
}

async function main() {
  const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10000,50000' }, systems: { type: 'string', default: Object.values(catalog).filter((e) => e.contactSource && e.connector.emulator?.bench).map((e) => e.connector.id).join(',') }, pull: { type: 'string' }, base: { type: 'string' } } });
  if (values.pull) return pull(values.pull, values.base!);

  const sizes = values.sizes.split(',').map(Number);
  const systems = values.systems.split(',');
  const tsx = ['--import', 'tsx'];
  const self = path.resolve(import.meta.dirname, 'connectors.ts');
  const rows: (PullResult & { size: number; seedMs: number })[] = [];
  for (const system of systems) {
    for (const size of sizes) {
      const port = await freePort();
      const t0 = Date.now();
      const emu = await run(process.execPath, [...tsx, 'cli/emulator.ts', system, '--port', String(port), '--contacts', String(size), '--token', TOKEN, '--rate-limit', '0'], /listening on/);
      const seedMs = Date.now() - t0;
      try {
        const child = await run(process.execPath, ['--expose-gc', ...tsx, self, '--pull', system, '--base', `http://127.0.0.1:${port}`]);
        const code = await child.done;
        const line = child.out.split('\n').find((l) => l.startsWith('{'));
        if (code !== 0 || !line) throw new Error(`pull from ${system} failed (exit ${code}):\n${child.out}`);
        const r = JSON.parse(line) as PullResult;
        rows.push({ ...r, size, seedMs });
        const rate = r.contacts / (r.ms / 1000);
        console.log(`${system.padEnd(10)} ${String(size).padStart(6)} contacts: pulled ${r.contacts} in ${(r.ms / 1000).toFixed(2)} s (${r.pages} pages, ${r.requests} requests) = ${Math.round(rate)} contacts/s, peak RSS ${mb(r.peakRss)} MB (${mb(r.rssBefore)} MB before the pull)${r.contacts !== size ? `  !! expected ${size}` : ''}`);
      } finally {
        emu.kill();
        await emu.done;
      }
    }
  }
  console.log('\n| Connector | Contacts | Pull time | Contacts/s | Pages | Peak RSS (puller) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${catalog[r.system].connector.name} | ${r.size.toLocaleString('en-US')} | ${(r.ms / 1000).toFixed(2)} s | ${Math.round(r.contacts / (r.ms / 1000)).toLocaleString('en-US')} | ${r.pages} | ${mb(r.peakRss)} MB |`);
  console.log(`\nNode ${process.version}, ${process.platform}/${process.arch}; emulators in their own processes, rate limits off, page sizes ${JSON.stringify(Object.fromEntries(systems.map((s) => [s, catalog[s]?.connector.emulator?.bench?.pageSize])))}.`);
  if (rows.some((r) => r.contacts !== r.size)) process.exitCode = 1;
}

main().catch((err) => { console.error(err); process.exit(1); });
