// Issue 18: what the recording policies store, the per-minute aggregates against the runs that happened (after
// the detailed records are pruned), the size budget, and the storage warnings.
import os from 'node:os';
import type postgres from 'postgres';
import { renderToStaticMarkup } from 'react-dom/server';
import { createElement } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFlow, registry, type CompiledFlow, type RecordingPolicy } from '@/engine';
import { StorageWarnings } from '@/components/shell/storage-warnings';
import { upsertContacts } from '../cdp/pg-cdp';
import { EngineHost } from '../engine-host/host';
import { demoContact, demoPerson } from '../seed/demo';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { LATENCY_BOUNDS_MS, bucketOf, bucketRange } from './latency-buckets';
import { RecordingPolicies } from './recording-policy';
import { RunAggregates, pruneAggregates, rollUpAggregates } from './run-aggregates';
import { newRunId } from './run-id';
import { pruneRuns } from './retention';
import { readRun } from './read-run';
import { saveFlowVersion } from '../flows/flows';
import { runStats } from './run-stats';
import { diskOf, pruneToBudget, storageStatus } from './storage-budget';

let db: ScratchDb;
let sql: postgres.Sql;
let vendorId = '';
let customerId = '';

beforeAll(async () => {
  db = await createScratchDb('patchbay_history');
  sql = db.sql;
  ({ vendorId, customerId } = await seedVendor(sql, 'history'));
  await upsertContacts(sql, customerId, 'US', Array.from({ length: 50 }, (_, i) => demoContact(i)));
});
afterAll(async () => { await db?.drop(); });

/** No database in the flow: answers `ok`, or fails (with the fallback answering) when the trigger says so. */
const quick = compileFlow({
  schemaVersion: 1, name: 'quick', automation: 'quick_answer',
  nodes: [
    { id: 'trigger', type: 'trigger.webhook', params: {}, position: { x: 0, y: 0 } },
    { id: 'check', type: 'condition', params: { left: '=trigger.fail', operator: 'isTrue' }, position: { x: 200, y: 0 } },
    { id: 'ok', type: 'respond.json', params: { status: 200, body: { ok: true } }, position: { x: 400, y: 0 } },
    { id: 'boom', type: 'phone.normalize', params: { phone: '=trigger.fail' }, position: { x: 400, y: 100 } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourcePort: 'out', target: 'check' },
    { id: 'e2', source: 'check', sourcePort: 'false', target: 'ok' },
    { id: 'e3', source: 'check', sourcePort: 'true', target: 'boom' },
  ],
  fallback: { status: 200, body: { ok: false } },
}, registry);

/** The caller lookup with a fallback, looking up `trigger.phone` as given (a number in the trigger fails the run). */
const lookup = compileFlow({
  schemaVersion: 1, name: 'lookup', automation: 'caller_lookup',
  nodes: [
    { id: 'trigger', type: 'trigger.webhook', params: {}, position: { x: 0, y: 0 } },
    { id: 'lookup', type: 'cdp.lookup', params: { phone: '=trigger.phone' }, position: { x: 200, y: 0 } },
    { id: 'found', type: 'respond.json', params: { status: 200, body: { found: true, contact: '=steps.lookup.contact' } }, position: { x: 400, y: 0 } },
    { id: 'missing', type: 'respond.json', params: { status: 200, body: { found: false } }, position: { x: 400, y: 100 } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourcePort: 'out', target: 'lookup' },
    { id: 'e2', source: 'lookup', sourcePort: 'found', target: 'found' },
    { id: 'e3', source: 'lookup', sourcePort: 'notFound', target: 'missing' },
  ],
  fallback: { status: 200, body: { found: false, degraded: true } },
}, registry);

const hostFor = (o: { random?: () => number } = {}) => new EngineHost({ sql, encryptionKey: Buffer.alloc(32), flowTimeoutMs: 5000, allowPrivateHosts: true, policies: new RecordingPolicies(o.random) });

async function execute(host: EngineHost, compiled: CompiledFlow, trigger: Record<string, unknown>, o: { recording?: RecordingPolicy | null; traced?: boolean; mode?: 'live' | 'test'; synchronous?: boolean } = {}) {
  return host.execute({ vendorId, customer: { id: customerId, defaultCountry: 'US' }, flowId: null, flowVersion: null, compiled, options: {}, trigger, synchronous: true, ...o });
}

async function storedOf(automation: string): Promise<{ id: string; status: string }[]> {
  return sql<{ id: string; status: string }[]>`select id, status::text from runs where automation = ${automation} and customer_id = ${customerId}`;
}

describe('recording policies store exactly what they say', () => {
  it('errors: every failed or fallback run in full, no successful one; traced and test runs always', async () => {
    await sql`delete from runs`;
    const host = hostFor();
    const failedIds: string[] = [];
    for (let i = 0; i < 60; i++) {
      const out = await execute(host, quick, { fail: i % 4 === 0 }, { recording: { policy: 'errors' } });
      if (i % 4 === 0) { expect(out.status).toBe('failed'); expect(out.response?.body).toEqual({ ok: false }); failedIds.push(out.runId); }
    }
    const traced = await execute(host, quick, { fail: false }, { recording: { policy: 'errors' }, traced: true });
    const test = await execute(host, quick, { fail: false }, { recording: { policy: 'errors' }, mode: 'test' });
    await host.close();
    const stored = await storedOf('quick_answer');
    expect(stored.map((r) => r.id).sort()).toEqual([...failedIds, traced.runId, test.runId].sort());
    const [full] = await sql<{ steps: unknown[]; error: { code: string } }[]>`select steps, error from runs where id = ${failedIds[0]}`;
    expect(full.error.code).toBe('invalid_params');
    expect(full.steps.length).toBe(3); // trigger, condition, the failing step: in full
  });

  it('all: every run', async () => {
    await sql`delete from runs`;
    const host = hostFor();
    for (let i = 0; i < 30; i++) await execute(host, quick, { fail: i % 10 === 0 }, { recording: { policy: 'all' } });
    await host.close();
    expect((await storedOf('quick_answer')).length).toBe(30);
  });

  it('sampled: the chosen share of 10,000 successful runs (within 4.5 standard deviations), every failed one', async () => {
    await sql`delete from runs`;
    const host = hostFor();
    const share = 0.05;
    let failed = 0;
    for (let i = 0; i < 10_000; i++) {
      const fail = i % 500 === 0;
      if (fail) failed++;
      await execute(host, quick, { fail }, { recording: { policy: 'sampled', share } });
    }
    await host.close();
    const stored = await storedOf('quick_answer');
    const ok = stored.filter((r) => r.status === 'succeeded').length;
    const expected = (10_000 - failed) * share;
    expect(Math.abs(ok - expected)).toBeLessThan(4.5 * Math.sqrt(expected * (1 - share)));
    expect(stored.filter((r) => r.status === 'failed').length).toBe(failed);
  });

  it('unset, a synchronous call keeps the first 10 successful runs per minute and ~1 % after; a background run keeps all', () => {
    let r = 0.5;
    const p = new RecordingPolicies(() => r);
    const c = { mode: 'live' as const, status: 'succeeded', synchronous: true, customerId: 'c', automation: 'caller_lookup' };
    const kept = Array.from({ length: 15 }, () => p.keep(c)).filter(Boolean).length;
    expect(kept).toBe(10);
    r = 0.001;
    expect(p.keep(c)).toBe(true); // inside the 1 % sample
    r = 0.5;
    expect(p.keep({ ...c, customerId: 'other' })).toBe(true); // another customer has its own 10
    expect(p.keep({ ...c, synchronous: false })).toBe(true);
    expect(p.keep({ ...c, status: 'timeout' })).toBe(true);
    expect(p.keep({ ...c, fallback: true })).toBe(true);
  });
});

describe('aggregates agree with the runs that happened, after the detailed records are pruned', () => {
  it('counts, failures, fallbacks and a percentile within a latency bucket', async () => {
    await sql`delete from runs`;
    await sql`delete from run_aggregates`;
    const host = hostFor();
    const from = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    for (let i = 0; i < 300; i++) {
      const p = demoPerson(i % 60);
      await execute(host, lookup, { phone: i % 6 === 5 ? 12345 : i % 2 ? p.phoneAsTyped : p.e164 }, { recording: { policy: 'all' } });
    }
    await host.close(); // flushes the recorder and the aggregates
    const [exact] = await sql<{ count: number; failed: number; p95: number }[]>`
      select count(*)::int as count, (count(*) filter (where status = 'failed'))::int as failed,
        percentile_disc(0.95) within group (order by duration_ms)::float8 as p95 from runs where automation = 'caller_lookup'`;
    expect(exact).toMatchObject({ count: 300, failed: 50 });
    expect(await pruneRuns(sql, new Date(Date.now() + 60_000))).toBe(300);
    expect((await storedOf('caller_lookup')).length).toBe(0);

    const to = new Date(Date.now() + 60_000);
    const stats = await runStats(sql, vendorId, { automation: 'caller_lookup', from, to });
    expect(stats.total.count).toBe(300);
    expect(stats.total.failed).toBe(50);
    const [lo, hi] = bucketRange(bucketOf(exact.p95), stats.total.max ?? 0);
    expect(stats.total.p95).toBeGreaterThanOrEqual(lo);
    expect(stats.total.p95).toBeLessThanOrEqual(hi);
    const [agg] = await sql<{ fallbacks: number; runs: number }[]>`select sum(fallbacks)::int as fallbacks, sum(runs)::int as runs from run_aggregates where automation = 'caller_lookup'`;
    expect(agg).toEqual({ fallbacks: 50, runs: 300 });
  });

  it('several processes add into the same row; a failed write keeps its counts for the next one', async () => {
    await sql`delete from run_aggregates`;
    const at = new Date(Date.UTC(2026, 0, 5, 12, 30, 10));
    const a = new RunAggregates(sql), b = new RunAggregates(sql);
    for (let i = 0; i < 40; i++) a.add({ vendorId, customerId, automation: 'multi', status: i < 4 ? 'failed' : 'succeeded', durationMs: 3, startedAt: at });
    for (let i = 0; i < 60; i++) b.add({ vendorId, customerId, automation: 'multi', status: 'timeout', durationMs: 700, startedAt: at, fallback: true });
    await Promise.all([a.flush(), b.flush()]);
    const down = new RunAggregates((() => Promise.reject(new Error('database down'))) as unknown as postgres.Sql);
    down.add({ vendorId, customerId, automation: 'multi', status: 'succeeded', durationMs: 1, startedAt: at });
    await down.flush();
    expect(down.unwritten).toBe(1);
    const [row] = await sql<{ runs: number; failures: number; timeouts: number; fallbacks: number; buckets: number[] }[]>`select runs, failures, timeouts, fallbacks, buckets from run_aggregates where automation = 'multi'`;
    expect(row).toMatchObject({ runs: 100, failures: 4, timeouts: 60, fallbacks: 60 });
    expect(row.buckets[bucketOf(3)]).toBe(40);
    expect(row.buckets[bucketOf(700)]).toBe(60);
    expect(row.buckets.length).toBe(LATENCY_BOUNDS_MS.length + 1);
  });
});

describe('aggregates over 13 months', () => {
  it('old minute rows fold into hour rows with the same counts and percentiles; past 13 months they go', async () => {
    await sql`delete from run_aggregates`;
    const hour = Date.UTC(2026, 0, 10, 9, 0, 0);
    const agg = new RunAggregates(sql);
    for (let m = 0; m < 60; m += 7) for (let i = 0; i < 20; i++) {
      agg.add({ vendorId, customerId, automation: 'roll', status: i === 0 ? 'failed' : 'succeeded', durationMs: 1 + ((m * 20 + i) % 90), startedAt: new Date(hour + m * 60_000 + i) });
    }
    agg.add({ vendorId, customerId, automation: 'roll', status: 'succeeded', durationMs: 4, startedAt: new Date(hour + 3_600_000 + 5) });
    await agg.close();
    const window = { automation: 'roll', from: new Date(hour), to: new Date(hour + 2 * 3_600_000) };
    const before = await runStats(sql, vendorId, window);
    const rows0 = (await sql`select 1 from run_aggregates where automation = 'roll'`).length;
    expect(await rollUpAggregates(sql, new Date(hour + 3_600_000 + 60_000))).toBe(rows0 - 2); // all but 09:00 and 10:00
    const rows = await sql<{ minute: string; runs: number }[]>`select minute::text, runs from run_aggregates where automation = 'roll' order by minute`;
    expect(rows.map((r) => new Date(r.minute).getTime())).toEqual([hour, hour + 3_600_000]);
    const after = await runStats(sql, vendorId, window);
    expect(after.total).toEqual(before.total);
    expect(after.total).toMatchObject({ count: 181, failed: 9 });
    expect(await pruneAggregates(sql, new Date(hour + 1))).toBe(1);
  });
});

describe('the storage budget', () => {
  it('prunes the oldest finished runs first and keeps runs younger than the minimum age', async () => {
    await sql`delete from runs`;
    const payload = { note: 'x'.repeat(1500) };
    const add = async (ageMs: number, status = 'succeeded') => {
      const at = Date.now() - ageMs;
      const id = newRunId(at);
      await sql`insert into runs (id, vendor_id, customer_id, automation, mode, status, trigger, started_at, duration_ms)
        values (${id}, ${vendorId}, ${customerId}, 'caller_lookup', 'live', ${status}::run_status, ${JSON.stringify(payload)}::text::json, ${new Date(at).toISOString()}::timestamptz, 2)`;
      return id;
    };
    const oldest: string[] = [], older: string[] = [], young: string[] = [];
    for (let i = 0; i < 40; i++) oldest.push(await add(3 * 86_400_000 + i * 1000));
    for (let i = 0; i < 40; i++) older.push(await add(2 * 86_400_000 + i * 1000));
    const waiting = await add(4 * 86_400_000, 'waiting');
    for (let i = 0; i < 30; i++) young.push(await add(10 * 60_000 + i * 1000));
    // room for about 60 runs: the 40 oldest must go, then some of the next oldest
    const perRun = (await pruneToBudget(sql, { maxBytes: 0, minAgeMs: 0 })).before.bytesPerRun;
    const { deleted } = await pruneToBudget(sql, { maxBytes: perRun * 60 / 0.9, minAgeMs: 3_600_000, batch: 7, pauseMs: 1 });
    const left = new Set((await sql<{ id: string }[]>`select id from runs`).map((r) => r.id));
    expect(deleted).toBeGreaterThanOrEqual(40);
    expect(oldest.some((id) => left.has(id))).toBe(false);
    // oldest first: what is left of the older ones is their newest
    const olderLeft = older.filter((id) => left.has(id));
    expect(olderLeft.length).toBe(40 - (deleted - 40));
    expect(older.slice(0, olderLeft.length).every((id) => left.has(id))).toBe(true); // older[0] is the youngest of them
    expect(young.every((id) => left.has(id))).toBe(true);
    expect(left.has(waiting)).toBe(true);

    // A budget smaller than the young runs alone: those are kept all the same
    await pruneToBudget(sql, { maxBytes: perRun * 5, minAgeMs: 3_600_000, batch: 50, pauseMs: 1 });
    const after = new Set((await sql<{ id: string }[]>`select id from runs`).map((r) => r.id));
    expect(young.every((id) => after.has(id))).toBe(true);
    expect(older.some((id) => after.has(id))).toBe(false);
  });
});

describe('storage warnings', () => {
  it('warns when the data folder\'s disk is low and when the history nears its budget; the staff app shows them', async () => {
    const low = await storageStatus(sql, { dataDir: '/data', maxBytes: 0, diskWarnPercent: 10, disk: { freeBytes: 2 * 1024 ** 3, totalBytes: 100 * 1024 ** 3, freePercent: 2 } });
    expect(low.warnings.map((w) => w.kind)).toEqual(['disk_low']);
    expect(low.warnings[0].message).toMatch(/2\.0 GB free of 100\.0 GB/);
    const fine = await storageStatus(sql, { dataDir: '/data', maxBytes: 0, diskWarnPercent: 10, disk: { freeBytes: 60 * 1024 ** 3, totalBytes: 100 * 1024 ** 3, freePercent: 60 } });
    expect(fine.warnings).toEqual([]);
    const near = await storageStatus(sql, { dataDir: '/data', maxBytes: 1024, diskWarnPercent: 10, disk: null });
    expect(near.warnings.map((w) => w.kind)).toEqual(['budget_near']);
    const html = renderToStaticMarkup(createElement(StorageWarnings, { warnings: low.warnings }));
    expect(html).toContain('data-testid="storage-warning-disk_low"');
    expect(html).toContain('role="alert"');
    expect(renderToStaticMarkup(createElement(StorageWarnings, { warnings: [] }))).toBe('');
    // the real disk of a real folder
    const disk = diskOf(os.tmpdir())!;
    expect(disk.totalBytes).toBeGreaterThan(disk.freeBytes);
  });
});

describe('compact records', () => {
  it('a stored lookup leaves out what it repeats and reads back as the full run', async () => {
    const saved = await saveFlowVersion(sql, { vendorId, definition: lookup.flow, publish: true });
    const host = hostFor();
    const p = demoPerson(3);
    const out = await host.execute({ vendorId, customer: { id: customerId, defaultCountry: 'US' }, flowId: saved.flowId, flowVersion: saved.version, compiled: lookup, options: {}, trigger: { phone: p.e164 }, recording: { policy: 'all' } });
    await host.close();
    const [raw] = await sql<{ steps: string }[]>`select steps::text as steps from runs where id = ${out.runId}`;
    // the contact is stored once (in the response), no block ids, no ISO start per step, no "succeeded"
    expect(raw.steps.split(p.e164).length - 1).toBe(2); // the lookup's input and output.phone; the contact's phones only in the response
    expect(raw.steps).not.toMatch(/blockId|startedAt|succeeded/);
    expect(raw.steps).toContain('"$body":"contact"');
    const run = (await readRun(sql, vendorId, out.runId))!;
    const expected = out.result!.steps.map((st) => ({ seq: st.seq, nodeId: st.nodeId, blockId: st.blockId, status: st.status, port: st.port, startedAt: st.startedAt, output: st.output }));
    expect(run.steps.map((st) => ({ seq: st.seq, nodeId: st.nodeId, blockId: st.blockId, status: st.status, port: st.port, startedAt: st.startedAt, output: st.output })))
      .toEqual(JSON.parse(JSON.stringify(expected)));
    expect(run.steps[1].output).toMatchObject({ found: true, contact: { displayName: expect.any(String) } });
  });
});
