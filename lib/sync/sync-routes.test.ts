// The staff sync routes in-process on a real database (through the edge with minted sessions, job engine faked): vendor scoping,
// roles, the running run with its progress, and the refusal of a second start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDef } from '../api/route';
import { listSyncsRoute, startSyncRoute } from '../api/staff/syncs';
import { closeDb } from '../db/client';
import { EngineHost } from '../engine-host/host';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { startStaffEdge } from '../testing/staff-edge';
import { createSyncRun, ensureSyncState } from './sync-store';
import type { SyncWire } from './sync-wire';

const syncs = { GET: listSyncsRoute };
const runs = { POST: startSyncRoute };
let host: EngineHost;
let edge: Awaited<ReturnType<typeof startStaffEdge>>;

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
  host = new EngineHost({ sql: db.sql, encryptionKey: Buffer.alloc(32, 7), flowTimeoutMs: 5000, allowPrivateHosts: false });
  edge = await startStaffEdge(db.sql, host);
  g.__patchbayJobs = { boss: { send: async (_q: string, data: object) => { sent.push(data); return `job-${sent.length}`; } } };
  // A finished run in alpha's history.
  await ensureSyncState(db.sql, alpha.customerId, 'hubspot', { destinations: ['cdp', 'phonebook'] });
  const r = await createSyncRun(db.sql, { customerId: alpha.customerId, syncKey: 'hubspot', kind: 'full', trigger: 'schedule' });
  if (!('created' in r)) throw new Error('expected a new run');
  await db.sql`update sync_runs set status = 'blocked', read = 40, deleted = 0, error = 'refused', alerts = '[{"type":"mass_delete_refused","message":"refused"}]', finished_at = started_at + interval '3 seconds' where id = ${r.created.id}`;
});

afterAll(async () => {
  g.__patchbayJobs = undefined;
  await edge?.close();
  await host?.close();
  await closeDb();
  await db?.drop();
});

async function call(h: RouteDef, body?: unknown) {
  const r = await edge.call(h, { body });
  return { status: r.status, json: r.json };
}

describe('staff sync routes', () => {
  it('lists only the vendor\'s syncs, with config, schedule and history', async () => {
    await edge.as(beta);
    expect((await call(syncs.GET)).json).toEqual([]);
    await edge.as(alpha);
    const list = (await call(syncs.GET)).json as SyncWire[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ source: 'hubspot', destinations: ['cdp', 'phonebook'], incrementalEveryMinutes: 15, fullEveryHours: 24, deleteThreshold: 0.2, current: null });
    expect(list[0].history[0]).toMatchObject({ kind: 'full', status: 'blocked', read: 40, durationMs: 3000, alerts: [{ type: 'mass_delete_refused' }], progress: { fraction: 1 } });
  });

  it('starts a run for editors (202), shows it as current, and refuses a second start with the running run\'s id', async () => {
    await edge.as({ userId: viewer, vendorId: alpha.vendorId });
    expect((await call(runs.POST, { customer: 'salpha-c1', source: 'hubspot' })).status).toBe(403);
    await edge.as(alpha);
    const first = await call(runs.POST, { customer: 'salpha-c1', source: 'hubspot', mode: 'full' });
    expect(first).toMatchObject({ status: 202, json: { status: 'queued' } });
    expect(sent).toEqual([{ runId: first.json.syncRunId }]);
    const second = await call(runs.POST, { customer: 'salpha-c1', source: 'hubspot' });
    expect(second).toMatchObject({ status: 200, json: { status: 'already_running', syncRunId: first.json.syncRunId } });
    const [s] = (await call(syncs.GET)).json as SyncWire[];
    expect(s.current).toMatchObject({ id: first.json.syncRunId, kind: 'full', status: 'queued', progress: { phase: 'queued' } });
  });

  it('names the problem: another vendor\'s customer, a system that cannot sync', async () => {
    await edge.as(alpha);
    expect((await call(runs.POST, { customer: 'sbeta-c1', source: 'hubspot' })).json.error.code).toBe('customer_not_found');
    const bad = await call(runs.POST, { customer: 'salpha-c1', source: 'slack' });
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'invalid_input', path: ['source'] } } });
  });
});
