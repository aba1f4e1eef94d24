// One rate budget per customer per external system (a CRM, the phone system), kept in PostgreSQL so every
// process spends the same one: syncs on any worker, call logging and other real-time runs on any server.
//
// The budget is a window counter (table rate_budgets, functions patchbay_rate_acquire / patchbay_rate_observe,
// drizzle/0020): before each request a process asks for one slot; the answer is "go" (counted) or "wait this
// long". A sync may use the window down to its reserve (30% by default) and then waits for the next window,
// so real-time work for the same customer still finds room; real-time work may use the whole window. The
// system's own rate-limit headers, read by the shared HTTP client from every answer (ConnectorCall.onRateLimit),
// name the limit, raise the count when other clients of the account spent some (never lower it) and move the
// window's end to the system's own reset (never earlier): the counter follows the vendor's window, not ours.
// Until a system's headers named its limit, requests go one at a time for a moment (a probe), then freely.
// A 429 that gets through anyway is waited out by the HTTP client (Retry-After) and, past its retries, by the
// sync's page retry: it costs time, never records.
import type postgres from 'postgres';
import type { RateLimitInfo } from '@/engine';

export interface RateBudgetStats {
  /** Times this user of the budget paused to leave the window (or its reserve) alone. */
  waits: number;
  waitedMs: number;
}

/** A window's length when the system's headers do not say when its window ends. */
export const DEFAULT_WINDOW_MS = 10_000;
/** How long requests go one at a time while the system has not yet named its limit. */
export const PROBE_MS = 1_000;
/** The real-time share: may spend the whole window, the sync's reserve included. */
export const REAL_TIME_RESERVE = 0;

export class RateBudget {
  readonly stats: RateBudgetStats = { waits: 0, waitedMs: 0 };
  /** Headers still being written: the next ask waits for them so it sees what the last answer said. */
  private observing: Promise<unknown> = Promise.resolve();
  /** The window this user's last request was counted in: the next answer's headers are matched against it. */
  private window: string | null = null;

  constructor(
    private readonly sql: postgres.Sql,
    readonly customerId: string,
    readonly system: string,
    private reserve: number,
    /** Go one at a time until the system's headers named its limit (syncs, which read those headers); real-time work does not wait for that. */
    private readonly probeMs: number = PROBE_MS,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = sleepFor,
  ) {}

  setReserve(reserve: number): void { this.reserve = reserve; }

  /** Fed by ConnectorCall.onRateLimit with the headers of each answer. */
  observe(info: RateLimitInfo): void {
    if (info.limit === undefined && info.remaining === undefined && info.resetSeconds === undefined) return;
    const limit = info.limit !== undefined && info.limit > 0 ? Math.round(info.limit) : null;
    const remaining = info.remaining !== undefined ? Math.max(0, Math.round(info.remaining)) : null;
    const resetMs = info.resetSeconds !== undefined ? Math.max(0, Math.round(info.resetSeconds * 1000)) : null;
    const write = this.sql`select patchbay_rate_observe(${this.customerId}, ${this.system}, ${this.window}, ${limit}, ${remaining}, ${resetMs})`;
    this.observing = Promise.all([this.observing, write.then(() => undefined, () => undefined)]);
  }

  /** Resolves when this process may make one more request (it is counted against the shared window). */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      await this.observing;
      const [row] = await this.sql<{ wait_ms: number; window_started_at: string }[]>`
        select wait_ms, window_started_at from patchbay_rate_acquire(${this.customerId}, ${this.system}, ${this.reserve}, ${DEFAULT_WINDOW_MS}, ${this.probeMs})`;
      const wait = row?.wait_ms ?? 0;
      if (wait <= 0) { this.window = row?.window_started_at ?? null; return; }
      this.stats.waits++;
      // Ask again at the window's end (a little after, so the vendor's window has turned too), at most each second
      // so a limit raised meanwhile or a window moved by another process's answer is seen.
      const ms = Math.min(wait + 25, 1_000);
      this.stats.waitedMs += ms;
      await this.sleep(ms, signal);
    }
  }

  /** A fetch that asks the budget before every request. */
  pace(fetchImpl: typeof fetch, signal?: AbortSignal): typeof fetch {
    return (async (input: RequestInfo | URL, init?: RequestInit) => {
      await this.acquire(signal ?? init?.signal ?? undefined);
      return fetchImpl(input, init);
    }) as typeof fetch;
  }
}

function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => { clearTimeout(t); reject(signal!.reason ?? new Error('aborted')); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The shared budget of (customer, system), as seen by one sync run or one real-time run (its own wait stats). */
export function budgetFor(sql: postgres.Sql, customerId: string, system: string, reserve: number): RateBudget {
  return new RateBudget(sql, customerId, system, reserve);
}
