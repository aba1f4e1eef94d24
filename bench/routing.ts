// npm run bench:routing — the routing webhook under load: the phone system's signed call.ringing deliveries
// (each unique, as a phone system sends them) to customer "demo", whose call_routing integration answers them
// synchronously (CDP lookup + routing rules → {"action":"route",…}), driven by wrk at 50 connections.
//   Phase 1, "CDP + rules": every request a CDP lookup and the rules.
//   Phase 2, "one lookup in ten slow": the live CRM lookup on (HubSpot emulator), which delays one request in ten
//   by --slow-ms (default 2000, past the 800 ms deadline): those answer the flow's fallback.
// Prints req/s, p50/p99, CPU per request (server + its embedded PostgreSQL), the share of fallback answers and
// whether p99 stays under the deadline. Every request is a full durable webhook: delivery claimed, call session
// folded, run, answer stored before it is sent.
// Options: --duration 10  --connections 50 (a list, e.g. 50,10)  --contacts 20000  --slow-ms 2000  --only cdp|slow
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { demoContact, demoPerson } from '../lib/seed/demo';
import { upsertContacts } from '../lib/cdp/pg-cdp';
import { saveConnection } from '../lib/engine-host/connections';
import { signWebhookBody } from '../engine/connectors/phone-system/webhook-signature';
import { startHubspotEmulator } from '../engine/connectors/hubspot/emulator';
import { startServer } from '../tests/api/server-process';

const { values } = parseArgs({ options: {
  duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' }, contacts: { type: 'string', default: '20000' },
  'slow-ms': { type: 'string', default: '2000' }, only: { type: 'string' },
} });
const duration = Number(values.duration);
const connectionCounts = String(values.connections).split(',').map(Number).filter((n) => n > 0);
const nContacts = Number(values.contacts);
const slowMs = Number(values['slow-ms']);
const DEADLINE_MS = 800;

if (spawnSync('wrk', ['--version']).error) {
  console.error('bench:routing needs wrk (Debian: apt-get install -y wrk)');
  process.exit(2);
}

const TICK_MS = 1000 / (Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100);
function cpuOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch { return 0; }
}
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

/**
 * A wrk script replaying pre-signed, unique deliveries (a delivery id answered once is answered from storage
 * afterwards, which is not what is measured) and counting the answers that carry x-patchbay-fallback.
 */
function wrkScript(secret: string, phones: string[], count: number, tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-routing-'));
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `bench-${tag}-${i}`;
    const body = JSON.stringify({ deliveryId: id, event: 'call.ringing', callId: `call-${tag}-${i}`, direction: 'inbound', from: phones[i % phones.length], to: '+14155550100', startedAt: '2026-11-30T06:00:00Z', status: 'ringing' });
    lines.push(`${id}\t${signWebhookBody(secret, body)}\t${body}`);
  }
  fs.writeFileSync(path.join(dir, 'deliveries.tsv'), lines.join('\n') + '\n');
  const script = path.join(dir, 'routing.lua');
  fs.writeFileSync(script, `
-- per-thread globals (thread:get reads them in done())
reqs = {}
threads = {}
n = 0
i = 0
fallbacks = 0
answered = 0
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  local k = 0
  for line in io.lines("${path.join(dir, 'deliveries.tsv')}") do
    -- each thread takes every other line: no delivery id is sent twice
    if k % 2 == id then
      local d, sig, body = line:match("^([^\\t]*)\\t([^\\t]*)\\t(.*)$")
      n = n + 1
      reqs[n] = wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["x-phonesystem-event"] = "call.ringing", ["x-phonesystem-delivery"] = d, ["x-phonesystem-signature"] = sig }, body)
    end
    k = k + 1
  end
end
function request()
  i = i + 1
  return reqs[((i - 1) % n) + 1]
end
function response(status, headers, body)
  answered = answered + 1
  if headers["x-patchbay-fallback"] ~= nil or headers["X-Patchbay-Fallback"] ~= nil then fallbacks = fallbacks + 1 end
end
function done(summary, latency, requests)
  local f, a, sent = 0, 0, 0
  for _, t in ipairs(threads) do
    f = f + t:get("fallbacks")
    a = a + t:get("answered")
    sent = sent + t:get("i")
  end
  io.write(string.format("FALLBACKS %d ANSWERED %d SENT %d\\n", f, a, sent))
end
`);
  return script;
}

interface Load { rps: number; p50: number; p99: number; errors: number; requests: number; fallbacks: number; answered: number; sent: number; cpuUsPerReq: number; dbCpuUsPerReq: number }
const ms = (v: string, unit: string) => Number(v) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);

async function load(url: string, script: string, conns: number, seconds: number, pid: number): Promise<Load> {
  const dbPids = descendantsOf(pid);
  const cpu0 = cpuOf(pid), db0 = dbPids.reduce((a, p) => a + cpuOf(p), 0);
  const out = await new Promise<string>((resolve) => {
    const p = spawn('wrk', ['-t', '2', '-c', String(conns), '-d', `${seconds}s`, '--timeout', '10s', '--latency', '-s', script, url]);
    let s = '';
    p.stdout.on('data', (d) => (s += d));
    p.stderr.on('data', (d) => (s += d));
    p.on('exit', () => resolve(s));
  });
  const cpu = cpuOf(pid) - cpu0, dbCpu = dbPids.reduce((a, p) => a + cpuOf(p), 0) - db0;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const fb = /FALLBACKS (\d+) ANSWERED (\d+) SENT (\d+)/.exec(out);
  if (!fb) console.error(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0), requests,
    p50: p50 ? ms(p50[1], p50[2]) : NaN, p99: p99 ? ms(p99[1], p99[2]) : NaN,
    errors: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?timeout (\d+)/.exec(out)?.[1] ?? 0),
    fallbacks: Number(fb?.[1] ?? NaN), answered: Number(fb?.[2] ?? NaN), sent: Number(fb?.[3] ?? NaN),
    cpuUsPerReq: requests ? (cpu / requests) * 1000 : NaN, dbCpuUsPerReq: requests ? (dbCpu / requests) * 1000 : NaN,
  };
}

function fmt(l: Load) {
  const share = l.answered ? (100 * l.fallbacks) / l.answered : NaN;
  return `${l.rps.toFixed(0).padStart(6)} req/s   p50 ${l.p50.toFixed(1).padStart(6)} ms   p99 ${l.p99.toFixed(1).padStart(6)} ms   CPU/req ${l.cpuUsPerReq.toFixed(0)} µs server + ${l.dbCpuUsPerReq.toFixed(0)} µs embedded db`
    + `   fallbacks ${l.fallbacks}/${l.answered} (${share.toFixed(1)} %)${l.errors ? `   ERRORS ${l.errors}` : ''}   p99 ${l.p99 < DEADLINE_MS ? '<' : '≥'} ${DEADLINE_MS} ms deadline`;
}

console.log(`=== bench:routing — call.ringing webhooks answered by call_routing, ${connectionCounts.join(' and ')} connections, ${duration} s per load, ${nContacts} CDP contacts (load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')})`);
const server = await startServer({ dbKind: 'embedded', env: { PATCHBAY_DEMO_CONTACTS: '0', PATCHBAY_AUTOMATION_CACHE_MS: '2000', PATCHBAY_FLOW_TIMEOUT_MS: '5000' } });
const hub = await startHubspotEmulator({ contacts: 50, companies: 1, users: 2, token: 'bench-token' });
try {
  const sql = postgres(server.databaseUrl, { max: 2, onnotice: () => {} });
  const [c] = await sql<{ id: string }[]>`select id from customers where external_id = 'demo'`;
  for (let i = 0; i < nContacts; i += 5000) await upsertContacts(sql, c.id, 'US', Array.from({ length: Math.min(5000, nContacts - i) }, (_, k) => demoContact(i + k)));
  await sql`analyze cdp_contacts`;
  const secret = 'whsec_bench_routing_secret';
  const encryptionKey = Buffer.from(JSON.parse(fs.readFileSync(path.join(server.dataDir, 'secrets.json'), 'utf8')).encryptionKey, 'hex');
  await saveConnection(sql, encryptionKey, { customerId: c.id, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: 'http://127.0.0.1:9', credentials: { token: 't', webhookSecret: secret } });
  await saveConnection(sql, encryptionKey, { customerId: c.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: hub.url, credentials: { token: 'bench-token' } });
  // 80% known callers (a third of them gold → vip-queue), 20% unknown.
  const phones: string[] = [];
  for (let k = 0; k < 500; k++) phones.push(k % 5 === 4 ? `+1202555${String(1000 + k).slice(-4)}` : demoPerson((k * 4999) % nContacts).e164);
  const url = `${server.baseUrl}/api/v1/hooks/demo/demo/phone-system`;
  const count = Math.max(20_000, duration * 4000);
  const pid = server.proc.pid!;
  const setOptions = (o: Record<string, unknown>) => sql`update integrations set options = ${JSON.stringify(o)}::text::jsonb where customer_id = ${c.id} and automation = 'call_routing'`;
  const settle = () => new Promise((r) => setTimeout(r, 2500)); // the automation binding is cached for 2 s

  if (!values.only || values.only === 'cdp') {
    await setOptions({});
    await settle();
    await load(url, wrkScript(secret, phones, 4000, 'warm'), 10, 3, pid);
    for (const conns of connectionCounts) {
      const a = await load(url, wrkScript(secret, phones, count, `cdp${conns}`), conns, duration, pid);
      console.log(`  CDP + rules, ${String(conns).padStart(2)} conns:              ${fmt(a)}`);
    }
  }
  if (!values.only || values.only === 'slow') {
    await setOptions({ liveCrm: true, crm: 'hubspot' });
    await settle();
    for (const conns of connectionCounts) {
      const aborted = hub.stats.aborted;
      hub.delay(slowMs, { every: 10 });
      const b = await load(url, wrkScript(secret, phones, count, `slow${conns}`), conns, duration, pid);
      hub.delay(0);
      console.log(`  + live CRM, 1 in 10 slow, ${String(conns).padStart(2)} conns: ${fmt(b)}   (CRM calls aborted: ${hub.stats.aborted - aborted})`);
    }
  }
  console.log(`  load average after: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  await sql.end();
} finally {
  await hub.close();
  await server.stop();
  fs.rmSync(server.dataDir, { recursive: true, force: true });
}
process.exit(0);
