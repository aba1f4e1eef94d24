// The Staff API on a real database through the edge (lib/api/edge.ts) over real HTTP, with sessions minted as
// next-auth mints them: the contract's shapes, vendor scoping (404 for others' objects), role enforcement (401 / 403)
// and audit rows for changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import callerLookup from '@/engine/fixtures/caller-lookup.flow.json';
import type { RouteDef } from '../api/route';
import { staffRoutes } from '../api/routes';
import { createKeyRoute } from '../api/staff/api-keys';
import { listAuditRoute } from '../api/staff/audit-log';
import { getVersionRoute, publishFlowRoute, saveVersionRoute } from '../api/staff/flow-versions';
import { createFlowRoute, deleteFlowRoute, duplicateFlowRoute, exportFlowRoute, getFlowRoute, importFlowRoute, listFlowsRoute } from '../api/staff/flows';
import { getRunRoute, listRunsRoute } from '../api/staff/runs';
import { testRunRoute } from '../api/staff/test-runs';
import { validateRoute } from '../api/staff/validate';
import { blocksRoute } from '../api/staff/blocks';
import { meRoute } from '../api/staff/me';
import { newFlowDefinition } from '../flows/new-flow';
import { seedVendor, type ScratchDb } from '../testing/scratch-db';
import { startStaffTestbed, type startStaffEdge } from '../testing/staff-edge';

const flows = { GET: listFlowsRoute, POST: createFlowRoute };
const flowImport = { POST: importFlowRoute };
const flow = { GET: getFlowRoute, DELETE: deleteFlowRoute };
const versions = { POST: saveVersionRoute };
const version = { GET: getVersionRoute };
const publish = { POST: publishFlowRoute };
const duplicate = { POST: duplicateFlowRoute };
const exportRoute = { GET: exportFlowRoute };
const testRun = { POST: testRunRoute };
const validate = { POST: validateRoute };
const runs = { GET: listRunsRoute };
const run = { GET: getRunRoute };
const me = { GET: meRoute };
const blocks = { GET: blocksRoute };

let db: ScratchDb;
let testbed: Awaited<ReturnType<typeof startStaffTestbed>>;
let edge: Awaited<ReturnType<typeof startStaffEdge>>;
const users: Record<'owner' | 'editor' | 'viewer' | 'other', Awaited<ReturnType<typeof seedVendor>> & { role: 'owner' | 'editor' | 'viewer' }> = {} as never;

beforeAll(async () => {
  testbed = await startStaffTestbed('pb_staff_api_test');
  ({ db, edge } = testbed);
  users.owner = { ...(await seedVendor(db.sql, 'alpha', 'owner')), role: 'owner' };
  const add = async (role: 'editor' | 'viewer') => {
    const [u] = await db.sql<{ id: string }[]>`insert into staff_users (vendor_id, email, name, password_hash, role) values (${users.owner.vendorId}, ${`${role}@alpha.test`}, ${role}, 'x', ${role}) returning id`;
    return { ...users.owner, userId: u.id, role };
  };
  users.editor = await add('editor');
  users.viewer = await add('viewer');
  users.other = { ...(await seedVendor(db.sql, 'beta', 'owner')), role: 'owner' };
});

afterAll(async () => {
  await testbed?.close();
});

const as = (who: keyof typeof users | null) => edge.as(who ? users[who] : null);
type Handler = RouteDef;
async function call(h: Handler, o: { method?: string; path?: string; params?: Record<string, string>; body?: unknown; headers?: Record<string, string> } = {}) {
  const q = o.path?.indexOf('?') ?? -1;
  return edge.call(h, { params: o.params, body: o.body, headers: o.headers, method: o.method, query: q >= 0 ? o.path!.slice(q) : undefined });
}

describe('staff API', () => {
  it('answers 401 without a session, and /me with one', async () => {
    await as(null);
    const r = await call(flows.GET);
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('unauthenticated');
    await as('viewer');
    expect((await call(me.GET)).json).toMatchObject({ email: 'viewer@alpha.test', role: 'viewer', vendor: { id: users.owner.vendorId, name: 'Vendor alpha' } });
  });

  it('lets a viewer read but not create, save, publish, duplicate, delete, import or test-run', async () => {
    await as('owner');
    const created = await call(flows.POST, { body: { definition: newFlowDefinition({ name: 'Viewer test', automation: 'viewer_test' }) } });
    expect(created.status).toBe(201);
    const params = { id: created.json.id };
    await as('viewer');
    expect((await call(flows.GET)).status).toBe(200);
    expect((await call(flow.GET, { params })).status).toBe(200);
    const def = newFlowDefinition({ name: 'x', automation: 'caller_lookup' });
    const writes: [Handler, object][] = [
      [flows.POST, { body: { definition: def } }],
      [flowImport.POST, { body: { definition: def } }],
      [versions.POST, { params, body: { definition: def } }],
      [publish.POST, { params, body: { version: 1 } }],
      [duplicate.POST, { params, body: {} }],
      [flow.DELETE, { params, method: 'DELETE' }],
      [testRun.POST, { params, body: { definition: def, input: {} } }],
    ];
    for (const [h, o] of writes) {
      const r = await call(h, o);
      expect(r.status).toBe(403);
      expect(r.json.error).toMatchObject({ code: 'forbidden' });
      expect(r.json.error.message).toMatch(/viewer/);
    }
    // A pure check is not a write.
    expect((await call(validate.POST, { body: { definition: def } })).json).toEqual({ issues: [] });
  });

  it('creates, saves drafts with issues, refuses to publish them, publishes a good version', async () => {
    await as('editor');
    const c = await call(flows.POST, { body: { definition: newFlowDefinition({ name: 'Lookup', automation: 'lookup_test' }) } });
    expect(c).toMatchObject({ status: 201, json: { version: 1 } });
    const params = { id: c.json.id };
    const d = await call(flow.GET, { params });
    expect(d.json).toMatchObject({ version: 1, flow: { id: c.json.id, name: 'Lookup', automation: 'lookup_test', latestVersion: 1, publishedVersion: null, lastRun: null }, versions: [{ version: 1, message: 'Created', createdBy: 'editor' }] });
    expect(d.json.definition.nodes).toHaveLength(1);

    const broken = { ...d.json.definition, nodes: [...d.json.definition.nodes, { id: 'lonely', type: 'respond.json', params: { status: 200, body: {} } }] };
    const saved = await call(versions.POST, { params, body: { definition: broken, message: 'wip' } });
    expect(saved.status).toBe(201);
    expect(saved.json.version).toBe(2);
    expect(saved.json.issues[0]).toMatchObject({ nodeId: 'lonely' });
    const refused = await call(publish.POST, { params, body: { version: 2 } });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'invalid_flow' });
    expect(refused.json.error.issues[0].nodeId).toBe('lonely');

    const notAFlow = await call(versions.POST, { params, body: { definition: { name: 'no nodes' } } });
    expect(notAFlow.status).toBe(400);
    expect(notAFlow.json.error.code).toBe('invalid_flow');
    expect(notAFlow.json.error.issues.length).toBeGreaterThan(0);
    const notJson = await call(versions.POST, { params, body: '{"definition":' });
    expect(notJson).toMatchObject({ status: 400, json: { error: { code: 'invalid_json' } } });

    expect((await call(publish.POST, { params, body: { version: 1 } })).json).toEqual({ publishedVersion: 1 });
    expect((await call(publish.POST, { params, body: { version: 9 } })).status).toBe(404);
    expect((await call(publish.POST, { params, body: { version: 'one' } })).json.error).toMatchObject({ code: 'invalid_input', path: ['version'] });
    const v2 = await call(version.GET, { params: { ...params, v: '2' } });
    expect(v2.json).toMatchObject({ version: 2, message: 'wip' });
    expect((await call(version.GET, { params: { ...params, v: 'latest' } })).status).toBe(404);

    const list = await call(flows.GET);
    expect(list.json.find((f: any) => f.id === c.json.id)).toMatchObject({ latestVersion: 2, publishedVersion: 1 });
  });

  it('duplicates, exports, imports the export back, and soft-deletes', async () => {
    await as('editor');
    const c = await call(flows.POST, { body: { definition: callerLookup } });
    const params = { id: c.json.id };
    const dup = await call(duplicate.POST, { params, body: {} });
    expect(dup.status).toBe(201);
    expect((await call(flow.GET, { params: { id: dup.json.id } })).json.flow.name).toBe('Caller lookup (copy)');

    const exp = await call(exportRoute.GET, { params });
    expect(exp.headers.get('content-disposition')).toMatch(/attachment; filename="caller_lookup-caller-lookup-v1\.flow\.json"/);
    expect(exp.json.nodes).toHaveLength(callerLookup.nodes.length);
    const imported = await call(flowImport.POST, { body: exp.json });
    expect(imported.status).toBe(201);
    // Automation names are unique per vendor: the import answers to the next free name, and says so.
    expect(imported.json).toMatchObject({ automation: 'caller_lookup_2', renamedFrom: 'caller_lookup' });
    const again = await call(flow.GET, { params: { id: imported.json.id } });
    expect(again.json.definition).toEqual({ ...exp.json, automation: 'caller_lookup_2' });
    const dupAuto = await call(flows.POST, { body: { definition: { ...callerLookup, name: 'Second lookup' } } });
    expect(dupAuto.status).toBe(409);
    expect(dupAuto.json.error).toMatchObject({ code: 'automation_taken', path: ['automation'], message: 'Another flow ("Caller lookup") already answers to the automation "caller_lookup": choose another automation name' });
    expect((await call(flowImport.POST, { body: { hello: 'world' } })).status).toBe(400);

    expect((await call(flow.DELETE, { params, method: 'DELETE' })).status).toBe(204);
    expect((await call(flow.GET, { params })).status).toBe(404);
    expect((await call(flow.DELETE, { params, method: 'DELETE' })).status).toBe(404);
  });

  it('answers 404 for another vendor’s flow or run and for ids that are not ids', async () => {
    await as('owner');
    const c = await call(flows.POST, { body: { definition: newFlowDefinition({ name: 'Mine', automation: 'mine_test' }) } });
    await as('other');
    for (const [h, o] of [[flow.GET, {}], [flow.DELETE, { method: 'DELETE' }], [duplicate.POST, { body: {} }], [exportRoute.GET, {}], [publish.POST, { body: { version: 1 } }],
      // a test run is refused for the flow first, whatever its body says (no customer, no definition)
      [testRun.POST, { body: { definition: {}, input: {}, customer: 'nobody-has-this' } }]] as [Handler, object][]) {
      expect((await call(h, { ...o, params: { id: c.json.id } })).status).toBe(404);
    }
    expect((await call(flow.GET, { params: { id: 'nope' } })).json.error.code).toBe('flow_not_found');
    expect((await call(flows.GET)).json).toEqual([]);
  });

  it('test-runs an unsaved definition for a customer, records it, and serves it on the runs API', async () => {
    await as('editor');
    const c = await call(flows.POST, { body: { definition: callerLookup } });
    const params = { id: c.json.id };
    const missing = await call(testRun.POST, { params, body: { definition: callerLookup, input: {} } });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: 'invalid_input', path: ['input', 'phone'] });
    const badFlow = await call(testRun.POST, { params, body: { definition: { ...callerLookup, edges: [] }, input: { phone: '+12025550123' } } });
    expect(badFlow.status).toBe(400);
    expect(badFlow.json.error.code).toBe('invalid_flow');

    const t = await call(testRun.POST, { params, body: { definition: callerLookup, input: { phone: '+12025550123' }, customer: 'alpha-c1' } });
    expect(t.status).toBe(200);
    expect(t.json).toMatchObject({ status: 'succeeded', response: { status: 200, body: { found: false } }, error: null });
    expect(t.json.steps.map((s: any) => [s.nodeId, s.port])).toEqual([['trigger', 'out'], ['normalize', 'valid'], ['lookup', 'notFound'], ['respond_not_found', 'out']]);
    expect((await call(testRun.POST, { params, body: { definition: callerLookup, input: { phone: '1' }, customer: 'beta-c1' } })).json.error.code).toBe('customer_not_found');

    const list = await call(runs.GET, { path: `/api/staff/runs?flowId=${c.json.id}&mode=test` });
    expect(list.json.runs).toHaveLength(1);
    expect(list.json.runs[0]).toMatchObject({ id: t.json.runId, automation: 'caller_lookup', customer: 'alpha-c1', status: 'succeeded', mode: 'test', flowId: c.json.id, flowVersion: null, flowName: 'Caller lookup' });
    expect(list.json.nextCursor).toBeNull();
    const detail = await call(run.GET, { params: { id: t.json.runId } });
    expect(detail.json).toMatchObject({ id: t.json.runId, status: 'succeeded', customer: 'alpha-c1', flowName: 'Caller lookup', mode: 'test' });
    expect(detail.json.steps).toHaveLength(4);
    expect(detail.json.steps[2]).toMatchObject({ nodeId: 'lookup', port: 'notFound', error: null });

    await as('other');
    expect((await call(run.GET, { params: { id: t.json.runId } })).status).toBe(404);
    expect((await call(runs.GET, { path: '/api/staff/runs' })).json.runs).toEqual([]);
  });

  it('rejects bad run filters and forged cursors with 400s naming the field', async () => {
    await as('viewer');
    expect((await call(runs.GET, { path: '/api/staff/runs?status=great' })).json.error).toMatchObject({ code: 'invalid_input', path: ['status'] });
    expect((await call(runs.GET, { path: '/api/staff/runs?cursor=abc' })).json.error).toMatchObject({ code: 'invalid_input', path: ['cursor'] });
    expect((await call(runs.GET, { path: '/api/staff/runs?limit=5000' })).json.error.path).toEqual(['limit']);
    expect((await call(runs.GET, { path: '/api/staff/runs?status=&automation=' })).status).toBe(200);
  });

  it('refuses a write whose Origin is another site', async () => {
    await as('owner');
    const r = await call(flows.POST, { body: { definition: newFlowDefinition({ name: 'x', automation: 'caller_lookup' }) }, headers: { origin: 'https://evil.example' } });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('cross_site');
  });

  it('lists blocks with JSON schemas of their params', async () => {
    await as('viewer');
    const list = (await call(blocks.GET)).json;
    const trigger = list.find((b: any) => b.id === 'trigger.webhook');
    expect(trigger).toMatchObject({ isTrigger: true, category: 'Triggers', ports: [{ id: 'out' }] });
    expect(trigger.params.type).toBe('object');
    expect(Object.keys(trigger.params.properties)).toEqual(['fields', 'example']);
  });

  it('every staff route is declared with a staff role: 401 without a session, 403 below its role, 404 for another vendor’s flow', async () => {
    await as('owner');
    const mine = (await call(flows.POST, { body: { definition: { ...callerLookup, automation: 'matrix_test' } } })).json.id as string;
    expect(mine).toMatch(/^[0-9a-f-]{36}$/);
    expect(staffRoutes.length).toBeGreaterThan(25);
    const body = { definition: callerLookup, input: { phone: '+12025550123' }, version: 1, customer: 'beta-c1', name: 'k' };
    let checked = 0;
    for (const h of staffRoutes) {
      expect(h.auth.kind, `${h.method} ${h.path}`).toBe('staffSession');
      const role = (h.auth as { role: string }).role;
      const params = Object.fromEntries([...h.path.matchAll(/:(\w+)/g)].map((m) => [m[1], m[1] === 'id' ? mine : '1']));
      const o = { params, body: h.method === 'GET' || h.method === 'DELETE' ? undefined : body };
      await as(null);
      const anon = await call(h, o);
      expect(anon.status, `${h.method} ${h.path} without a session`).toBe(401);
      expect(anon.json).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
      if (role !== 'viewer') {
        await as('viewer');
        const viewer = await call(h, o);
        expect(viewer.status, `${h.method} ${h.path} as a viewer`).toBe(403);
        expect(viewer.json.error.code).toBe('forbidden');
      }
      if (role === 'owner') {
        await as('editor');
        expect((await call(h, o)).status, `${h.method} ${h.path} as an editor`).toBe(403);
      }
      if (h.path.startsWith('/api/staff/flows/:id')) {
        await as('other');
        const other = await call(h, o);
        expect(other.status, `${h.method} ${h.path} for another vendor: ${JSON.stringify(other.json)}`).toBe(404);
        expect(Object.keys(other.json)).toEqual(['error']);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(25);
  });

  it('writes audit rows for flow changes and API keys, readable by the vendor only', async () => {
    await as('editor');
    const c = await call(flows.POST, { body: { definition: newFlowDefinition({ name: 'Audited', automation: 'audited_test' }) } });
    await call(publish.POST, { params: { id: c.json.id }, body: { version: 1 } });
    await as('owner');
    const key = await call(createKeyRoute, { body: { name: 'CI', customer: 'alpha-c1' } });
    expect(key.status).toBe(201);
    expect(key.json).toMatchObject({ name: 'CI', customer: 'alpha-c1', revokedAt: null });
    expect(key.json.key.startsWith(key.json.prefix)).toBe(true);
    await as('viewer');
    const log = await call(listAuditRoute, { params: {} });
    expect(log.status).toBe(200);
    const mine = log.json.entries.filter((e: any) => e.target.id === c.json.id).map((e: any) => [e.action, e.actor.label, e.target.label, e.details]);
    expect(mine).toEqual([['flow.publish', 'editor@alpha.test', 'Audited', { version: 1 }], ['flow.create', 'editor@alpha.test', 'Audited', { version: 1 }]]);
    expect(log.json.entries.find((e: any) => e.action === 'api_key.create')).toMatchObject({ actor: { kind: 'staff', label: 'owner@alpha.test' }, customer: 'alpha-c1', target: { kind: 'api_key', label: `CI (${key.json.prefix}…)` } });
    expect(JSON.stringify(log.json)).not.toContain(key.json.key);
    await as('other');
    expect((await call(listAuditRoute)).json.entries.some((e: any) => e.target.id === c.json.id)).toBe(false);
  });
});
