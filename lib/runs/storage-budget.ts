// The run history's storage budget, beside retention by age (retention.ts): when the detailed run records
// pass PATCHBAY_RUN_MAX_MB, the oldest finished runs go first, in small batches with a pause between them (a
// delete of a few hundred rows by primary key is a few milliseconds and never blocks inserts, so the hot path
// never waits), and never a run younger than PATCHBAY_RUN_MIN_AGE_HOURS. Run ids are UUIDv7, so primary-key
// order is start-time order: "oldest first" is a walk of the primary key.
//
// Deleted rows' space is reused by PostgreSQL rather than given back to the disk, so the budget is measured in
// live rows times their average stored size (sampled from the newest rows, plus tuple and index overhead), not
// in the file size, which stays at its high-water mark. Also: the warnings the staff app and the log show
// when the data folder's disk runs low or the history nears its budget.
import fs from 'node:fs';
import type postgres from 'postgres';

/** Per row beyond its data: tuple header and line pointer (28 bytes) and one entry in each of runs' 5 indexes. */
const ROW_OVERHEAD = 28 + 5 * 40;
/** The history counts as "near" its budget from this share on. */
export const NEAR_BUDGET = 0.8;

export interface RunStorage {
  /** Disk the runs table and its indexes occupy (high-water mark). */
  fileBytes: number;
  /** Runs stored (exact below 200,000 rows, the planner's estimate above). */
  rows: number;
  /** Estimated size of one stored run. */
  bytesPerRun: number;
  /** rows × bytesPerRun: what the budget compares. */
  liveBytes: number;
}

export async function measureRuns(sql: postgres.Sql): Promise<RunStorage> {
  const [s] = await sql<{ file: number; est: number }[]>`
    select pg_total_relation_size('runs')::float8 as file, greatest(coalesce((select n_live_tup from pg_stat_user_tables where relid = 'runs'::regclass), 0), (select reltuples from pg_class where oid = 'runs'::regclass), 0)::float8 as est`;
  const rows = s.est < 200_000 ? (await sql<{ n: number }[]>`select count(*)::float8 as n from runs`)[0].n : s.est;
  const [a] = await sql<{ avg: number | null }[]>`select avg(pg_column_size(r.*))::float8 as avg from (select * from runs order by id desc limit 500) r`;
  const bytesPerRun = (a.avg ?? 0) + ROW_OVERHEAD;
  return { fileBytes: s.file, rows, bytesPerRun, liveBytes: rows * bytesPerRun };
}

export interface BudgetOptions {
  maxBytes: number;
  /** Runs younger than this are kept whatever the budget. */
  minAgeMs: number;
  /** Rows per delete (default 500). */
  batch?: number;
  /** Pause between deletes (default 20 ms). */
  pauseMs?: number;
  /** Prune down to this share of the budget, so the next minutes' runs fit (default 0.9). */
  target?: number;
}

/** Deletes the oldest finished runs until the history fits its budget; returns how many went. */
export async function pruneToBudget(sql: postgres.Sql, o: BudgetOptions): Promise<{ deleted: number; before: RunStorage }> {
  const before = await measureRuns(sql);
  if (o.maxBytes <= 0 || before.liveBytes <= o.maxBytes || before.bytesPerRun <= 0) return { deleted: 0, before };
  const keepRows = Math.floor((o.maxBytes * (o.target ?? 0.9)) / before.bytesPerRun);
  let toDelete = Math.max(0, Math.ceil(before.rows - keepRows));
  const batch = o.batch ?? 500;
  const cutoff = new Date(Date.now() - o.minAgeMs).toISOString();
  let deleted = 0;
  while (toDelete > 0) {
    const n = Math.min(batch, toDelete);
    const r = await sql`
      delete from runs where id in (
        select id from runs where started_at < ${cutoff}::timestamptz and status not in ('waiting', 'queued', 'running')
        order by id limit ${n})`;
    deleted += r.count;
    toDelete -= r.count;
    if (r.count < n) break; // only runs younger than the minimum age (or still waiting) are left
    await new Promise((res) => setTimeout(res, o.pauseMs ?? 20));
  }
  return { deleted, before };
}

export interface StorageStatus {
  disk: { freeBytes: number; totalBytes: number; freePercent: number } | null;
  runs: RunStorage & { budgetBytes: number };
  warnings: { kind: 'disk_low' | 'budget_near'; message: string }[];
}

const gb = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GB`;
const mb = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MB`;

/** Free space on the disk holding `dir` (null when it cannot be read). */
export function diskOf(dir: string): StorageStatus['disk'] {
  try {
    const s = fs.statfsSync(dir);
    const total = s.blocks * s.bsize, free = s.bavail * s.bsize;
    return { freeBytes: free, totalBytes: total, freePercent: total ? (100 * free) / total : 100 };
  } catch { return null; }
}

/** What the staff app and the log warn about. `disk` may be given (tests); else the data folder's is read. */
export async function storageStatus(sql: postgres.Sql, o: { dataDir: string; maxBytes: number; diskWarnPercent: number; disk?: StorageStatus['disk'] }): Promise<StorageStatus> {
  const disk = o.disk !== undefined ? o.disk : diskOf(o.dataDir);
  const runs = { ...(await measureRuns(sql)), budgetBytes: o.maxBytes };
  const warnings: StorageStatus['warnings'] = [];
  if (disk && o.diskWarnPercent > 0 && disk.freePercent < o.diskWarnPercent) {
    warnings.push({ kind: 'disk_low', message: `The data folder's disk (${o.dataDir}) is low: ${gb(disk.freeBytes)} free of ${gb(disk.totalBytes)} (${disk.freePercent.toFixed(1)} %). Free some space, lower PATCHBAY_RUN_MAX_MB or PATCHBAY_RUN_RETENTION_DAYS, or record fewer runs (recording policy).` });
  }
  if (o.maxBytes > 0 && runs.liveBytes >= NEAR_BUDGET * o.maxBytes) {
    warnings.push({ kind: 'budget_near', message: `Run history is near its budget: about ${mb(runs.liveBytes)} of ${mb(o.maxBytes)} (PATCHBAY_RUN_MAX_MB); the oldest runs are being pruned. Counts and latencies are kept in the aggregates.` });
  }
  return { disk, runs, warnings };
}

let cached: { at: number; value: Promise<StorageStatus['warnings']> } | null = null;
/** The warnings for the staff app, read at most once a minute per process (a failure shows none). */
export function currentStorageWarnings(sql: postgres.Sql, o: { dataDir: string; maxBytes: number; diskWarnPercent: number }): Promise<StorageStatus['warnings']> {
  if (!cached || cached.at < Date.now() - 60_000) {
    cached = { at: Date.now(), value: storageStatus(sql, o).then((s) => s.warnings, () => []) };
  }
  return cached.value;
}
