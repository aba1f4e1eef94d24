// The staff API's input edge, in-process on a real database (through the edge, like staff-routes.test.ts): issue 15 item 7's staff cases, and a fuzz over every staff route — malformed,
// oversized, deeply nested and NUL-bearing bodies, bad queries and path ids — expecting a 4xx naming the
// field, never a 5xx, within a few seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDef } from '../api/route';
import { listCustomersRoute } from '../api/staff/customers';
import { previewWidgetTokenRoute, saveEmbeddingRoute } from '../api/staff/embedding';
import { getCustomerPhoneSystemRoute, putCustomerPhoneSystemRoute } from '../api/staff/phone-system';
import { getVersionRoute, publishFlowRoute, saveVersionRoute } from '../api/staff/flow-versions';
import { createFlowRoute, deleteFlowRoute, duplicateFlowRoute, exportFlowRoute, getFlowRoute, importFlowRoute, listFlowsRoute } from '../api/staff/flows';
import { getRunRoute, listRunsRoute, runStatsRoute } from '../api/staff/runs';
import { listSyncsRoute, startSyncRoute } from '../api/staff/syncs';
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
const runStats = { GET: runStatsRoute };
const run = { GET: getRunRoute };
const syncRuns = { POST: startSyncRoute };
const syncs = { GET: listSyncsRoute };
const customers = { GET: listCustomersRoute };
const phoneSystem = { GET: getCustomerPhoneSystemRoute, PUT: putCustomerPhoneSystemRoute };
const me = { GET: meRoute };
const blocks = { GET: blocksRoute };

let db: ScratchDb;
let testbed: Awaited<ReturnType<typeof startStaffTestbed>>;
let edge: Awaited<ReturnType<typeof startStaffEdge>>;
let owner: Awaited<ReturnType<typeof seedVendor>>;
let flowId = '';

beforeAll(async () => {
  testbed = await startStaffTestbed('pb_staff_fuzz_test');
  ({ db, edge } = testbed);
  owner = await seedVendor(db.sql, 'fuzz', 'owner');
  await edge.as(owner);
  const created = await call(flows.POST, { body: { definition: newFlowDefinition({ name: 'Fuzz', automation: 'caller_lookup' }) } });
  expect(created.status).toBe(201);
  flowId = created.json.id;
});

afterAll(async () => {
  await testbed?.close();
});

type Handler = RouteDef;
async function call(h: Handler, o: { method?: string; query?: string; params?: Record<string, string>; body?: unknown } = {}) {
  return edge.call(h, o);
}

function expect4xx(what: string, r: { status: number; json: any; ms: number }, path?: (string | number)[]) {
  expect(r.status, `${what}: ${JSON.stringify(r.json).slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(r.status, `${what}: ${JSON.stringify(r.json).slice(0, 300)}`).toBeLessThan(500);
  expect(r.ms, what).toBeLessThan(3000);
  if (path) expect(r.json?.error?.path, what).toEqual(path);
}

const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
const cursorOf = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

describe('staff API: issue 15 item 7', () => {
  it('publish refuses a version past int32 with 400 naming it', async () => {
    expect4xx('publish 2^31', await call(publish.POST, { params: { id: flowId }, body: { version: 2147483648 } }), ['version']);
  });

  it('runs and stats refuse dates outside ISO 8601 / a sane range, and crafted cursors', async () => {
    for (const [q, field] of [
      ['?from=-005000-01-01T00:00:00Z', 'from'], ['?to=%2B200000-01-01T00:00:00Z', 'to'], ['?from=yesterday', 'from'], ['?to=2026-02-30T00:00:00Z', 'to'],
      [`?cursor=${cursorOf('9999-99-99T99:99:99.999999Z|00000000-0000-7000-8000-000000000000')}`, 'cursor'],
      [`?cursor=${cursorOf('2026-13-45T25:61:61.000000Z|00000000-0000-7000-8000-000000000000')}`, 'cursor'],
      ['?cursor=%00', 'cursor'], ['?automation=a%00b', 'automation'], ['?limit=99999999999999999999', 'limit'],
    ] as const) expect4xx(`runs ${q}`, await call(runs.GET, { query: q }), [field]);
    for (const [q, field] of [['?from=-005000-01-01T00:00:00Z', 'from'], ['?from=-5000-01-01&to=2026-01-01T00:00:00Z', 'from'], ['?to=%2B275760-09-13T00:00:00Z', 'to'], ['?customer=%00', 'customer']] as const) {
      expect4xx(`stats ${q}`, await call(runStats.GET, { query: q }), [field]);
    }
    // A bad percent-escape is invalid_query, a NUL invalid_input: both name the parameter (lib/api/edge.ts queryObject).
    const badEscape = await call(runs.GET, { query: '?automation=a%E0%A4%A&limit=5' });
    expect(badEscape.status).toBe(400);
    expect(badEscape.json.error).toMatchObject({ code: 'invalid_query', path: ['automation'] });
    expect((await call(runs.GET, { query: '?automation=a%00b' })).json.error).toMatchObject({ code: 'invalid_input', path: ['automation'] });
    expect((await call(runs.GET, { query: '?from=2026-01-01T00:00:00Z&to=2026-12-31' })).status).toBe(200);
    expect((await call(runStats.GET, { query: '?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00%2B02:00' })).status).toBe(200);
  });

  it('a test run with a 100k-deep input is a quick 400', async () => {
    const def = JSON.stringify(newFlowDefinition({ name: 'Fuzz', automation: 'caller_lookup' }));
    expect4xx('deep test input', await call(testRun.POST, { params: { id: flowId }, body: `{"definition":${def},"input":{"x":${nested(100_000)}}}` }));
  });

  it('NUL in a version message or the sync customer is a 400 naming it', async () => {
    const def = newFlowDefinition({ name: 'Fuzz', automation: 'caller_lookup' });
    expect4xx('version message', await call(versions.POST, { params: { id: flowId }, body: { definition: def, message: 'a\u0000b' } }), ['message']);
    expect4xx('sync customer', await call(syncRuns.POST, { body: { customer: 'fuzz-c1\u0000', source: 'hubspot' } }), ['customer']);
  });
});

describe('staff API: the phone-system connection (issue 15 item 13)', () => {
  it('an editor sets it for a customer; credentials never come back; a viewer cannot', async () => {
    expect((await call(phoneSystem.GET, { params: { id: 'fuzz-c1' } })).json).toEqual({ customer: 'fuzz-c1', connection: null });
    const put = await call(phoneSystem.PUT, { method: 'PUT', params: { id: 'fuzz-c1' }, body: { baseUrl: 'https://phones.example.com/', credentials: { username: 'api', password: 'pw-secret' }, webhookSecret: 'whsec_0123456789abcdef' } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ customer: 'fuzz-c1', connection: { baseUrl: 'https://phones.example.com', authKind: 'apiKey', webhookSecretSet: true } });
    expect(JSON.stringify(put.json)).not.toMatch(/pw-secret|whsec_/);
    expect((await call(phoneSystem.GET, { params: { id: 'fuzz-c1' } })).json.connection.webhookSecretSet).toBe(true);
    expect((await call(phoneSystem.GET, { params: { id: 'nobody' } })).status).toBe(404);
    const [viewer] = await db.sql<{ id: string }[]>`insert into staff_users (vendor_id, email, name, password_hash, role) values (${owner.vendorId}, 'viewer@fuzz.test', 'v', 'x', 'viewer') returning id`;
    await edge.as({ userId: viewer.id, vendorId: owner.vendorId });
    try {
      expect((await call(phoneSystem.PUT, { method: 'PUT', params: { id: 'fuzz-c1' }, body: { baseUrl: 'https://x.example', credentials: { token: 't' } } })).status).toBe(403);
    } finally {
      await edge.as(owner);
    }
  });
});

describe('staff API fuzz: every route', () => {
  const def = () => newFlowDefinition({ name: 'Fuzz', automation: 'caller_lookup' });
  const bodyRoutes = (): [string, Handler, Record<string, string>, unknown][] => [
    ['POST flows', flows.POST, {}, { definition: def(), message: 'first' }],
    ['POST import', flowImport.POST, {}, { definition: def() }],
    ['POST versions', versions.POST, { id: flowId }, { definition: def(), message: 'next' }],
    ['POST publish', publish.POST, { id: flowId }, { version: 1 }],
    ['POST test-run', testRun.POST, { id: flowId }, { definition: def(), input: { phone: '+14155550100' }, customer: 'fuzz-c1' }],
    ['POST validate', validate.POST, {}, { definition: def() }],
    ['POST sync run', syncRuns.POST, {}, { customer: 'fuzz-c1', source: 'hubspot', mode: 'incremental' }],
    ['PUT phone system', phoneSystem.PUT, { id: 'fuzz-c1' }, { baseUrl: 'http://127.0.0.1:4020', credentials: { token: 'tok' }, webhookSecret: 'whsec_0123456789abcdef' }],
    ['PUT embedding', saveEmbeddingRoute, {}, { brandName: 'Fuzz', primaryColor: '#0f766e', allowedOrigins: ['https://app.fuzz.example'], actions: [{ key: 'lookup', label: 'Look up', automation: 'caller_lookup' }] }],
    ['POST widget preview token', previewWidgetTokenRoute, {}, { customer: 'fuzz-c1' }],
  ];

  it('malformed, wrongly typed, deep and oversized bodies → 4xx', async () => {
    for (const [name, h, params] of bodyRoutes()) {
      for (const [what, body] of [['not JSON', '{"a":'], ['array', '[]'], ['string', '"x"'], ['number', '42'], ['deep 200k', nested(200_000)], ['deep in object', `{"definition":${nested(100)}}`], ['NUL byte', '{"a":\u0000}'], ['6 MB', Buffer.alloc(6 * 1024 * 1024, 0x61)]] as const) {
        expect4xx(`${name} ${what}`, await call(h, { method: name.split(' ')[0], params, body }));
      }
    }
  }, 60_000);

  it('NUL or an unpaired surrogate in any string of a valid body → 400 naming the field', async () => {
    const leaves = (v: unknown, path: (string | number)[] = []): (string | number)[][] =>
      typeof v === 'string' ? [path] : Array.isArray(v) ? v.flatMap((x, i) => leaves(x, [...path, i])) : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k])) : [];
    for (const [name, h, params, sample] of bodyRoutes()) {
      for (const path of leaves(sample)) {
        for (const bad of ['\u0000', '\ud800']) {
          const copy = structuredClone(sample) as any;
          const parent = path.slice(0, -1).reduce((o: any, k) => o[k], copy);
          parent[path[path.length - 1]] = `x${bad}y`;
          expect4xx(`${name} ${JSON.stringify(bad)} at ${path.join('.')}`, await call(h, { method: name.split(' ')[0], params, body: copy }), path);
        }
      }
    }
  }, 60_000);

  it('bad path ids and queries → 4xx', async () => {
    const idRoutes: [string, Handler, string][] = [
      ['GET flow', flow.GET, 'id'], ['DELETE flow', flow.DELETE, 'id'], ['GET export', exportRoute.GET, 'id'], ['POST duplicate', duplicate.POST, 'id'],
      ['GET run', run.GET, 'id'], ['GET phone system', phoneSystem.GET, 'id'],
    ];
    for (const [name, h, key] of idRoutes) {
      // (An empty id is another URL: /api/staff/flows/ is the list.)
      for (const id of ['\u0000', 'a\u0000b', '\ud800', 'x'.repeat(5000), '..', '00000000-0000-0000-0000-00000000000\u0000']) {
        expect4xx(`${name} ${JSON.stringify(id.slice(0, 20))}`, await call(h, { method: name.split(' ')[0], params: { [key]: id } }));
      }
    }
    for (const v of ['\u0000', '0', '-1', '2147483648', '1e3', 'latest', 'x'.repeat(500)]) {
      expect4xx(`GET version ${v.slice(0, 10)}`, await call(version.GET, { params: { id: flowId, v } }));
      expect4xx(`GET export ?version=${v.slice(0, 10)}`, await call(exportRoute.GET, { params: { id: flowId }, query: `?version=${encodeURIComponent(v)}` }));
    }
  });

  it('read-only routes answer normally after all that', async () => {
    for (const h of [me.GET, blocks.GET, customers.GET, syncs.GET, flows.GET, runs.GET, runStats.GET]) expect((await call(h)).status).toBe(200);
  });
});
