// The agent widget and the embeddable portal against the running server (issue 16 item 6, issue 12 item 3):
// widget tokens minted with the vendor's key, checked on every widget call (altered, expired, another
// customer's, another kind of token: 401/404, never data), CORS for the vendor's origins only, the caller
// card and a widget action running its automation; embed portal links whose cookie works in a third-party
// iframe, framing allowed to the vendor's configured origins only, and cross-site writes refused.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { beforeAll, describe, expect, it, inject } from 'vitest';
import { replaceWidgetActions, saveEmbedSettings } from '@/lib/embed/embed-settings';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { createApiKey } from '@/lib/tenancy/api-keys';
import { createCustomer } from '@/lib/tenancy/customers';
import { createVendor } from '@/lib/tenancy/vendors';
import { createTicketFlow, resendInvoiceFlow } from '@/lib/widget/example-flows';
import { mintWidgetToken } from '@/lib/widget/widget-tokens';
import { api, baseUrl, browse, db } from './helpers';

const uniq = Math.random().toString(36).slice(2, 8);
const custA = `widget-a-${uniq}`;
const custB = `widget-b-${uniq}`;
const hostOrigin = 'https://desk.widget-vendor.example';
let key = '';
let otherKey = '';
let vendorId = '';
let customerA = '';
let plainVendorKey = '';

const authSecret = () => JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).authSecret as string;

async function mint(customer: string, body?: unknown, k = key) {
  return api(`/api/v1/customers/${customer}/widget-tokens`, { method: 'POST', body, key: k });
}

async function widget(p: string, token: string | null, o: { method?: string; body?: unknown; origin?: string } = {}) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (o.origin) headers.origin = o.origin;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(baseUrl() + p, { method: o.method ?? (o.body !== undefined ? 'POST' : 'GET'), headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  let body: any = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = text; }
  return { status: res.status, body, text, headers: res.headers };
}

beforeAll(async () => {
  const sql = db();
  const v = await createVendor(sql, { slug: `widgets-${uniq}`, name: 'Widget Telecom' });
  vendorId = v.id;
  key = (await createApiKey(sql, { vendorId: v.id, name: 'widgets' })).key;
  const a = await createCustomer(sql, { vendorId: v.id, externalId: custA, name: 'Acme Widgets', defaultCountry: 'GB' });
  customerA = a.ref.id;
  await createCustomer(sql, { vendorId: v.id, externalId: custB, name: 'Bravo Widgets', defaultCountry: 'US' });
  for (const def of [resendInvoiceFlow(), createTicketFlow()]) {
    const saved = await saveFlowVersion(sql, { vendorId: v.id, definition: def });
    await publishFlow(sql, v.id, saved.flowId, saved.version);
    // Customer A has both automations; customer B none.
    await enableIntegration(sql, { vendorId: v.id, customerId: a.ref.id, flowId: saved.flowId });
  }
  await replaceWidgetActions(sql, v.id, [
    { key: 'resend_invoice', label: 'Resend last invoice', automation: 'resend_last_invoice' },
    { key: 'ticket', label: 'Create ticket', automation: 'create_ticket' },
    { key: 'nothing', label: 'Not enabled anywhere', automation: 'no_such_automation' },
  ]);
  await saveEmbedSettings(sql, v.id, { brandName: 'Widget Telecom', logo: null, primaryColor: '#0f766e', accentColor: null, allowedOrigins: [hostOrigin] });
  const r = await api(`/api/v1/customers/${custA}/cdp/contacts`, { key, body: { contacts: [
    { source: 'hubspot', externalId: 'w1', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Ltd', email: 'ada@analytical.example', phones: ['+44 20 7946 0000'], crmUrl: 'https://app.hubspot.com/contacts/1/contact/w1', custom: { tier: 'gold' } },
  ] } });
  expect(r.status).toBe(200);
  // A second vendor: its key must not mint for the first vendor's customers.
  const other = await createVendor(sql, { slug: `widgets-other-${uniq}`, name: 'Other Telecom' });
  otherKey = (await createApiKey(sql, { vendorId: other.id, name: 'other' })).key;
  // A vendor with no allowed origins (its portal must stay unframeable).
  const plain = await createVendor(sql, { slug: `widgets-plain-${uniq}`, name: 'Plain Telecom' });
  plainVendorKey = (await createApiKey(sql, { vendorId: plain.id, name: 'plain' })).key;
  await createCustomer(sql, { vendorId: plain.id, externalId: `plain-${uniq}`, name: 'Plain Co', defaultCountry: 'US' });
});

describe('widget tokens', () => {
  it('are minted for one customer with the vendor key, short-lived, bounds named', async () => {
    const before = Date.now();
    const r = await mint(custA, { expiresInSeconds: 120 });
    expect(r.status).toBe(201);
    expect(r.body.token).toMatch(/^pbw_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(r.body.customerId).toBe(custA);
    const exp = Date.parse(r.body.expiresAt);
    expect(exp).toBeGreaterThanOrEqual(before + 119_000);
    expect(exp).toBeLessThanOrEqual(Date.now() + 121_000);
    const dflt = await mint(custA);
    expect(dflt.status).toBe(201);
    expect(Date.parse(dflt.body.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(dflt.body.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000 + 2000);

    expect((await mint(custA, { expiresInSeconds: 59 })).body.error).toMatchObject({ code: 'invalid_input', path: ['expiresInSeconds'] });
    expect((await mint(custA, { expiresInSeconds: 3601 })).body.error).toMatchObject({ code: 'invalid_input', path: ['expiresInSeconds'] });
    expect((await mint(custA, { expiresInSeconds: 'soon' })).status).toBe(400);
    expect((await mint(custA, undefined, null as never)).status).toBe(401);
    expect((await mint(custA, undefined, 'pb_not_a_key')).status).toBe(401);
    // Another vendor's key, and a customer nobody has: the same 404.
    const foreign = await mint(custA, undefined, otherKey);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ error: expect.objectContaining({ code: 'customer_not_found' }) });
    expect((await mint(`nobody-${uniq}`)).status).toBe(404);
  });

  it('are not minted with a key confined to one customer, even for that customer (vendor keys only)', async () => {
    const keyOfA = (await createApiKey(db(), { vendorId, customerId: customerA, name: 'customer A only' })).key;
    const own = await mint(custA, undefined, keyOfA);
    expect(own.status).toBe(403);
    expect(own.body).toEqual({ error: expect.objectContaining({ code: 'customer_key_not_allowed' }) });
    expect((await mint(custB, undefined, keyOfA)).status).toBe(403);
  });

  it('open the caller card of their own customer only; altered, expired, foreign-kind tokens get 401, another customer 404, never data', async () => {
    const { token } = (await mint(custA)).body;
    const ok = await widget(`/api/widget/v1/customers/${custA}/card?phone=020%207946%200000`, token);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      customer: { id: custA, name: 'Acme Widgets' },
      brand: { name: 'Widget Telecom', primaryColor: '#0f766e' },
      phone: '+442079460000',
      contact: { displayName: 'Ada Lovelace', company: 'Analytical Ltd', email: 'ada@analytical.example', custom: { tier: 'gold' } },
      call: null,
    });
    // Only the actions whose automation this customer has enabled.
    expect(ok.body.actions.map((a: { key: string }) => a.key)).toEqual(['resend_invoice', 'ticket']);

    const refused = async (t: string | null, customer = custA) => {
      const r = await widget(`/api/widget/v1/customers/${customer}/card?phone=%2B442079460000`, t);
      expect(Object.keys(r.body), r.text).toEqual(['error']);
      expect(r.text).not.toMatch(/Lovelace|analytical/i);
      return r;
    };
    expect((await refused(null)).status).toBe(401);
    const [body, mac] = token.slice(4).split('.');
    const flipped = `pbw_${body}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    expect((await refused(flipped)).status).toBe(401);
    // A payload rewritten to name customer B, with A's signature.
    const forged = JSON.parse(Buffer.from(body, 'base64url').toString());
    const b64 = Buffer.from(JSON.stringify({ ...forged, x: custB })).toString('base64url');
    expect((await refused(`pbw_${b64}.${mac}`, custB)).status).toBe(401);
    // Expired (signed with the server's own secret, an hour ago).
    const expired = mintWidgetToken(authSecret(), { id: customerA, vendorId, externalId: custA }, 60, Date.now() - 3600_000).token;
    const exp = await refused(expired);
    expect(exp.status).toBe(401);
    expect(exp.body.error.code).toBe('token_expired');
    // A valid token of customer A used for customer B.
    expect((await refused(token, custB)).status).toBe(404);
    // Customer B's own token works for B (and B has no actions enabled).
    const tb = (await mint(custB)).body.token;
    const b = await widget(`/api/widget/v1/customers/${custB}/card?phone=%2B442079460000`, tb);
    expect(b.status).toBe(200);
    expect(b.body.contact).toBeNull();
    expect(b.body.actions).toEqual([]);
    // A portal link's token, the vendor's API key: not widget tokens.
    const link = await api(`/api/v1/customers/${custA}/portal-links`, { method: 'POST', key });
    expect((await refused(`pbw_${new URL(link.body.url, baseUrl()).searchParams.get('token')}`)).status).toBe(401);
    expect((await refused(key)).status).toBe(401);
  });

  it('answers CORS for the vendor\'s origins; a page elsewhere gets 403 and no data', async () => {
    const { token } = (await mint(custA)).body;
    const pre = await fetch(`${baseUrl()}/api/widget/v1/customers/${custA}/actions/ticket/run`, {
      method: 'OPTIONS', headers: { origin: hostOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(hostOrigin);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();

    const allowed = await widget(`/api/widget/v1/customers/${custA}/card?phone=%2B442079460000`, token, { origin: hostOrigin });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(hostOrigin);
    expect(allowed.headers.get('vary')).toMatch(/Origin/i);

    const evil = await widget(`/api/widget/v1/customers/${custA}/card?phone=%2B442079460000`, token, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.body.error.code).toBe('origin_not_allowed');
    expect(evil.text).not.toMatch(/Lovelace/);
    const evilRun = await widget(`/api/widget/v1/customers/${custA}/actions/ticket/run`, token, { origin: 'https://evil.example', body: { callId: 'c-evil' } });
    expect(evilRun.status).toBe(403);
  });

  it('runs a widget action: its automation for this customer with the current call, the answer shown', async () => {
    const { token } = (await mint(custA)).body;
    const r = await widget(`/api/widget/v1/customers/${custA}/actions/resend_invoice/run`, token, { origin: hostOrigin, body: { phone: '+44 20 7946 0000', callId: 'c-42' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, status: 'succeeded', responseStatus: 200, response: { sent: true, message: 'Last invoice resent to Ada Lovelace <ada@analytical.example>' }, error: null });
    expect(r.headers.get('x-patchbay-run-id')).toBe(r.body.runId);
    expect(r.headers.get('access-control-expose-headers')).toMatch(/x-patchbay-run-id/);
    // The run is recorded like any run of that automation, for that customer, with the widget's input.
    await expect.poll(async () => (await api(`/api/v1/runs/${r.body.runId}`, { key })).body?.status, { timeout: 10_000 }).toBe('succeeded');
    const run = await api(`/api/v1/runs/${r.body.runId}`, { key });
    expect(run.body.trigger).toEqual({ action: 'resend_invoice', source: 'widget', phone: '+44 20 7946 0000', callId: 'c-42' });

    const t = await widget(`/api/widget/v1/customers/${custA}/actions/ticket/run`, token, { body: { phone: '+14155550123', callId: 'c-43' } });
    expect(t.body).toMatchObject({ ok: true, response: { message: 'Ticket created for call c-43 from +14155550123' } });

    // An action the customer has not enabled, one that does not exist, a bad key, bad input.
    expect((await widget(`/api/widget/v1/customers/${custA}/actions/nothing/run`, token, { body: {} })).body.error.code).toBe('automation_not_found');
    expect((await widget(`/api/widget/v1/customers/${custA}/actions/missing/run`, token, { body: {} })).body.error.code).toBe('action_not_found');
    expect((await widget(`/api/widget/v1/customers/${custA}/actions/Bad-Key/run`, token, { body: {} })).status).toBe(404);
    expect((await widget(`/api/widget/v1/customers/${custA}/actions/ticket/run`, token, { body: { callId: 'x'.repeat(201) } })).body.error).toMatchObject({ code: 'invalid_input', path: ['callId'] });
    // Customer B's token cannot run A's actions; B has none enabled.
    const tb = (await mint(custB)).body.token;
    expect((await widget(`/api/widget/v1/customers/${custA}/actions/ticket/run`, tb, { body: {} })).status).toBe(404);
    expect((await widget(`/api/widget/v1/customers/${custB}/actions/ticket/run`, tb, { body: {} })).body.error.code).toBe('automation_not_found');
  });

  it('reads the caller from the call session when the desktop names the call', async () => {
    await db()`insert into call_sessions (customer_id, call_id, state, call) values (${customerA}, ${`call-${uniq}`}, 'answered',
      ${db().json({ direction: 'inbound', from: '+442079460000', to: '+442071234567', agentEmail: 'agent@widget.example', startedAt: '2026-11-30T06:00:00.000Z' })})`;
    const { token } = (await mint(custA)).body;
    const r = await widget(`/api/widget/v1/customers/${custA}/card?callId=call-${uniq}`, token);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ phone: '+442079460000', call: { callId: `call-${uniq}`, state: 'answered', agentEmail: 'agent@widget.example' }, contact: { displayName: 'Ada Lovelace' } });
    const unknown = await widget(`/api/widget/v1/customers/${custA}/card?callId=nope`, token);
    expect(unknown.body).toMatchObject({ call: null, contact: null, phone: null });
  });

  it('serves the widget script for any page', async () => {
    const r = await fetch(`${baseUrl()}/api/widget/v1/widget.js`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/javascript/);
    expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const js = await r.text();
    expect(js).toMatch(/customElements\.define\(['"]patchbay-widget['"]/);
    expect(js).toContain('attachShadow');
    expect(() => new vm.Script(js)).not.toThrow(); // it parses (compiled, not run)
  });
});

describe('the embeddable portal', () => {
  const cspOf = (h: Headers) => h.get('content-security-policy') ?? '';

  it('an embed link opens a session whose cookie works in a third-party iframe, framed only by the vendor\'s origins', async () => {
    const link = await api(`/api/v1/customers/${custA}/portal-links`, { method: 'POST', key, body: { embed: true } });
    expect(link.status).toBe(201);
    const open = await browse(link.body.url);
    expect(open.status).toBe(303);
    const set = open.setCookies.find((c) => c.startsWith('pb_portal='))!;
    expect(set).toMatch(/SameSite=None/);
    expect(set).toMatch(/; Secure/);
    expect(set).toMatch(/; Partitioned/);
    expect(set).toMatch(/HttpOnly/);
    expect(cspOf(open.headers)).toContain(`frame-ancestors ${hostOrigin}`);
    expect(open.headers.get('x-frame-options')).toBeNull();
    const cookie = set.split(';')[0];
    // Every portal page of that session may be framed by the vendor's origin and no other.
    const page = await browse(`/portal/${custA}/connections`, { cookie });
    expect(cspOf(page.headers)).toMatch(new RegExp(`frame-ancestors ${hostOrigin.replace(/\./g, '\\.')}(;|$)`));
    expect(cspOf(page.headers)).not.toContain("frame-ancestors 'none'");
    // The portal API works with it, and refuses a write from another site (CSRF), by Origin or Sec-Fetch-Site.
    expect((await browse(`/api/portal/${custA}/connections`, { cookie })).status).toBe(200);
    const put = (headers: Record<string, string>) => browse(`/api/portal/${custA}/connections/pipedrive`, { method: 'PUT', cookie, headers, body: { credentials: { apiToken: 'pd-embed' } } });
    expect((await put({ origin: hostOrigin })).status).toBe(403);
    expect((await put({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const own = new URL(baseUrl()).origin;
    expect((await put({ origin: own, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // Signing out drops the partitioned cookie with the same attributes.
    const out = await browse(`/api/portal/${custA}/sign-out`, { method: 'POST', cookie, headers: { origin: own } });
    expect(out.status).toBe(204);
    const cleared = out.setCookies.find((c) => c.startsWith('pb_portal='))!;
    expect(cleared).toMatch(/Max-Age=0/);
    expect(cleared).toMatch(/SameSite=None; Secure; Partitioned/);
  });

  it('a plain link keeps its first-party cookie, and a vendor without allowed origins is never framed', async () => {
    const link = await api(`/api/v1/customers/${custA}/portal-links`, { method: 'POST', key });
    const open = await browse(link.body.url);
    const set = open.setCookies.find((c) => c.startsWith('pb_portal='))!;
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).not.toMatch(/Partitioned/);

    const plain = await api(`/api/v1/customers/plain-${uniq}/portal-links`, { method: 'POST', key: plainVendorKey, body: { embed: true } });
    const p = await browse(plain.body.url);
    expect(p.status).toBe(303);
    expect(cspOf(p.headers)).toContain("frame-ancestors 'none'");
    expect(p.headers.get('x-frame-options')).toBe('DENY');
    const cookie = p.setCookies.find((c) => c.startsWith('pb_portal='))!.split(';')[0];
    expect(cspOf((await browse(`/portal/plain-${uniq}/connections`, { cookie })).headers)).toContain("frame-ancestors 'none'");
    // Without a session, or with an altered link: not framed either.
    expect(cspOf((await browse(`/portal/${custA}/connections`)).headers)).toContain("frame-ancestors 'none'");
    expect(cspOf((await browse(`/portal/${custA}?token=AAAA.BBBB`)).headers)).toContain("frame-ancestors 'none'");
    // The staff app and sign-in page stay unframeable whatever the cookie says.
    expect(cspOf((await browse('/login', { cookie })).headers)).toContain("frame-ancestors 'none'");
  });

  it('refuses a bad embed flag naming the field', async () => {
    const r = await api(`/api/v1/customers/${custA}/portal-links`, { method: 'POST', key, body: { embed: 'yes' } });
    expect(r.status).toBe(400);
    expect(r.body.error.path).toEqual(['embed']);
  });
});
