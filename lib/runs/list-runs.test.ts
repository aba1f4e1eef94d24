// Keyset paging of the runs list against a real PostgreSQL holding 100,000 runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { decodeRunCursor, encodeRunCursor, listRuns, runListQuery, type RunListQuery } from './list-runs';

let db: ScratchDb;
let a: { vendorId: string; customerId: string };
let b: { vendorId: string; customerId: string };
let c2: string;
let flowId: string;
const N = 100_000;

beforeAll(async () => {
  db = await createScratchDb('pb_runs_test');
  const { sql } = db;
  a = await seedVendor(sql, 'alpha');
  b = await seedVendor(sql, 'beta');
  [{ id: c2 }] = await sql<{ id: string }[]>`insert into customers (vendor_id, external_id, name) values (${a.vendorId}, 'alpha-c2', 'Second') returning id`;
  [{ id: flowId }] = await sql<{ id: string }[]>`insert into flows (vendor_id, name, automation, latest_version) values (${a.vendorId}, 'Lookup', 'caller_lookup', 1) returning id`;
  // Three runs share each second (ties on started_at), statuses and automations rotate, every 5th has the flow.
  await sql`
    insert into runs (id, vendor_id, customer_id, flow_id, flow_version, automation, mode, status, started_at, duration_ms)
    select gen_random_uuid(), ${a.vendorId}, case when i % 2 = 0 then ${a.customerId}::uuid else ${c2}::uuid end,
      case when i % 5 = 0 then ${flowId}::uuid end, case when i % 5 = 0 then 1 end,
      case when i % 3 = 0 then 'caller_lookup' else 'call_logging' end, case when i % 10 = 0 then 'test' else 'live' end,
      (array['succeeded','failed','timeout','waiting'])[1 + i % 4]::run_status,
      timestamptz '2025-01-01 00:00:00+00' + (i / 3) * interval '1 second', i % 100
    from generate_series(1, ${N}) i`;
  await sql`
    insert into runs (id, vendor_id, customer_id, automation, status, started_at)
    select gen_random_uuid(), ${b.vendorId}, ${b.customerId}, 'caller_lookup', 'succeeded', timestamptz '2025-01-01 00:00:00+00' + i * interval '1 second'
    from generate_series(1, 1000) i`;
  await sql`analyze runs`;
}, 120_000);

afterAll(async () => { await db?.drop(); });

async function pageAll(q: Omit<RunListQuery, 'cursor'>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await listRuns(db.sql, a.vendorId, { ...q, cursor: cursor ? decodeRunCursor(cursor) : null });
    expect(page.runs.length).toBeLessThanOrEqual(q.limit);
    ids.push(...page.runs.map((r) => r.id));
    cursor = page.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('paging did not end');
}

describe('listRuns', () => {
  it('pages through every run of the vendor exactly once, newest first, ties broken by id', async () => {
    const expected = (await db.sql<{ id: string }[]>`select id from runs where vendor_id = ${a.vendorId} order by started_at desc, id desc`).map((r) => r.id);
    const got = await pageAll({ limit: 1000 });
    expect(got.length).toBe(N);
    expect(got).toEqual(expected);
  });

  it('combines filters, and pages them without skipping or repeating a row', async () => {
    const expected = (await db.sql<{ id: string }[]>`
      select id from runs where vendor_id = ${a.vendorId} and status = 'timeout' and customer_id = ${a.customerId}
      order by started_at desc, id desc`).map((r) => r.id);
    expect(expected.length).toBe(N / 4);
    const got = await pageAll({ status: 'timeout', customer: 'alpha-c1', limit: 173 });
    expect(got).toEqual(expected);
  });

  it('filters by automation, flow, mode and a time window [from, to)', async () => {
    const from = new Date('2025-01-01T01:00:00Z');
    const to = new Date('2025-01-01T02:00:00Z');
    const page = await listRuns(db.sql, a.vendorId, { automation: 'caller_lookup', flowId, mode: 'test', from, to, limit: 500 });
    // i in [10800, 21600) with i % 3 = 0 and i % 10 = 0 (which also makes i % 5 = 0): every 30th i.
    expect(page.runs.length).toBe(360);
    expect(page.nextCursor).toBeNull();
    for (const r of page.runs) {
      expect(r).toMatchObject({ automation: 'caller_lookup', flowId, flowName: 'Lookup', flowVersion: 1, mode: 'test' });
      expect(r.startedAt >= from && r.startedAt < to).toBe(true);
    }
  });

  it('shows only the vendor’s own runs, and a customer id of another vendor matches nothing', async () => {
    const mine = await listRuns(db.sql, b.vendorId, { limit: 2000 });
    expect(mine.runs.length).toBe(1000);
    expect(mine.runs.every((r) => r.customer === 'beta-c1')).toBe(true);
    expect((await listRuns(db.sql, a.vendorId, { customer: 'beta-c1', limit: 10 })).runs).toEqual([]);
    expect((await listRuns(db.sql, a.vendorId, { customer: 'no-such-customer', limit: 10 })).runs).toEqual([]);
  });

  it('reads a page through an index, never a scan of the whole table, for each filter', async () => {
    const deep = (await listRuns(db.sql, a.vendorId, { limit: 50_000 })).nextCursor;
    const cursor = decodeRunCursor(deep!);
    const cases: Omit<RunListQuery, 'limit'>[] = [
      {}, { cursor }, { status: 'failed', cursor }, { customer: 'alpha-c2', cursor }, { flowId, cursor }, { automation: 'caller_lookup' },
      { from: new Date('2025-01-01T05:00:00Z'), to: new Date('2025-01-01T06:00:00Z') },
    ];
    for (const c of cases) {
      const plan = (await db.sql`explain ${runListQuery(db.sql, a.vendorId, { ...c, limit: 50 })}`).map((r) => r['QUERY PLAN']).join('\n');
      if (process.env.SHOW_PLANS) console.log(JSON.stringify(c), plan);
      expect(plan, JSON.stringify(c)).toMatch(/Index (Only )?Scan/);
      expect(plan, JSON.stringify(c)).not.toMatch(/Seq Scan on runs/);
    }
    const t0 = performance.now();
    await listRuns(db.sql, a.vendorId, { status: 'failed', cursor, limit: 50 });
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('round-trips cursors and rejects forged ones', () => {
    const c = { startedAt: '2025-01-01T00:00:01.123456Z', id: '0b6c4d5e-1f2a-4b3c-8d9e-0f1a2b3c4d5e' };
    expect(decodeRunCursor(encodeRunCursor(c))).toEqual(c);
    expect(decodeRunCursor('not-a-cursor')).toBeNull();
    expect(decodeRunCursor(Buffer.from("2025-01-01|x' or 1=1").toString('base64url'))).toBeNull();
  });
});
