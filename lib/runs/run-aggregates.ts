// Every finished live run counts, whatever the recording policy keeps in detail: per customer, automation and
// minute — runs, failures, timeouts, fallbacks and a latency histogram in fixed buckets (latency-buckets.ts).
// Counted in memory (a Map lookup and a few additions per run) and added into `run_aggregates` every few
// seconds with one additive upsert, so any number of processes add into the same rows. A crash loses at most
// the counts of the last flush interval (5 s by default) of that process; a failed write keeps its counts for
// the next one. The rows outlive detailed run records: minute rows for 7 days, then folded into hour rows, kept
// 13 months (the hourly housekeeping in lib/runs/retention.ts).
import type postgres from 'postgres';
import { BUCKET_COUNT, bucketOf } from './latency-buckets';

export interface RunOutcome {
  vendorId: string;
  customerId: string | null;
  automation: string;
  status: string;
  /** The run failed and the flow's fallback answered (RunResult.fallback). */
  fallback?: boolean;
  durationMs: number | null;
  startedAt: Date;
}

interface Cell {
  minute: string; vendorId: string; customerId: string; automation: string;
  runs: number; failures: number; timeouts: number; fallbacks: number; deadlineFallbacks: number; sum: number; max: number; buckets: number[];
}

export class RunAggregates {
  private cells = new Map<string, Cell>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;

  constructor(private readonly sql: postgres.Sql, private readonly flushMs = 5000) {}

  /** Counts a finished run (waiting, queued and running runs count when they finish). */
  add(o: RunOutcome): void {
    if (!o.customerId || o.status === 'waiting' || o.status === 'queued' || o.status === 'running') return;
    const t = o.startedAt.getTime();
    const minuteMs = t - (t % 60_000);
    const key = `${minuteMs}|${o.customerId}|${o.automation}`;
    let c = this.cells.get(key);
    if (!c) {
      c = { minute: new Date(minuteMs).toISOString(), vendorId: o.vendorId, customerId: o.customerId, automation: o.automation, runs: 0, failures: 0, timeouts: 0, fallbacks: 0, deadlineFallbacks: 0, sum: 0, max: 0, buckets: new Array<number>(BUCKET_COUNT).fill(0) };
      this.cells.set(key, c);
    }
    c.runs++;
    if (o.status === 'failed') c.failures++;
    else if (o.status === 'timeout') c.timeouts++;
    if (o.fallback) { c.fallbacks++; if (o.status === 'timeout') c.deadlineFallbacks++; }
    const ms = o.durationMs ?? 0;
    c.sum += ms;
    if (ms > c.max) c.max = ms;
    c.buckets[bucketOf(ms)]++;
    if (!this.timer) { this.timer = setTimeout(() => { this.timer = null; void this.flush(); }, this.flushMs); this.timer.unref(); }
  }

  /** Rows counted but not written yet. */
  get unwritten(): number { return this.cells.size; }

  /** Adds what was counted into the database (one statement); on failure the counts stay for the next try. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.cells.size) return;
    const taken = this.cells;
    this.cells = new Map();
    this.writing = this.write([...taken.values()]).catch((err) => {
      for (const [k, c] of taken) this.merge(k, c);
      console.error('[patchbay] writing run aggregates failed, will retry:', (err as Error).message);
      if (!this.timer) { this.timer = setTimeout(() => { this.timer = null; void this.flush(); }, this.flushMs); this.timer.unref(); }
    }).finally(() => { this.writing = null; });
    await this.writing;
  }

  private merge(key: string, c: Cell): void {
    const cur = this.cells.get(key);
    if (!cur) { this.cells.set(key, c); return; }
    cur.runs += c.runs; cur.failures += c.failures; cur.timeouts += c.timeouts; cur.fallbacks += c.fallbacks; cur.deadlineFallbacks += c.deadlineFallbacks; cur.sum += c.sum;
    cur.max = Math.max(cur.max, c.max);
    for (let i = 0; i < BUCKET_COUNT; i++) cur.buckets[i] += c.buckets[i];
  }

  private async write(cells: Cell[]): Promise<void> {
    // Same order in every process, so two processes adding into the same rows never deadlock.
    cells.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : a.automation < b.automation ? -1 : a.automation > b.automation ? 1 : a.minute < b.minute ? -1 : 1));
    const rows = JSON.stringify(cells.map((c) => ({
      minute: c.minute, vendor_id: c.vendorId, customer_id: c.customerId, automation: c.automation, runs: c.runs, failures: c.failures,
      timeouts: c.timeouts, fallbacks: c.fallbacks, deadline_fallbacks: c.deadlineFallbacks, duration_sum_ms: c.sum, duration_max_ms: c.max, buckets: c.buckets,
    })));
    try {
      await this.sql`
        insert into run_aggregates (minute, vendor_id, customer_id, automation, runs, failures, timeouts, fallbacks, deadline_fallbacks, duration_sum_ms, duration_max_ms, buckets)
        select x.minute, x.vendor_id, x.customer_id, x.automation, x.runs, x.failures, x.timeouts, x.fallbacks, x.deadline_fallbacks, x.duration_sum_ms, x.duration_max_ms,
               array(select e::int from json_array_elements_text(x.buckets) e)
        from json_to_recordset(${rows}::text::json) as x(minute timestamptz, vendor_id uuid, customer_id uuid, automation text, runs int, failures int,
          timeouts int, fallbacks int, deadline_fallbacks int, duration_sum_ms float8, duration_max_ms real, buckets json)
        where exists (select 1 from customers c where c.id = x.customer_id)
        on conflict (customer_id, automation, minute) do update set
          runs = run_aggregates.runs + excluded.runs, failures = run_aggregates.failures + excluded.failures,
          timeouts = run_aggregates.timeouts + excluded.timeouts, fallbacks = run_aggregates.fallbacks + excluded.fallbacks,
          deadline_fallbacks = run_aggregates.deadline_fallbacks + excluded.deadline_fallbacks,
          duration_sum_ms = run_aggregates.duration_sum_ms + excluded.duration_sum_ms,
          duration_max_ms = greatest(run_aggregates.duration_max_ms, excluded.duration_max_ms),
          buckets = (select array_agg(coalesce(u.a, 0) + coalesce(u.b, 0) order by u.i)
                     from unnest(run_aggregates.buckets, excluded.buckets) with ordinality as u(a, b, i))`;
    } catch (err) {
      // A customer deleted between the check and the insert: that minute's counts went with it.
      if ((err as { code?: string }).code === '23503') return;
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    await this.flush();
  }
}

/** Minute rows older than this are rolled up into hour rows (the hourly housekeeping). */
export const MINUTE_ROWS_DAYS = 7;

/**
 * Folds the minute rows before `before` into one row per hour (at the hour's first minute, added into it), so
 * 13 months of aggregates stay about 20,000 rows per customer and automation instead of 570,000. Counts and
 * latency buckets add up exactly; only the time resolution of old figures becomes an hour. Returns rows folded.
 */
export async function rollUpAggregates(sql: postgres.Sql, before: Date): Promise<number> {
  const [r] = await sql<{ n: number }[]>`
    with moved as (
      delete from run_aggregates where minute < ${before.toISOString()}::timestamptz and date_trunc('hour', minute) <> minute returning *),
    sums as (
      select date_trunc('hour', minute) as h, vendor_id, customer_id, automation, sum(runs)::int as runs, sum(failures)::int as failures,
        sum(timeouts)::int as timeouts, sum(fallbacks)::int as fallbacks, sum(deadline_fallbacks)::int as deadline_fallbacks, sum(duration_sum_ms) as duration_sum_ms, max(duration_max_ms) as duration_max_ms
      from moved group by 1, 2, 3, 4),
    per_bucket as (
      select date_trunc('hour', m.minute) as h, m.customer_id, m.automation, u.i, sum(u.b)::int as n
      from moved m, unnest(m.buckets) with ordinality u(b, i) group by 1, 2, 3, 4),
    buckets as (select h, customer_id, automation, array_agg(n order by i) as buckets from per_bucket group by 1, 2, 3),
    ins as (
      insert into run_aggregates (minute, vendor_id, customer_id, automation, runs, failures, timeouts, fallbacks, deadline_fallbacks, duration_sum_ms, duration_max_ms, buckets)
      select s.h, s.vendor_id, s.customer_id, s.automation, s.runs, s.failures, s.timeouts, s.fallbacks, s.deadline_fallbacks, s.duration_sum_ms, s.duration_max_ms, b.buckets
      from sums s join buckets b using (h, customer_id, automation)
      on conflict (customer_id, automation, minute) do update set
        runs = run_aggregates.runs + excluded.runs, failures = run_aggregates.failures + excluded.failures,
        timeouts = run_aggregates.timeouts + excluded.timeouts, fallbacks = run_aggregates.fallbacks + excluded.fallbacks,
        deadline_fallbacks = run_aggregates.deadline_fallbacks + excluded.deadline_fallbacks,
        duration_sum_ms = run_aggregates.duration_sum_ms + excluded.duration_sum_ms,
        duration_max_ms = greatest(run_aggregates.duration_max_ms, excluded.duration_max_ms),
        buckets = (select array_agg(coalesce(u.a, 0) + coalesce(u.b, 0) order by u.i)
                   from unnest(run_aggregates.buckets, excluded.buckets) with ordinality as u(a, b, i))
      returning 1)
    select (select count(*)::int from moved) as n`;
  return r.n;
}

/** Aggregates older than this many days are deleted (13 months). */
export const AGGREGATE_RETENTION_DAYS = 396;

export async function pruneAggregates(sql: postgres.Sql, before: Date): Promise<number> {
  return (await sql`delete from run_aggregates where minute < ${before.toISOString()}::timestamptz`).count;
}
