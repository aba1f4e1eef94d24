// Latency over time for the runs page's chart: live runs of the vendor in a time window, bucketed (about 60
// buckets, on round steps of at least a minute), with count, failures and p50/p95/p99/max of the flow duration
// per bucket, plus the same figures over the whole window. Read from the per-minute aggregates (every run counted,
// whatever the recording policy stored in detail, for 13 months): percentiles are reconstructed from the fixed
// latency buckets, exact to within the width of the bucket they fall in. Filtered by flow, it reads the detailed
// runs instead (the aggregates are per customer and automation). PostgreSQL 14+ (date_bin).
import type postgres from 'postgres';
import { BUCKET_COUNT, percentileFromBuckets } from './latency-buckets';

export interface RunStatsQuery {
  automation?: string;
  customer?: string;
  flowId?: string;
  from: Date;
  to: Date;
}

export interface LatencyFigures { count: number; failed: number; p50: number | null; p95: number | null; p99: number | null; max: number | null }
/** Per automation: live runs, and how many answered the flow's fallback (`runs.fallback_reason`: failed, deadline). */
export interface FallbackFigures { automation: string; runs: number; fallbacks: number; failed: number; deadline: number }
export interface RunStats { from: string; to: string; bucketMs: number; buckets: (LatencyFigures & { t: string })[]; total: LatencyFigures; fallbacks: FallbackFigures[] }

const STEPS_MS = [1, 5, 15, 60, 300, 900, 1800, 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400].map((s) => s * 1000);

/** The smallest round step that cuts the window into at most `maxBuckets` buckets. */
export function bucketStep(windowMs: number, maxBuckets = 60): number {
  return STEPS_MS.find((s) => windowMs / s <= maxBuckets) ?? STEPS_MS[STEPS_MS.length - 1];
}

interface Row { t: Date | string; count: number; failed: number; p: (number | null)[] | null; max: number | null }

const figures = (r: Row): LatencyFigures => ({
  count: r.count, failed: r.failed,
  p50: r.p?.[0] ?? null, p95: r.p?.[1] ?? null, p99: r.p?.[2] ?? null, max: r.max ?? null,
});

interface AggRow { t: Date | string | null; count: number; failed: number; max: number | null; buckets: number[] | null }

const fromBuckets = (r: AggRow): LatencyFigures => {
  const b = r.buckets ?? [];
  const max = r.count ? r.max : null;
  return { count: r.count, failed: r.failed, p50: percentileFromBuckets(b, 0.5, max ?? 0), p95: percentileFromBuckets(b, 0.95, max ?? 0), p99: percentileFromBuckets(b, 0.99, max ?? 0), max };
};

export async function runStats(sql: postgres.Sql, vendorId: string, q: RunStatsQuery): Promise<RunStats> {
  if (q.flowId) return runStatsFromRuns(sql, vendorId, q);
  const step = Math.max(60_000, bucketStep(q.to.getTime() - q.from.getTime()));
  const origin = new Date(Math.floor(q.from.getTime() / step) * step);
  const conds: postgres.PendingQuery<postgres.Row[]>[] = [
    sql`a.vendor_id = ${vendorId}`, sql`a.minute >= ${new Date(Math.floor(q.from.getTime() / 60_000) * 60_000).toISOString()}::timestamptz`, sql`a.minute < ${q.to.toISOString()}::timestamptz`,
  ];
  if (q.customer !== undefined) conds.push(sql`a.customer_id = (select c.id from customers c where c.vendor_id = ${vendorId} and c.external_id = ${q.customer})`);
  if (q.automation) conds.push(sql`a.automation = ${q.automation}`);
  const where = conds.reduce((x, c) => sql`${x} and ${c}`);
  // Bucket arrays are summed element by element (unnest … with ordinality), then the percentiles come from the sums.
  const [rows, fallbacks] = await Promise.all([sql<AggRow[]>`
    with f as (select date_bin(${`${step / 1000} seconds`}::interval, a.minute, ${origin.toISOString()}::timestamptz) as t, a.* from run_aggregates a where ${where}),
    c as (select t, sum(runs)::int as count, sum(failures + timeouts)::int as failed, max(duration_max_ms)::float8 as max from f group by t),
    b as (select t, array_agg(n order by i) as buckets from (select f.t, u.i, sum(u.b)::int as n from f, unnest(f.buckets) with ordinality u(b, i) group by f.t, u.i) x group by t)
    select c.t, c.count, c.failed, c.max, b.buckets from c join b using (t) order by c.t`,
    // Automations that answered a fallback in the window (the rest answered what their flow produced).
    sql<FallbackFigures[]>`select a.automation, sum(a.runs)::int as runs, sum(a.fallbacks)::int as fallbacks,
        sum(a.fallbacks - a.deadline_fallbacks)::int as failed, sum(a.deadline_fallbacks)::int as deadline
      from run_aggregates a where ${where} group by a.automation having sum(a.fallbacks) > 0 order by 3 desc, 1 limit 20`,
  ]);
  const total: AggRow = { t: null, count: 0, failed: 0, max: 0, buckets: new Array<number>(BUCKET_COUNT).fill(0) };
  for (const r of rows) {
    total.count += r.count; total.failed += r.failed; total.max = Math.max(total.max ?? 0, r.max ?? 0);
    (r.buckets ?? []).forEach((n, i) => { total.buckets![i] += n; });
  }
  return {
    from: q.from.toISOString(), to: q.to.toISOString(), bucketMs: step,
    buckets: rows.map((r) => ({ t: new Date(r.t as string).toISOString(), ...fromBuckets(r) })),
    total: fromBuckets(total),
    fallbacks: fallbacks.map((f) => ({ automation: f.automation, runs: f.runs, fallbacks: f.fallbacks, failed: f.failed, deadline: f.deadline })),
  };
}

/** The same figures from the detailed runs (exact, but only over what the recording policy kept and retention left). */
export async function runStatsFromRuns(sql: postgres.Sql, vendorId: string, q: RunStatsQuery): Promise<RunStats> {
  const step = bucketStep(q.to.getTime() - q.from.getTime());
  // Buckets start on multiples of the step (in UTC), so a refreshed chart keeps its buckets.
  const origin = new Date(Math.floor(q.from.getTime() / step) * step);
  const conds: postgres.PendingQuery<postgres.Row[]>[] = [
    sql`r.vendor_id = ${vendorId}`, sql`r.mode = 'live'`, sql`r.duration_ms is not null`,
    sql`r.started_at >= ${q.from.toISOString()}::timestamptz`, sql`r.started_at < ${q.to.toISOString()}::timestamptz`,
  ];
  if (q.customer !== undefined) conds.push(sql`r.customer_id = (select c.id from customers c where c.vendor_id = ${vendorId} and c.external_id = ${q.customer})`);
  if (q.flowId) conds.push(sql`r.flow_id = ${q.flowId}`);
  if (q.automation) conds.push(sql`r.automation = ${q.automation}`);
  const where = conds.reduce((a, c) => sql`${a} and ${c}`);
  const agg = sql`count(*)::int as count, (count(*) filter (where r.status in ('failed', 'timeout')))::int as failed,
    percentile_cont(array[0.5, 0.95, 0.99]) within group (order by r.duration_ms) as p, max(r.duration_ms) as max`;
  const [rows, [total], fallbacks] = await Promise.all([
    sql<Row[]>`select date_bin(${`${step / 1000} seconds`}::interval, r.started_at, ${origin.toISOString()}::timestamptz) as t, ${agg}
      from runs r where ${where} group by 1 order by 1`,
    sql<Row[]>`select null as t, ${agg} from runs r where ${where}`,
    // Automations that answered a fallback in the window (the rest answered what their flow produced).
    sql<FallbackFigures[]>`select r.automation, count(*)::int as runs, (count(*) filter (where r.fallback_reason is not null))::int as fallbacks,
        (count(*) filter (where r.fallback_reason = 'failed'))::int as failed, (count(*) filter (where r.fallback_reason = 'deadline'))::int as deadline
      from runs r where ${where} group by r.automation having count(*) filter (where r.fallback_reason is not null) > 0 order by 3 desc, 1 limit 20`,
  ]);
  return {
    from: q.from.toISOString(), to: q.to.toISOString(), bucketMs: step,
    buckets: rows.map((r) => ({ t: new Date(r.t as string).toISOString(), ...figures(r) })),
    total: figures(total),
    fallbacks: fallbacks.map((f) => ({ automation: f.automation, runs: f.runs, fallbacks: f.fallbacks, failed: f.failed, deadline: f.deadline })),
  };
}
