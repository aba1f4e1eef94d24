import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { newRunId } from './run-id';
import { bucketStep, runStats } from './run-stats';

let db: ScratchDb;
let sql: postgres.Sql;
let vendorId = '';
let otherVendor = '';
let customerId = '';
const base = Date.UTC(2026, 10, 25, 10, 0, 0);

async function run(o: { vendor?: string; at: number; ms: number; status?: string; mode?: string; automation?: string; customer?: string | null; fallback?: 'failed' | 'deadline' }) {
  await sql`insert into runs (id, vendor_id, customer_id, automation, mode, status, started_at, duration_ms, fallback_reason)
    values (${newRunId(o.at)}, ${o.vendor ?? vendorId}, ${o.customer === undefined ? customerId : o.customer}, ${o.automation ?? 'caller_lookup'}, ${o.mode ?? 'live'},
            ${o.status ?? 'succeeded'}::run_status, ${new Date(o.at).toISOString()}::timestamptz, ${o.ms}, ${o.fallback ?? null})`;
}

beforeAll(async () => {
  db = await createScratchDb('patchbay_stats');
  sql = db.sql;
  ({ vendorId, customerId } = await seedVendor(sql, 'stats'));
  ({ vendorId: otherVendor } = await seedVendor(sql, 'stats-other'));
  // 10:00–10:05: durations 1..100 ms; 10:20: two runs, one failed; noise that must not count
  for (let i = 1; i <= 100; i++) await run({ at: base + i * 1000, ms: i });
  await run({ at: base + 20 * 60_000, ms: 40 });
  await run({ at: base + 20 * 60_000 + 5, ms: 60, status: 'failed' });
  await run({ at: base + 30_000, ms: 9999, mode: 'test' });
  await run({ at: base + 30_000, ms: 9999, vendor: otherVendor, customer: null });
  await run({ at: base + 30_000, ms: 9999, automation: 'call_ended' });
  await run({ at: base - 60_000, ms: 9999 });
});
afterAll(async () => { await db?.drop(); });

describe('runStats', () => {
  it('picks round bucket steps for about 60 buckets', () => {
    expect(bucketStep(3_600_000)).toBe(60_000);
    expect(bucketStep(86_400_000)).toBe(1_800_000);
    expect(bucketStep(7 * 86_400_000)).toBe(6 * 3_600_000);
    expect(bucketStep(60_000)).toBe(1000);
  });

  it('buckets live runs of the vendor with count, failures and percentiles, per automation', async () => {
    const s = await runStats(sql, vendorId, { automation: 'caller_lookup', from: new Date(base), to: new Date(base + 3_600_000) });
    expect(s.bucketMs).toBe(60_000);
    // 100 runs over 10:00:01–10:01:40 fall in the 10:00 and 10:01 buckets; two runs at 10:20
    expect(s.buckets.map((b) => [b.t.slice(11, 16), b.count, b.failed])).toEqual([['10:00', 59, 0], ['10:01', 41, 0], ['10:20', 2, 1]]);
    expect(s.buckets[0]).toMatchObject({ p50: 30, max: 59 });
    expect(s.total).toMatchObject({ count: 102, failed: 1, max: 100 });
    expect(s.total.p50).toBeCloseTo(50.5, 5); // 1..100 plus 40 and 60: the 51st and 52nd values are 50 and 51
    expect(s.total.p99).toBeGreaterThan(98);
  });

  it('filters by customer (the vendor\'s own id) and never counts another vendor\'s runs', async () => {
    const all = await runStats(sql, vendorId, { from: new Date(base), to: new Date(base + 3_600_000) });
    expect(all.total.count).toBe(103); // + the call_ended run; test-mode and other vendor's left out
    const none = await runStats(sql, vendorId, { customer: 'nobody', from: new Date(base), to: new Date(base + 3_600_000) });
    expect(none.total).toMatchObject({ count: 0, p50: null });
    expect(none.buckets).toEqual([]);
    const other = await runStats(sql, otherVendor, { from: new Date(base), to: new Date(base + 3_600_000) });
    expect(other.total.count).toBe(1);
  });

  it('counts the fallback answers per automation (runs.fallback_reason), only for automations that had one', async () => {
    const at = base + 40 * 60_000;
    for (let i = 0; i < 8; i++) await run({ at: at + i, ms: 20, automation: 'call_routing' });
    await run({ at: at + 10, ms: 790, automation: 'call_routing', status: 'timeout', fallback: 'deadline' });
    await run({ at: at + 11, ms: 30, automation: 'call_routing', status: 'failed', fallback: 'failed' });
    const s = await runStats(sql, vendorId, { from: new Date(at), to: new Date(at + 60_000) });
    expect(s.fallbacks).toEqual([{ automation: 'call_routing', runs: 10, fallbacks: 2, failed: 1, deadline: 1 }]);
    expect((await runStats(sql, otherVendor, { from: new Date(at), to: new Date(at + 60_000) })).fallbacks).toEqual([]);
  });
});
