// Support's "trace the next N runs" switch for a customer (customers.trace_runs, set with
// POST /api/v1/customers/{id}/trace): those runs are recorded in full whatever the recording policy. Each
// process learns the number with the automation binding (re-read every PATCHBAY_AUTOMATION_CACHE_MS, so a new
// switch takes effect within that time), counts it down locally on the hot path, and writes its countdown
// back every few seconds; with several processes the next N runs are traced, give or take the runs between
// two write-backs.
import type postgres from 'postgres';

interface Budget { setAt: string; remaining: number; taken: number }

export class TraceSwitch {
  private readonly budgets = new Map<string, Budget>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly sql: postgres.Sql, private readonly flushMs = 2000) {}

  /** The database's figure for the customer (from the automation binding). */
  observe(customerId: string, runs: number, setAt: Date | string | null): void {
    if (!setAt) { if (this.budgets.size) this.budgets.delete(customerId); return; }
    const key = typeof setAt === 'string' ? setAt : setAt.toISOString();
    const b = this.budgets.get(customerId);
    // The same switch: the database may not know this process's countdown yet (the lower figure wins).
    if (b && b.setAt === key) b.remaining = Math.min(b.remaining, Math.max(0, runs - b.taken));
    else if (runs > 0) this.budgets.set(customerId, { setAt: key, remaining: runs, taken: 0 });
    else this.budgets.delete(customerId);
  }

  /** Whether this run of the customer is traced (counts one down). */
  take(customerId: string): boolean {
    if (!this.budgets.size) return false;
    const b = this.budgets.get(customerId);
    if (!b || b.remaining <= 0) return false;
    b.remaining--;
    b.taken++;
    if (!this.timer) { this.timer = setTimeout(() => { this.timer = null; void this.flush(); }, this.flushMs); this.timer.unref(); }
    return true;
  }

  async flush(): Promise<void> {
    for (const [customerId, b] of this.budgets) {
      if (!b.taken) continue;
      const n = b.taken;
      b.taken = 0;
      try {
        await this.sql`update customers set trace_runs = greatest(trace_runs - ${n}, 0) where id = ${customerId} and trace_set_at = ${b.setAt}::timestamptz`;
      } catch (err) {
        b.taken += n;
        console.error('[patchbay] writing the trace countdown failed:', (err as Error).message);
      }
      if (b.remaining <= 0 && !b.taken) this.budgets.delete(customerId);
    }
  }

  async close(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    await this.flush();
  }
}

/** Sets the customer's switch: the next `runs` runs recorded in full (0 turns it off). */
export async function setTrace(sql: postgres.Sql, customerId: string, runs: number): Promise<{ runs: number; setAt: string }> {
  const [r] = await sql<{ trace_runs: number; trace_set_at: Date }[]>`
    update customers set trace_runs = ${runs}, trace_set_at = clock_timestamp() where id = ${customerId} returning trace_runs, trace_set_at`;
  return { runs: r.trace_runs, setAt: new Date(r.trace_set_at).toISOString() };
}
