// What one contact sync does, stored in sync_states.config: one source system (any catalog connector with a
// contactSource), the kinds it reads, where it writes, how often, and how many deletes it may make unasked.
import { z } from 'zod';

export const SYNC_DESTINATIONS = ['cdp', 'phonebook'] as const;
export type SyncDestinationName = (typeof SYNC_DESTINATIONS)[number];

export const syncConfigSchema = z.object({
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
export type SyncConfigInput = z.input<typeof syncConfigSchema>;

export type SyncMode = 'incremental' | 'full';
export type SyncTrigger = 'schedule' | 'manual' | 'flow' | 'cli' | 'webhook' | 'recovery';

export function readSyncConfig(raw: unknown): SyncConfig {
  return syncConfigSchema.parse(raw ?? {});
}
