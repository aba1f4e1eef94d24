// The rate budget per customer per CRM lives in PostgreSQL: two workers (two connection pools, as two processes
// would have) syncing for the same customer and real-time work for that customer share one window. Against the
// HubSpot emulator counting requests per window: it never has to refuse one (no 429), the syncs never dig into
// the real-time reserve, and real-time work still gets through while the syncs wait.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { createHubspotClient } from '@/engine/connectors/hubspot/client';
import type { ConnectorCall } from '@/engine/connectors/kit/contact-source';
import { connect } from '../db/client';
import { hubspotLookupFlow } from '../testing/flows';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { saveConnection } from '../engine-host/connections';
import { EngineHost } from '../engine-host/host';
import { RateBudget, REAL_TIME_RESERVE } from './rate-budget';

const TOKEN = 'budget-token';
const LIMIT = 10;
const WINDOW_MS = 1000;
const SYNC_RESERVE = 0.3;

let db: ScratchDb;
let emu: HubspotEmulator;
let customerId: string;
let vendorId: string;
const pools: ReturnType<typeof connect>[] = [];

beforeAll(async () => {
  db = await createScratchDb('rate_budget');
  ({ customerId, vendorId } = await seedVendor(db.sql, 'budget'));
  emu = await startHubspotEmulator({ contacts: 3, companies: 0, token: TOKEN, rateLimit: LIMIT, rateWindowMs: WINDOW_MS });
}, 60_000);

afterAll(async () => {
  for (const p of pools) await p.sql.end({ timeout: 5 });
  await emu?.close();
  await db?.drop();
});

/** A "process": its own pool on the database, its own budget object for (customer, hubspot). */
function worker(reserve: number, probeMs?: number) {
  const pool = connect(db.url, 2);
  pools.push(pool);
  const budget = new RateBudget(pool.sql, customerId, 'hubspot', reserve, probeMs);
  const remainingSeen: number[] = [];
  const call: ConnectorCall = {
    fetch: budget.pace(fetch),
    conn: { id: 'c', system: 'hubspot', baseUrl: emu.url, credentials: { token: TOKEN }, saveCredentials: async () => {}, reportHealth: async () => {} },
    requestLog: [],
    onRateLimit: (i) => { budget.observe(i); if (i.remaining !== undefined) remainingSeen.push(i.remaining); },
    http: { backoffMs: 5, maxRetryAfterMs: 3000 },
  };
  const client = createHubspotClient(call);
  return { budget, remainingSeen, get: () => client.request({ path: '/crm/v3/objects/contacts', query: { limit: 1 } }) };
}

async function loop(until: number, gapMs: number, fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  while (Date.now() < until) {
    await fn();
    n++;
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  return n;
}

describe('one rate budget per customer per CRM, in PostgreSQL', () => {
  it('two syncing workers and real-time work never exceed the CRM window, and the syncs leave the reserve alone', async () => {
    emu.setRateLimit(LIMIT, WINDOW_MS);
    const a = worker(SYNC_RESERVE);
    const b = worker(SYNC_RESERVE);
    const rt = worker(REAL_TIME_RESERVE, 0);
    const until = Date.now() + 4_000;
    const [na, nb, nrt] = await Promise.all([loop(until, 0, a.get), loop(until, 0, b.get), loop(until, 300, rt.get)]);

    // The emulator never had to refuse a request: every window held at most LIMIT of them.
    expect(emu.stats.rateLimited).toBe(0);
    // Both workers synced, across several windows, and both paused for the reserve.
    expect(na).toBeGreaterThan(2);
    expect(nb).toBeGreaterThan(2);
    expect(na + nb).toBeGreaterThan(LIMIT);
    expect(a.budget.stats.waits + b.budget.stats.waits).toBeGreaterThan(0);
    // A sync's request was only let through while more than the reserve was left; a real-time request let through
    // after it may still reach the CRM first, so the sync's answer can show one less.
    const reserve = Math.ceil(LIMIT * SYNC_RESERVE);
    expect(Math.min(...a.remainingSeen, ...b.remainingSeen)).toBeGreaterThanOrEqual(reserve - 1);
    // Real-time work got its requests through (it may spend the reserve).
    expect(nrt).toBeGreaterThan(5);
  }, 30_000);

  it('a sync waits once only the reserve is left, whichever process asks, while real-time work goes on; headers count other clients', async () => {
    emu.setRateLimit(LIMIT, WINDOW_MS);
    await new Promise((r) => setTimeout(r, WINDOW_MS + 200)); // the previous test's windows are over
    const slept: number[] = [];
    const pool = connect(db.url, 2);
    pools.push(pool);
    const noSleep = async (ms: number) => { slept.push(ms); throw new Error('would wait'); };
    const syncAt = (sql: typeof pool.sql) => new RateBudget(sql, customerId, 'crm-x', SYNC_RESERVE, 0, noSleep);
    const [p1, p2] = [syncAt(pool.sql), syncAt(db.sql)];
    // The limit is known from an earlier answer's headers.
    await p1.acquire();
    p1.observe({ limit: LIMIT, remaining: LIMIT - 1 });
    // Six more from two "processes": seven in all, the 30% reserve (three) left.
    for (let i = 0; i < 6; i++) await (i % 2 ? p1 : p2).acquire();
    await expect(p2.acquire()).rejects.toThrow('would wait');
    await expect(p1.acquire()).rejects.toThrow('would wait');
    expect(slept.every((ms) => ms > 0 && ms <= 1_000)).toBe(true);
    // Real-time work spends the reserve, then waits too.
    const rt = new RateBudget(pool.sql, customerId, 'crm-x', REAL_TIME_RESERVE, 0, noSleep);
    for (let i = 0; i < 3; i++) await rt.acquire();
    await expect(rt.acquire()).rejects.toThrow('would wait');
    const [row] = await db.sql<{ used: number; lim: number }[]>`select used, lim from rate_budgets where customer_id = ${customerId} and system = 'crm-x'`;
    expect(row).toEqual({ used: LIMIT, lim: LIMIT });

    // Another client of the CRM account spent most of the next window: its headers make the sync wait early.
    await db.sql`update rate_budgets set window_ends_at = now() where customer_id = ${customerId} and system = 'crm-x'`;
    const p3 = syncAt(pool.sql);
    await p3.acquire();
    p3.observe({ limit: LIMIT, remaining: 2 });
    await expect(p3.acquire()).rejects.toThrow('would wait');
  });

  it('real-time runs alone (no sync) teach the budget the CRM\'s limit from its headers, and then stay under it', async () => {
    emu.setRateLimit(LIMIT, WINDOW_MS);
    await new Promise((r) => setTimeout(r, WINDOW_MS + 200));
    const key = randomBytes(32);
    const { customerId: rtCustomer } = await seedVendor(db.sql, 'budget-rt');
    await saveConnection(db.sql, key, { customerId: rtCustomer, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: emu.url, credentials: { token: TOKEN } });
    const host = new EngineHost({ sql: db.sql, encryptionKey: key, flowTimeoutMs: 20_000, allowPrivateHosts: true });
    const flow = hubspotLookupFlow('lookup');
    const run = () => host.execute({ vendorId, customer: { id: rtCustomer, defaultCountry: 'US' }, flowId: null, flowVersion: null, compiled: flow, options: {}, trigger: { phone: '+1 202 555 0100' }, recordNow: false });
    try {
      // One run: HubSpot's answer named its limit, and the shared budget has it.
      expect((await run()).status).toBe('succeeded');
      await new Promise((r) => setTimeout(r, 100));
      const [row] = await db.sql<{ lim: number | null }[]>`select lim from rate_budgets where customer_id = ${rtCustomer} and system = 'hubspot'`;
      expect(row?.lim).toBe(LIMIT);
      // Then a burst of calls (three windows' worth at once) is paced to the window: HubSpot refuses none.
      const before = emu.stats.rateLimited;
      const outcomes = await Promise.all(Array.from({ length: LIMIT * 3 }, run));
      expect(outcomes.every((o) => o.status === 'succeeded')).toBe(true);
      expect(emu.stats.rateLimited - before).toBe(0);
    } finally {
      await host.close();
    }
  }, 30_000);
});
