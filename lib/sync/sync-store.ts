// sync_states and sync_runs: the committed cursor, the lease against overlapping runs, the runs' progress.
//
// Two guards keep one (customer, sync) from running twice. The partial unique index sync_runs_one_active_uq
// admits one queued-or-running run, so a second start is refused by the database whatever process asks.
// The lease (locked_by / locked_until, renewed by the running worker's heartbeat) says which worker runs it
// now; every page commit checks it (fencing), so a worker that lost its lease cannot move the cursor.
import type postgres from 'postgres';
import { readSyncConfig, type SyncConfigInput, type SyncMode, type SyncTrigger } from './sync-config';

export interface SyncStateRow {
  id: string;
  customer_id: string;
  sync_key: string;
  cursor: Record<string, string> | null;
  last_full_at: Date | null;
  locked_by: string | null;
  locked_until: Date | null;
  config: Record<string, unknown>;
  enabled: boolean;
  next_run_at: Date | null;
  next_full_at: Date | null;
}

export type SyncRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'blocked';

export interface SyncRunRow {
  id: string;
  customer_id: string;
  sync_key: string;
  kind: SyncMode | 'webhook';
  status: SyncRunStatus;
  read: number;
  written: number;
  skipped: number;
  failed: number;
  deleted: number;
  total_estimate: number | null;
  problems: unknown[];
  alerts: unknown[];
  /** Two-way sync: the conflicts met, with both sides' values and the outcome. */
  conflicts: unknown[];
  stats: Record<string, unknown>;
  trigger: SyncTrigger;
  job_id: string | null;
  worker: string | null;
  error: string | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

/**
 * The sync's state row, created on first use; `config` (when given) replaces the stored one. A config that adds
 * a destination or a kind forgets the cursor: the next run reads everything again, so the new destination gets
 * every record (the others skip what they already hold, at no write cost).
 */
export async function ensureSyncState(sql: postgres.Sql, customerId: string, syncKey: string, config?: SyncConfigInput): Promise<SyncStateRow> {
  const next = config ? readSyncConfig(config) : null;
  const initial = next ?? readSyncConfig({});
  let resetCursor = false;
  if (next) {
    const existing = await readSyncState(sql, customerId, syncKey);
    if (existing) {
      const old = readSyncConfig(existing.config);
      // Turning two-way on reads the CRM again from the start: every linked record gets its agreed base.
      resetCursor = next.destinations.some((d) => !old.destinations.includes(d)) || next.kinds.some((k) => !old.kinds.includes(k))
        || (next.direction === 'two_way' && old.direction !== 'two_way');
    }
  }
  const [row] = await sql<SyncStateRow[]>`
    insert into sync_states (customer_id, sync_key, config, next_run_at, next_full_at)
    values (${customerId}, ${syncKey}, ${JSON.stringify(initial)}::text::jsonb,
            now() + make_interval(mins => ${initial.incrementalEveryMinutes}),
            now() + make_interval(secs => ${Math.round(initial.fullEveryHours * 3600)}))
    on conflict (customer_id, sync_key) do update set
      config = case when ${next !== null} then excluded.config else sync_states.config end,
      cursor = case when ${resetCursor} then null else sync_states.cursor end,
      updated_at = case when ${next !== null} then now() else sync_states.updated_at end
    returning *`;
  // Back to one-way: the phonebook changes still waiting for the CRM are not going there any more.
  if (next && next.direction === 'one_way') await sql`delete from sync_pending_changes where customer_id = ${customerId} and source = ${syncKey}`;
  return row;
}

export async function readSyncState(sql: postgres.Sql, customerId: string, syncKey: string): Promise<SyncStateRow | null> {
  const rows = await sql<SyncStateRow[]>`select * from sync_states where customer_id = ${customerId} and sync_key = ${syncKey}`;
  return rows[0] ?? null;
}

const ONE_ACTIVE = 'sync_runs_one_active_uq';

/** A queued run, or the run already queued or running for that sync (the second start is refused). */
export async function createSyncRun(sql: postgres.Sql, r: { customerId: string; syncKey: string; kind: SyncMode | 'webhook'; trigger: SyncTrigger; stats?: Record<string, unknown> }): Promise<{ created: SyncRunRow } | { active: SyncRunRow }> {
  try {
    const [row] = await sql<SyncRunRow[]>`
      insert into sync_runs (customer_id, sync_key, kind, status, trigger, stats)
      values (${r.customerId}, ${r.syncKey}, ${r.kind}, 'queued', ${r.trigger}, ${JSON.stringify(r.stats ?? {})}::text::jsonb)
      returning *`;
    return { created: row };
  } catch (err) {
    if ((err as { code?: string; constraint_name?: string }).code !== '23505' || (err as { constraint_name?: string }).constraint_name !== ONE_ACTIVE) throw err;
    const rows = await sql<SyncRunRow[]>`select * from sync_runs where customer_id = ${r.customerId} and sync_key = ${r.syncKey} and status in ('queued', 'running')`;
    if (!rows.length) return createSyncRun(sql, r); // it finished in between
    return { active: rows[0] };
  }
}

export async function readSyncRun(sql: postgres.Sql, runId: string): Promise<SyncRunRow | null> {
  const rows = await sql<SyncRunRow[]>`select * from sync_runs where id = ${runId}`;
  return rows[0] ?? null;
}

export type Claim =
  | { kind: 'claimed'; state: SyncStateRow; run: SyncRunRow; resumed: boolean }
  | { kind: 'held'; until: Date; by: string | null }
  | { kind: 'gone' };

/** Takes the sync's lease for this run (free, expired or already ours) and marks the run running. */
export async function claimSyncRun(sql: postgres.Sql, runId: string, workerId: string, leaseMs: number, jobId: string | null): Promise<Claim> {
  return sql.begin(async (tx) => {
    const q = tx as unknown as postgres.Sql;
    const runs = await q<SyncRunRow[]>`select * from sync_runs where id = ${runId} for update`;
    const run = runs[0];
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return { kind: 'gone' } as Claim;
    const states = await q<SyncStateRow[]>`
      update sync_states set locked_by = ${workerId}, locked_until = now() + make_interval(secs => ${leaseMs / 1000})
      where customer_id = ${run.customer_id} and sync_key = ${run.sync_key}
        and (locked_until is null or locked_until < now() or locked_by = ${workerId})
      returning *`;
    if (!states.length) {
      const [held] = await q<{ locked_until: Date | null; locked_by: string | null }[]>`select locked_until, locked_by from sync_states where customer_id = ${run.customer_id} and sync_key = ${run.sync_key}`;
      if (!held) return { kind: 'gone' } as Claim;
      return { kind: 'held', until: new Date(held.locked_until ?? Date.now()), by: held.locked_by } as Claim;
    }
    const resumed = run.status === 'running';
    const [updated] = await q<SyncRunRow[]>`
      update sync_runs set status = 'running', worker = ${workerId}, job_id = coalesce(${jobId}, job_id), updated_at = now(),
        stats = case when ${resumed} then jsonb_set(stats, '{resumes}', to_jsonb(coalesce((stats->>'resumes')::int, 0) + 1)) else stats end
      where id = ${runId} returning *`;
    return { kind: 'claimed', state: states[0], run: updated, resumed } as Claim;
  });
}

/** Heartbeat: extends the lease while we still hold it; false when another worker took it. */
export async function renewLease(sql: postgres.Sql, stateId: string, workerId: string, leaseMs: number): Promise<boolean> {
  const res = await sql`update sync_states set locked_until = now() + make_interval(secs => ${leaseMs / 1000}) where id = ${stateId} and locked_by = ${workerId}`;
  return res.count === 1;
}

export async function releaseLease(sql: postgres.Sql, stateId: string, workerId: string): Promise<void> {
  await sql`update sync_states set locked_by = null, locked_until = null where id = ${stateId} and locked_by = ${workerId}`;
}

export interface RunFinish {
  status: 'succeeded' | 'failed' | 'blocked';
  error?: string | null;
  alerts?: unknown[];
  stats: Record<string, unknown>;
  /** A full comparison ran to its end (deletes done or refused): the next one is a whole period away. */
  comparedFully: boolean;
}

/** This worker no longer holds the sync's lease: it must stop without touching the run. */
export class LeaseLost extends Error {
  constructor() { super('Another worker took over this sync (lease lost)'); this.name = 'LeaseLost'; }
}

/** Ends the run, schedules the next ones and gives the lease back, in one transaction (only while we hold the lease). */
export async function finishSyncRun(sql: postgres.Sql, state: SyncStateRow, runId: string, workerId: string, f: RunFinish): Promise<void> {
  const cfg = readSyncConfig(state.config);
  await sql.begin(async (tx) => {
    const q = tx as unknown as postgres.Sql;
    const released = await q`
      update sync_states set locked_by = null, locked_until = null, updated_at = now(),
        next_run_at = now() + make_interval(mins => ${cfg.incrementalEveryMinutes}),
        next_full_at = case when ${f.comparedFully} then now() + make_interval(secs => ${Math.round(cfg.fullEveryHours * 3600)}) else next_full_at end,
        last_full_at = case when ${f.comparedFully} then now() else last_full_at end
      where id = ${state.id} and locked_by = ${workerId}`;
    if (released.count !== 1) throw new LeaseLost();
    await q`
      update sync_runs set status = ${f.status}, error = ${f.error ?? null}, alerts = alerts || ${JSON.stringify(f.alerts ?? [])}::text::jsonb,
        stats = ${JSON.stringify(f.stats)}::text::jsonb, finished_at = now(), updated_at = now()
      where id = ${runId}`;
  });
}

/** Marks a queued run failed (its job could not be queued). */
export async function failQueuedRun(sql: postgres.Sql, runId: string, error: string): Promise<void> {
  await sql`update sync_runs set status = 'failed', error = ${error}, finished_at = now(), updated_at = now() where id = ${runId} and status = 'queued'`;
}
