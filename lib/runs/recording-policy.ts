// Which finished runs are recorded in full (every run is counted in the aggregates whatever is decided here).
// Always in full: test runs, traced runs (X-Patchbay-Trace: 1, or the customer's "trace the next N runs"
// switch), and every run that did not succeed — failed, timed out, answered by the fallback — so whatever
// someone debugs is there. Successful runs follow the policy: the integration's override, else the flow's,
// else the default.
//
// The default for synchronous calls of the named URL (caller_lookup, call_routing: the phone system's hot path)
// is a sample: 1 % of successful runs, plus the first 10 per minute per customer and automation in each process.
// A busy customer's history then grows with its failures, not its traffic (100 lookups/s keep ~1.6 successful
// runs/s instead of 100), a quiet customer or a newcomer trying the demo still sees each run, and the counts
// and latencies of all of them are in the aggregates. Background runs (queued, webhooks, durable delays) are
// few, each matters, and are written before they run: `all`.
import type { RecordingPolicy } from '@/engine';

export type { RecordingPolicy };

export const SYNC_DEFAULT_SHARE = 0.01;
export const SYNC_DEFAULT_PER_MINUTE = 10;

export interface RecordingCase {
  mode: 'live' | 'test';
  status: string;
  fallback?: boolean;
  traced?: boolean;
  /** The integration's override, else the flow's policy; null/undefined: the default. */
  policy?: RecordingPolicy | null;
  /** A synchronous call of the named URL (the hot path's default applies). */
  synchronous?: boolean;
  customerId: string | null;
  automation: string;
}

/** The first N successful runs per minute per (customer, automation) of the synchronous default. */
class Reservoir {
  private minute = 0;
  private used = new Map<string, number>();
  constructor(private readonly perMinute: number) {}
  take(key: string, now = Date.now()): boolean {
    const m = Math.floor(now / 60_000);
    if (m !== this.minute) { this.minute = m; this.used.clear(); }
    const n = this.used.get(key) ?? 0;
    if (n >= this.perMinute) return false;
    this.used.set(key, n + 1);
    return true;
  }
}

export class RecordingPolicies {
  private readonly reservoir: Reservoir;
  constructor(private readonly random: () => number = Math.random, perMinute = SYNC_DEFAULT_PER_MINUTE) {
    this.reservoir = new Reservoir(perMinute);
  }

  /** Whether the run is recorded in full. */
  keep(c: RecordingCase): boolean {
    if (c.mode === 'test' || c.traced || c.status !== 'succeeded' || c.fallback) return true;
    const p = c.policy;
    if (p) {
      if (p.policy === 'all') return true;
      if (p.policy === 'errors') return false;
      return this.random() < (p.share ?? 0);
    }
    if (!c.synchronous) return true;
    return this.random() < SYNC_DEFAULT_SHARE || this.reservoir.take(`${c.customerId}|${c.automation}`);
  }
}
