// Dynamics 365 and Zoho CRM in the customer portal, against the running server and their emulators: both appear in
// the connection catalogue with their forms; Dynamics connects with an Entra ID app registration (client
// credentials) and Zoho with a Self Client's refresh token, and each test call names the account; Zoho and Dynamics
// also connect with OAuth (authorize → callback), the tokens stored encrypted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamicsEmulator, type DynamicsEmulator } from '@/engine/connectors/dynamics/emulator';
import { startZohoEmulator, type ZohoEmulator } from '@/engine/connectors/zoho/emulator';
import { browse } from './helpers';
import { demoOAuthApp as app, portalCustomer } from './portal-connections-harness';

const portal = portalCustomer('portal-dz', 'DZ customer');
const { cust, storedCredentials, oauthRoundTrip } = portal;
let dyn: DynamicsEmulator;
let zoho: ZohoEmulator;

beforeAll(async () => {
  [dyn, zoho] = await Promise.all([
    startDynamicsEmulator({ contacts: 5, oauth: app('dynamics') }),
    startZohoEmulator({ contacts: 5, oauth: app('zoho') }),
  ]);
});
afterAll(async () => { await Promise.all([dyn?.close(), zoho?.close()]); });

describe('Dynamics 365 and Zoho CRM in the customer portal', () => {
  it('are in the connection catalogue with their forms and OAuth', async () => {
    const r = await browse(`/api/portal/${cust}/connections`, { cookie: portal.cookie });
    const byId = Object.fromEntries(r.body.connectors.map((c: { system: string }) => [c.system, c]));
    expect(byId.dynamics).toMatchObject({
      name: 'Microsoft Dynamics 365', suggestedBaseUrl: 'http://127.0.0.1:4018', canTest: true,
      auth: [{ type: 'apiKey', fields: [{ id: 'tenantId' }, { id: 'clientId' }, { id: 'clientSecret', secret: true }] }, { type: 'oauth2', available: true }],
    });
    expect(byId.zoho).toMatchObject({
      name: 'Zoho CRM', defaultBaseUrl: 'https://www.zohoapis.com', suggestedBaseUrl: 'http://127.0.0.1:4019',
      auth: [{ type: 'oauth2', available: true }, { type: 'apiKey', fields: [{ id: 'clientId' }, { id: 'clientSecret', secret: true }, { id: 'refreshToken', secret: true }] }],
    });
  });

  it('Dynamics 365 connects with an app registration (client credentials); the test call names the organisation', async () => {
    const put = await browse(`/api/portal/${cust}/connections/dynamics`, { method: 'PUT', cookie: portal.cookie, body: { baseUrl: dyn.url, credentials: { tenantId: 'organizations', ...app('dynamics'), port: undefined } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const test = await browse(`/api/portal/${cust}/connections/dynamics/test`, { method: 'POST', cookie: portal.cookie });
    expect(test.body).toMatchObject({ ok: true, account: 'Contoso (emulated)', connection: { status: 'ok' } });
    // A wrong secret is a plain-words connection problem.
    await browse(`/api/portal/${cust}/connections/dynamics`, { method: 'PUT', cookie: portal.cookie, body: { baseUrl: dyn.url, credentials: { tenantId: 'organizations', clientId: app('dynamics').clientId, clientSecret: 'wrong' } } });
    const bad = await browse(`/api/portal/${cust}/connections/dynamics/test`, { method: 'POST', cookie: portal.cookie });
    expect(bad.body).toMatchObject({ ok: false, connection: { status: 'error' } });
    expect(bad.body.error).toMatch(/Entra ID refused/);
  });

  it('Dynamics 365 connects with OAuth at the tenant authorize endpoint', async () => {
    const authorizeUrl = await oauthRoundTrip('dynamics', dyn.url);
    expect(new URL(authorizeUrl).pathname).toBe('/organizations/oauth2/v2.0/authorize');
    const stored = await storedCredentials('dynamics');
    expect(stored.authKind).toBe('oauth2');
    expect(stored.credentials).toMatchObject({ accessToken: expect.stringMatching(/^at_/), refreshToken: expect.stringMatching(/^rt_/) });
    expect((await browse(`/api/portal/${cust}/connections/dynamics/test`, { method: 'POST', cookie: portal.cookie })).body).toMatchObject({ ok: true });
  });

  it('Zoho CRM connects with a Self Client refresh token; the test call names the organisation and user', async () => {
    const redirect = 'http://127.0.0.1/self-client';
    const auth = await fetch(`${zoho.url}/oauth/v2/auth?client_id=${app('zoho').clientId}&redirect_uri=${encodeURIComponent(redirect)}&response_type=code`, { redirect: 'manual' });
    const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
    const tokens = await (await fetch(`${zoho.url}/oauth/v2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: app('zoho').clientId, client_secret: app('zoho').clientSecret }) })).json() as { refresh_token: string };
    const put = await browse(`/api/portal/${cust}/connections/zoho`, { method: 'PUT', cookie: portal.cookie, body: { baseUrl: zoho.url, credentials: { clientId: app('zoho').clientId, clientSecret: app('zoho').clientSecret, refreshToken: tokens.refresh_token } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const test = await browse(`/api/portal/${cust}/connections/zoho/test`, { method: 'POST', cookie: portal.cookie });
    expect(test.body).toMatchObject({ ok: true, account: 'Zylker (emulated) — integration@zylker.example.com', connection: { status: 'ok' } });
  });

  it('Zoho CRM connects with OAuth; the connection keeps the api_domain the accounts server answered', async () => {
    await oauthRoundTrip('zoho', zoho.url);
    const stored = await storedCredentials('zoho');
    expect(stored).toMatchObject({ authKind: 'oauth2', baseUrl: zoho.url });
    expect(stored.credentials).toMatchObject({ accessToken: expect.stringMatching(/^at_/), refreshToken: expect.stringMatching(/^rt_/) });
    expect((await browse(`/api/portal/${cust}/connections/zoho/test`, { method: 'POST', cookie: portal.cookie })).body).toMatchObject({ ok: true });
  });
});
