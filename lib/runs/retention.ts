// Run history retention: a recorded run per request adds up (a phone system at 100 lookups/s writes
// 8.6 million runs a day), so finished runs older than PATCHBAY_RUN_RETENTION_DAYS (30 by default; 0 keeps
// everything) are deleted every hour by a job-engine cron job (one per cluster), a few thousand rows per
// statement so the deletes never hold long locks. Runs still waiting on a durable delay, queued or running
// are kept whatever their age. The same hourly job forgets opened portal links once they have expired.
import type postgres from 'postgres';
import { registerJobHandlers, type JobsRuntime } from '../jobs/runtime';
import { envValue } from '../config';
import { AGGREGATE_RETENTION_DAYS, MINUTE_ROWS_DAYS, pruneAggregates, rollUpAggregates } from './run-aggregates';
import { pruneToBudget, storageStatus } from './storage-budget';

export const PRUNE_QUEUE = 'runs-prune';
/** Every minute: the run history's size budget and the low-disk / near-budget warnings (storage-budget.ts). */
export const BUDGET_QUEUE = 'runs-budget';

export interface BudgetSettings { maxBytes: number; minAgeMs: number; dataDir: string; diskWarnPercent: number }

export function retentionDaysFromEnv(env: Record<string, string | undefined> = process.env): number {
  return envValue('PATCHBAY_RUN_RETENTION_DAYS', env) ?? 30;
}

/** Deletes finished runs started before `before`; returns how many went. */
export async function pruneRuns(sql: postgres.Sql, before: Date, batch = 5000): Promise<number> {
  let total = 0;
  // Per vendor, so each statement walks the (vendor_id, started_at) index instead of the whole table.
  const vendors = await sql<{ id: string }[]>`select id from vendors`;
  for (const { id } of vendors) {
    for (;;) {
      const r = await sql`
        delete from runs where id in (
          select id from runs where vendor_id = ${id} and started_at < ${before.toISOString()}::timestamptz
            and status not in ('waiting', 'queued', 'running')
          limit ${batch})`;
      total += r.count;
      if (r.count < batch) break;
    }
  }
  return total;
}

/** Opened portal links are remembered until they expire (lib/api/portal/session.ts); then they can go. */
export async function pruneUsedPortalLinks(sql: postgres.Sql): Promise<number> {
  return (await sql`delete from portal_link_uses where expires_at < now()`).count;
}

/** The hourly prune (pg-boss cron, one job per cluster), plus one run when a worker starts. */
export async function installRunRetention(jobs: JobsRuntime, o: { sql: postgres.Sql; log: (m: string) => void; days: number; budget?: BudgetSettings }): Promise<void> {
  await jobs.work<object>(PRUNE_QUEUE, async () => {
    if (o.days > 0) {
      const n = await pruneRuns(o.sql, new Date(Date.now() - o.days * 86_400_000));
      if (n) o.log(`deleted ${n} run(s) older than ${o.days} days`);
    }
    // The per-minute aggregates outlive the detailed runs: minute rows for a week, then hour rows, 13 months.
    await rollUpAggregates(o.sql, new Date(Date.now() - MINUTE_ROWS_DAYS * 86_400_000));
    await pruneAggregates(o.sql, new Date(Date.now() - AGGREGATE_RETENTION_DAYS * 86_400_000));
    await pruneUsedPortalLinks(o.sql);
  });
  const budget = o.budget;
  if (budget) {
    const warned = new Map<string, number>();
    await jobs.work<object>(BUDGET_QUEUE, async () => {
      if (budget.maxBytes > 0) {
        const { deleted, before } = await pruneToBudget(o.sql, { maxBytes: budget.maxBytes, minAgeMs: budget.minAgeMs });
        if (deleted) o.log(`run history at ~${Math.round(before.liveBytes / 1048576)} MB of its ${Math.round(budget.maxBytes / 1048576)} MB budget: deleted the ${deleted} oldest run(s)`);
      }
      // Each warning in the log at most once an hour (the staff app shows it for as long as it holds).
      for (const w of (await storageStatus(o.sql, budget)).warnings) {
        if ((warned.get(w.kind) ?? 0) > Date.now() - 3_600_000) continue;
        warned.set(w.kind, Date.now());
        console.warn(`[patchbay] WARNING ${w.message}`);
      }
    });
    await jobs.boss.schedule(BUDGET_QUEUE, '* * * * *', {}, { retryLimit: 0 }).catch((e) => o.log(`could not schedule the run storage budget: ${(e as Error).message}`));
  }
  await jobs.boss.schedule(PRUNE_QUEUE, '17 * * * *', {}, { retryLimit: 1 }).catch((e) => o.log(`could not schedule run retention: ${(e as Error).message}`));
  await jobs.send(PRUNE_QUEUE, {}, { singletonKey: 'runs-prune-on-start', singletonSeconds: 600 });
}

/** For server.ts and worker.ts: installs the hourly housekeeping when the job engine starts (runs kept when days is 0). */
export function registerRunRetention(o: { sql: postgres.Sql; log: (m: string) => void; days?: number; budget?: BudgetSettings }): void {
  const days = o.days ?? retentionDaysFromEnv();
  registerJobHandlers((jobs) => installRunRetention(jobs, { ...o, days }));
}
