// Security against the running server (issue 15, items 13, 14, 16): the vendor provisions the phone-system
// connection (the portal neither lists nor accepts it), a portal sign-out revokes the session server-side at
// once, and every page carries the security headers.
import { describe, expect, it } from 'vitest';
import { signWebhookBody } from '@/engine/connectors/phone-system/webhook-signature';
import { ORIGIN_TTL_MS } from '@/lib/embed/embed-settings';
import { api, baseUrl, browse, db } from './helpers';

const uniq = Math.random().toString(36).slice(2, 8);


async function newCustomer(prefix: string): Promise<string> {
  const id = `${prefix}-${uniq}`;
  expect((await api('/api/v1/customers', { body: { externalId: id, name: `Customer ${id}` } })).status).toBe(201);
  return id;
}

async function portalCookie(customer: string): Promise<string> {
  const link = await api(`/api/v1/customers/${customer}/portal-links`, { method: 'POST' });
  const r = await browse(link.body.url);
  expect(r.status).toBe(303);
  return r.setCookies.find((c) => c.startsWith('pb_portal='))!.split(';')[0];
}

describe('13: the phone-system connection is provisioned by the vendor', () => {
  it('is set through the public API (webhook secret included), never answered back, and call webhooks then verify', async () => {
    const cust = await newCustomer('phone');
    const hook = `/api/v1/hooks/demo/${cust}/phone-system`;
    const body = JSON.stringify({ event: 'call.ringing', callId: 'c-1', deliveryId: `d-${uniq}` });
    const secret = `whsec_${uniq}_0123456789abcdef`;
    // Before: 401, as for a missing customer.
    expect((await fetch(baseUrl() + hook, { method: 'POST', headers: { 'x-phonesystem-signature': signWebhookBody(secret, body) }, body })).status).toBe(401);

    const put = await api(`/api/v1/customers/${cust}/connections/phonesystem`, { method: 'PUT', body: { baseUrl: 'http://127.0.0.1:4020', credentials: { token: 'phone-token' }, webhookSecret: secret } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ baseUrl: 'http://127.0.0.1:4020', webhookSecretSet: true, authKind: 'apiKey' });
    expect(JSON.stringify(put.body)).not.toMatch(/phone-token|whsec_/);
    const got = await api(`/api/v1/customers/${cust}/connections/phonesystem`);
    expect(got.body).toMatchObject({ webhookSecretSet: true });
    expect(JSON.stringify(got.body)).not.toMatch(/phone-token|whsec_/);

    const delivered = await fetch(baseUrl() + hook, { method: 'POST', headers: { 'x-phonesystem-signature': signWebhookBody(secret, body) }, body });
    expect(delivered.status).toBe(202);
    expect((await fetch(baseUrl() + hook, { method: 'POST', headers: { 'x-phonesystem-signature': signWebhookBody('wrong-secret-0123456789', body) }, body })).status).toBe(401);
  });

  it('refuses bad provisioning input with 400 naming the field', async () => {
    const cust = await newCustomer('phonebad');
    const put = (b: unknown) => api(`/api/v1/customers/${cust}/connections/phonesystem`, { method: 'PUT', body: b });
    expect((await put({ baseUrl: 'http://127.0.0.1:4020', credentials: { token: 't' }, webhookSecret: 'short' })).body.error.path).toEqual(['webhookSecret']);
    expect((await put({ baseUrl: 'ftp://x', credentials: { token: 't' } })).body.error.path).toEqual(['baseUrl']);
    expect((await put({ baseUrl: 'http://127.0.0.1:4020', credentials: {} })).body.error.path).toEqual(['credentials', 'token']);
    expect((await put({ baseUrl: 'http://127.0.0.1:4020', credentials: { token: 't', extra: 'x' } })).status).toBe(400);
    expect((await api(`/api/v1/customers/nobody-${uniq}/connections/phonesystem`, { method: 'PUT', body: { baseUrl: 'http://x', credentials: { token: 't' } } })).status).toBe(404);
  });

  it('is not offered in the customer portal', async () => {
    const cust = await newCustomer('portalphone');
    const cookie = await portalCookie(cust);
    const list = await browse(`/api/portal/${cust}/connections`, { cookie });
    expect(list.status).toBe(200);
    expect(list.body.connectors.map((c: { system: string }) => c.system)).not.toContain('phonesystem');
    expect(list.body.connectors.length).toBeGreaterThan(0);
    const put = await browse(`/api/portal/${cust}/connections/phonesystem`, { method: 'PUT', cookie, body: { credentials: { token: 'x' } } });
    expect(put.status).toBe(404);
    expect(put.body.error.code).toBe('connector_not_found');
  });
});

describe('14: portal sign-out', () => {
  it('revokes the session server-side at once: a copy of the cookie stops working', async () => {
    const cust = await newCustomer('signout');
    const cookie = await portalCookie(cust);
    const other = await portalCookie(cust);
    expect((await browse(`/api/portal/${cust}/connections`, { cookie })).status).toBe(200);
    const out = await browse(`/api/portal/${cust}/sign-out`, { method: 'POST', cookie });
    expect(out.status).toBe(204);
    // The same token, as an attacker who copied it would send it:
    const after = await browse(`/api/portal/${cust}/connections`, { cookie });
    expect(after.status).toBe(401);
    expect((await browse('/api/portal/oauth/callback?code=x&state=y', { cookie })).status).toBe(401);
    // Another session of the same customer is untouched.
    expect((await browse(`/api/portal/${cust}/connections`, { cookie: other })).status).toBe(200);
    const rows = await db()`select id, expires_at from session_revocations where id like 'portal:%'`;
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe('16: security headers', () => {
  it('every page (sign-in, portal, errors) forbids framing and sniffing and sets a CSP and referrer policy', async () => {
    const cust = await newCustomer('headers');
    // Framing of the portal is the vendor's choice (staff Embed page); a vendor that allowed no origin gets none.
    await db()`update vendor_embed_settings set allowed_origins = '{}' where vendor_id = (select vendor_id from customers where external_id = ${cust})`;
    await new Promise((r) => setTimeout(r, ORIGIN_TTL_MS + 500)); // the server caches a vendor's origins this long
    const link = await api(`/api/v1/customers/${cust}/portal-links`, { method: 'POST' });
    const pages = [await browse('/login'), await browse('/portal/x?token=bad'), await browse(link.body.url), await browse(`/api/portal/${cust}/connections`), await browse('/flows/%E0%A4%A')];
    for (const r of pages) {
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    }
    expect((await api('/api/v1/health')).headers.get('x-content-type-options')).toBe('nosniff');
  });
});
