// Prometheus metrics for the vendor's operations team (GET /metrics, prom-client): every run counted per
// automation and outcome, latency histograms in the same fixed buckets as the per-minute aggregates, plus what
// is read at scrape time — job-queue depth (pg-boss), contact-sync progress, database connections in use, the
// run recorder's backlog, the size of the run history and the data folder's free disk. Labels stay small
// (automation, status): per-customer figures live in the aggregates (the staff app), not in series.
import fs from 'node:fs';
import type postgres from 'postgres';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LATENCY_BOUNDS_MS } from '../runs/latency-buckets';
import type { RunOutcome } from '../runs/run-aggregates';

export interface MetricsSources {
  sql: postgres.Sql;
  /** Runs waiting in the recorder's buffer. */
  recorderBacklog?: () => number;
  dataDir?: string;
}

export class PatchbayMetrics {
  readonly registry = new Registry();
  private readonly runs: Counter<'automation' | 'status'>;
  private readonly fallbacks: Counter<'automation'>;
  private readonly recorded: Counter<'automation'>;
  private readonly duration: Histogram<'automation'>;
  private readonly children = new Map<string, { ok: Counter.Internal; failed: Counter.Internal; timeout: Counter.Internal; hist: Histogram.Internal<'automation'> }>();

  constructor(private readonly src: MetricsSources) {
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: 'patchbay_' });
    this.runs = new Counter({ name: 'patchbay_runs_total', help: 'Finished live runs, by automation and status (succeeded, failed, timeout)', labelNames: ['automation', 'status'], registers: [r] });
    this.fallbacks = new Counter({ name: 'patchbay_run_fallbacks_total', help: 'Runs answered by the flow\'s fallback', labelNames: ['automation'], registers: [r] });
    this.recorded = new Counter({ name: 'patchbay_runs_recorded_total', help: 'Runs recorded in full detail (the recording policy keeps the rest as counts only)', labelNames: ['automation'], registers: [r] });
    this.duration = new Histogram({ name: 'patchbay_run_duration_seconds', help: 'Run duration', labelNames: ['automation'], buckets: LATENCY_BOUNDS_MS.map((b) => b / 1000), registers: [r] });
    new Gauge({ name: 'patchbay_run_recorder_backlog', help: 'Runs waiting to be written', registers: [r], collect() { this.set(src.recorderBacklog?.() ?? 0); } });
    const sql = src.sql;
    const q = <T>(p: Promise<T>) => p.catch(() => null);
    new Gauge({
      name: 'patchbay_jobs', help: 'Jobs in the job engine (pg-boss), by queue and state', labelNames: ['queue', 'state'], registers: [r],
      async collect() {
        this.reset();
        const rows = await q(sql<{ name: string; state: string; n: number }[]>`select name, state::text as state, count(*)::int as n from pgboss.job where state in ('created', 'retry', 'active') group by 1, 2`);
        for (const row of rows ?? []) this.set({ queue: row.name, state: row.state }, row.n);
      },
    });
    new Gauge({
      name: 'patchbay_sync_runs_active', help: 'Contact syncs queued or running', labelNames: ['status'], registers: [r],
      async collect() {
        this.reset();
        const rows = await q(sql<{ status: string; n: number }[]>`select status, count(*)::int as n from sync_runs where status in ('queued', 'running') group by 1`);
        for (const row of rows ?? []) this.set({ status: row.status }, row.n);
      },
    });
    new Gauge({
      name: 'patchbay_sync_records', help: 'Records read / written / estimated in the syncs running now', labelNames: ['what'], registers: [r],
      async collect() {
        const [row] = (await q(sql<{ read: number; written: number; total: number }[]>`select coalesce(sum(read), 0)::float8 as read, coalesce(sum(written), 0)::float8 as written, coalesce(sum(total_estimate), 0)::float8 as total from sync_runs where status = 'running'`)) ?? [];
        this.set({ what: 'read' }, row?.read ?? 0); this.set({ what: 'written' }, row?.written ?? 0); this.set({ what: 'estimated_total' }, row?.total ?? 0);
      },
    });
    new Gauge({
      name: 'patchbay_db_connections', help: 'Connections to Patchbay\'s database, by state (pg_stat_activity: active, idle, idle in transaction)', labelNames: ['state'], registers: [r],
      async collect() {
        this.reset();
        const rows = await q(sql<{ state: string; n: number }[]>`select coalesce(state, 'unknown') as state, count(*)::int as n from pg_stat_activity where datname = current_database() group by 1`);
        for (const row of rows ?? []) this.set({ state: row.state }, row.n);
      },
    });
    new Gauge({
      name: 'patchbay_run_history_bytes', help: 'Disk used by detailed run records and by the per-minute aggregates', labelNames: ['table'], registers: [r],
      async collect() {
        const [row] = (await q(sql<{ runs: number; agg: number }[]>`select pg_total_relation_size('runs')::float8 as runs, pg_total_relation_size('run_aggregates')::float8 as agg`)) ?? [];
        this.set({ table: 'runs' }, row?.runs ?? 0); this.set({ table: 'run_aggregates' }, row?.agg ?? 0);
      },
    });
    if (src.dataDir) {
      const dir = src.dataDir;
      new Gauge({
        name: 'patchbay_data_disk_free_bytes', help: 'Free space on the data folder\'s disk', registers: [r],
        collect() { try { const s = fs.statfsSync(dir); this.set(s.bavail * s.bsize); } catch { /* no folder */ } },
      });
    }
  }

  /** Counts a finished live run (host.ts calls it for every run, recorded or not). */
  observeRun(o: RunOutcome, recorded: boolean): void {
    let c = this.children.get(o.automation);
    if (!c) {
      if (this.children.size > 1000) this.children.clear();
      c = { ok: this.runs.labels(o.automation, 'succeeded'), failed: this.runs.labels(o.automation, 'failed'), timeout: this.runs.labels(o.automation, 'timeout'), hist: this.duration.labels(o.automation) };
      this.children.set(o.automation, c);
    }
    (o.status === 'failed' ? c.failed : o.status === 'timeout' ? c.timeout : c.ok).inc();
    if (o.fallback) this.fallbacks.labels(o.automation).inc();
    if (recorded) this.recorded.labels(o.automation).inc();
    c.hist.observe((o.durationMs ?? 0) / 1000);
  }

  async text(): Promise<string> { return this.registry.metrics(); }
  get contentType(): string { return this.registry.contentType; }
}
