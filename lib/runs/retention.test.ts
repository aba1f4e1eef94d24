import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobsRuntime } from '../jobs/runtime';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { newRunId } from './run-id';
import { installRunRetention, PRUNE_QUEUE, pruneRuns, pruneUsedPortalLinks, retentionDaysFromEnv } from './retention';

let db: ScratchDb;
let sql: postgres.Sql;
const vendors: string[] = [];

beforeAll(async () => {
  db = await createScratchDb('patchbay_prune');
  sql = db.sql;
  for (const slug of ['prune-a', 'prune-b']) vendors.push((await seedVendor(sql, slug)).vendorId);
});
afterAll(async () => { await db?.drop(); });

async function addRun(vendorId: string, daysAgo: number, status: string): Promise<string> {
  const startedAt = new Date(Date.now() - daysAgo * 86_400_000);
  const id = newRunId(startedAt.getTime());
  await sql`insert into runs (id, vendor_id, automation, mode, status, started_at) values (${id}, ${vendorId}, 'caller_lookup', 'live', ${status}::run_status, ${startedAt})`;
  return id;
}

describe('run retention', () => {
  it('deletes finished runs older than the cutoff for every vendor, in batches, and keeps waiting and recent ones', async () => {
    const old: string[] = [];
    for (const v of vendors) for (let i = 0; i < 7; i++) old.push(await addRun(v, 40, i % 2 ? 'failed' : 'succeeded'));
    old.push(await addRun(vendors[0], 31, 'timeout'));
    const kept = [
      await addRun(vendors[0], 40, 'waiting'), // a durable delay far in the future
      await addRun(vendors[1], 40, 'queued'),
      await addRun(vendors[0], 29, 'succeeded'),
      await addRun(vendors[1], 0, 'failed'),
    ];
    const n = await pruneRuns(sql, new Date(Date.now() - 30 * 86_400_000), 3);
    expect(n).toBe(old.length);
    const left = (await sql<{ id: string }[]>`select id from runs`).map((r) => r.id).sort();
    expect(left).toEqual([...kept].sort());
  });

  it('reads the retention from the environment, 30 days by default, 0 to keep everything, and refuses nonsense', () => {
    expect(retentionDaysFromEnv({})).toBe(30);
    expect(retentionDaysFromEnv({ PATCHBAY_RUN_RETENTION_DAYS: '7' })).toBe(7);
    expect(retentionDaysFromEnv({ PATCHBAY_RUN_RETENTION_DAYS: '0' })).toBe(0);
    expect(() => retentionDaysFromEnv({ PATCHBAY_RUN_RETENTION_DAYS: 'forever' })).toThrow(/PATCHBAY_RUN_RETENTION_DAYS/);
  });

  it('is an hourly job-engine schedule that also runs when a worker starts, and its job prunes', async () => {
    const old = await addRun(vendors[0], 10, 'succeeded');
    const fresh = await addRun(vendors[0], 1, 'succeeded');
    const handlers = new Map<string, (data: object) => Promise<void>>();
    const scheduled: [string, string][] = [];
    const sent: string[] = [];
    const jobs = {
      boss: { schedule: async (q: string, cron: string) => { scheduled.push([q, cron]); } },
      work: async (q: string, h: (data: object) => Promise<void>) => { handlers.set(q, h); },
      send: async (q: string) => { sent.push(q); return 'job'; },
      stop: async () => {},
    } as unknown as JobsRuntime;
    const logs: string[] = [];
    await installRunRetention(jobs, { sql, log: (m) => logs.push(m), days: 7 });
    expect(scheduled).toEqual([[PRUNE_QUEUE, '17 * * * *']]);
    expect(sent).toEqual([PRUNE_QUEUE]);
    await handlers.get(PRUNE_QUEUE)!({});
    const ids = (await sql<{ id: string }[]>`select id from runs`).map((r) => r.id);
    expect(ids).not.toContain(old);
    expect(ids).toContain(fresh);
    expect(logs.join('\n')).toMatch(/deleted \d+ run\(s\) older than 7 days/);
  });

  it('forgets opened portal links once they have expired', async () => {
    const [c] = await sql`insert into customers (vendor_id, external_id, name, default_country) values (${vendors[0]}, 'links', 'L', 'US') returning id`;
    await sql`insert into portal_link_uses (nonce, customer_id, expires_at) values
      ('expired-nonce-0000', ${c.id}, now() - interval '1 minute'), ('live-nonce-000000', ${c.id}, now() + interval '5 minutes')`;
    expect(await pruneUsedPortalLinks(sql)).toBe(1);
    expect((await sql`select nonce from portal_link_uses`).map((r) => r.nonce)).toEqual(['live-nonce-000000']);
  });
});
