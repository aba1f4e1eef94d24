// npm run bench:record-size — bytes one stored caller_lookup run costs in `runs` (heap + TOAST + indexes),
// measured the way the app records them (EngineHost → RunRecorder) on a scratch database, for hits and misses,
// under the recording policy `all`. Options: --runs 5000
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { compileFlow, registry } from '@/engine';
import { upsertContacts } from '../lib/cdp/pg-cdp';
import { EngineHost } from '../lib/engine-host/host';
import { saveFlowVersion } from '../lib/flows/flows';
import { demoContact, demoPerson } from '../lib/seed/demo';
import { createScratchDb, seedVendor } from '../lib/testing/scratch-db';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5000' } } });
const n = Number(values.runs);
const db = await createScratchDb('patchbay_recsize');
const sql = db.sql;
try {
  const { vendorId, customerId } = await seedVendor(sql, 'recsize');
  await upsertContacts(sql, customerId, 'US', Array.from({ length: 2000 }, (_, i) => demoContact(i)));
  const compiled = compileFlow(JSON.parse(fs.readFileSync('engine/fixtures/caller-lookup.flow.json', 'utf8')), registry);
  const saved = await saveFlowVersion(sql, { vendorId, definition: compiled.flow, publish: true });
  const host = new EngineHost({ sql, encryptionKey: Buffer.alloc(32), flowTimeoutMs: 5000, allowPrivateHosts: true });
  const size = async () => (await sql<{ total: number; heap: number; toast: number; idx: number }[]>`
    select pg_total_relation_size('runs')::float8 as total, pg_relation_size('runs')::float8 as heap,
      coalesce(pg_total_relation_size(nullif(reltoastrelid, 0)), 0)::float8 as toast, pg_indexes_size('runs')::float8 as idx from pg_class where relname = 'runs'`)[0];
  const s0 = await size();
  for (let i = 0; i < n; i++) {
    const p = demoPerson((i * 7) % 2000);
    const phone = i % 5 === 4 ? `+1 202 555 ${String(1000 + (i % 9000)).slice(-4)}` : i % 2 ? p.phoneAsTyped : p.e164;
    const out = await host.execute({ vendorId, customer: { id: customerId, defaultCountry: 'US' }, flowId: saved.flowId, flowVersion: saved.version, compiled, options: {}, trigger: { phone }, recording: { policy: 'all' } });
    if (out.record && out.response) out.record.responseBodyJson = JSON.stringify(out.response.body);
  }
  await host.close();
  await sql`vacuum analyze runs`;
  const s1 = await size();
  const [{ count }] = await sql<{ count: number }[]>`select count(*)::int as count from runs`;
  const per = (k: keyof typeof s1) => ((s1[k] - s0[k]) / count).toFixed(0);
  const [avg] = await sql<{ steps: number; row: number }[]>`select avg(pg_column_size(steps))::float8 as steps, avg(pg_column_size(r.*))::float8 as row from runs r`;
  console.log(`${count} caller_lookup runs (80% hits): ${per('total')} bytes per run in total — heap ${per('heap')}, TOAST ${per('toast')}, indexes ${per('idx')}; row data ${avg.row.toFixed(0)} B of which steps ${avg.steps.toFixed(0)} B`);
} finally {
  await db.drop();
}
process.exit(0);
