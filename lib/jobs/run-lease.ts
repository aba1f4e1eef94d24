// Background runs (a webhook's queued run, a run resumed after its durable delay or call event) belong to the
// worker that claimed them for as long as it renews their lease. A worker that dies (SIGKILL, lost machine)
// stops renewing; once the lease ran out, the next worker to notice queues the run again through the job engine
// (one job per expired lease: the singleton key names it, so two workers noticing queue it once) and the worker
// that takes that job claims the run: from its stored trigger if it never waited, else from its last saved state.
// The steps replayed are the ones after the run's last durable point; the CRM writes among them find their
// call session's record and update it instead of writing a second one.
import os from 'node:os';
import type postgres from 'postgres';

/** This process, as runs name their worker: host:pid. */
export const WORKER_ID = `${os.hostname()}:${process.pid}`;

export interface RunLeaseOptions {
  sql: postgres.Sql;
  leaseMs: number;
  /** Queues the take-over of a run whose worker stopped renewing its lease. */
  requeue(runId: string, expiredAt: string): Promise<void>;
  log?: (m: string) => void;
}

/**
 * Renews this worker's leases and looks for runs other workers abandoned, every third of a lease. Liveness only:
 * the runs taken over go through the job engine like any other.
 */
export function startRunLeases(o: RunLeaseOptions): { stop(): void; tick(): Promise<void> } {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const ms = o.leaseMs;
      await o.sql`update runs set lease_until = now() + make_interval(secs => ${ms / 1000}) where status = 'running' and worker = ${WORKER_ID} and lease_until is not null`;
      const expired = await o.sql<{ id: string; lease_until: string }[]>`
        select id, lease_until from runs where status = 'running' and lease_until is not null and lease_until < now() order by lease_until limit 50`;
      for (const r of expired) {
        o.log?.(`run ${r.id}: its worker stopped renewing the lease; queued for another worker`);
        await o.requeue(r.id, r.lease_until);
      }
    } catch (err) {
      o.log?.(`run leases: ${(err as Error).message}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), Math.max(200, Math.floor(o.leaseMs / 3)));
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}
