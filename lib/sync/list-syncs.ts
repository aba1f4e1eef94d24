// The staff page's reads: every sync of the vendor's customers with its running run and recent history.
import type postgres from 'postgres';
import { catalog } from '@/engine/connectors';
import { directionCounts, syncProgress } from './progress';
import { readSyncConfig } from './sync-config';
import type { SyncRunRow } from './sync-store';
import type { SyncRunWire, SyncSourceWire, SyncWire } from './sync-wire';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function syncRunToWire(r: SyncRunRow): SyncRunWire {
  const problems = Array.isArray(r.problems) ? r.problems : [];
  return {
    id: r.id, kind: r.kind, status: r.status, trigger: r.trigger, read: r.read, written: r.written, skipped: r.skipped, failed: r.failed, deleted: r.deleted,
    totalEstimate: r.total_estimate, progress: syncProgress(r), startedAt: iso(r.started_at)!, finishedAt: iso(r.finished_at),
    durationMs: r.finished_at ? new Date(r.finished_at).getTime() - new Date(r.started_at).getTime() : null,
    error: r.error, alerts: (Array.isArray(r.alerts) ? r.alerts : []) as SyncRunWire['alerts'],
    problemCount: Number(r.stats?.problems ?? problems.length), problems: problems.slice(0, 20) as SyncRunWire['problems'], stats: r.stats ?? {},
    directions: directionCounts(r), conflictCount: Number(r.stats?.conflicts ?? (r.conflicts ?? []).length),
    conflicts: (Array.isArray(r.conflicts) ? r.conflicts : []).slice(0, 50) as SyncRunWire['conflicts'],
  };
}

export async function listSyncs(sql: postgres.Sql, vendorId: string, o: { historyLimit?: number } = {}): Promise<SyncWire[]> {
  const limit = o.historyLimit ?? 20;
  const states = await sql<{ id: string; customer_id: string; sync_key: string; enabled: boolean; config: unknown; next_run_at: Date | null; next_full_at: Date | null; last_full_at: Date | null; external_id: string; name: string }[]>`
    select s.id, s.customer_id, s.sync_key, s.enabled, s.config, s.next_run_at, s.next_full_at, s.last_full_at, c.external_id, c.name
    from sync_states s join customers c on c.id = s.customer_id
    where c.vendor_id = ${vendorId} order by c.name, s.sync_key`;
  if (!states.length) return [];
  // The last `limit` runs of each sync, one query (lateral), plus any queued or running one.
  const runs = await sql<(SyncRunRow & { state_id: string })[]>`
    select s.id as state_id, r.* from sync_states s
    join customers c on c.id = s.customer_id and c.vendor_id = ${vendorId}
    cross join lateral (
      select * from sync_runs r where r.customer_id = s.customer_id and r.sync_key = s.sync_key
      order by r.started_at desc limit ${limit + 1}
    ) r`;
  const byState = new Map<string, SyncRunRow[]>();
  for (const r of runs) {
    const list = byState.get(r.state_id) ?? [];
    list.push(r);
    byState.set(r.state_id, list);
  }
  return states.map((s) => {
    const cfg = readSyncConfig(s.config);
    const list = byState.get(s.id) ?? [];
    const current = list.find((r) => r.status === 'queued' || r.status === 'running');
    return {
      id: s.id, customer: { externalId: s.external_id, name: s.name }, source: s.sync_key, enabled: s.enabled,
      destinations: cfg.destinations, kinds: cfg.kinds, incrementalEveryMinutes: cfg.incrementalEveryMinutes, fullEveryHours: cfg.fullEveryHours,
      deleteThreshold: cfg.deleteThreshold, direction: cfg.direction, conflictRule: cfg.conflictRule, nextRunAt: iso(s.next_run_at), nextFullAt: iso(s.next_full_at), lastFullAt: iso(s.last_full_at),
      current: current ? syncRunToWire(current) : null,
      history: list.filter((r) => r !== current).slice(0, limit).map(syncRunToWire),
    };
  });
}

/** What the "Start a sync" form offers: every CRM with a contact source, and which customers connected it. */
export async function listSyncSources(sql: postgres.Sql, vendorId: string): Promise<SyncSourceWire[]> {
  const rows = await sql<{ system: string; external_id: string }[]>`
    select distinct k.system, c.external_id from connections k join customers c on c.id = k.customer_id
    where c.vendor_id = ${vendorId} order by c.external_id`;
  return Object.values(catalog).filter((e) => e.contactSource).map((e) => ({
    id: e.connector.id, name: e.connector.name, connectedCustomers: rows.filter((r) => r.system === e.connector.id).map((r) => r.external_id),
  })).sort((a, b) => a.name.localeCompare(b.name));
}
