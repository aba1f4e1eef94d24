// The job engine adapter: pg-boss on the same PostgreSQL (embedded or DATABASE_URL). Durable delays,
// schedules and retries go through here; any number of worker processes can share the database.
import PgBoss from 'pg-boss';
import type postgres from 'postgres';
import { flowSchema } from '@/engine';
import { dropCallWait } from '../calls/call-sessions';
import { compileCached } from '../engine-host/automation-cache';
import type { EngineHost, HostOptions } from '../engine-host/host';
import { Unavailable } from '../errors';
import { startRunLeases, WORKER_ID } from './run-lease';

export const QUEUES = { resumeRun: 'run-resume', asyncRun: 'run-async', wakeRun: 'run-wake', takeoverRun: 'run-takeover' } as const;

/** Background runs (queued, resumed) may take this long: uploading a long recording is not a lookup. */
const BACKGROUND_TIMEOUT_MS = 15 * 60_000;

export interface JobsRuntime {
  boss: PgBoss;
  send(queue: string, data: object, options?: PgBoss.SendOptions): Promise<string | null>;
  /** Extra queues registered by features (sync …) before or after start. */
  work<T extends object>(queue: string, handler: (data: T, job: PgBoss.Job<T>) => Promise<void>, options?: PgBoss.WorkOptions): Promise<void>;
  stop(): Promise<void>;
  /** Started and not stopped (or failed): for the readiness check. */
  running(): boolean;
}

/** May answer a stop hook, run before the job engine stops (e.g. to interrupt a long sync at a page boundary). */
type WorkHandlerRegistration = (jobs: JobsRuntime) => Promise<void | (() => Promise<void> | void)>;
const registrations: WorkHandlerRegistration[] = [];
/** Features register their queues here; they are started with the worker. */
export function registerJobHandlers(fn: WorkHandlerRegistration): void { registrations.push(fn); }

const g = globalThis as unknown as { __patchbayJobs?: JobsRuntime };
export function getJobs(): JobsRuntime {
  if (!g.__patchbayJobs) throw new Unavailable('jobs_unavailable', 'The job engine is not running; try again shortly');
  return g.__patchbayJobs;
}

/**
 * Starts pg-boss (its schema migrated) without any worker: the engine host is built after it with the job
 * ports (jobPorts) in its options, then startWorkers runs the queues that need the host.
 */
export async function startJobEngine(o: { databaseUrl: string; worker: boolean }): Promise<JobsRuntime> {
  const boss = new PgBoss({ connectionString: o.databaseUrl, schema: 'pgboss', max: 4, supervise: o.worker, schedule: o.worker, migrate: true });
  boss.on('error', (err) => console.error('[patchbay] job engine error:', err.message));
  let running = false;
  boss.on('stopped', () => { running = false; });
  await boss.start();
  running = true;
  const known = new Set<string>();
  // Several processes starting together create the same queues at once; pg-boss's create_queue can then fail
  // (a deadlock between two inserts, or "already exists"). The queue counts as made only once it is there.
  const ensureQueue = async (name: string) => {
    if (known.has(name)) return;
    for (let attempt = 1; ; attempt++) {
      const err = await boss.createQueue(name).then(() => null, (e: Error) => e);
      if (!err || (await boss.getQueue(name))) break;
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 100));
    }
    known.add(name);
  };
  const runtime: JobsRuntime = {
    boss,
    async send(queue, data, options = {}) {
      await ensureQueue(queue);
      return boss.send(queue, data, options);
    },
    async work(queue, handler, options = {}) {
      if (!o.worker) return;
      await ensureQueue(queue);
      await boss.work(queue, { batchSize: 1, pollingIntervalSeconds: 1, ...options }, async (jobs) => {
        for (const job of jobs as PgBoss.Job<never>[]) await handler(job.data, job);
      });
    },
    running: () => running,
    async stop() {
      running = false;
      for (const hook of stopHooks) await Promise.resolve(hook()).catch((e) => console.error('[patchbay] job stop hook:', (e as Error).message));
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
  const stopHooks: (() => Promise<void> | void)[] = [];
  g.__patchbayJobs = runtime;
  stopHooksOf.set(runtime, stopHooks);
  return runtime;
}

const stopHooksOf = new WeakMap<JobsRuntime, (() => Promise<void> | void)[]>();

/** What the engine host hands to the job engine, given to its constructor. */
export function jobPorts(jobs: JobsRuntime): Pick<HostOptions, 'scheduleResume' | 'enqueueRun' | 'wakeRun'> {
  return {
    // Durable delays: a suspended run is resumed by whichever worker picks the job at resumeAt.
    scheduleResume: async (runId, resumeAt) => {
      await jobs.send(QUEUES.resumeRun, { runId }, { startAfter: resumeAt, singletonKey: `resume:${runId}:${resumeAt.getTime()}`, retryLimit: 5, retryBackoff: true });
    },
    // ?async=true runs: queued in Postgres, so a run accepted with 202 survives a restart.
    enqueueRun: async (runId) => { await jobs.send(QUEUES.asyncRun, { runId }, { singletonKey: `async:${runId}`, retryLimit: 3, retryBackoff: true }); },
    // A run waiting on a call session, woken now by the event it waited for.
    wakeRun: async (runId) => { await jobs.send(QUEUES.wakeRun, { runId }, { singletonKey: `wake:${runId}`, retryLimit: 20, retryDelay: 1 }); },
  };
}

/** Runs the queues (resumes, async runs, and every registered feature's) on this process when it is a worker. */
export async function startWorkers(jobs: JobsRuntime, o: { host: EngineHost; sql: postgres.Sql; log: (m: string) => void; worker: boolean; runLeaseMs?: number }): Promise<void> {
  const leaseMs = o.runLeaseMs ?? 60_000;
  await jobs.work<{ runId: string }>(QUEUES.resumeRun, async ({ runId }) => { await resumeRun(o.sql, o.host, runId, leaseMs); }, { pollingIntervalSeconds: 0.5 });
  // Runs waiting on a call session, woken by the event they waited for. The wake-up can overtake the run's own
  // suspension (still 'running'): then the job fails and pg-boss retries it a second later.
  await jobs.work<{ runId: string }>(QUEUES.wakeRun, async ({ runId }) => {
    if (await resumeRun(o.sql, o.host, runId, leaseMs)) return;
    const [r] = await o.sql<{ status: string }[]>`select status from runs where id = ${runId}`;
    if (r?.status === 'running') throw new Error(`run ${runId} is still suspending; waking it again shortly`);
  }, { pollingIntervalSeconds: 0.5 });
  await jobs.work<{ runId: string }>(QUEUES.asyncRun, async ({ runId }) => startQueuedRun(o.sql, o.host, runId, leaseMs), { pollingIntervalSeconds: 0.5 });
  // Runs whose worker died: claimed again once their lease ran out (lib/jobs/run-lease.ts).
  await jobs.work<{ runId: string }>(QUEUES.takeoverRun, async ({ runId }) => takeOverRun(o.sql, o.host, runId, leaseMs), { pollingIntervalSeconds: 0.5 });
  const stopHooks = stopHooksOf.get(jobs) ?? [];
  if (o.worker) {
    const leases = startRunLeases({
      sql: o.sql, leaseMs, log: o.log,
      requeue: async (runId, expiredAt) => { await jobs.send(QUEUES.takeoverRun, { runId }, { singletonKey: `takeover:${runId}:${expiredAt}`, retryLimit: 3, retryBackoff: true }); },
    });
    stopHooks.push(() => leases.stop());
  }
  for (const r of registrations) {
    const hook = await r(jobs);
    if (hook) stopHooks.push(hook);
  }
  if (o.worker) o.log('Job worker running (pg-boss)');
}

interface ClaimedRun { vendor_id: string; customer_id: string; flow_id: string; flow_version: number; trigger: unknown; state: any; default_country: string; options: Record<string, unknown> | null }

/**
 * Moves a run from `from` to running in one statement, so a job the engine delivers twice (retry, two workers)
 * continues the run once; the run is this worker's for a lease it renews. Returns what is needed to run it, or null
 * when someone else already did. `expired`: a running run whose worker stopped renewing its lease.
 */
async function claimRun(sql: postgres.Sql, runId: string, from: 'queued' | 'waiting' | 'expired', leaseMs: number): Promise<ClaimedRun | null> {
  const rows = await sql<ClaimedRun[]>`
    update runs r set status = 'running', resume_at = null, worker = ${WORKER_ID}, lease_until = now() + make_interval(secs => ${leaseMs / 1000})
    from customers c
    where r.id = ${runId} and c.id = r.customer_id
      and ${from === 'expired' ? sql`r.status = 'running' and r.lease_until < now()` : sql`r.status = ${from}`}
    returning r.vendor_id, r.customer_id, r.flow_id, r.flow_version, r.trigger, r.state, c.default_country,
      (select options from integrations i where i.customer_id = r.customer_id and i.automation = r.automation) as options`;
  return rows[0] ?? null;
}

async function continueRun(sql: postgres.Sql, host: EngineHost, runId: string, r: ClaimedRun, resume: boolean): Promise<void> {
  const [v] = await sql<{ definition: unknown }[]>`select definition from flow_versions where flow_id = ${r.flow_id} and version = ${r.flow_version}`;
  const compiled = compileCached(r.flow_id, r.flow_version, flowSchema.parse(v.definition));
  await host.execute({
    vendorId: r.vendor_id, customer: { id: r.customer_id, defaultCountry: r.default_country.trim() }, flowId: r.flow_id, flowVersion: r.flow_version,
    compiled, options: { ...compiled.flow.options, ...(r.options ?? {}) }, runId, recordNow: true, timeoutMs: BACKGROUND_TIMEOUT_MS,
    trigger: resume ? r.state.trigger : r.trigger, resume: resume ? r.state : undefined,
  });
}

/** Runs a queued (?async=true or webhook) run from its stored trigger. */
export async function startQueuedRun(sql: postgres.Sql, host: EngineHost, runId: string, leaseMs = 60_000): Promise<void> {
  const r = await claimRun(sql, runId, 'queued', leaseMs);
  if (r) await continueRun(sql, host, runId, r, false);
}

/** Continues a run that waited on a durable delay or a call; false when it was not waiting (someone else resumed it). */
export async function resumeRun(sql: postgres.Sql, host: EngineHost, runId: string, leaseMs = 60_000): Promise<boolean> {
  const r = await claimRun(sql, runId, 'waiting', leaseMs);
  if (!r) return false;
  await dropCallWait(sql, runId);
  await continueRun(sql, host, runId, r, true);
  return true;
}

/**
 * Takes over a run whose worker died: from its last saved state when it had waited (a delay, a call event) and
 * was resumed, else from its stored trigger.
 */
export async function takeOverRun(sql: postgres.Sql, host: EngineHost, runId: string, leaseMs = 60_000): Promise<void> {
  const r = await claimRun(sql, runId, 'expired', leaseMs);
  if (!r) return;
  if (r.state) await dropCallWait(sql, runId);
  await continueRun(sql, host, runId, r, !!r.state);
}
