// npm run bench:calls — call logging under the CRM's real rate limit. Starts Patchbay (bundled server, scratch
// database on PATCHBAY_TEST_PG_ADMIN_URL), a HubSpot emulator enforcing 100 requests per 10 s, and the phone-system
// emulator; enables the call_logging template for one customer (no delay, no recordings) and lets N calls
// (default 1,000) end within one minute. Waits until every call is logged, then checks each is logged exactly once
// and prints calls logged per minute, CRM requests per call, 429s met (and how many reached a run: none should),
// and the worst and median time from call end to log.
//   Options: --calls 1000 --spread-sec 60 --rate 100 --window-ms 10000
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { startHubspotEmulator } from '../engine/connectors/hubspot/emulator';
import { syntheticPerson } from '../engine/connectors/kit/synthetic';
import { startPhoneSystemEmulator } from '../engine/connectors/phone-system/emulator';
import { saveConnection } from '../lib/engine-host/connections';
import { enableIntegration, publishFlow, saveFlowVersion } from '../lib/flows/flows';
import { dropScratchDatabase, startServer } from '../tests/api/server-process';

const { values } = parseArgs({ options: {
  calls: { type: 'string', default: '1000' }, 'spread-sec': { type: 'string', default: '60' }, rate: { type: 'string', default: '100' }, 'window-ms': { type: 'string', default: '10000' },
} });
const N = Number(values.calls);
const spreadMs = Number(values['spread-sec']) * 1000;

async function main() {
  const server = await startServer({ dbKind: 'url' });
  const sql = postgres(server.databaseUrl, { max: 4, onnotice: () => {} });
  const hs = await startHubspotEmulator({ contacts: 200, users: 3, token: 'bench-token', rateLimit: Number(values.rate), rateWindowMs: Number(values['window-ms']) });
  const secret = 'whsec_bench';
  try {
    const ext = 'bench-calls';
    const res = await fetch(`${server.baseUrl}/api/v1/customers`, { method: 'POST', headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ externalId: ext, name: 'Bench calls', defaultCountry: 'US' }) });
    if (res.status !== 201) throw new Error(`customer: ${res.status} ${await res.text()}`);
    const [c] = await sql<{ id: string; vendor_id: string; slug: string }[]>`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = ${ext}`;
    const key = Buffer.from(JSON.parse(fs.readFileSync(path.join(server.dataDir, 'secrets.json'), 'utf8')).encryptionKey, 'hex');
    const pb = await startPhoneSystemEmulator({ token: 'pb', webhookUrl: `${server.baseUrl}/api/v1/hooks/${c.slug}/${ext}/phone-system`, webhookSecret: secret, webhookRetryDelayMs: 500 });
    await saveConnection(sql, key, { customerId: c.id, system: 'phonesystem', name: 'pbx', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: 'pb', webhookSecret: secret } });
    await saveConnection(sql, key, { customerId: c.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: hs.url, credentials: { token: 'bench-token' } });
    const definition = JSON.parse(fs.readFileSync(path.resolve('engine/fixtures/call-logging.flow.json'), 'utf8'));
    const saved = await saveFlowVersion(sql, { vendorId: c.vendor_id, definition });
    await publishFlow(sql, c.vendor_id, saved.flowId, saved.version);
    await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId: saved.flowId, options: { crm: 'hubspot', delayMinutes: 0, waitForRecording: false, storeRecordings: false } });
    const agent = hs.store.owners[1].email;

    console.log(`${N} calls ending within ${spreadMs / 1000} s; HubSpot emulator at ${values.rate} requests / ${Number(values['window-ms']) / 1000} s`);
    const endedAt = new Map<string, number>();
    const t0 = Date.now();
    let sent = 0;
    const placing: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      const due = t0 + (i * spreadMs) / N;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const callId = `bench-${i}`;
      const p = syntheticPerson(i % 200);
      const base = { callId, direction: 'inbound' as const, from: p.e164, to: '+14155550199', agentEmail: agent, startedAt: new Date(Date.now() - 60_000).toISOString() };
      placing.push(pb.emitCall({ ...base, event: 'call.ended', durationSec: 55, status: 'completed' }).then((d) => { endedAt.set(callId, Date.now()); sent++; if (!d.delivered) throw new Error(`call.ended of ${callId} not delivered`); }));
    }
    await Promise.all(placing);
    console.log(`all ${sent} call.ended webhooks accepted after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    let logged = 0;
    for (;;) {
      const [{ n, failed }] = await sql<{ n: number; failed: number }[]>`select count(*) filter (where records ? 'log')::int as n,
        (select count(*)::int from runs where customer_id = ${c.id} and status = 'failed') as failed from call_sessions where customer_id = ${c.id}`;
      if (n !== logged && (n - logged >= N / 20 || n >= N)) { logged = n; console.log(`${logged}/${N} logged after ${((Date.now() - t0) / 1000).toFixed(0)} s, failed runs ${failed}`); }
      if (n >= N || failed > 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const total = (Date.now() - t0) / 1000;
    const rows = await sql<{ call_id: string; at: string }[]>`select call_id, records->'log'->>'at' as at from call_sessions where customer_id = ${c.id} and records ? 'log'`;
    const lags = rows.map((r) => Date.parse(r.at) - (endedAt.get(r.call_id) ?? Date.parse(r.at))).sort((a, b) => a - b);
    const calls = hs.store.calls();
    const byCall = new Map<string, number>();
    for (const x of calls) byCall.set(x.properties.hs_call_external_id, (byCall.get(x.properties.hs_call_external_id) ?? 0) + 1);
    const dupes = [...byCall.values()].filter((v) => v > 1).length;
    const [{ failed }] = await sql<{ failed: number }[]>`select count(*)::int as failed from runs where customer_id = ${c.id} and status in ('failed', 'timeout')`;
    const requests = hs.stats.requests - hs.stats.rateLimited;
    console.log(`calls logged: ${rows.length}/${N} in ${total.toFixed(0)} s → ${(rows.length / (total / 60)).toFixed(0)} calls/min`);
    console.log(`native call logs in HubSpot: ${calls.length} for ${byCall.size} call ids, duplicates: ${dupes}`);
    console.log(`CRM requests: ${requests} served (${(requests / Math.max(1, rows.length)).toFixed(2)} per call), ${hs.stats.rateLimited} answered 429 and waited out; failed runs: ${failed}`);
    console.log(`call end → log: median ${(lags[Math.floor(lags.length / 2)] / 1000).toFixed(1)} s, worst ${(lags.at(-1)! / 1000).toFixed(1)} s`);
    await pb.close();
  } finally {
    await hs.close();
    await sql.end({ timeout: 2 });
    await server.stop();
    await dropScratchDatabase(server.databaseUrl);
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
