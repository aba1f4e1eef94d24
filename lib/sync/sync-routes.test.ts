// The staff sync routes in-process on a real database (session stubbed, job engine faked): vendor scoping,
// roles, the running run with its progress, and the refusal of a second start.
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeDb } from '../db/client';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { createSyncRun, ensureSyncState } from './sync-store';
import type { SyncWire } from './sync-wire';

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock('next-auth', async (orig) => ({ ...(await orig<typeof import('next-auth')>()), getServerSession: async () => session.current }));

const syncs = await import('@/app/api/staff/syncs/route');
const runs = await import('@/app/api/staff/syncs/runs/route');

let db: ScratchDb;
let alpha: Awaited<ReturnType<typeof seedVendor>>;
let viewer = '';
let beta: Awaited<ReturnType<typeof seedVendor>>;
const sent: object[] = [];
const g = globalThis as unknown as { __patchbayJobs?: unknown };

beforeAll(async () => {
  db = await createScratchDb('pb_sync_routes');
  process.env.DATABASE_URL = db.url;
  alpha = await seedVendor(db.sql, 'salpha', 'owner');
  beta = await seedVendor(db.sql, 'sbeta', 'owner');
  const [u] = await db.sql<{ id: string }[]>`insert into staff_users (vendor_id, email, name, password_hash, role) values (${alpha.vendorId}, 'viewer@salpha.test', 'v', 'x', 'viewer') returning id`;
  viewer = u.id;
  g.__patchbayJobs = { boss: { send: async (_q: string, data: object) => { sent.push(data); return `job-${sent.length}`; } } };
  // A finished run in alpha's history.
  await ensureSyncState(db.sql, alpha.customerId, 'hubspot', { destinations: ['cdp', 'phonebook'] });
  const r = await createSyncRun(db.sql, { customerId: alpha.customerId, syncKey: 'hubspot', kind: 'full', trigger: 'schedule' });
  if (!('created' in r)) throw new Error('expected a new run');
  await db.sql`update sync_runs set status = 'blocked', read = 40, deleted = 0, error = 'refused', alerts = '[{"type":"mass_delete_refused","message":"refused"}]', finished_at = started_at + interval '3 seconds' where id = ${r.created.id}`;
});

afterAll(async () => {
  g.__patchbayJobs = undefined;
  await closeDb();
  await db?.drop();
});

async function call(h: (req: NextRequest, ctx: { params: Promise<any> }) => Promise<Response>, body?: unknown) {
  const req = new NextRequest('http://localhost:3401/api/staff/syncs', {
    method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json', host: 'localhost:3401' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const res = await h(req, { params: Promise.resolve({}) });
  return { status: res.status, json: await res.json() };
}

describe('staff sync routes', () => {
  it('lists only the vendor\'s syncs, with config, schedule and history', async () => {
    session.current = { user: { id: beta.userId } };
    expect((await call(syncs.GET)).json).toEqual([]);
    session.current = { user: { id: alpha.userId } };
    const list = (await call(syncs.GET)).json as SyncWire[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ source: 'hubspot', destinations: ['cdp', 'phonebook'], incrementalEveryMinutes: 15, fullEveryHours: 24, deleteThreshold: 0.2, current: null });
    expect(list[0].history[0]).toMatchObject({ kind: 'full', status: 'blocked', read: 40, durationMs: 3000, alerts: [{ type: 'mass_delete_refused' }], progress: { fraction: 1 } });
  });

  it('starts a run for editors (202), shows it as current, and refuses a second start with the running run\'s id', async () => {
    session.current = { user: { id: viewer } };
    expect((await call(runs.POST, { customer: 'salpha-c1', source: 'hubspot' })).status).toBe(403);
    session.current = { user: { id: alpha.userId } };
    const first = await call(runs.POST, { customer: 'salpha-c1', source: 'hubspot', mode: 'full' });
    expect(first).toMatchObject({ status: 202, json: { status: 'queued' } });
    expect(sent).toEqual([{ runId: first.json.syncRunId }]);
    const second = await call(runs.POST, { customer: 'salpha-c1', source: 'hubspot' });
    expect(second).toMatchObject({ status: 200, json: { status: 'already_running', syncRunId: first.json.syncRunId } });
    const [s] = (await call(syncs.GET)).json as SyncWire[];
    expect(s.current).toMatchObject({ id: first.json.syncRunId, kind: 'full', status: 'queued', progress: { phase: 'queued' } });
  });

  it('names the problem: another vendor\'s customer, a system that cannot sync', async () => {
    session.current = { user: { id: alpha.userId } };
    expect((await call(runs.POST, { customer: 'sbeta-c1', source: 'hubspot' })).json.error.code).toBe('customer_not_found');
    const bad = await call(runs.POST, { customer: 'salpha-c1', source: 'slack' });
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'invalid_input', path: ['source'] } } });
  });
});
