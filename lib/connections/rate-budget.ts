// The sync's share of a CRM's rate limit, per customer per CRM. The shared HTTP client reports the vendor's
// rate-limit headers of every answer (ConnectorCall.onRateLimit); before each request the sync asks the
// budget, which makes it wait for the next window once only the reserve is left (30% by default), so
// real-time work for the same customer (call logging, lookups that fall through to the CRM) still finds
// room. The headers count every client of that CRM account, so real-time traffic slows the sync down too.
// A 429 that gets through anyway is waited out by the HTTP client (Retry-After) and, past its retries,
// by the sync's page retry: it costs time, never records.
import type { RateLimitInfo } from '@/engine';

export interface RateBudgetStats {
  /** Times the sync paused to leave the reserve alone. */
  waits: number;
  waitedMs: number;
}

export class RateBudget {
  private limit: number | undefined;
  private remaining: number | undefined;
  /** When the current window is over at the latest (epoch ms). */
  private windowEndsAt = 0;
  readonly stats: RateBudgetStats = { waits: 0, waitedMs: 0 };

  constructor(
    private reserve: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = sleepFor,
  ) {}

  setReserve(reserve: number): void { this.reserve = reserve; }

  /** Fed by ConnectorCall.onRateLimit with the headers of each answer. */
  observe(info: RateLimitInfo): void {
    if (info.limit !== undefined && info.limit > 0) this.limit = info.limit;
    if (info.remaining !== undefined) this.remaining = info.remaining;
    // Vendors that only say how long the window is (HubSpot) get "a whole window from now": an upper bound.
    if (info.resetSeconds !== undefined) this.windowEndsAt = this.now() + Math.max(0, info.resetSeconds) * 1000;
  }

  /** Resolves when the sync may make one more request. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.limit === undefined || this.remaining === undefined) return;
      const floor = Math.ceil(this.limit * this.reserve);
      if (this.remaining > floor) { this.remaining--; return; }
      const wait = this.windowEndsAt - this.now();
      if (wait <= 0) { this.remaining = undefined; return; }
      this.stats.waits++;
      this.stats.waitedMs += wait;
      await this.sleep(wait + 25, signal);
      // A new window: the next answer's headers tell how much of it is left.
      this.remaining = undefined;
    }
  }

  /** A fetch that asks the budget before every request. */
  pace(fetchImpl: typeof fetch, signal?: AbortSignal): typeof fetch {
    return (async (input: RequestInfo | URL, init?: RequestInit) => {
      await this.acquire(signal);
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

const budgets = new Map<string, RateBudget>();

/** One budget per (customer, CRM) in this process, shared by every sync run for them. */
export function budgetFor(customerId: string, system: string, reserve: number): RateBudget {
  const key = `${customerId}|${system}`;
  let b = budgets.get(key);
  if (!b) { b = new RateBudget(reserve); budgets.set(key, b); }
  b.setReserve(reserve);
  return b;
}
