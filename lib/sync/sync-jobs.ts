// Syncs in the job engine (pg-boss, on the same PostgreSQL). Queue `sync-run` carries one job per run;
// queue `sync-tick` runs every minute (pg-boss cron, one job per minute for the whole cluster) and once when a
// worker starts: it starts the syncs whose schedule is due, and hands runs whose worker died (lease expired)
// to a live worker, which resumes them from their last committed page. No timers hold schedules.
import type PgBoss from 'pg-boss';
import type postgres from 'postgres';
import { createGuardedFetch } from '../engine-host/guarded-fetch';
import type { EngineHost, HostOptions } from '../engine-host/host';
import { registerJobHandlers, type JobsRuntime } from '../jobs/runtime';
import { executeSyncRun, leaseMsFromEnv, newWorkerId, type SyncEngineDeps } from './run-sync';
import { startSync, type EnqueueSyncRun } from './start-sync';

export const SYNC_QUEUES = { run: 'sync-run', tick: 'sync-tick' } as const;
/** A sync run may take hours against a slow CRM; the lease, not pg-boss's expiry, tells whether its worker lives. */
const RUN_JOB_EXPIRY_S = 6 * 3600;

/**
 * Queue policy `short`: at most one *queued* job per singletonKey, so the recovery tick, a deferral and a
 * second tick on another machine cannot queue the same run twice. The key is per run; one run per sync at
 * a time is the database's job (sync_runs_one_active_uq) and the lease's.
 */
export async function createSyncQueues(boss: PgBoss): Promise<void> {
  await boss.createQueue(SYNC_QUEUES.run, { name: SYNC_QUEUES.run, policy: 'short', retryLimit: 0, expireInSeconds: RUN_JOB_EXPIRY_S });
  await boss.createQueue(SYNC_QUEUES.tick, { name: SYNC_QUEUES.tick, policy: 'short', retryLimit: 0, expireInSeconds: 600 });
}

export function enqueueWith(boss: PgBoss): EnqueueSyncRun {
  return ({ runId, customerId, syncKey }) => boss.send(SYNC_QUEUES.run, { runId }, { singletonKey: `sync:${customerId}:${syncKey}:${runId}`, retryLimit: 0, expireInSeconds: RUN_JOB_EXPIRY_S });
}

export interface TickResult { recovered: number; started: number }

/** Recovers orphaned runs and starts due syncs. Safe to run on several workers at once. */
export async function syncTick(sql: postgres.Sql, boss: PgBoss): Promise<TickResult> {
  const enqueue = enqueueWith(boss);
  let recovered = 0, started = 0;
  // Running runs whose worker stopped renewing the lease (SIGKILL, lost machine) or let it go (shutdown).
  const orphans = await sql<{ id: string; job_id: string | null; customer_id: string; sync_key: string }[]>`
    select r.id, r.job_id, r.customer_id, r.sync_key from sync_runs r
    join sync_states s on s.customer_id = r.customer_id and s.sync_key = r.sync_key
    where r.status = 'running' and (s.locked_until is null or s.locked_until < now())`;
  // Queued runs whose job is gone (never queued, expired, deleted).
  const lost = await sql<{ id: string; job_id: string | null; customer_id: string; sync_key: string }[]>`
    select r.id, r.job_id, r.customer_id, r.sync_key from sync_runs r
    where r.status = 'queued' and r.started_at < now() - interval '2 minutes'
      and not exists (select 1 from pgboss.job j where j.name = ${SYNC_QUEUES.run} and j.id::text = r.job_id and j.state < 'completed')`;
  for (const r of [...orphans, ...lost]) {
    // The dead worker's job is still "active" in pg-boss until it expires: end it so it cannot come back.
    if (r.job_id) await boss.cancel(SYNC_QUEUES.run, r.job_id).catch(() => {});
    const jobId = await enqueue({ runId: r.id, customerId: r.customer_id, syncKey: r.sync_key });
    if (jobId) { await sql`update sync_runs set job_id = ${jobId} where id = ${r.id}`; recovered++; }
  }
  const due = await sql<{ customer_id: string; sync_key: string; full_due: boolean }[]>`
    select s.customer_id, s.sync_key, coalesce(s.next_full_at <= now(), false) as full_due from sync_states s
    where s.enabled and (s.next_run_at <= now() or s.next_full_at <= now())
      and not exists (select 1 from sync_runs r where r.customer_id = s.customer_id and r.sync_key = s.sync_key and r.status in ('queued', 'running'))`;
  for (const s of due) {
    const r = await startSync(sql, enqueue, { customerId: s.customer_id, source: s.sync_key, mode: s.full_due ? 'full' : 'incremental', trigger: 'schedule' }).catch((err) => {
      console.error(`[patchbay] could not start the scheduled ${s.sync_key} sync:`, (err as Error).message);
      return null;
    });
    if (r?.status === 'queued') started++;
  }
  return { recovered, started };
}

export interface SyncJobDeps {
  sql: postgres.Sql;
  host: EngineHost;
  log: (m: string) => void;
  leaseMs?: number;
  workerId?: string;
  /** Sync runs this process works at once (each its own customer's: syncs wait on CRMs, not on this CPU). */
  concurrency?: number;
  /** Overrides for tests. */
  engine?: Partial<SyncEngineDeps>;
}

/** The engine host's ctx.sync: a flow's sync.contacts block starts a durable sync through the job engine. */
export function syncStarter(sql: postgres.Sql, jobs: JobsRuntime): NonNullable<HostOptions['startSync']> {
  const enqueue = enqueueWith(jobs.boss);
  return (customer, req) => startSync(sql, enqueue, {
    customerId: customer.id, source: req.source, mode: req.mode, trigger: 'flow',
    config: { kinds: req.kinds, destinations: req.destinations, incrementalEveryMinutes: req.incrementalEveryMinutes, fullEveryHours: req.fullEveryHours, deleteThreshold: req.deleteThreshold, direction: req.direction, conflictRule: req.conflictRule },
  }).then((r) => ({ syncRunId: r.syncRunId, status: r.status }));
}

/** Wires syncs into a started job runtime; answers the stop hook that interrupts running syncs. */
export async function installSyncJobs(jobs: JobsRuntime, o: SyncJobDeps): Promise<() => Promise<void>> {
  const { boss } = jobs;
  await createSyncQueues(boss);
  const leaseMs = o.leaseMs ?? leaseMsFromEnv();
  const engine: SyncEngineDeps = {
    sql: o.sql, encryptionKey: o.host.opts.encryptionKey, fetch: createGuardedFetch(o.host.opts.allowPrivateHosts),
    workerId: o.workerId ?? newWorkerId(), leaseMs, log: o.log, ...o.engine,
  };

  const stopping = new AbortController();
  const running = new Set<Promise<Awaited<ReturnType<typeof executeSyncRun>>>>();
  const runHandler = async ({ runId }: { runId: string }, job: { id: string }) => {
    if (stopping.signal.aborted) throw new Error('worker stopping');
    const p = executeSyncRun(engine, runId, { signal: stopping.signal, jobId: job.id });
    running.add(p);
    try {
      const out = await p;
      // Another worker holds the lease (a false alarm, or its lease has not run out yet): look again then.
      if (out.status === 'deferred') {
        const [r] = await o.sql<{ customer_id: string; sync_key: string }[]>`select customer_id, sync_key from sync_runs where id = ${runId}`;
        if (r) await boss.send(SYNC_QUEUES.run, { runId }, { singletonKey: `sync:${r.customer_id}:${r.sync_key}:${runId}`, startAfter: new Date(out.until.getTime() + 500), retryLimit: 0, expireInSeconds: RUN_JOB_EXPIRY_S });
      }
    } finally {
      running.delete(p);
    }
  };
  // Several runs at once per process (pg-boss: one worker per slot, each taking one job): a sync stuck waiting out
  // one customer's CRM (its rate limit, its retries) does not hold up the other customers' syncs.
  for (let i = 0; i < Math.max(1, o.concurrency ?? 3); i++) await jobs.work<{ runId: string }>(SYNC_QUEUES.run, runHandler, { pollingIntervalSeconds: 0.5 });
  await jobs.work<object>(SYNC_QUEUES.tick, async () => {
    const r = await syncTick(o.sql, boss);
    if (r.recovered) o.log(`sync tick: handed ${r.recovered} interrupted run(s) to a worker`);
  }, { pollingIntervalSeconds: 1 });
  // Every minute for the whole cluster; and now plus once a lease from now, so runs of a worker that died
  // just before this one started are picked up without waiting for the minute.
  await boss.schedule(SYNC_QUEUES.tick, '* * * * *', {}, { retryLimit: 0 }).catch((e) => o.log(`could not schedule the sync tick: ${(e as Error).message}`));
  await boss.send(SYNC_QUEUES.tick, {}, { retryLimit: 0 });
  await boss.send(SYNC_QUEUES.tick, {}, { startAfter: new Date(Date.now() + leaseMs + 1000), retryLimit: 0, singletonKey: `after-lease:${engine.workerId}` });

  // Shutdown (SIGTERM): stop taking runs, interrupt the running ones at a page boundary (their lease is given back),
  // and queue each again at once, so another worker resumes it now instead of after the next tick.
  return async () => {
    await boss.offWork(SYNC_QUEUES.run).catch(() => {});
    stopping.abort(new Error('worker stopping'));
    const outcomes = await Promise.allSettled([...running]);
    for (const o of outcomes) {
      if (o.status !== 'fulfilled' || o.value.status !== 'interrupted') continue;
      const runId = o.value.runId;
      const [r] = await engine.sql<{ customer_id: string; sync_key: string; status: string }[]>`select customer_id, sync_key, status from sync_runs where id = ${runId}`;
      if (r?.status !== 'running') continue;
      const jobId = await enqueueWith(boss)({ runId, customerId: r.customer_id, syncKey: r.sync_key }).catch(() => null);
      if (jobId) await engine.sql`update sync_runs set job_id = ${jobId} where id = ${runId}`;
    }
  };
}

/** For server.ts and worker.ts: installs syncs when the job engine starts. */
export function registerSyncJobs(o: SyncJobDeps): void {
  registerJobHandlers((jobs) => installSyncJobs(jobs, o));
}
