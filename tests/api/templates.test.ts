// The portal catalogue against the running server: a customer enables a published template with options through
// its portal session, the named URL runs it with those options; paused, the named URL answers 409
// automation_paused; removed, 404. A template needing a CRM refuses until it is connected; another customer's
// session reaches nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, browse, closeDbHelper, db } from './helpers';

const uniq = Math.random().toString(36).slice(2, 8);
const custA = `tpl-a-${uniq}`;
const custB = `tpl-b-${uniq}`;
const cookies: Record<string, string> = {};

async function openSession(customer: string): Promise<string> {
  const link = await api(`/api/v1/customers/${customer}/portal-links`, { method: 'POST' });
  const res = await browse(link.body.url);
  expect(res.status).toBe(303);
  return res.setCookies.find((c) => c.startsWith('pb_portal='))!.split(';')[0];
}

const portal = (customer: string, p: string, o: { method?: string; body?: unknown; cookie?: string } = {}) =>
  browse(`/api/portal/${customer}/catalogue${p}`, { method: o.method, body: o.body, cookie: o.cookie ?? cookies[customer] });
const route = (customer: string) => api(`/api/v1/customers/${customer}/automations/call_routing`, { body: { from: '+14155550199' } });

let routing = '';
let callerId = '';

beforeAll(async () => {
  for (const c of [custA, custB]) {
    expect((await api('/api/v1/customers', { body: { externalId: c, name: `Customer ${c}` } })).status).toBe(201);
    cookies[c] = await openSession(c);
  }
  const cat = await portal(custA, '');
  expect(cat.status).toBe(200);
  routing = cat.body.templates.find((t: { slug: string }) => t.slug === 'call_routing').id;
  callerId = cat.body.templates.find((t: { slug: string }) => t.slug === 'caller_id').id;
});

afterAll(async () => { await closeDbHelper(); });

describe('the portal catalogue', () => {
  it('lists the published playbook templates with their options schema and what removal does', async () => {
    const cat = await portal(custA, '');
    expect(cat.body.templates.map((t: { slug: string }) => t.slug)).toEqual(expect.arrayContaining(['caller_id', 'call_logging', 'call_routing', 'missed_call_task']));
    const r = cat.body.templates.find((t: { slug: string }) => t.slug === 'call_routing');
    expect(r.enabled).toBeNull();
    expect(r.optionsSchema).toMatchObject({ type: 'object', properties: { defaultQueue: { type: 'string', default: 'main-queue' }, liveCrm: { type: 'boolean', default: false } } });
    const c = cat.body.templates.find((t: { slug: string }) => t.slug === 'caller_id');
    expect(c.removal).toMatch(/contacts copied from HubSpot are deleted from Patchbay/);
  });

  it('refuses a template whose CRM is not connected (409 naming it), and bad options (400 naming the option)', async () => {
    const r = await portal(custA, `/${callerId}`, { method: 'POST', body: { options: {} } });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'connection_missing', systems: ['hubspot'] });
    const bad = await portal(custA, `/${routing}`, { method: 'POST', body: { options: { liveCrm: 'yes' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.path).toEqual(['options', 'liveCrm']);
  });

  it('enables with options: the named URL runs with them; paused it answers 409 automation_paused; resumed it runs', async () => {
    expect((await route(custA)).status).toBe(404);
    const on = await portal(custA, `/${routing}`, { method: 'POST', body: { options: { defaultQueue: 'support' } } });
    expect(on.status).toBe(201);
    expect(on.body.enabled).toMatchObject({ status: 'active', version: 1, options: { defaultQueue: 'support', liveCrm: false, crm: 'hubspot' } });
    expect(on.body.whatHappens[0]).toMatch(/callers no rule matches go to support/);
    await expect.poll(async () => (await route(custA)).body, { timeout: 10_000 }).toMatchObject({ action: 'route', target: 'support', targetType: 'queue' });

    expect((await portal(custA, `/${routing}/pause`, { method: 'POST' })).body.health.state).toBe('paused');
    await expect.poll(async () => (await route(custA)).status, { timeout: 10_000 }).toBe(409);
    expect((await route(custA)).body.error.code).toBe('automation_paused');

    expect((await portal(custA, `/${routing}/resume`, { method: 'POST' })).body.enabled.status).toBe('active');
    await expect.poll(async () => (await route(custA)).status, { timeout: 10_000 }).toBe(200);
    // Every run is counted in the per-minute aggregates (the recording policy may store only some in detail).
    await expect.poll(async () => (await portal(custA, `/${routing}`)).body.health.automations[0].lastActivity?.runs ?? 0, { timeout: 15_000 }).toBeGreaterThan(0);
  });

  it('another customer\'s session reaches nothing of this customer', async () => {
    for (const [method, p] of [['GET', ''], ['GET', `/${routing}`], ['POST', `/${routing}/pause`], ['DELETE', `/${routing}`]] as const) {
      const r = await portal(custA, p, { method, cookie: cookies[custB] });
      expect([401, 403, 404], `${method} ${p}`).toContain(r.status);
      expect(Object.keys(r.body)).toEqual(['error']);
    }
    expect((await route(custA)).status).toBe(200);
  });

  it('removed, the named URL answers 404 and the removal says what happened', async () => {
    const r = await portal(custA, `/${routing}`, { method: 'DELETE' });
    expect(r.status).toBe(200);
    expect(r.body.whatHappened).toMatch(/stop at once/);
    await expect.poll(async () => (await route(custA)).status, { timeout: 10_000 }).toBe(404);
  });

  it('every change the customer made in its portal is in the vendor\'s audit log, by the customer, with the options', async () => {
    const rows = await db()<{ action: string; actor_kind: string; actor_label: string; target_kind: string; target_id: string; target_label: string; details: Record<string, unknown> }[]>`
      select a.action, a.actor_kind, a.actor_label, a.target_kind, a.target_id, a.target_label, a.details from audit_log a
      join customers c on c.id = a.customer_id where c.external_id = ${custA} and a.target_kind = 'template' order by a.id`;
    expect(rows.map((r) => r.action)).toEqual(['template.enable', 'template.pause', 'template.resume', 'template.remove']);
    for (const r of rows) {
      expect(r).toMatchObject({ actor_kind: 'portal', actor_label: `customer ${custA} (portal)`, target_id: routing });
      expect(r.target_label).toMatch(new RegExp(`for ${custA}$`));
    }
    expect(rows[0].details).toMatchObject({ options: { defaultQueue: 'support' } });
    // A refused enable (bad options, CRM not connected) changed nothing and is not logged.
    expect(rows.some((r) => r.target_id === callerId)).toBe(false);
  });
});
