// Each customer's health over the last day, from the per-minute aggregates (every run counted, whatever the
// recording policy stored): runs, failures (failed + timed out), fallbacks, p95 latency.
import type postgres from 'postgres';
import { percentileFromBuckets } from './latency-buckets';

export interface CustomerHealth { runs: number; failed: number; fallbacks: number; p95Ms: number | null }

export async function customerHealth(sql: postgres.Sql, vendorId: string, since: Date): Promise<Map<string, CustomerHealth>> {
  const rows = await sql<{ customer_id: string; runs: number; failed: number; fallbacks: number; max: number; buckets: number[] }[]>`
    with f as (select * from run_aggregates where vendor_id = ${vendorId} and minute >= ${since.toISOString()}::timestamptz),
    c as (select customer_id, sum(runs)::int as runs, sum(failures + timeouts)::int as failed, sum(fallbacks)::int as fallbacks, max(duration_max_ms)::float8 as max from f group by 1),
    b as (select customer_id, array_agg(n order by i) as buckets from (select f.customer_id, u.i, sum(u.b)::int as n from f, unnest(f.buckets) with ordinality u(b, i) group by 1, 2) x group by 1)
    select c.*, b.buckets from c join b using (customer_id)`;
  return new Map(rows.map((r) => [r.customer_id, { runs: r.runs, failed: r.failed, fallbacks: r.fallbacks, p95Ms: percentileFromBuckets(r.buckets, 0.95, r.max) }]));
}
