// The staff API's sync shapes (JSON, ISO dates). Types only: safe for client components.
import type { DirectionCounts, SyncProgress } from './progress';

export interface SyncRunWire {
  id: string;
  kind: 'incremental' | 'full' | 'webhook';
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'blocked';
  trigger: string;
  read: number;
  written: number;
  skipped: number;
  failed: number;
  deleted: number;
  totalEstimate: number | null;
  progress: SyncProgress;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
  alerts: { type: string; message?: string }[];
  problemCount: number;
  /** The first few problems (invalid numbers, rejected records). */
  problems: { externalId?: string; phone?: string; reason?: string; destination?: string }[];
  stats: Record<string, unknown>;
  /** Two-way: each direction's counts, and the conflicts met (the first 50, with both sides' values). */
  directions: DirectionCounts;
  conflictCount: number;
  conflicts: SyncConflictWire[];
}

export interface SyncConflictWire {
  type: 'edited_both' | 'deleted_in_phonebook_edited_in_crm' | 'deleted_in_crm_edited_in_phonebook';
  externalId: string;
  phonebookId: string;
  rule: string;
  outcome: string;
  crm: Record<string, unknown>;
  phonebook: Record<string, unknown>;
  result: Record<string, unknown> | null;
  at: string;
}

export interface SyncWire {
  id: string;
  customer: { externalId: string; name: string };
  source: string;
  enabled: boolean;
  destinations: string[];
  kinds: string[];
  incrementalEveryMinutes: number;
  fullEveryHours: number;
  deleteThreshold: number;
  direction: 'one_way' | 'two_way';
  conflictRule: string;
  nextRunAt: string | null;
  nextFullAt: string | null;
  lastFullAt: string | null;
  /** The queued or running run, if any. */
  current: SyncRunWire | null;
  /** Finished runs, newest first (the history chart). */
  history: SyncRunWire[];
}

export interface StartedSyncWire { syncRunId: string; status: 'queued' | 'already_running' }

/** A CRM that can feed a contact sync, and the customers (external ids) that have connected it. */
export interface SyncSourceWire { id: string; name: string; connectedCustomers: string[] }
