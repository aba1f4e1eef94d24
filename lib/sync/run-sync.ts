// The sync engine: runs one sync run to its end, generic over ContactSource (every CRM in the catalog with a
// contactSource syncs with no code here). For each kind it streams `listChanged` pages from the committed
// cursor; each page is prepared (ids namespaced, numbers normalised, invalid ones reported), pushed to
// the destinations (compare before write), and committed in one transaction with the page's cursor and the
// run's counters. A crash replays at most the page in flight, and the destinations make that replay a
// no-op, so a resumed run loses no record and duplicates none. A full run then compares all ids.
// A two-way run (config.direction) first stages the phonebook's change feed, settles conflicts on the CRM's pages,
// then writes the phonebook's remaining changes to the CRM (lib/sync/two-way/).
import type { KeyInput } from '../crypto/credentials';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import { HttpError, PatchbayError } from '@/engine';
import { catalog, createPhonebookClient, crmCatalog, type CrmApi } from '@/engine/connectors';
import type { ChangedPage, ConnectorCall, ContactSource, ObjectKind } from '@/engine/connectors';
import { clientMessage } from '../db/database-error';
import { loadConnection } from '../engine-host/connections';
import { createCdpDestination } from './destinations/cdp-destination';
import type { PageOutcome, RecordOutcome, SyncDestination } from './destinations/destination';
import { createPhonebookDestination, PHONE_SYSTEM } from './destinations/phonebook-destination';
import { compareAndDelete } from './full-comparison';
import { budgetFor } from '../connections/rate-budget';
import { readSyncConfig, twoWayProblem, type SyncConfig } from './sync-config';
import { prepareSyncRecord, type SyncProblem } from './sync-record';
import { claimSyncRun, finishSyncRun, LeaseLost, releaseLease, renewLease, type SyncRunRow, type SyncStateRow } from './sync-store';
import { envValue } from '../config';
import { createTwoWayPersonDestination } from './two-way/crm-to-phonebook';
import { PHONEBOOK_CURSOR, stagePhonebookChanges } from './two-way/phonebook-feed';
import { applyPendingToCrm } from './two-way/phonebook-to-crm';

export interface SyncEngineDeps {
  sql: postgres.Sql;
  encryptionKey: KeyInput;
  /** Outgoing HTTP (the host's guarded fetch). */
  fetch: typeof fetch;
  workerId: string;
  /** How long a lease lasts without a heartbeat; another worker takes over a run this long after its worker died. */
  leaseMs: number;
  log?: (m: string) => void;
  /** Overrides of the connectors' HTTP client (tests shorten backoff). */
  http?: ConnectorCall['http'];
  /** Attempts per page (and per id listing) on transient errors (429 storms, 5xx, network) before the run fails. */
  maxPageAttempts?: number;
  retryBaseMs?: number;
  /** Contact sources by system (default: the catalog's). */
  sources?: Record<string, ContactSource | undefined>;
  /** Two-way sync: phonebook changes go to the CRM in batches of this many (default 200). */
  twoWayBatchSize?: number;
}

export type SyncOutcome =
  | { status: 'succeeded' | 'failed' | 'blocked'; runId: string }
  /** Stopped (shutdown, lease lost) with its progress committed: the recovery tick hands it to a worker. */
  | { status: 'interrupted'; runId: string }
  /** Another worker holds the lease until `until`. */
  | { status: 'deferred'; runId: string; until: Date }
  /** Finished or unknown: nothing to do. */
  | { status: 'gone'; runId: string };

const PROBLEMS_KEPT = 500;

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function leaseMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return envValue('PATCHBAY_SYNC_LEASE_MS', env) ?? 60_000;
}

/** Errors that a later attempt may not meet: rate limits, 5xx, network. Anything else fails the run. */
export function isTransientError(err: unknown): boolean {
  if (err instanceof HttpError) return err.kind === 'rate_limited' || err.kind === 'server' || err.kind === 'network' || err.kind === 'timeout';
  if (err instanceof PatchbayError) return err.code === 'rate_limited' || err.code === 'network_error';
  return false;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(t); reject(signal!.reason); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function addCounters(stats: Record<string, unknown>, counters: Record<string, number>): Record<string, unknown> {
  const next = { ...stats };
  for (const [k, v] of Object.entries(counters)) next[k] = (Number(next[k]) || 0) + v;
  return next;
}

/** One record's outcome over every destination: failed anywhere beats written anywhere beats skipped. */
function combine(outcomes: (RecordOutcome | undefined)[]): 'written' | 'skipped' | 'failed' | 'deleted' {
  if (outcomes.includes('failed')) return 'failed';
  if (outcomes.includes('written')) return 'written';
  if (outcomes.includes('deleted')) return 'deleted';
  return 'skipped';
}

export async function executeSyncRun(deps: SyncEngineDeps, runId: string, opts: { signal?: AbortSignal; jobId?: string | null } = {}): Promise<SyncOutcome> {
  const { sql, workerId, leaseMs } = deps;
  const claim = await claimSyncRun(sql, runId, workerId, leaseMs, opts.jobId ?? null);
  if (claim.kind === 'gone') return { status: 'gone', runId };
  if (claim.kind === 'held') return { status: 'deferred', runId, until: claim.until };
  const { state, run } = claim;
  if (claim.resumed) deps.log?.(`sync ${state.sync_key} for ${state.customer_id}: resuming run ${runId} from the last committed page`);

  const ac = new AbortController();
  // Every request in flight (phonebook writes run 8 at a time, plus the next page) listens for the abort.
  setMaxListeners(64, ac.signal);
  const onOuterAbort = () => ac.abort(opts.signal?.reason ?? new Error('stopping'));
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (opts.signal?.aborted) onOuterAbort();
  let leaseLost = false;
  const heartbeat = setInterval(() => {
    renewLease(sql, state.id, workerId, leaseMs).then((ok) => {
      if (!ok) { leaseLost = true; ac.abort(new LeaseLost()); }
    }, () => { /* a missed heartbeat is retried at the next beat; the lease is longer than three of them */ });
  }, Math.max(200, Math.floor(leaseMs / 3)));
  heartbeat.unref();

  let stats: Record<string, unknown> = { ...(run.stats ?? {}) };
  try {
    const result = await runClaimed(deps, state, run, ac.signal, stats, (s) => { stats = s; });
    await finishSyncRun(sql, state, runId, workerId, { ...result, stats });
    deps.log?.(`sync ${state.sync_key} for ${state.customer_id}: run ${runId} ${result.status}`);
    return { status: result.status, runId };
  } catch (err) {
    if (err instanceof LeaseLost) leaseLost = true;
    if (ac.signal.aborted || leaseLost) {
      // Progress up to the last page is committed; whoever holds the lease next continues from there.
      if (!leaseLost) await releaseLease(sql, state.id, workerId).catch(() => {});
      await sql`update sync_runs set stats = ${JSON.stringify(stats)}::text::jsonb, updated_at = now() where id = ${runId} and status = 'running'`.catch(() => {});
      return { status: 'interrupted', runId };
    }
    const message = clientMessage(err, 'a sync run');
    deps.log?.(`sync ${state.sync_key} for ${state.customer_id}: run ${runId} failed: ${message}`);
    try {
      await finishSyncRun(sql, state, runId, workerId, { status: 'failed', error: message, stats, comparedFully: false });
    } catch (e) {
      if (e instanceof LeaseLost) return { status: 'interrupted', runId };
      throw e;
    }
    return { status: 'failed', runId };
  } finally {
    clearInterval(heartbeat);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

interface RunResult { status: 'succeeded' | 'blocked'; error?: string | null; alerts?: unknown[]; comparedFully: boolean }

async function runClaimed(
  deps: SyncEngineDeps, state: SyncStateRow, run: SyncRunRow, signal: AbortSignal,
  initialStats: Record<string, unknown>, setStats: (s: Record<string, unknown>) => void,
): Promise<RunResult> {
  const { sql, workerId, leaseMs } = deps;
  const system = state.sync_key;
  const config: SyncConfig = readSyncConfig(state.config);
  const source = (deps.sources ?? {})[system] ?? catalog[system]?.contactSource;
  if (!source) throw new PatchbayError('invalid_params', `${system} cannot feed a contact sync: it is not a CRM connector with a contact source`);
  const [customer] = await sql<{ default_country: string }[]>`select default_country from customers where id = ${state.customer_id}`;
  if (!customer) throw new PatchbayError('not_found', 'The customer of this sync no longer exists');
  const defaultCountry = customer.default_country.trim();

  let stats = initialStats;
  const commitStats = (s: Record<string, unknown>) => { stats = s; setStats(s); };
  const budget = budgetFor(sql, state.customer_id, system, config.budgetReserve);
  const budgetBefore = { ...budget.stats };
  const requestLog: ConnectorCall['requestLog'] = [];
  const conn = await loadConnection(sql, deps.encryptionKey, state.customer_id, system);
  const call: ConnectorCall = { fetch: budget.pace(deps.fetch, signal), conn, requestLog, signal, onRateLimit: (i) => budget.observe(i), http: deps.http };

  const destinations: SyncDestination[] = [];
  let pbCall: ConnectorCall | null = null;
  for (const name of config.destinations) {
    if (name === 'cdp') destinations.push(createCdpDestination(sql, { customerId: state.customer_id, defaultCountry, source: system }));
    if (name === 'phonebook') {
      const pbBudget = budgetFor(sql, state.customer_id, PHONE_SYSTEM, config.budgetReserve);
      const pbConn = await loadConnection(sql, deps.encryptionKey, state.customer_id, PHONE_SYSTEM);
      pbCall = { fetch: pbBudget.pace(deps.fetch, signal), conn: pbConn, requestLog: [], signal, onRateLimit: (i) => pbBudget.observe(i), http: deps.http };
      destinations.push(createPhonebookDestination(sql, { customerId: state.customer_id, defaultCountry, source: system, call: pbCall }));
    }
  }

  // Two-way: persons go to the phonebook through the two-way destination (echo check, conflicts), and the
  // phonebook's own changes are read before the CRM's and written to the CRM after them.
  const twoWay = config.direction === 'two_way';
  const scope = { customerId: state.customer_id, source: system };
  let personDestinations = destinations;
  let crm: CrmApi | null = null;
  if (twoWay) {
    const problem = twoWayProblem(config);
    if (problem) throw new PatchbayError('invalid_params', `This sync's config.${problem.path}: ${problem.message}`);
    crm = crmCatalog()[system]?.crm ?? null;
    if (!crm?.updateContact || !crm.deleteContact) throw new PatchbayError('invalid_params', `${system} cannot take contact edits from the phone system (no updateContact/deleteContact): set the sync's direction to one_way`);
    const inner = destinations.find((d) => d.name === 'phonebook')!;
    const twoWayDest = createTwoWayPersonDestination({ sql, scope, defaultCountry, pbCall: pbCall!, crm, crmCall: call, rule: config.conflictRule }, inner);
    personDestinations = destinations.map((d) => (d.name === 'phonebook' ? twoWayDest : d));
  }

  /** 429s and the budget's waits seen since the last page, folded into the stats committed with it. */
  const drainRequestStats = () => {
    let limited = 0;
    for (const e of requestLog) if (e.status === 429) limited++;
    requestLog.length = 0;
    const waits = budget.stats.waits - budgetBefore.waits, waitedMs = budget.stats.waitedMs - budgetBefore.waitedMs;
    budgetBefore.waits = budget.stats.waits; budgetBefore.waitedMs = budget.stats.waitedMs;
    return { rateLimited: limited, budgetWaits: waits, budgetWaitedMs: Math.round(waitedMs) };
  };

  const maxAttempts = deps.maxPageAttempts ?? 8;
  const retryBase = deps.retryBaseMs ?? 1000;
  async function withRetries<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (signal.aborted || !isTransientError(err) || attempt >= maxAttempts) throw err;
        commitStats(addCounters(stats, { retries: 1 }));
        const wait = Math.min(30_000, retryBase * 2 ** (attempt - 1));
        deps.log?.(`sync ${system}: ${what} failed (${(err as Error).message}); retrying in ${wait} ms`);
        await sleep(wait, signal);
      }
    }
  }

  const cursors: Record<string, string> = { ...(state.cursor ?? {}) };

  // Progress: an estimate of what this run will read (sources that can count), kept once known.
  if (run.total_estimate === null && source.countChanged) {
    let estimate = 0;
    for (const kind of config.kinds) {
      const n = await withRetries('counting changes', () => source.countChanged!(call, { kind, cursor: cursors[kind] ?? null })).catch(() => null);
      if (n === null) { estimate = -1; break; }
      estimate += n;
    }
    if (estimate >= 0) await sql`update sync_runs set total_estimate = ${estimate + run.read}, updated_at = now() where id = ${run.id}`;
  }

  async function commitPage(kind: ObjectKind, page: ChangedPage): Promise<void> {
    const records = page.contacts.map((c) => prepareSyncRecord(c, kind, defaultCountry));
    const pending = await Promise.all((kind === 'person' ? personDestinations : destinations).map((d) => d.push(records)));
    const problems: SyncProblem[] = records.flatMap((r) => r.problems);
    await sql.begin(async (tx) => {
      const q = tx as unknown as postgres.Sql;
      const outs: PageOutcome[] = [];
      for (const p of pending) outs.push(await p.commit(q));
      const tally = { written: 0, skipped: 0, failed: 0, deleted: 0 };
      for (const r of records) tally[combine(outs.map((o) => o.outcomes.get(r.contact.externalId)))]++;
      for (const o of outs) problems.push(...o.problems);
      let counters: Record<string, number> = { pages: 1, problems: problems.length, ...drainRequestStats() };
      for (const o of outs) counters = { ...counters, ...o.counters };
      const nextStats = addCounters(stats, counters);
      const moved = await q`
        update sync_states set cursor = jsonb_set(coalesce(cursor, '{}'::jsonb), array[${kind}]::text[], to_jsonb(${page.cursor}::text)),
          locked_until = now() + make_interval(secs => ${leaseMs / 1000}), updated_at = now()
        where id = ${state.id} and locked_by = ${workerId}`;
      if (moved.count !== 1) throw new LeaseLost();
      await q`
        update sync_runs set read = read + ${records.length}, written = written + ${tally.written}, skipped = skipped + ${tally.skipped},
          failed = failed + ${tally.failed}, deleted = deleted + ${tally.deleted},
          total_estimate = case when total_estimate is not null and total_estimate < read + ${records.length} then read + ${records.length} else total_estimate end,
          problems = case when jsonb_array_length(problems) < ${PROBLEMS_KEPT} then problems || ${JSON.stringify(problems.slice(0, PROBLEMS_KEPT))}::text::jsonb else problems end,
          conflicts = case when jsonb_array_length(conflicts) < ${PROBLEMS_KEPT} then conflicts || ${JSON.stringify(outs.flatMap((o) => o.conflicts ?? []))}::text::jsonb else conflicts end,
          stats = ${JSON.stringify(nextStats)}::text::jsonb, updated_at = now()
        where id = ${run.id}`;
      commitStats(nextStats);
    });
    cursors[kind] = page.cursor;
  }

  /** Two-way phases' commits: a cursor (or just the lease) and the run's counters, conflicts and problems, in the caller's transaction. */
  async function commitProgress(q: postgres.Sql, cursorKey: string | null, cursor: string | null, counters: object, extra: { conflicts?: unknown[]; problems?: SyncProblem[] } = {}): Promise<void> {
    const nextStats = addCounters(stats, { ...(counters as Record<string, number>), ...drainRequestStats() });
    const moved = cursorKey && cursor !== null
      ? await q`
          update sync_states set cursor = jsonb_set(coalesce(cursor, '{}'::jsonb), array[${cursorKey}]::text[], to_jsonb(${cursor}::text)),
            locked_until = now() + make_interval(secs => ${leaseMs / 1000}), updated_at = now()
          where id = ${state.id} and locked_by = ${workerId}`
      : await q`update sync_states set locked_until = now() + make_interval(secs => ${leaseMs / 1000}) where id = ${state.id} and locked_by = ${workerId}`;
    if (moved.count !== 1) throw new LeaseLost();
    const problems = extra.problems ?? [];
    await q`
      update sync_runs set failed = failed + ${problems.length},
        problems = case when jsonb_array_length(problems) < ${PROBLEMS_KEPT} then problems || ${JSON.stringify(problems.slice(0, PROBLEMS_KEPT))}::text::jsonb else problems end,
        conflicts = case when jsonb_array_length(conflicts) < ${PROBLEMS_KEPT} then conflicts || ${JSON.stringify(extra.conflicts ?? [])}::text::jsonb else conflicts end,
        stats = ${JSON.stringify(nextStats)}::text::jsonb, updated_at = now()
      where id = ${run.id}`;
    commitStats(nextStats);
    if (cursorKey && cursor !== null) cursors[cursorKey] = cursor;
  }
  const setPhase = async (phase: string, more: Record<string, unknown> = {}) => {
    commitStats({ ...stats, ...more, phase });
    await sql`update sync_runs set stats = ${JSON.stringify(stats)}::text::jsonb, updated_at = now() where id = ${run.id}`;
  };

  async function syncKind(kind: ObjectKind): Promise<void> {
    const pages = source!.listChanged(call, { kind, cursor: cursors[kind] ?? null, pageSize: config.pageSize })[Symbol.asyncIterator]();
    // One page of lookahead: the next page is on its way while this one is written.
    let next = pages.next();
    for (;;) {
      const r = await next;
      if (r.done) return;
      signal.throwIfAborted();
      next = pages.next();
      next.catch(() => {});
      await commitPage(kind, r.value);
    }
  }

  if (twoWay) {
    await setPhase('phonebook_changes', { direction: 'two_way' });
    await withRetries('reading the phonebook changes', () => stagePhonebookChanges({
      sql, scope, call: pbCall!, cursor: cursors[PHONEBOOK_CURSOR] ?? null, signal,
      commit: (q, cursor, counters) => commitProgress(q, PHONEBOOK_CURSOR, cursor, counters),
    }));
  }
  await setPhase('changes');
  for (const kind of config.kinds) await withRetries(`reading ${kind} changes`, () => syncKind(kind));
  if (twoWay) {
    await setPhase('to_crm');
    const pbClient = createPhonebookClient(pbCall!);
    const toCrm = await withRetries('writing phonebook changes to the CRM', () => applyPendingToCrm({
      sql, scope, crm: crm!, crmCall: call, pbCall: pbCall!, phonebook: pbClient, rule: config.conflictRule, defaultCountry,
      threshold: config.deleteThreshold, allowMassDelete: stats.allowMassDelete === true, signal, batchSize: deps.twoWayBatchSize,
      onStart: (total) => setPhase('to_crm', { toCrmTotal: total, toCrmDone: 0 }),
      commit: (q, counters, conflicts, problems) => commitProgress(q, null, null, counters, { conflicts, problems }),
    }));
    if (toCrm.refused) {
      const r = toCrm.refused;
      const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
      const message = `Refused to delete ${r.gone} of ${r.total} ${system} persons deleted in the phone system's phonebook (${pct(r.share)}, above the ${pct(r.threshold)} safety threshold): nothing was deleted in ${system}; the other changes were written. Check the phone system; if the deletes are real, start a sync that allows them.`;
      commitStats({ ...stats, phase: 'done' });
      return { status: 'blocked', error: message, alerts: [{ type: 'mass_delete_refused', ...r, at: new Date().toISOString(), message }], comparedFully: false };
    }
  }
  commitStats({ ...stats, phase: 'done' });
  if (run.kind !== 'full') return { status: 'succeeded', comparedFully: false };

  commitStats({ ...stats, phase: 'comparing' });
  await sql`update sync_runs set stats = ${JSON.stringify(stats)}::text::jsonb, updated_at = now() where id = ${run.id}`;
  const cmp = await withRetries('comparing ids', () => compareAndDelete({
    sql, source, call, kinds: config.kinds, destinations, threshold: config.deleteThreshold, signal,
    allowMassDelete: stats.allowMassDelete === true,
    stillOwner: () => renewLease(sql, state.id, workerId, leaseMs),
    onProgress: async (n) => {
      await sql`update sync_runs set stats = jsonb_set(stats, '{sourceIds}', to_jsonb(${n}::int)), updated_at = now() where id = ${run.id}`;
    },
  }));
  commitStats({ ...addCounters(stats, drainRequestStats()), phase: 'done', sourceIds: cmp.sourceIds, comparison: cmp.byDestination });
  await sql`update sync_runs set deleted = deleted + ${cmp.deleted}, updated_at = now() where id = ${run.id}`;
  if (cmp.refused) {
    const r = cmp.refused;
    const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
    const message = `Full comparison refused to delete ${r.gone} of ${r.total} ${system} records in the ${r.destination} (${pct(r.share)}, above the ${pct(r.threshold)} safety threshold): nothing was deleted. Check the ${system} connection; if the deletes are real, start a full sync that allows them.`;
    return { status: 'blocked', error: message, alerts: [{ type: 'mass_delete_refused', ...r, at: new Date().toISOString(), message }], comparedFully: true };
  }
  return { status: 'succeeded', comparedFully: true };
}
