// Starting a sync run, from anywhere (the scheduler tick, a flow's sync.contacts block, the staff UI, the CLI):
// the run row is created first (refused by the database when one is already queued or running for that
// sync), then its job is queued in pg-boss for whichever worker is free.
import type postgres from 'postgres';
import { PatchbayError } from '@/engine';
import { catalog, crmCatalog } from '@/engine/connectors';
import { readSyncConfig, twoWayProblem, type SyncConfigInput, type SyncMode, type SyncTrigger } from './sync-config';
import { createSyncRun, ensureSyncState, failQueuedRun, readSyncState } from './sync-store';

export interface StartSyncRequest {
  customerId: string;
  /** The source system (catalog id): hubspot, salesforce, pipedrive … */
  source: string;
  mode?: SyncMode;
  trigger: SyncTrigger;
  /** Replaces the sync's stored config (kinds, destinations, schedule, threshold) when given. */
  config?: SyncConfigInput;
  /** This run may delete past the safety threshold (a person confirmed the deletes are real). */
  allowMassDelete?: boolean;
}

export type StartSyncResult =
  | { syncRunId: string; status: 'queued' }
  /** Refused: that sync already has a queued or running run (its id). */
  | { syncRunId: string; status: 'already_running'; runStatus: 'queued' | 'running' };

/** Queues the run's job; answers the pg-boss job id (null when an identical job is already queued). */
export type EnqueueSyncRun = (run: { runId: string; customerId: string; syncKey: string }) => Promise<string | null>;

/** Whether a catalog system can feed a contact sync (it declares a contactSource). */
export function isSyncSource(source: string): boolean {
  return Object.prototype.hasOwnProperty.call(catalog, source) && !!catalog[source].contactSource;
}

/** Why `source` cannot feed a sync, naming the ones that can (for 400/404 messages). */
export function notASyncSource(source: string): string {
  const known = Object.entries(catalog).filter(([, e]) => e.contactSource).map(([id]) => id).join(', ');
  return `"${String(source).slice(0, 64)}" cannot feed a contact sync (sources: ${known})`;
}

export function assertSyncSource(source: string): void {
  if (!isSyncSource(source)) throw new PatchbayError('invalid_params', notASyncSource(source));
}

/** A two-way config that cannot run: no phonebook destination, or a CRM that cannot update and delete contacts. */
export function assertRunnableConfig(source: string, config: SyncConfigInput | undefined): void {
  if (!config) return;
  const parsed = (() => {
    try { return readSyncConfig(config); } catch (err) {
      const issue = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
      const path = (issue?.path ?? []).map(String);
      throw new PatchbayError('invalid_params', `config${path.length ? '.' + path.join('.') : ''}: ${issue?.message ?? 'invalid'}`, { path: ['config', ...path] });
    }
  })();
  const problem = twoWayProblem(parsed);
  if (problem) throw new PatchbayError('invalid_params', `config.${problem.path}: ${problem.message}`, { path: ['config', problem.path] });
  const crm = parsed.direction === 'two_way' ? crmCatalog()[source]?.crm : undefined;
  if (parsed.direction === 'two_way' && (!crm?.updateContact || !crm.deleteContact)) {
    throw new PatchbayError('invalid_params', `config.direction: ${catalog[source]?.connector.name ?? source} cannot take contact edits from the phone system yet (its connector has no updateContact/deleteContact): use one_way`, { path: ['config', 'direction'] });
  }
}

/** The sync's stored config with a few settings changed (the staff page's and the CLI's direction and conflict rule). */
export async function configWith(sql: postgres.Sql, customerId: string, source: string, patch: Partial<Pick<SyncConfigInput, 'direction' | 'conflictRule'>>): Promise<SyncConfigInput | undefined> {
  const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  if (!Object.keys(given).length) return undefined;
  const state = await readSyncState(sql, customerId, source);
  const next: SyncConfigInput = { ...((state?.config ?? {}) as SyncConfigInput), ...given };
  // Two-way is between the CRM and the phonebook: turning it on makes the phonebook a destination.
  if (given.direction === 'two_way') next.destinations = [...new Set([...(next.destinations ?? ['cdp']), 'phonebook' as const])];
  return next;
}

export async function startSync(sql: postgres.Sql, enqueue: EnqueueSyncRun, req: StartSyncRequest): Promise<StartSyncResult> {
  assertSyncSource(req.source);
  assertRunnableConfig(req.source, req.config);
  if (req.config && readSyncConfig(req.config).direction === 'two_way') {
    // One CRM per customer takes the phonebook's edits: two would each make a person of every new entry.
    const [other] = await sql<{ sync_key: string }[]>`
      select sync_key from sync_states where customer_id = ${req.customerId} and sync_key <> ${req.source} and config->>'direction' = 'two_way' limit 1`;
    if (other) throw new PatchbayError('invalid_params', `config.direction: this customer's ${other.sync_key} sync is already two-way; only one CRM can take the phonebook's edits (set that one to one_way first)`, { path: ['config', 'direction'] });
  }
  await ensureSyncState(sql, req.customerId, req.source, req.config);
  const r = await createSyncRun(sql, {
    customerId: req.customerId, syncKey: req.source, kind: req.mode ?? 'incremental', trigger: req.trigger,
    stats: req.allowMassDelete ? { allowMassDelete: true } : {},
  });
  if ('active' in r) return { syncRunId: r.active.id, status: 'already_running', runStatus: r.active.status === 'running' ? 'running' : 'queued' };
  const runId = r.created.id;
  try {
    const jobId = await enqueue({ runId, customerId: req.customerId, syncKey: req.source });
    if (jobId) await sql`update sync_runs set job_id = ${jobId} where id = ${runId} and job_id is null`;
  } catch (err) {
    await failQueuedRun(sql, runId, `Could not queue the sync: ${(err as Error).message}`);
    throw err;
  }
  return { syncRunId: runId, status: 'queued' };
}
