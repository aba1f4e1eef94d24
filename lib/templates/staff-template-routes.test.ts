// The staff template and customer route handlers in-process on a real database (next-auth's session stubbed like
// staff-routes.test.ts): create from flows, publish with a canary roll-out, rollback, pins, customers overview
// and detail, create a customer; bad input is a 400 naming the field, another vendor's template a 404, a viewer 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import callerLookup from '@/engine/fixtures/caller-lookup.flow.json';
import type { RouteDef } from '../api/route';
import { createCustomerRoute } from '../api/staff/customers';
import { customerDetailRoute, customersOverviewRoute } from '../api/staff/customer-overview';
import { createFlowRoute } from '../api/staff/flows';
import { createTemplateStaffRoute, getTemplateStaffRoute, pinCustomerTemplateStaffRoute, publishTemplateStaffRoute, rollbackStaffRoute, rolloutStaffRoute, saveTemplateVersionStaffRoute, shadowReplayStaffRoute, listTemplatesStaffRoute } from '../api/staff/templates';
import { seedVendor, type ScratchDb } from '../testing/scratch-db';
import { startStaffTestbed, type startStaffEdge } from '../testing/staff-edge';
import { enableTemplate } from './customer-templates';

const flows = { POST: createFlowRoute };
const templates = { GET: listTemplatesStaffRoute, POST: createTemplateStaffRoute };
const template = { GET: getTemplateStaffRoute };
const versions = { POST: saveTemplateVersionStaffRoute };
const publish = { POST: publishTemplateStaffRoute };
const rollouts = { POST: rolloutStaffRoute };
const rollback = { POST: rollbackStaffRoute };
const shadow = { POST: shadowReplayStaffRoute };
const pin = { PUT: pinCustomerTemplateStaffRoute };
const customers = { POST: createCustomerRoute };
const overview = { GET: customersOverviewRoute };
const detail = { GET: customerDetailRoute };

let edge: Awaited<ReturnType<typeof startStaffEdge>>;
const session = { current: null as null | { user: { id: string } } };
const roles = new Map<string, { vendorId: string; role: 'owner' | 'editor' | 'viewer' }>();

/** Calls a staff route over HTTP as the user of `session.current` (params by the route's names). */
async function call(route: RouteDef, o: { query?: string; params?: Record<string, string>; body?: unknown } = {}) {
  const u = session.current ? roles.get(session.current.user.id)! : null;
  await edge.as(u ? { userId: session.current!.user.id, ...u } : null);
  const params = o.params ? Object.fromEntries(Object.entries(o.params).map(([k, v]) => [k === 'id' && route.path.includes(':templateId') ? 'templateId' : k === 'customerId' ? 'customer' : k, v])) : undefined;
  const r = await edge.call(route, { params, body: o.body, query: o.query });
  return { status: r.status, json: r.json };
}

let db: ScratchDb;
let testbed: Awaited<ReturnType<typeof startStaffTestbed>>;
let owner: Awaited<ReturnType<typeof seedVendor>>;
let other: Awaited<ReturnType<typeof seedVendor>>;
let viewerId = '';
let flowId = '';
let templateId = '';

beforeAll(async () => {
  testbed = await startStaffTestbed('pb_staff_templates');
  ({ db, edge } = testbed);
  owner = await seedVendor(db.sql, 'stpl', 'owner');
  other = await seedVendor(db.sql, 'stpl-other', 'owner');
  [{ id: viewerId }] = await db.sql<{ id: string }[]>`insert into staff_users (vendor_id, email, name, password_hash, role) values (${owner.vendorId}, 'viewer@stpl.test', 'viewer', 'x', 'viewer') returning id`;
  roles.set(owner.userId, { vendorId: owner.vendorId, role: 'owner' });
  roles.set(other.userId, { vendorId: other.vendorId, role: 'owner' });
  roles.set(viewerId, { vendorId: owner.vendorId, role: 'viewer' });
  session.current = { user: { id: owner.userId } };
  const created = await call(flows.POST, { body: { definition: { ...callerLookup, automation: 'caller_lookup' } } });
  expect(created.status).toBe(201);
  flowId = created.json.id;
  await db.sql`update flows set published_version = 1 where id = ${flowId}`;
});

afterAll(async () => {
  await testbed?.close();
});

describe('staff templates API', () => {
  it('creates a template from flows; bad input is a 400 naming the field', async () => {
    const bad = await call(templates.POST, { body: { name: 'X', flows: [{ flowId }], options: [{ key: 'delay', label: 'Delay', type: 'integer', max: 5, default: 50 }] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.path).toEqual(['options', 0, 'default']);
    const noFlow = await call(templates.POST, { body: { name: 'X', flows: [{ flowId: '00000000-0000-4000-8000-000000000000' }] } });
    expect(noFlow.status).toBe(400);
    expect(noFlow.json.error.path).toEqual(['flows', 0, 'flowId']);
    const r = await call(templates.POST, { body: { name: 'Caller ID', description: 'Who calls', flows: [{ flowId }], options: [{ key: 'greeting', label: 'Greeting', type: 'string', default: 'Hi' }] } });
    expect(r.status).toBe(201);
    templateId = r.json.id;
    const list = await call(templates.GET);
    expect(list.json).toEqual([expect.objectContaining({ id: templateId, slug: 'caller_id', latestVersion: 1, publishedVersion: null })]);
  });

  it('publishes with a canary roll-out, rolls it back, pins', async () => {
    expect((await call(publish.POST, { params: { id: templateId }, body: { version: 1 } })).json).toEqual({ publishedVersion: 1, rollout: null });
    for (let i = 0; i < 10; i++) {
      const [c] = await db.sql<{ id: string }[]>`insert into customers (vendor_id, external_id, name) values (${owner.vendorId}, ${`k${i}`}, ${`K ${i}`}) returning id`;
      await enableTemplate(db.sql, { vendorId: owner.vendorId, customerId: c.id, templateId });
    }
    expect((await call(versions.POST, { params: { id: templateId }, body: { name: 'Caller ID', flows: [{ flowId, version: 1 }], options: [] } })).json).toEqual({ version: 2 });
    const pub = await call(publish.POST, { params: { id: templateId }, body: { version: 2, rollout: { kind: 'percent', percent: 30 } } });
    expect(pub.status).toBe(200);
    expect(pub.json.rollout.moved).toHaveLength(3);
    const d = await call(template.GET, { params: { id: templateId } });
    expect(d.json.template.customers.byVersion).toEqual({ 1: 7, 2: 3 });
    expect(d.json.rollouts[0]).toMatchObject({ toVersion: 2, status: 'applied', target: { kind: 'percent', percent: 30 } });
    const back = await call(rollback.POST, { params: { id: templateId, rolloutId: pub.json.rollout.id } });
    expect(back.json.restored).toHaveLength(3);
    expect((await call(template.GET, { params: { id: templateId } })).json.template.customers.byVersion).toEqual({ 1: 10 });

    expect((await call(pin.PUT, { params: { id: templateId, customerId: 'k0' }, body: { pinned: true } })).json).toMatchObject({ customer: 'k0', version: 1, pinned: true });
    const all = await call(rollouts.POST, { params: { id: templateId }, body: { version: 2, target: { kind: 'all' } } });
    expect(all.json.moved).toHaveLength(9);
    expect(all.json.pinnedSkipped).toBe(1);
    const bad = await call(rollouts.POST, { params: { id: templateId }, body: { version: 2, target: { kind: 'percent', percent: 0 } } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.path).toEqual(['target', 'percent']);
    const sh = await call(shadow.POST, { params: { id: templateId }, body: { fromVersion: 1, toVersion: 2 } });
    expect(sh.status).toBe(200);
    expect(sh.json).toMatchObject({ fromVersion: 1, toVersion: 2, cases: [] });
  });

  it('another vendor sees no such template (404); a viewer cannot publish (403)', async () => {
    session.current = { user: { id: other.userId } };
    try {
      expect((await call(template.GET, { params: { id: templateId } })).status).toBe(404);
      expect((await call(publish.POST, { params: { id: templateId }, body: { version: 1 } })).status).toBe(404);
      expect((await call(pin.PUT, { params: { id: templateId, customerId: 'k0' }, body: { pinned: false } })).status).toBe(404);
      expect((await call(detail.GET, { params: { id: 'k0' } })).status).toBe(404);
      session.current = { user: { id: viewerId } };
      expect((await call(publish.POST, { params: { id: templateId }, body: { version: 1 } })).status).toBe(403);
      expect((await call(template.GET, { params: { id: templateId } })).status).toBe(200);
    } finally {
      session.current = { user: { id: owner.userId } };
    }
  });
});

describe('staff customers API', () => {
  it('creates a customer by hand; a taken id is a 409, a bad country a 400', async () => {
    expect((await call(customers.POST, { body: { externalId: 'hand-made', name: 'Hand Made', defaultCountry: 'gb' } })).json).toMatchObject({ externalId: 'hand-made', defaultCountry: 'GB' });
    expect((await call(customers.POST, { body: { externalId: 'hand-made', name: 'Again' } })).status).toBe(409);
    const bad = await call(customers.POST, { body: { externalId: 'x y', name: 'Bad', defaultCountry: 'ZZ' } });
    expect(bad.status).toBe(400);
  });

  it('lists with search and a health filter, and shows one customer\'s integrations and versions', async () => {
    const found = await call(overview.GET, { query: '?search=hand' });
    expect(found.json.map((c: { externalId: string }) => c.externalId)).toEqual(['hand-made']);
    expect(found.json[0]).toMatchObject({ health: 'idle', integrations: 0 });
    await db.sql`insert into connections (customer_id, system, name, auth_kind, base_url, credentials_enc, status, last_error)
      select id, 'hubspot', 'HubSpot', 'apiKey', 'http://x', 'x', 'error', 'HubSpot rejected the token: reconnect HubSpot' from customers where external_id = 'k3' and vendor_id = ${owner.vendorId}`;
    const failing = await call(overview.GET, { query: '?health=failing' });
    expect(failing.json.map((c: { externalId: string }) => c.externalId)).toEqual(['k3']);
    expect(failing.json[0].healthReason).toMatch(/reconnect HubSpot/);
    expect((await call(overview.GET, { query: '?health=sick' })).status).toBe(400);
    const d = await call(detail.GET, { params: { id: 'k1' } });
    expect(d.json.integrations).toEqual([expect.objectContaining({ automation: 'caller_lookup', version: 1, follows: 'pinned', enabled: true, template: 'Caller ID' })]);
    expect(d.json.templates).toEqual([expect.objectContaining({ name: 'Caller ID', version: 2, previousVersion: 1, pinned: false, status: 'active' })]);
  });
});
