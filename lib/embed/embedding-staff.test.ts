// The staff Embed page's API (lib/api/staff/embedding.ts) on a real database through the edge over real HTTP,
// sessions minted as next-auth mints them: each vendor reads and replaces only its own settings and widget
// actions, viewers cannot write, bad input is a 400 naming the field and changes nothing, and a save that
// changes something leaves one audit row naming what changed (never the logo itself).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEmbeddingRoute, previewWidgetTokenRoute, saveEmbeddingRoute } from '../api/staff/embedding';
import { seedVendor, type ScratchDb } from '../testing/scratch-db';
import { startStaffTestbed, type startStaffEdge } from '../testing/staff-edge';
import { verifyWidgetToken } from '../widget/widget-tokens';
import { allowedOrigins, listWidgetActions } from './embed-settings';

let db: ScratchDb;
let testbed: Awaited<ReturnType<typeof startStaffTestbed>>;
let edge: Awaited<ReturnType<typeof startStaffEdge>>;
const users: Record<'alpha' | 'viewer' | 'beta', { vendorId: string; userId: string; role: 'owner' | 'viewer' }> = {} as never;

beforeAll(async () => {
  testbed = await startStaffTestbed('pb_embed_staff_test');
  ({ db, edge } = testbed);
  users.alpha = { ...(await seedVendor(db.sql, 'alpha', 'owner')), role: 'owner' };
  const [u] = await db.sql<{ id: string }[]>`insert into staff_users (vendor_id, email, name, password_hash, role) values (${users.alpha.vendorId}, 'viewer@alpha.test', 'viewer', 'x', 'viewer') returning id`;
  users.viewer = { vendorId: users.alpha.vendorId, userId: u.id, role: 'viewer' };
  users.beta = { ...(await seedVendor(db.sql, 'beta', 'owner')), role: 'owner' };
  await db.sql`insert into flows (vendor_id, name, automation, latest_version, published_version) values (${users.alpha.vendorId}, 'Resend last invoice', 'resend_last_invoice', 1, 1)`;
});

afterAll(async () => {
  await testbed?.close();
});

const as = (who: keyof typeof users | null) => edge.as(who ? users[who] : null);

async function call(method: 'GET' | 'PUT' | 'POST', body?: unknown, headers: Record<string, string> = {}) {
  const route = method === 'GET' ? getEmbeddingRoute : method === 'PUT' ? saveEmbeddingRoute : previewWidgetTokenRoute;
  return edge.call(route, { body, headers });
}

const auditRows = (vendorId: string) => db.sql<{ action: string; actor_kind: string; actor_id: string; target_kind: string; details: any }[]>`
  select action, actor_kind, actor_id, target_kind, details from audit_log where vendor_id = ${vendorId} and action = 'embed_settings.update' order by id`;

const good = {
  brandName: 'Alpha Voice', logo: 'data:image/png;base64,iVBORw0KGgo=', primaryColor: '#0f766e', accentColor: '#0b3b5c',
  allowedOrigins: ['https://app.alpha.example', 'http://localhost:5173/'],
  actions: [{ key: 'resend_invoice', label: 'Resend last invoice', automation: 'resend_last_invoice' }],
};

describe('staff embedding API', () => {
  it('saves and reads back one vendor\'s settings and actions; another vendor sees its own', async () => {
    await as(null);
    expect((await call('GET')).status).toBe(401);
    await as('alpha');
    const empty = await call('GET');
    expect(empty.json).toMatchObject({ settings: { brandName: null, allowedOrigins: [] }, actions: [], automations: [{ automation: 'resend_last_invoice', published: true }] });
    const saved = await call('PUT', good);
    expect(saved.status).toBe(200);
    expect(saved.json.settings).toMatchObject({ brandName: 'Alpha Voice', primaryColor: '#0f766e', allowedOrigins: ['https://app.alpha.example', 'http://localhost:5173'] });
    expect(saved.json.actions).toEqual(good.actions);
    expect(await allowedOrigins(db.sql, users.alpha.vendorId)).toEqual(['https://app.alpha.example', 'http://localhost:5173']);
    await as('beta');
    expect((await call('GET')).json).toMatchObject({ settings: { brandName: null, allowedOrigins: [] }, actions: [], automations: [] });
    expect(await listWidgetActions(db.sql, users.beta.vendorId)).toEqual([]);
    expect(await auditRows(users.beta.vendorId)).toEqual([]);
  });

  it('audits a save that changes something, naming what changed (not the logo), and not a save that changes nothing', async () => {
    const [first] = await auditRows(users.alpha.vendorId);
    expect(first).toMatchObject({ actor_kind: 'staff', actor_id: users.alpha.userId, target_kind: 'embed_settings' });
    expect(first.details).toEqual({
      changed: ['brandName', 'logo', 'primaryColor', 'accentColor'],
      allowedOrigins: { added: ['https://app.alpha.example', 'http://localhost:5173'], removed: [] },
      actions: { added: ['resend_invoice'], removed: [], changed: [], reordered: false },
    });
    await as('alpha');
    expect((await call('PUT', good)).status).toBe(200);
    expect(await auditRows(users.alpha.vendorId)).toHaveLength(1);
    const next = { ...good, allowedOrigins: ['https://app.alpha.example'], actions: [{ ...good.actions[0], label: 'Resend invoice' }, { key: 'open_ticket', label: 'Open ticket', automation: 'open_ticket' }] };
    expect((await call('PUT', next)).status).toBe(200);
    const rows = await auditRows(users.alpha.vendorId);
    expect(rows).toHaveLength(2);
    expect(rows[1].details).toEqual({
      allowedOrigins: { added: [], removed: ['http://localhost:5173'] },
      actions: { added: ['open_ticket'], removed: [], changed: ['resend_invoice'], reordered: false },
    });
    expect((await call('PUT', good)).status).toBe(200); // back to the first form for the next test
    expect(await auditRows(users.alpha.vendorId)).toHaveLength(3);
  });

  it('refuses viewers, other sites and bad input (naming the field) and keeps what was saved', async () => {
    const audits = (await auditRows(users.alpha.vendorId)).length;
    await as('viewer');
    expect((await call('GET')).status).toBe(200);
    expect((await call('PUT', { ...good, brandName: 'Viewer' })).status).toBe(403);
    await as('alpha');
    expect((await call('PUT', { ...good, brandName: 'Evil' }, { origin: 'https://evil.example' })).status).toBe(403);
    const bad = async (patch: Record<string, unknown>) => (await call('PUT', { ...good, ...patch })).json.error;
    expect(await bad({ allowedOrigins: ['https://ok.example', 'http://plain-http.example'] })).toMatchObject({ code: 'invalid_input', path: ['allowedOrigins', 1] });
    expect(await bad({ primaryColor: 'teal' })).toMatchObject({ path: ['primaryColor'] });
    expect(await bad({ logo: 'javascript:alert(1)' })).toMatchObject({ path: ['logo'] });
    expect(await bad({ actions: [{ key: 'x', label: 'X', automation: 'Not An Automation' }] })).toMatchObject({ path: ['actions', 0, 'automation'] });
    expect(await bad({ actions: Array.from({ length: 13 }, (_, i) => ({ key: `k${i}`, label: 'K', automation: 'a' })) })).toMatchObject({ path: ['actions'] });
    expect(await bad({ brandName: 'a\u0000b' })).toMatchObject({ code: 'invalid_input', path: ['brandName'] });
    expect((await call('GET')).json.settings.brandName).toBe('Alpha Voice');
    expect(await auditRows(users.alpha.vendorId)).toHaveLength(audits);
  });

  it('mints a preview widget token for the vendor\'s own customers only', async () => {
    await as('alpha');
    const ok = await call('POST', { customer: 'alpha-c1' });
    expect(ok.status).toBe(201);
    const v = verifyWidgetToken(process.env.NEXTAUTH_SECRET!, ok.json.token);
    expect(v.ok && v.claims).toMatchObject({ vendorId: users.alpha.vendorId, externalId: 'alpha-c1' });
    expect(Date.parse(ok.json.expiresAt) - Date.now()).toBeGreaterThan(500_000);
    expect(Date.parse(ok.json.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
    const other = await call('POST', { customer: 'beta-c1' });
    expect(other.status).toBe(404);
    expect(other.json.error).toMatchObject({ code: 'customer_not_found', path: ['customer'] });
    expect((await call('POST', { customer: 'no such/customer' })).json.error.path).toEqual(['customer']);
    await as('viewer');
    expect((await call('POST', { customer: 'alpha-c1' })).status).toBe(403);
  });
});
