// Delete detection: every live source id is streamed, page by page, into a temp table on one reserved
// connection; each destination then counts its records of this sync that are not there with an anti-join
// inside Postgres. Node holds one page of ids at a time, so memory stays flat however many records there
// are (1,000,000 ids: see bench/sync.ts). Before anything is deleted the share is checked against the
// sync's threshold: above it, nothing is deleted and the run carries an alert for a person to look at
// (a CRM answering an empty list through a wrong or narrowed connection looks exactly like a mass delete).
import type postgres from 'postgres';
import type { ConnectorCall, ContactSource, ObjectKind } from '@/engine/connectors';
import type { SyncDestination } from './destinations/destination';
import { syncedExternalId } from './sync-record';
import { LeaseLost } from './sync-store';

export interface ComparisonResult {
  sourceIds: number;
  byDestination: Record<string, { total: number; gone: number; deleted: number }>;
  /** Set when the threshold stopped the deletes. */
  refused: null | { destination: string; total: number; gone: number; share: number; threshold: number };
  deleted: number;
}

export interface ComparisonOptions {
  sql: postgres.Sql;
  source: ContactSource;
  call: ConnectorCall;
  kinds: ObjectKind[];
  destinations: SyncDestination[];
  threshold: number;
  /** A person confirmed this run may delete past the threshold. */
  allowMassDelete?: boolean;
  /** Called every few pages of ids (progress, lease check). */
  onProgress?: (sourceIds: number) => Promise<void>;
  /** Checked right before deleting: false when this worker no longer holds the sync's lease. */
  stillOwner: () => Promise<boolean>;
  signal?: AbortSignal;
}

export async function compareAndDelete(o: ComparisonOptions): Promise<ComparisonResult> {
  const conn = await o.sql.reserve();
  try {
    await conn`drop table if exists sync_seen`;
    await conn`create temp table sync_seen (external_id text not null)`;
    let sourceIds = 0;
    let pages = 0;
    for (const kind of o.kinds) {
      for await (const ids of o.source.listAllIds(o.call, { kind })) {
        o.signal?.throwIfAborted();
        await conn`insert into sync_seen (external_id) select unnest(${ids.map((id) => syncedExternalId(kind, id))}::text[])`;
        sourceIds += ids.length;
        if (++pages % 20 === 0) await o.onProgress?.(sourceIds);
      }
    }
    // Indexed after the load (cheaper than maintaining it row by row): the anti-joins stay fast even when the
    // planner underestimates the destination (fresh rows not analysed yet) and picks a nested loop.
    await conn`create index sync_seen_id on sync_seen (external_id)`;
    await conn`analyze sync_seen`;
    await o.onProgress?.(sourceIds);

    const scope = { conn, kinds: o.kinds };
    const byDestination: ComparisonResult['byDestination'] = {};
    let refused: ComparisonResult['refused'] = null;
    for (const d of o.destinations) {
      const { total, gone } = await d.compare(scope);
      byDestination[d.name] = { total, gone, deleted: 0 };
      const share = total ? gone / total : 0;
      if (gone > 0 && share > o.threshold && !o.allowMassDelete && !refused) refused = { destination: d.name, total, gone, share, threshold: o.threshold };
    }
    let deleted = 0;
    if (!refused) {
      for (const d of o.destinations) {
        if (!byDestination[d.name].gone) continue;
        o.signal?.throwIfAborted();
        if (!(await o.stillOwner())) throw new LeaseLost();
        const n = await d.deleteGone(scope);
        byDestination[d.name].deleted = n;
        deleted = Math.max(deleted, n);
      }
    }
    return { sourceIds, byDestination, refused, deleted };
  } finally {
    await conn`drop table if exists sync_seen`.catch(() => {});
    await conn`drop table if exists sync_phonebook`.catch(() => {});
    await conn`drop table if exists sync_pb_gone`.catch(() => {});
    conn.release();
  }
}
