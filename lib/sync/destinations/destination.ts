// A place the sync writes contacts to. Each page goes in two phases so the cursor advances only once the
// page is committed: `push` makes the calls to remote systems (idempotent: replaying a page after a crash
// writes nothing twice), then `commit` runs inside the page's transaction together with the cursor.
import type postgres from 'postgres';
import type { ObjectKind } from '@/engine/connectors';
import type { SyncDestinationName } from '../sync-config';
import type { SyncProblem, SyncRecord } from '../sync-record';

export type RecordOutcome = 'written' | 'unchanged' | 'skipped' | 'deleted' | 'failed';

export interface PageOutcome {
  /** By (namespaced) external id; records not listed were unchanged. */
  outcomes: Map<string, RecordOutcome>;
  problems: SyncProblem[];
  /** Destination-specific counters added to the run's stats (inserted, updated, added, …). */
  counters: Record<string, number>;
  /** Two-way sync: contacts edited on both sides, reported on the run. */
  conflicts?: unknown[];
}

export interface PendingPage {
  commit(tx: postgres.Sql): Promise<PageOutcome>;
}

/** Runs on a reserved connection that holds the temp table `sync_seen(external_id)` of every live source id. */
export interface ComparisonScope {
  conn: postgres.ReservedSql;
  kinds: ObjectKind[];
}

export interface SyncDestination {
  readonly name: SyncDestinationName;
  push(records: SyncRecord[]): Promise<PendingPage>;
  /** Full comparison: this destination's live records of the sync, and how many are not in sync_seen. */
  compare(scope: ComparisonScope): Promise<{ total: number; gone: number }>;
  /** Deletes the records `compare` counted as gone; returns how many. */
  deleteGone(scope: ComparisonScope): Promise<number>;
  /** Deletes by (namespaced) external id, at once (delete webhooks). */
  deleteIds(externalIds: string[]): Promise<number>;
}
