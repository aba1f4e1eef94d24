// The Staff API route handlers in-process, on a real database, with the next-auth session stubbed:
// the contract's shapes, vendor scoping (404 for others' objects), and role enforcement (401 / 403).
import fs from 'node:fs';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import callerLookup from '@/engine/fixtures/caller-lookup.flow.json';
import { closeDb } from '../db/client';
import { EngineHost, setHost } from '../engine-host/host';
import { newFlowDefinition } from '../flows/new-flow';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock('next-auth', async (orig) => ({ ...(await orig<typeof import('next-auth')>()), getServerSession: async () => session.current }));

const flows = await import('@/app/api/staff/flows/route');
const flowImport = await import('@/app/api/staff/flows/import/route');
const flow = await import('@/app/api/staff/flows/[id]/route');
const versions = await import('@/app/api/staff/flows/[id]/versions/route');
const version = await import('@/app/api/staff/flows/[id]/versions/[v]/route');
const publish = await import('@/app/api/staff/flows/[id]/publish/route');
const duplicate = await import('@/app/api/staff/flows/[id]/duplicate/route');
const exportRoute = await import('@/app/api/staff/flows/[id]/export/route');
const testRun = await import('@/app/api/staff/flows/[id]/test-run/route');
const validate = await import('@/app/api/staff/validate/route');
const runs = await import('@/app/api/staff/runs/route');
const run = await import('@/app/api/staff/runs/[id]/route');
const me = await import('@/app/api/staff/me/route');
const blocks = await import('@/app/api/staff/blocks/route');

let db: ScratchDb;
let host: EngineHost;
const users: Record<'owner' | 'editor' | 'viewer' | 'other', Awaited<ReturnType<typeof seedVendor>>> = {} as never;

beforeAll(async () => {
  db = await createScratchDb('pb_staff_api_test');
  process.env.DATABASE_URL = db.url;
  users.owner = await seedVendor(db.sql, 'alpha', 'owner');
  const add = async (role: 'editor' | 'viewer') => {
    const [u] = await db.sql<{ id: string }[]>`insert into staff_users (vendor_id, email, name, password_hash, role) values (${users.owner.vendorId}, ${`${role}@alpha.test`}, ${role}, 'x', ${role}) returning id`;
    return { ...users.owner, userId: u.id };
  };
  users.editor = await add('editor');
  users.viewer = await add('viewer');
  users.other = await seedVendor(db.sql, 'beta', 'owner');
  host = new EngineHost({ sql: db.sql, encryptionKey: Buffer.alloc(32, 7), flowTimeoutMs: 5000, allowPrivateHosts: false });
  setHost(host);
});

afterAll(async () => {
  setHost(undefined);
  await host?.close();
  await closeDb();
  await db?.drop();
});

const as = (who: keyof typeof users | null) => { session.current = who ? { user: { id: users[who].userId } } : null; };
type Handler = (req: NextRequest, ctx: { params: Promise<any> }) => Promise<Response>;
async function call(h: Handler, o: { method?: string; path?: string; params?: Record<string, string>; body?: unknown; headers?: Record<string, string> } = {}) {
  const req = new NextRequest(`http://localhost:3401${o.path ?? '/api/staff/x'}`, {
    method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', host: 'localhost:3401', ...o.headers },
    body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
  });
  const res = await h(req, { params: Promise.resolve(o.params ?? {}) });
  const text = await res.text();
  let json: any = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: res.status, json, headers: res.headers };
}

describe('staff API', () => {
  it('answers 401 without a session, and /me with one', async () => {
    as(null);
    const r = await call(flows.GET);
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('unauthenticated');
    as('viewer');
    expect((await call(me.GET)).json).toMatchObject({ email: 'viewer@alpha.test', role: 'viewer', vendor: { id: users.owner.vendorId, name: 'Vendor alpha' } });
  });

  it('lets a viewer read but not create, save, publish, duplicate, delete, import or test-run', async () => {
    as('owner');
    const created = await call(flows.POST, { body: { definition: newFlowDefinition({ name: 'Viewer test', automation: 'viewer_test' }) } });
    expect(created.status).toBe(201);
    const params = { id: created.json.id };
    as('viewer');
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
    as('editor');
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
    as('editor');
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
    as('owner');
    const c = await call(flows.POST, { body: { definition: newFlowDefinition({ name: 'Mine', automation: 'mine_test' }) } });
    as('other');
    for (const [h, o] of [[flow.GET, {}], [flow.DELETE, { method: 'DELETE' }], [duplicate.POST, { body: {} }], [exportRoute.GET, {}], [publish.POST, { body: { version: 1 } }],
      // a test run is refused for the flow first, whatever its body says (no customer, no definition)
      [testRun.POST, { body: { definition: {}, input: {}, customer: 'nobody-has-this' } }]] as [Handler, object][]) {
      expect((await call(h, { ...o, params: { id: c.json.id } })).status).toBe(404);
    }
    expect((await call(flow.GET, { params: { id: 'nope' } })).json.error.code).toBe('flow_not_found');
    expect((await call(flows.GET)).json).toEqual([]);
  });

  it('test-runs an unsaved definition for a customer, records it, and serves it on the runs API', async () => {
    as('editor');
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

    as('other');
    expect((await call(run.GET, { params: { id: t.json.runId } })).status).toBe(404);
    expect((await call(runs.GET, { path: '/api/staff/runs' })).json.runs).toEqual([]);
  });

  it('rejects bad run filters and forged cursors with 400s naming the field', async () => {
    as('viewer');
    expect((await call(runs.GET, { path: '/api/staff/runs?status=great' })).json.error).toMatchObject({ code: 'invalid_input', path: ['status'] });
    expect((await call(runs.GET, { path: '/api/staff/runs?cursor=abc' })).json.error).toMatchObject({ code: 'invalid_input', path: ['cursor'] });
    expect((await call(runs.GET, { path: '/api/staff/runs?limit=5000' })).json.error.path).toEqual(['limit']);
    expect((await call(runs.GET, { path: '/api/staff/runs?status=&automation=' })).status).toBe(200);
  });

  it('refuses a write whose Origin is another site', async () => {
    as('owner');
    const r = await call(flows.POST, { body: { definition: newFlowDefinition({ name: 'x', automation: 'caller_lookup' }) }, headers: { origin: 'https://evil.example' } });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('cross_site');
  });

  it('lists blocks with JSON schemas of their params', async () => {
    as('viewer');
    const list = (await call(blocks.GET)).json;
    const trigger = list.find((b: any) => b.id === 'trigger.webhook');
    expect(trigger).toMatchObject({ isTrigger: true, category: 'Triggers', ports: [{ id: 'out' }] });
    expect(trigger.params.type).toBe('object');
    expect(Object.keys(trigger.params.properties)).toEqual(['fields', 'example']);
  });

  it('every staff route goes through withStaff: 401 without a session, 403 for a viewer where an editor is needed, 404 for another vendor’s flow', async () => {
    as('owner');
    const mine = (await call(flows.POST, { body: { definition: callerLookup } })).json.id as string;
    const dir = path.resolve('app/api/staff');
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('route.ts'));
    expect(files.length).toBeGreaterThan(15);
    const body = { definition: callerLookup, input: { phone: '+12025550123' }, version: 1, customer: 'beta-c1' };
    let checked = 0;
    for (const file of files) {
      const mod = await import(path.join(dir, file));
      const names = Object.keys(mod).filter((k) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(k));
      expect(names.length, file).toBeGreaterThan(0);
      const params = Object.fromEntries([...file.matchAll(/\[(\w+)\]/g)].map((m) => [m[1], m[1] === 'id' ? mine : '1']));
      for (const name of names) {
        const h = mod[name] as Handler & { auth?: { kind: string; role: string } };
        expect(h.auth, `${file} ${name} does not go through withStaff`).toMatchObject({ kind: 'staffSession' });
        const o = { method: name, params, body: name === 'GET' || name === 'DELETE' ? undefined : body };
        as(null);
        const anon = await call(h, o);
        expect(anon.status, `${file} ${name} without a session`).toBe(401);
        expect(anon.json).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
        if (h.auth!.role === 'editor') {
          as('viewer');
          const viewer = await call(h, o);
          expect(viewer.status, `${file} ${name} as a viewer`).toBe(403);
          expect(viewer.json.error.code).toBe('forbidden');
        }
        if (file.startsWith('flows/[id]')) {
          as('other');
          const other = await call(h, o);
          expect(other.status, `${file} ${name} for another vendor: ${JSON.stringify(other.json)}`).toBe(404);
          expect(Object.keys(other.json)).toEqual(['error']);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(18);
  });
});
