// The staff Embed page's API (app/api/staff/embedding) in-process on a real database, the next-auth session
// stubbed: each vendor reads and replaces only its own settings and widget actions, viewers cannot write,
// bad input is a 400 naming the field and changes nothing.
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeDb } from '../db/client';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { allowedOrigins, listWidgetActions } from './embed-settings';

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock('next-auth', async (orig) => ({ ...(await orig<typeof import('next-auth')>()), getServerSession: async () => session.current }));

const route = await import('@/app/api/staff/embedding/route');
const tokenRoute = await import('@/app/api/staff/embedding/widget-token/route');

let db: ScratchDb;
const users: Record<'alpha' | 'viewer' | 'beta', { vendorId: string; userId: string }> = {} as never;

beforeAll(async () => {
  db = await createScratchDb('pb_embed_staff_test');
  process.env.DATABASE_URL = db.url;
  users.alpha = await seedVendor(db.sql, 'alpha', 'owner');
  const [u] = await db.sql<{ id: string }[]>`insert into staff_users (vendor_id, email, name, password_hash, role) values (${users.alpha.vendorId}, 'viewer@alpha.test', 'viewer', 'x', 'viewer') returning id`;
  users.viewer = { vendorId: users.alpha.vendorId, userId: u.id };
  users.beta = await seedVendor(db.sql, 'beta', 'owner');
  await db.sql`insert into flows (vendor_id, name, automation, latest_version, published_version) values (${users.alpha.vendorId}, 'Resend last invoice', 'resend_last_invoice', 1, 1)`;
});

afterAll(async () => {
  await closeDb();
  await db?.drop();
});

const as = (who: keyof typeof users | null) => { session.current = who ? { user: { id: users[who].userId } } : null; };

async function call(method: 'GET' | 'PUT' | 'POST', body?: unknown, headers: Record<string, string> = {}) {
  const req = new NextRequest('http://localhost:3401/api/staff/embedding', {
    method, headers: { 'content-type': 'application/json', host: 'localhost:3401', ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const h = (method === 'GET' ? route.GET : method === 'PUT' ? route.PUT : tokenRoute.POST) as unknown as (r: NextRequest, c: { params: Promise<object> }) => Promise<Response>;
  const res = await h(req, { params: Promise.resolve({}) });
  return { status: res.status, json: await res.json() };
}

const good = {
  brandName: 'Alpha Voice', logo: 'data:image/png;base64,iVBORw0KGgo=', primaryColor: '#0f766e', accentColor: '#0b3b5c',
  allowedOrigins: ['https://app.alpha.example', 'http://localhost:5173/'],
  actions: [{ key: 'resend_invoice', label: 'Resend last invoice', automation: 'resend_last_invoice' }],
};

describe('staff embedding API', () => {
  it('saves and reads back one vendor\'s settings and actions; another vendor sees its own', async () => {
    as(null);
    expect((await call('GET')).status).toBe(401);
    as('alpha');
    const empty = await call('GET');
    expect(empty.json).toMatchObject({ settings: { brandName: null, allowedOrigins: [] }, actions: [], automations: [{ automation: 'resend_last_invoice', published: true }] });
    const saved = await call('PUT', good);
    expect(saved.status).toBe(200);
    expect(saved.json.settings).toMatchObject({ brandName: 'Alpha Voice', primaryColor: '#0f766e', allowedOrigins: ['https://app.alpha.example', 'http://localhost:5173'] });
    expect(saved.json.actions).toEqual(good.actions);
    expect(await allowedOrigins(db.sql, users.alpha.vendorId)).toEqual(['https://app.alpha.example', 'http://localhost:5173']);
    as('beta');
    expect((await call('GET')).json).toMatchObject({ settings: { brandName: null, allowedOrigins: [] }, actions: [], automations: [] });
    expect(await listWidgetActions(db.sql, users.beta.vendorId)).toEqual([]);
  });

  it('refuses viewers, other sites and bad input (naming the field) and keeps what was saved', async () => {
    as('viewer');
    expect((await call('GET')).status).toBe(200);
    expect((await call('PUT', { ...good, brandName: 'Viewer' })).status).toBe(403);
    as('alpha');
    expect((await call('PUT', { ...good, brandName: 'Evil' }, { origin: 'https://evil.example' })).status).toBe(403);
    const bad = async (patch: Record<string, unknown>) => (await call('PUT', { ...good, ...patch })).json.error;
    expect(await bad({ allowedOrigins: ['https://ok.example', 'http://plain-http.example'] })).toMatchObject({ code: 'invalid_input', path: ['allowedOrigins', 1] });
    expect(await bad({ primaryColor: 'teal' })).toMatchObject({ path: ['primaryColor'] });
    expect(await bad({ logo: 'javascript:alert(1)' })).toMatchObject({ path: ['logo'] });
    expect(await bad({ actions: [{ key: 'x', label: 'X', automation: 'Not An Automation' }] })).toMatchObject({ path: ['actions', 0, 'automation'] });
    expect(await bad({ actions: Array.from({ length: 13 }, (_, i) => ({ key: `k${i}`, label: 'K', automation: 'a' })) })).toMatchObject({ path: ['actions'] });
    expect((await call('GET')).json.settings.brandName).toBe('Alpha Voice');
  });

  it('mints a preview widget token for the vendor\'s own customers only', async () => {
    process.env.NEXTAUTH_SECRET ??= 'embed-staff-test-secret-0123456789abcdef';
    as('alpha');
    const ok = await call('POST', { customer: 'alpha-c1' });
    expect(ok.status).toBe(201);
    const { verifyWidgetToken } = await import('../widget/widget-tokens');
    const v = verifyWidgetToken(process.env.NEXTAUTH_SECRET, ok.json.token);
    expect(v.ok && v.claims).toMatchObject({ vendorId: users.alpha.vendorId, externalId: 'alpha-c1' });
    expect((await call('POST', { customer: 'beta-c1' })).status).toBe(404);
    expect((await call('POST', { customer: 'no such/customer' })).json.error.path).toEqual(['customer']);
    as('viewer');
    expect((await call('POST', { customer: 'alpha-c1' })).status).toBe(403);
  });
});
