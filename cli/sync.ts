// `npx patchbay sync --customer demo --source hubspot [--full] [--vendor slug] [--allow-mass-delete] [--no-wait]`:
// queues a contact sync run in the job engine (the same path as the schedule) and follows it with a progress
// bar until it ends. A worker must be running: `npm start` runs one in-process, `npm run worker` more.
// The database is DATABASE_URL, else the one the running app named in $PATCHBAY_DATA_DIR/runtime.json.
// (databaseUrl is shared with cli/rotate-key.ts.)
import fs from 'node:fs';
import path from 'node:path';
import PgBoss from 'pg-boss';
import postgres from 'postgres';
import { directionSummary, syncProgress } from '../lib/sync/progress';
import { configWith, startSync } from '../lib/sync/start-sync';
import type { SyncConfigInput } from '../lib/sync/sync-config';
import { createSyncQueues, enqueueWith } from '../lib/sync/sync-jobs';
import type { SyncRunRow } from '../lib/sync/sync-store';
import { envValue } from '../lib/config';

export interface SyncCommandOptions {
  customer?: string;
  source?: string;
  vendor?: string;
  full?: boolean;
  allowMassDelete?: boolean;
  wait?: boolean;
  /** Changes the sync's direction (one_way | two_way) before this run. */
  direction?: 'one_way' | 'two_way';
  /** Changes the two-way conflict rule (crm_wins | phone_wins | newest | field_by_field). */
  conflictRule?: string;
}

const tty = process.stdout.isTTY;
const color = (c: number, s: string) => (tty ? `\x1b[${c}m${s}\x1b[0m` : s);

/** DATABASE_URL, else the running installation's database (its data folder's runtime.json). */
export function databaseUrl(): string {
  const given = envValue('DATABASE_URL');
  if (given) return given;
  const file = path.join(path.resolve(envValue('PATCHBAY_DATA_DIR') ?? 'data'), 'runtime.json');
  if (fs.existsSync(file)) {
    const url = (JSON.parse(fs.readFileSync(file, 'utf8')) as { databaseUrl?: string }).databaseUrl;
    if (url) return url;
  }
  throw new Error(`No database: set DATABASE_URL, or start Patchbay (npm start) so that ${file} exists`);
}

export function progressLine(run: Pick<SyncRunRow, 'status' | 'read' | 'written' | 'skipped' | 'failed' | 'deleted' | 'total_estimate' | 'stats'>, elapsedSec: number, width = 30): string {
  const p = syncProgress(run);
  let bar: string;
  if (p.fraction === null) {
    const pos = Math.floor(elapsedSec * 4) % width;
    bar = '░'.repeat(pos) + '█' + '░'.repeat(width - pos - 1);
  } else {
    const full = Math.round(p.fraction * width);
    bar = '█'.repeat(full) + '░'.repeat(width - full);
  }
  const pct = p.fraction === null ? '   ' : `${String(Math.round(p.fraction * 100)).padStart(3)}%`;
  const rate = elapsedSec > 0 && run.read ? ` ${Math.round(run.read / elapsedSec)}/s` : '';
  const twoWay = directionSummary(run);
  return `${color(36, bar)} ${pct}  ${p.label}  written ${run.written} · skipped ${run.skipped} · failed ${run.failed} · deleted ${run.deleted}${rate}${twoWay ? `  ${twoWay}` : ''}`;
}

export async function syncCommand(o: SyncCommandOptions): Promise<number> {
  if (!o.customer || !o.source) {
    console.error('usage: patchbay sync --customer <customer id> --source <hubspot|salesforce|pipedrive|dynamics|zoho> [--full] [--vendor <slug>] [--allow-mass-delete] [--no-wait] [--two-way|--one-way] [--conflict-rule crm_wins|phone_wins|newest|field_by_field]');
    return 2;
  }
  const url = databaseUrl();
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: 2, supervise: false, schedule: false, migrate: true });
  boss.on('error', () => {});
  try {
    const customers = await sql<{ id: string; slug: string }[]>`
      select c.id, v.slug from customers c join vendors v on v.id = c.vendor_id
      where c.external_id = ${o.customer} and (${o.vendor ?? null}::text is null or v.slug = ${o.vendor ?? null})`;
    if (!customers.length) { console.error(color(31, `No customer "${o.customer}"${o.vendor ? ` at vendor ${o.vendor}` : ''}`)); return 1; }
    if (customers.length > 1) { console.error(color(31, `Customer "${o.customer}" exists at several vendors (${customers.map((c) => c.slug).join(', ')}): add --vendor <slug>`)); return 1; }
    await boss.start();
    await createSyncQueues(boss);
    const config = await configWith(sql, customers[0].id, o.source, { direction: o.direction, conflictRule: o.conflictRule as SyncConfigInput['conflictRule'] });
    const started = await startSync(sql, enqueueWith(boss), {
      customerId: customers[0].id, source: o.source, mode: o.full ? 'full' : 'incremental', trigger: 'cli', allowMassDelete: o.allowMassDelete, config,
    });
    if (started.status === 'already_running') console.log(color(33, `A ${o.source} sync is already ${started.runStatus} for ${o.customer} (run ${started.syncRunId}); following it.`));
    else console.log(`Queued ${o.full ? 'full' : 'incremental'} ${o.source} sync for ${o.customer}: run ${started.syncRunId}`);
    if (o.wait === false) return 0;

    const t0 = Date.now();
    let warned = false;
    for (;;) {
      const [run] = await sql<SyncRunRow[]>`select * from sync_runs where id = ${started.syncRunId}`;
      const elapsed = (Date.now() - t0) / 1000;
      const line = progressLine(run, elapsed);
      if (tty) process.stdout.write(`\r\x1b[2K${line}`);
      if (run.status !== 'queued' && run.status !== 'running') {
        if (tty) process.stdout.write('\n'); else console.log(line);
        const mark = run.status === 'succeeded' ? color(32, '✓') : color(31, '✗');
        console.log(`${mark} ${run.status} in ${elapsed.toFixed(1)} s: read ${run.read}, written ${run.written}, skipped ${run.skipped}, failed ${run.failed}, deleted ${run.deleted}`);
        const twoWay = directionSummary(run);
        if (twoWay) console.log(`  ${twoWay}`);
        for (const c of (run.conflicts ?? []).slice(0, 5) as { type: string; externalId: string; outcome: string; crm: unknown; phonebook: unknown }[]) {
          console.log(color(33, `  conflict ${c.type} on ${c.externalId} → ${c.outcome}: CRM ${JSON.stringify(c.crm)} · phone ${JSON.stringify(c.phonebook)}`));
        }
        if (run.problems.length) console.log(color(33, `${run.problems.length} problem(s), e.g. ${JSON.stringify(run.problems[0])}`));
        if (run.error) console.log(color(31, run.error));
        return run.status === 'succeeded' ? 0 : run.status === 'blocked' ? 3 : 1;
      }
      if (!tty && Math.floor(elapsed) % 5 === 0) console.log(line);
      if (!warned && run.status === 'queued' && elapsed > 15) {
        warned = true;
        console.log(color(33, '\nStill queued: is a worker running? (`npm start` runs one; `npm run worker` adds more)'));
      }
      await new Promise((r) => setTimeout(r, tty ? 250 : 1000));
    }
  } finally {
    await boss.stop({ graceful: false, timeout: 2000 }).catch(() => {});
    await sql.end({ timeout: 2 });
  }
}
