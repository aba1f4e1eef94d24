// What one contact sync does, stored in sync_states.config: one source system (any catalog connector with a
// contactSource), the kinds it reads, where it writes, how often, and how many deletes it may make unasked.
import { z } from 'zod';

export const SYNC_DESTINATIONS = ['cdp', 'phonebook'] as const;
export type SyncDestinationName = (typeof SYNC_DESTINATIONS)[number];

export const SYNC_DIRECTIONS = ['one_way', 'two_way'] as const;
/**
 * Two-way sync: who wins when a contact was edited on both sides between two runs (or deleted on one, edited on
 * the other). `newest` compares each side's own modified time; `field_by_field` keeps each side's edit of a field
 * against the last agreed state and takes the newest only where both edited the same field.
 */
export const CONFLICT_RULES = ['crm_wins', 'phone_wins', 'newest', 'field_by_field'] as const;
export type ConflictRule = (typeof CONFLICT_RULES)[number];

export const syncConfigSchema = z.object({
  /** one_way: CRM → destinations. two_way: also the phonebook → CRM (persons), needs the phonebook destination. */
  direction: z.enum(SYNC_DIRECTIONS).default('one_way'),
  conflictRule: z.enum(CONFLICT_RULES).default('newest'),
  kinds: z.array(z.enum(['person', 'company'])).min(1).default(['person', 'company']),
  destinations: z.array(z.enum(SYNC_DESTINATIONS)).min(1).default(['cdp']),
  /** Incremental runs: every this many minutes. */
  incrementalEveryMinutes: z.number().int().min(1).max(7 * 24 * 60).default(15),
  /** Full comparison (delete detection): every this many hours. */
  fullEveryHours: z.number().min(0.1).max(24 * 30).default(24),
  /** A full comparison that would delete more than this share of a destination's records is refused. */
  deleteThreshold: z.number().min(0).max(1).default(0.2),
  /** Records per source page (capped by the connector). */
  pageSize: z.number().int().min(1).max(1000).default(200),
  /** Share of the CRM's rate-limit window the sync leaves to real-time work (call logging, lookups). */
  budgetReserve: z.number().min(0).max(0.9).default(0.3),
});

export type SyncConfig = z.infer<typeof syncConfigSchema>;
export type SyncDirection = SyncConfig['direction'];
export type SyncConfigInput = z.input<typeof syncConfigSchema>;

export type SyncMode = 'incremental' | 'full';
export type SyncTrigger = 'schedule' | 'manual' | 'flow' | 'cli' | 'webhook' | 'recovery';

export function readSyncConfig(raw: unknown): SyncConfig {
  return syncConfigSchema.parse(raw ?? {});
}

/** A two-way sync writes phonebook edits back to the CRM, so it needs the phonebook among its destinations. */
export function twoWayProblem(c: SyncConfig): { path: string; message: string } | null {
  if (c.direction !== 'two_way') return null;
  if (!c.destinations.includes('phonebook')) return { path: 'destinations', message: 'a two-way sync needs the phonebook among its destinations' };
  if (!c.kinds.includes('person')) return { path: 'kinds', message: 'a two-way sync needs the person kind (phonebook contacts go to the CRM as persons)' };
  return null;
}
