// Dynamics 365 and Zoho CRM in the customer portal, against the running server and their emulators: both appear in
// the connection catalogue with their forms; Dynamics connects with an Entra ID app registration (client
// credentials) and Zoho with a Self Client's refresh token, and each test call names the account; Zoho and Dynamics
// also connect with OAuth (authorize → callback), the tokens stored encrypted.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDynamicsEmulator, type DynamicsEmulator } from '@/engine/connectors/dynamics/emulator';
import { startZohoEmulator, type ZohoEmulator } from '@/engine/connectors/zoho/emulator';
import { decryptJson } from '@/lib/crypto/credentials';
import { DEMO_EMULATORS, demoApp } from '@/lib/connections/oauth-clients';
import { api, baseUrl, browse, db } from './helpers';

// The installation's demo OAuth apps: their secrets are generated per data folder (demo-apps.json), not the declared constants.
const app = (system: string) => demoApp(system, inject('dataDir'))!;

const cust = `portal-dz-${Math.random().toString(36).slice(2, 8)}`;
let dyn: DynamicsEmulator;
let zoho: ZohoEmulator;
let cookie = '';

function encryptionKey(): Buffer {
  const s = JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8'));
  return Buffer.from(process.env.PATCHBAY_ENCRYPTION_KEY ?? s.encryptionKey, 'hex');
}

const cookieValue = (setCookies: string[], name: string) => setCookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0];

async function storedCredentials(system: string) {
  const [row] = await db()`select c.base_url, c.auth_kind, c.credentials_enc from connections c join customers cu on cu.id = c.customer_id where cu.external_id = ${cust} and c.system = ${system}`;
  return { baseUrl: row.base_url as string, authKind: row.auth_kind as string, credentials: decryptJson<Record<string, unknown>>(encryptionKey(), row.credentials_enc as string) };
}

async function oauthRoundTrip(system: string, emuUrl: string) {
  const start = await browse(`/api/portal/${cust}/connections/${system}/oauth/start`, { method: 'POST', cookie, body: { baseUrl: emuUrl } });
  expect(start.status).toBe(200);
  expect(new URL(start.body.authorizeUrl).searchParams.get('client_id')).toBe(DEMO_EMULATORS[system].clientId);
  const approved = await browse(start.body.authorizeUrl);
  expect(approved.status).toBe(302);
  const done = await browse(approved.location!, { cookie: `${cookie}; ${cookieValue(start.setCookies, 'pb_portal_oauth')}` });
  expect(done.status).toBe(303);
  expect(done.location).toBe(`/portal/${cust}/connections?connected=${system}`);
  return start.body.authorizeUrl as string;
}

beforeAll(async () => {
  expect((await api('/api/v1/customers', { body: { externalId: cust, name: 'DZ customer' } })).status).toBe(201);
  [dyn, zoho] = await Promise.all([
    startDynamicsEmulator({ contacts: 5, oauth: app('dynamics') }),
    startZohoEmulator({ contacts: 5, oauth: app('zoho') }),
  ]);
  const link = await api(`/api/v1/customers/${cust}/portal-links`, { method: 'POST' });
  cookie = cookieValue((await browse(link.body.url)).setCookies, 'pb_portal')!;
});
afterAll(async () => { await Promise.all([dyn?.close(), zoho?.close()]); });

describe('Dynamics 365 and Zoho CRM in the customer portal', () => {
  it('are in the connection catalogue with their forms and OAuth', async () => {
    const r = await browse(`/api/portal/${cust}/connections`, { cookie });
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
    const put = await browse(`/api/portal/${cust}/connections/dynamics`, { method: 'PUT', cookie, body: { baseUrl: dyn.url, credentials: { tenantId: 'organizations', ...app('dynamics'), port: undefined } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const test = await browse(`/api/portal/${cust}/connections/dynamics/test`, { method: 'POST', cookie });
    expect(test.body).toMatchObject({ ok: true, account: 'Contoso (emulated)', connection: { status: 'ok' } });
    // A wrong secret is a plain-words connection problem.
    await browse(`/api/portal/${cust}/connections/dynamics`, { method: 'PUT', cookie, body: { baseUrl: dyn.url, credentials: { tenantId: 'organizations', clientId: app('dynamics').clientId, clientSecret: 'wrong' } } });
    const bad = await browse(`/api/portal/${cust}/connections/dynamics/test`, { method: 'POST', cookie });
    expect(bad.body).toMatchObject({ ok: false, connection: { status: 'error' } });
    expect(bad.body.error).toMatch(/Entra ID refused/);
  });

  it('Dynamics 365 connects with OAuth at the tenant authorize endpoint', async () => {
    const authorizeUrl = await oauthRoundTrip('dynamics', dyn.url);
    expect(new URL(authorizeUrl).pathname).toBe('/organizations/oauth2/v2.0/authorize');
    const stored = await storedCredentials('dynamics');
    expect(stored.authKind).toBe('oauth2');
    expect(stored.credentials).toMatchObject({ accessToken: expect.stringMatching(/^at_/), refreshToken: expect.stringMatching(/^rt_/) });
    expect((await browse(`/api/portal/${cust}/connections/dynamics/test`, { method: 'POST', cookie })).body).toMatchObject({ ok: true });
  });

  it('Zoho CRM connects with a Self Client refresh token; the test call names the organisation and user', async () => {
    const redirect = 'http://127.0.0.1/self-client';
    const auth = await fetch(`${zoho.url}/oauth/v2/auth?client_id=${app('zoho').clientId}&redirect_uri=${encodeURIComponent(redirect)}&response_type=code`, { redirect: 'manual' });
    const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
    const tokens = await (await fetch(`${zoho.url}/oauth/v2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: app('zoho').clientId, client_secret: app('zoho').clientSecret }) })).json() as { refresh_token: string };
    const put = await browse(`/api/portal/${cust}/connections/zoho`, { method: 'PUT', cookie, body: { baseUrl: zoho.url, credentials: { clientId: app('zoho').clientId, clientSecret: app('zoho').clientSecret, refreshToken: tokens.refresh_token } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const test = await browse(`/api/portal/${cust}/connections/zoho/test`, { method: 'POST', cookie });
    expect(test.body).toMatchObject({ ok: true, account: 'Zylker (emulated) — integration@zylker.example.com', connection: { status: 'ok' } });
  });

  it('Zoho CRM connects with OAuth; the connection keeps the api_domain the accounts server answered', async () => {
    await oauthRoundTrip('zoho', zoho.url);
    const stored = await storedCredentials('zoho');
    expect(stored).toMatchObject({ authKind: 'oauth2', baseUrl: zoho.url });
    expect(stored.credentials).toMatchObject({ accessToken: expect.stringMatching(/^at_/), refreshToken: expect.stringMatching(/^rt_/) });
    expect((await browse(`/api/portal/${cust}/connections/zoho/test`, { method: 'POST', cookie })).body).toMatchObject({ ok: true });
  });
});
