// npm run bench:rate-budget — what the shared rate budget (lib/connections/rate-budget.ts) costs each request to a
// CRM: one call of patchbay_rate_acquire on PostgreSQL (PATCHBAY_TEST_PG_ADMIN_URL, default the local server; a
// scratch database is made and dropped). Asks for slots as fast as it can from 1, 4 and 16 concurrent askers on
// one (customer, CRM) row (the row lock is the point of contention) and on 16 different customers, with a limit
// high enough never to wait, and prints asks/s, the mean and p99 latency of one ask, and CPU µs per ask of this
// process and of PostgreSQL's backends (from /proc).
//   Options: --seconds 5
import { parseArgs } from 'node:util';
import { connect } from '../lib/db/client';
import { runMigrations } from '../lib/db/migrate';
import { RateBudget } from '../lib/connections/rate-budget';
import { seedVendor } from '../lib/testing/scratch-db';
import { createScratchDatabase, dropScratchDatabase } from '../tests/api/server-process';
import { cpuOf } from './proc-stats';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' } } });
const seconds = Number(values.seconds);

async function main() {
  const url = await createScratchDatabase('patchbay_bench_budget');
  await runMigrations(url);
  const { sql } = connect(url, 20);
  try {
    const customers: string[] = [];
    for (let i = 0; i < 16; i++) customers.push((await seedVendor(sql, `budget${i}${Date.now().toString(36)}`)).customerId);
    // A limit no one reaches: every ask is answered "go" (the cost measured is the ask, not a wait).
    for (const c of customers) {
      await new RateBudget(sql, c, 'hubspot', 0.3, 0).acquire();
      await sql`update rate_budgets set lim = 100000000, window_ends_at = now() + interval '1 hour' where customer_id = ${c}`;
    }
    await Promise.all(Array.from({ length: 20 }, () => sql`select pg_sleep(0.05)`)); // open the pool's connections
    console.log(`shared rate budget: one ask per CRM request, ${seconds} s per case, PostgreSQL ${url.replace(/:[^:@/]*@/, ':***@')}`);
    console.log('case                               asks/s   mean µs    p99 µs   CPU µs/ask (node + postgres)');
    for (const [label, askers, spread] of [['1 asker, one customer', 1, false], ['4 askers, one customer', 4, false], ['16 askers, one customer', 16, false], ['16 askers, 16 customers', 16, true]] as const) {
      const budgets = Array.from({ length: askers }, (_, i) => new RateBudget(sql, spread ? customers[i] : customers[0], 'hubspot', 0.3, 0));
      const lat: number[] = [];
      // This database's backends (the pool's connections, all open after the warm-up above).
      const pg = (await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`).map((r) => r.pid);
      const pgCpu = () => pg.reduce((s, pid) => s + cpuOf(pid), 0);
      const cpu0 = cpuOf(process.pid), pg0 = pgCpu();
      const t0 = performance.now(), end = t0 + seconds * 1000;
      await Promise.all(budgets.map(async (b) => {
        while (performance.now() < end) {
          const s = performance.now();
          await b.acquire();
          lat.push(performance.now() - s);
        }
      }));
      const wall = (performance.now() - t0) / 1000;
      const cpu = cpuOf(process.pid) - cpu0, pgUsed = pgCpu() - pg0;
      lat.sort((a, b) => a - b);
      const mean = lat.reduce((s, x) => s + x, 0) / lat.length;
      const p99 = lat[Math.floor(lat.length * 0.99)];
      const per = (ms: number) => ((ms * 1000) / lat.length).toFixed(0);
      console.log(`${label.padEnd(32)} ${String(Math.round(lat.length / wall)).padStart(8)} ${(mean * 1000).toFixed(0).padStart(9)} ${(p99 * 1000).toFixed(0).padStart(9)}   ${per(cpu)} + ${per(pgUsed)}`);
    }
  } finally {
    await sql.end({ timeout: 5 });
    await dropScratchDatabase(url);
  }
}

void main().catch((err) => { console.error(err); process.exit(1); });
