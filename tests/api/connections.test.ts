// The customer portal's connections against the running server: a vendor-requested portal link becomes a
// customer-scoped cookie; the customer connects HubSpot (an emulator started here) with a token and with
// OAuth, tests it, sees plain-words health, and disconnects. Other customers' connections stay out of reach.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { decryptJson } from '@/lib/crypto/credentials';
import { demoApp } from '@/lib/connections/oauth-clients';
import { signPortalToken } from '@/lib/portal/portal-tokens';
import { api, baseUrl, browse, db } from './helpers';

const uniq = Math.random().toString(36).slice(2, 8);
const custA = `portal-a-${uniq}`;
const custB = `portal-b-${uniq}`;
let emu: HubspotEmulator;
const cookies: Record<string, string> = {};

function serverSecrets(): { authSecret: string; encryptionKey: Buffer } {
  const s = JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8'));
  return { authSecret: process.env.NEXTAUTH_SECRET ?? s.authSecret, encryptionKey: Buffer.from(process.env.PATCHBAY_ENCRYPTION_KEY ?? s.encryptionKey, 'hex') };
}


const cookieValue = (setCookies: string[], name: string) => setCookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0];

async function portalLink(customer: string, body?: unknown) {
  return api(`/api/v1/customers/${customer}/portal-links`, { method: 'POST', body });
}

async function openPortal(customer: string): Promise<string> {
  const link = await portalLink(customer);
  expect(link.status).toBe(201);
  const r = await browse(link.body.url);
  expect(r.status).toBe(303);
  return cookieValue(r.setCookies, 'pb_portal')!;
}

function startOAuth(cookie: string, headers?: Record<string, string>) {
  return browse(`/api/portal/${custA}/connections/hubspot/oauth/start`, { method: 'POST', cookie, body: { baseUrl: emu.url }, headers });
}

async function storedRow(customer: string, system: string) {
  const rows = await db()`select c.*, c::text as row_text from connections c join customers cu on cu.id = c.customer_id where cu.external_id = ${customer} and c.system = ${system}`;
  return rows[0] as undefined | { auth_kind: string; base_url: string; credentials_enc: string; status: string; last_error: string | null; row_text: string };
}

beforeAll(async () => {
  for (const id of [custA, custB]) expect((await api('/api/v1/customers', { body: { externalId: id, name: `Customer ${id}` } })).status).toBe(201);
  emu = await startHubspotEmulator({ contacts: 10, token: 'hs-good-token', oauth: demoApp('hubspot', inject('dataDir'))! });
});

afterAll(async () => { await emu?.close(); });

describe('portal links', () => {
  it('are issued to the vendor key as /portal/{customerId}?token=… with an expiry', async () => {
    const r = await portalLink(custA, { expiresInSeconds: 300 });
    expect(r.status).toBe(201);
    expect(r.body.url).toMatch(new RegExp(`^/portal/${custA}\\?token=[\\w-]+\\.[\\w-]+$`));
    const ttl = Date.parse(r.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
  });

  it('are refused without a key, for unknown customers and with a bad lifetime', async () => {
    expect((await api(`/api/v1/customers/${custA}/portal-links`, { method: 'POST', key: null })).status).toBe(401);
    expect((await portalLink('nobody-here')).status).toBe(404);
    const bad = await portalLink(custA, { expiresInSeconds: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/expiresInSeconds.*at least 60 seconds/);
  });

  it('open into an httpOnly session cookie scoped to that customer', async () => {
    const link = await portalLink(custA);
    const r = await browse(link.body.url);
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/portal/${custA}/connections`);
    const set = r.setCookies.find((c) => c.startsWith('pb_portal='))!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    cookies.a = cookieValue(r.setCookies, 'pb_portal')!;
    cookies.b = await openPortal(custB);
  });

  it('open once: the same link a second time (history, a forwarded mail) leads nowhere', async () => {
    const link = await portalLink(custA);
    expect((await browse(link.body.url)).status).toBe(303);
    const again = await browse(link.body.url);
    expect(again.status).toBe(410);
    expect(again.text).toMatch(/already been used/);
    expect(again.setCookies.find((c) => c.startsWith('pb_portal='))).toBeUndefined();
    // a fresh link still opens
    expect((await browse((await portalLink(custA)).body.url)).status).toBe(303);
  });

  it('sign out drops the session cookie; only from the portal\'s own pages', async () => {
    const session = await openPortal(custA);
    expect((await browse(`/api/portal/${custA}/connections`, { cookie: session })).status).toBe(200);
    const foreign = await browse(`/api/portal/${custA}/sign-out`, { method: 'POST', cookie: session, headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    const out = await browse(`/api/portal/${custA}/sign-out`, { method: 'POST', cookie: session });
    expect(out.status).toBe(204);
    const cleared = out.setCookies.find((c) => c.startsWith('pb_portal='))!;
    expect(cleared).toMatch(/^pb_portal=;/);
    expect(cleared).toMatch(/Max-Age=0/);
  });

  it('refuse a bad, tampered, expired or another customer\'s token', async () => {
    const { authSecret } = serverSecrets();
    const good = new URL((await portalLink(custA)).body.url, 'http://x').searchParams.get('token')!;
    const [{ id, vendor_id }] = await db()`select id, vendor_id from customers where external_id = ${custA}`;
    const expired = signPortalToken(authSecret, 'link', { c: id, v: vendor_id, e: Math.floor(Date.now() / 1000) - 1 });
    const forgedBody = Buffer.from(JSON.stringify({ c: id, v: vendor_id, e: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
    const cases: [string, RegExp][] = [
      [`/portal/${custA}?token=not-a-token`, /not valid/],
      [`/portal/${custA}?token=${forgedBody}.${good.split('.')[1]}`, /not valid/],
      [`/portal/${custA}?token=${expired}`, /expired/],
      // signed, but without the nonce that makes a link single-use
      [`/portal/${custA}?token=${signPortalToken(authSecret, 'link', { c: id, v: vendor_id, e: Math.floor(Date.now() / 1000) + 600 })}`, /not valid/],
      [`/portal/${custB}?token=${good}`, /not valid/],
    ];
    for (const [url, text] of cases) {
      const r = await browse(url);
      expect(r.status, url).toBe(401);
      expect(r.text).toMatch(text);
      expect(r.setCookies.some((c) => c.startsWith('pb_portal='))).toBe(false);
    }
  });
});

describe('connections in the portal', () => {
  it('answers 401 without a session, or with a forged one', async () => {
    expect((await browse(`/api/portal/${custA}/connections`)).status).toBe(401);
    expect((await browse(`/api/portal/${custA}/connections`, { cookie: 'pb_portal=eyJjIjoiYSJ9.AAAA' })).status).toBe(401);
    // A link token is not a session.
    const link = new URL((await portalLink(custA)).body.url, 'http://x').searchParams.get('token');
    expect((await browse(`/api/portal/${custA}/connections`, { cookie: `pb_portal=${link}` })).status).toBe(401);
  });

  it('lists the catalog\'s connectors with their ways to connect', async () => {
    const r = await browse(`/api/portal/${custA}/connections`, { cookie: cookies.a });
    expect(r.status).toBe(200);
    expect(r.body.customer).toEqual({ id: custA, name: `Customer ${custA}` });
    const systems = r.body.connectors.map((c: { system: string }) => c.system);
    expect(systems).toEqual(expect.arrayContaining(['hubspot', 'salesforce', 'pipedrive']));
    const hs = r.body.connectors.find((c: { system: string }) => c.system === 'hubspot');
    expect(hs).toMatchObject({
      name: 'HubSpot', defaultBaseUrl: 'https://api.hubapi.com', suggestedBaseUrl: 'http://127.0.0.1:4010', canTest: true, connection: null,
      auth: [
        { type: 'apiKey', option: 0, fields: [{ id: 'token', label: 'Private app access token', secret: true }] },
        { type: 'oauth2', option: 1, available: true },
      ],
    });
  });

  it('connects HubSpot with a token, stored encrypted, and the test call succeeds', async () => {
    const put = await browse(`/api/portal/${custA}/connections/hubspot`, { method: 'PUT', cookie: cookies.a, body: { baseUrl: `${emu.url}/`, credentials: { token: 'hs-good-token' } } });
    expect(put.status).toBe(200);
    expect(put.body.connection).toMatchObject({ authKind: 'apiKey', baseUrl: emu.url, status: 'unknown' });
    const row = await storedRow(custA, 'hubspot');
    expect(row!.row_text).not.toContain('hs-good-token');
    expect(decryptJson(serverSecrets().encryptionKey, row!.credentials_enc)).toEqual({ token: 'hs-good-token' });

    const test = await browse(`/api/portal/${custA}/connections/hubspot/test`, { method: 'POST', cookie: cookies.a });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: true, account: `HubSpot portal ${emu.store.portalId}`, error: null, connection: { status: 'ok' } });
    expect(Date.now() - Date.parse(test.body.connection.lastSuccessAt)).toBeLessThan(60_000);
  });

  it('shows a wrong token as the plain-words error it is, on the row too', async () => {
    expect((await browse(`/api/portal/${custA}/connections/hubspot`, { method: 'PUT', cookie: cookies.a, body: { baseUrl: emu.url, credentials: { token: 'hs-wrong-token' } } })).status).toBe(200);
    const test = await browse(`/api/portal/${custA}/connections/hubspot/test`, { method: 'POST', cookie: cookies.a });
    expect(test.body).toMatchObject({ ok: false, account: null, error: 'HubSpot rejected the token: reconnect HubSpot', connection: { status: 'error', lastError: 'HubSpot rejected the token: reconnect HubSpot' } });
    const list = await browse(`/api/portal/${custA}/connections`, { cookie: cookies.a });
    expect(list.body.connectors.find((c: { system: string }) => c.system === 'hubspot').connection).toMatchObject({ status: 'error', lastError: 'HubSpot rejected the token: reconnect HubSpot' });
  });

  it('checks the form: required secret fields, unknown fields, the base URL, cross-site writes', async () => {
    const put = (body: unknown, headers?: Record<string, string>) => browse(`/api/portal/${custA}/connections/hubspot`, { method: 'PUT', cookie: cookies.a, body, headers });
    expect((await put({ baseUrl: emu.url, credentials: { token: '  ' } })).body.error).toMatchObject({ code: 'invalid_input', message: 'Private app access token is required', path: ['credentials', 'token'] });
    expect((await put({ baseUrl: emu.url, credentials: { token: 't', apiKey: 'x' } })).body.error.message).toBe('HubSpot has no field "apiKey"');
    // pasted with a line break inside: refused here rather than failing on every call later (a trailing one is trimmed)
    const broken = await put({ baseUrl: emu.url, credentials: { token: 'pat-na1-\nrest' } });
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatchObject({ path: ['credentials', 'token'], message: expect.stringMatching(/line break/) });
    expect((await put({ baseUrl: 'ftp://example.com', credentials: { token: 't' } })).body.error.path).toEqual(['baseUrl']);
    expect((await put({ baseUrl: emu.url })).status).toBe(400);
    expect((await put({ baseUrl: emu.url, credentials: { token: 't' } }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await browse(`/api/portal/${custA}/connections/nosuch`, { method: 'PUT', cookie: cookies.a, body: { credentials: {} } })).status).toBe(404);
  });

  it('connects HubSpot with OAuth: portal → emulator authorize → callback, tokens stored encrypted', async () => {
    const start = await startOAuth(cookies.a);
    expect(start.status).toBe(200);
    const authorize = new URL(start.body.authorizeUrl);
    expect(authorize.origin + authorize.pathname).toBe(`${emu.url}/oauth/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(demoApp('hubspot', inject('dataDir'))!.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${baseUrl()}/api/portal/oauth/callback`);
    const nonce = cookieValue(start.setCookies, 'pb_portal_oauth')!;

    const approved = await browse(start.body.authorizeUrl);
    expect(approved.status).toBe(302);
    const callback = new URL(approved.location!);
    expect(callback.pathname).toBe('/api/portal/oauth/callback');
    expect(callback.searchParams.get('code')).toMatch(/^code_/);

    const done = await browse(approved.location!, { cookie: `${cookies.a}; ${nonce}` });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`/portal/${custA}/connections?connected=hubspot`);

    const row = await storedRow(custA, 'hubspot');
    expect(row).toMatchObject({ auth_kind: 'oauth2', base_url: emu.url, status: 'ok' });
    const creds = decryptJson<Record<string, string>>(serverSecrets().encryptionKey, row!.credentials_enc);
    expect(creds.accessToken).toMatch(/^at_/);
    expect(creds.refreshToken).toMatch(/^rt_/);
    for (const secret of [creds.accessToken, creds.refreshToken, demoApp('hubspot', inject('dataDir'))!.clientSecret]) expect(row!.row_text).not.toContain(secret);

    // The connection works: a test call with the OAuth access token succeeds.
    const test = await browse(`/api/portal/${custA}/connections/hubspot/test`, { method: 'POST', cookie: cookies.a });
    expect(test.body).toMatchObject({ ok: true, connection: { authKind: 'oauth2', status: 'ok' } });
  });

  it('refuses an OAuth callback the portal session did not start, or another customer\'s', async () => {
    const start = await startOAuth(cookies.a);
    const approved = await browse(start.body.authorizeUrl);
    // No nonce cookie (e.g. a link forwarded to someone else's browser):
    const noNonce = await browse(approved.location!, { cookie: cookies.a });
    expect(noNonce.status).toBe(303);
    expect(new URL(noNonce.location!, 'http://x').searchParams.get('error')).toMatch(/was not started from this portal session/);
    // Customer B's session with A's state:
    const asB = await browse(approved.location!, { cookie: `${cookies.b}; ${cookieValue(start.setCookies, 'pb_portal_oauth')}` });
    expect(asB.location).toMatch(new RegExp(`^/portal/${custB}/connections\\?`));
    expect(new URL(asB.location!, 'http://x').searchParams.get('error')).toMatch(/not started from this portal session/);
    expect((await storedRow(custB, 'hubspot'))).toBeUndefined();
    // A declined consent:
    const state = new URL(approved.location!).searchParams.get('state')!;
    const declined = await browse(`/api/portal/oauth/callback?error=access_denied&state=${encodeURIComponent(state)}`, { cookie: `${cookies.a}; ${cookieValue(start.setCookies, 'pb_portal_oauth')}` });
    expect(new URL(declined.location!, 'http://x').searchParams.get('error')).toBe('You declined access at HubSpot: Patchbay is not connected to HubSpot');
  });

  it('starts OAuth only from the portal\'s own pages, and only where it is offered', async () => {
    expect((await startOAuth(cookies.a, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await browse(`/api/portal/${custA}/connections/hubspot/oauth/start`, { cookie: cookies.a })).status).toBe(405);
    // The phone system is the vendor's to provision: the portal does not offer it at all.
    const phone = await browse(`/api/portal/${custA}/connections/phonesystem/oauth/start`, { method: 'POST', cookie: cookies.a, body: {} });
    expect(phone.status).toBe(404);
    expect(phone.body.error.code).toBe('connector_not_found');
  });

  it('keeps customer A\'s session out of customer B\'s connections (and the other way round)', async () => {
    expect((await browse(`/api/portal/${custB}/connections/hubspot`, { method: 'PUT', cookie: cookies.b, body: { baseUrl: emu.url, credentials: { token: 'hs-good-token' } } })).status).toBe(200);
    const before = await storedRow(custB, 'hubspot');
    for (const [method, p] of [['GET', 'connections'], ['PUT', 'connections/hubspot'], ['DELETE', 'connections/hubspot'], ['POST', 'connections/hubspot/test'], ['POST', 'connections/hubspot/oauth/start']] as const) {
      const r = await browse(`/api/portal/${custB}/${p}`, { method, cookie: cookies.a, body: method === 'PUT' ? { baseUrl: emu.url, credentials: { token: 'evil' } } : undefined });
      expect(r.status, `${method} ${p}`).toBe(404);
      expect(r.body.error.code).toBe('customer_not_found');
    }
    const after = await storedRow(custB, 'hubspot');
    expect(after!.credentials_enc).toBe(before!.credentials_enc);
    // B sees only its own connection, not A's OAuth one.
    const listB = await browse(`/api/portal/${custB}/connections`, { cookie: cookies.b });
    expect(listB.body.connectors.find((c: { system: string }) => c.system === 'hubspot').connection).toMatchObject({ authKind: 'apiKey' });
  });

  it('disconnects', async () => {
    const del = await browse(`/api/portal/${custA}/connections/hubspot`, { method: 'DELETE', cookie: cookies.a });
    expect(del.status).toBe(204);
    expect(await storedRow(custA, 'hubspot')).toBeUndefined();
    expect((await browse(`/api/portal/${custA}/connections/hubspot`, { method: 'DELETE', cookie: cookies.a })).status).toBe(404);
    expect((await browse(`/api/portal/${custA}/connections/hubspot/test`, { method: 'POST', cookie: cookies.a })).status).toBe(404);
    expect((await storedRow(custB, 'hubspot'))).toBeDefined();
  });
});
