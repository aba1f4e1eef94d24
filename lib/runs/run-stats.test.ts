import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { newRunId } from './run-id';
import { LATENCY_BOUNDS_MS } from './latency-buckets';
import { RunAggregates } from './run-aggregates';
import { bucketStep, runStats } from './run-stats';

let db: ScratchDb;
let sql: postgres.Sql;
let vendorId = '';
let otherVendor = '';
let customerId = '';
let flowId = '';
const base = Date.UTC(2026, 10, 25, 10, 0, 0);

/** A detailed run (read when the chart is filtered by flow). */
async function run(o: { vendor?: string; at: number; ms: number; status?: string; mode?: string; automation?: string; customer?: string | null; flowId?: string | null; fallback?: 'failed' | 'deadline' }) {
  await sql`insert into runs (id, vendor_id, customer_id, flow_id, automation, mode, status, started_at, duration_ms, fallback_reason)
    values (${newRunId(o.at)}, ${o.vendor ?? vendorId}, ${o.customer === undefined ? customerId : o.customer}, ${o.flowId ?? null}, ${o.automation ?? 'caller_lookup'}, ${o.mode ?? 'live'},
            ${o.status ?? 'succeeded'}::run_status, ${new Date(o.at).toISOString()}::timestamptz, ${o.ms}, ${o.fallback ?? null})`;
}

beforeAll(async () => {
  db = await createScratchDb('patchbay_stats');
  sql = db.sql;
  ({ vendorId, customerId } = await seedVendor(sql, 'stats'));
  let otherCustomer = '';
  ({ vendorId: otherVendor, customerId: otherCustomer } = await seedVendor(sql, 'stats-other'));
  // The chart reads the per-minute aggregates (every run counted, whatever was stored in detail).
  const agg = new RunAggregates(sql);
  const count = (o: { vendor?: string; customer?: string; at: number; ms: number; status?: string; automation?: string }) =>
    agg.add({ vendorId: o.vendor ?? vendorId, customerId: o.customer ?? customerId, automation: o.automation ?? 'caller_lookup', status: o.status ?? 'succeeded', durationMs: o.ms, startedAt: new Date(o.at) });
  // 10:00–10:05: durations 1..100 ms; 10:20: two runs, one failed; noise that must not count
  for (let i = 1; i <= 100; i++) count({ at: base + i * 1000, ms: i });
  count({ at: base + 20 * 60_000, ms: 40 });
  count({ at: base + 20 * 60_000 + 5, ms: 60, status: 'failed' });
  count({ at: base + 30_000, ms: 9999, vendor: otherVendor, customer: otherCustomer });
  count({ at: base + 30_000, ms: 9999, automation: 'call_ended' });
  count({ at: base - 60_000, ms: 9999 });
  await agg.close();
  const [f] = await sql<{ id: string }[]>`insert into flows (vendor_id, name, automation) values (${vendorId}, 'f', 'caller_lookup') returning id`;
  flowId = f.id;
  for (let i = 1; i <= 10; i++) await run({ at: base + i * 1000, ms: i * 10, flowId });
  await run({ at: base + 30_000, ms: 9999, mode: 'test', flowId });
});
afterAll(async () => { await db?.drop(); });

describe('runStats', () => {
  it('picks round bucket steps for about 60 buckets', () => {
    expect(bucketStep(3_600_000)).toBe(60_000);
    expect(bucketStep(86_400_000)).toBe(1_800_000);
    expect(bucketStep(7 * 86_400_000)).toBe(6 * 3_600_000);
    expect(bucketStep(60_000)).toBe(1000);
  });

  it('buckets the vendor\'s counted runs with count, failures and percentiles within a latency bucket, per automation', async () => {
    const s = await runStats(sql, vendorId, { automation: 'caller_lookup', from: new Date(base), to: new Date(base + 3_600_000) });
    expect(s.bucketMs).toBe(60_000);
    // 100 runs over 10:00:01–10:01:40 fall in the 10:00 and 10:01 buckets; two runs at 10:20
    expect(s.buckets.map((b) => [b.t.slice(11, 16), b.count, b.failed])).toEqual([['10:00', 59, 0], ['10:01', 41, 0], ['10:20', 2, 1]]);
    // 1..59 ms: the true median (30) lies in the (25, 50] bucket, and so does the reconstructed one
    expect(s.buckets[0].max).toBe(59);
    expect(s.buckets[0].p50).toBeGreaterThan(25);
    expect(s.buckets[0].p50).toBeLessThanOrEqual(50);
    expect(s.total).toMatchObject({ count: 102, failed: 1, max: 100 });
    expect(s.total.p50).toBeGreaterThan(25); // exact: 50.5, in (25, 50] or (50, 75]
    expect(s.total.p50).toBeLessThanOrEqual(75);
    expect(s.total.p99).toBeGreaterThan(75);
    expect(s.total.p99).toBeLessThanOrEqual(100);
    expect(LATENCY_BOUNDS_MS).toContain(25);
  });

  it('filters by customer (the vendor\'s own id) and never counts another vendor\'s runs', async () => {
    const all = await runStats(sql, vendorId, { from: new Date(base), to: new Date(base + 3_600_000) });
    expect(all.total.count).toBe(103); // + the call_ended run; the other vendor's left out
    const none = await runStats(sql, vendorId, { customer: 'nobody', from: new Date(base), to: new Date(base + 3_600_000) });
    expect(none.total).toMatchObject({ count: 0, p50: null });
    expect(none.buckets).toEqual([]);
    const other = await runStats(sql, otherVendor, { from: new Date(base), to: new Date(base + 3_600_000) });
    expect(other.total.count).toBe(1);
  });

  it('filtered by flow, reads the detailed live runs (exact percentiles)', async () => {
    const s = await runStats(sql, vendorId, { flowId, from: new Date(base), to: new Date(base + 3_600_000) });
    expect(s.total).toMatchObject({ count: 10, failed: 0, max: 100 });
    expect(s.total.p50).toBeCloseTo(55, 5);
  });

  it('counts the fallback answers per automation (from the aggregates: failed and deadline), only for automations that had one', async () => {
    const at = base + 40 * 60_000;
    // counted by the host into the aggregates (RunResult.fallback; a deadline fallback is a timed-out run)
    const agg = new RunAggregates(sql);
    const count = (ms: number, status: string, fallback?: boolean) => agg.add({ vendorId, customerId, automation: 'call_routing', status, fallback, durationMs: ms, startedAt: new Date(at) });
    for (let i = 0; i < 8; i++) count(20, 'succeeded');
    count(790, 'timeout', true);
    count(30, 'failed', true);
    await agg.close();
    const s = await runStats(sql, vendorId, { from: new Date(at), to: new Date(at + 60_000) });
    expect(s.fallbacks).toEqual([{ automation: 'call_routing', runs: 10, fallbacks: 2, failed: 1, deadline: 1 }]);
    expect((await runStats(sql, otherVendor, { from: new Date(at), to: new Date(at + 60_000) })).fallbacks).toEqual([]);
  });
});
