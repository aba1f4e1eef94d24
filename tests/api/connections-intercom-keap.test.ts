// Intercom and Keap in the customer portal, against the running server and their emulators: both appear in the
// connection catalogue with their forms and OAuth; each connects with its form (an access token; a Service Account
// Key) and with OAuth (authorize → callback, the tokens stored encrypted: Intercom's without expiry or refresh token,
// Keap's with both), and the test call names the account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIntercomEmulator, type IntercomEmulator } from '@/engine/connectors/intercom/emulator';
import { startKeapEmulator, type KeapEmulator } from '@/engine/connectors/keap/emulator';
import { browse } from './helpers';
import { demoOAuthApp as app, portalCustomer } from './portal-connections-harness';

const portal = portalCustomer('portal-ickp', 'Intercom and Keap customer');
const { cust, storedCredentials, oauthRoundTrip } = portal;
let intercom: IntercomEmulator;
let keap: KeapEmulator;

beforeAll(async () => {
  [intercom, keap] = await Promise.all([
    startIntercomEmulator({ contacts: 5, token: 'ic-form-token', oauth: app('intercom') }),
    startKeapEmulator({ contacts: 5, token: 'KeapAK-form-key', oauth: app('keap') }),
  ]);
});
afterAll(async () => { await Promise.all([intercom?.close(), keap?.close()]); });

describe('Intercom and Keap in the customer portal', () => {
  it('are in the connection catalogue with their forms and OAuth', async () => {
    const r = await browse(`/api/portal/${cust}/connections`, { cookie: portal.cookie });
    const byId = Object.fromEntries(r.body.connectors.map((c: { system: string }) => [c.system, c]));
    expect(byId.intercom).toMatchObject({
      name: 'Intercom', defaultBaseUrl: 'https://api.intercom.io', suggestedBaseUrl: 'http://127.0.0.1:4015', canTest: true,
      auth: [{ type: 'apiKey', fields: [{ id: 'accessToken', secret: true }, { id: 'workspaceId' }] }, { type: 'oauth2', available: true }],
    });
    expect(byId.keap).toMatchObject({
      name: 'Keap', defaultBaseUrl: 'https://api.infusionsoft.com', suggestedBaseUrl: 'http://127.0.0.1:4021', canTest: true,
      auth: [{ type: 'oauth2', available: true }, { type: 'apiKey', fields: [{ id: 'apiKey', secret: true }, { id: 'appName' }] }],
    });
  });

  it('each connects with its form; the test call names the account, a wrong token says so', async () => {
    for (const [system, emu, credentials, account] of [['intercom', intercom.url, { accessToken: 'ic-form-token' }, 'Patchbay Demo'], ['keap', keap.url, { apiKey: 'KeapAK-form-key' }, 'patchbaydemo.infusionsoft.com']] as const) {
      const put = await browse(`/api/portal/${cust}/connections/${system}`, { method: 'PUT', cookie: portal.cookie, body: { baseUrl: emu, credentials } });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect((await browse(`/api/portal/${cust}/connections/${system}/test`, { method: 'POST', cookie: portal.cookie })).body).toMatchObject({ ok: true, account, connection: { status: 'ok' } });
    }
    await browse(`/api/portal/${cust}/connections/intercom`, { method: 'PUT', cookie: portal.cookie, body: { baseUrl: intercom.url, credentials: { accessToken: 'wrong' } } });
    const bad = await browse(`/api/portal/${cust}/connections/intercom/test`, { method: 'POST', cookie: portal.cookie });
    expect(bad.body).toMatchObject({ ok: false, connection: { status: 'error' } });
    expect(bad.body.error).toMatch(/Intercom rejected the token: reconnect Intercom/);
  });

  it('Intercom connects with OAuth: a token that never expires, no refresh token', async () => {
    const authorizeUrl = await oauthRoundTrip('intercom', intercom.url);
    expect(new URL(authorizeUrl).pathname).toBe('/oauth');
    const stored = await storedCredentials('intercom');
    expect(stored.authKind).toBe('oauth2');
    expect(stored.credentials).toMatchObject({ accessToken: expect.stringMatching(/^at_/) });
    expect(stored.credentials.refreshToken).toBeUndefined();
    expect(stored.credentials.expiresAt).toBeUndefined();
    expect((await browse(`/api/portal/${cust}/connections/intercom/test`, { method: 'POST', cookie: portal.cookie })).body).toMatchObject({ ok: true, account: 'Patchbay Demo' });
  });

  it('Keap connects with OAuth: access and refresh token stored; after the access token expired the test call refreshes and stores the new ones', async () => {
    const authorizeUrl = await oauthRoundTrip('keap', keap.url);
    expect(new URL(authorizeUrl).pathname).toBe('/app/oauth/authorize');
    const stored = await storedCredentials('keap');
    expect(stored.authKind).toBe('oauth2');
    expect(stored.credentials).toMatchObject({ accessToken: expect.stringMatching(/^at_/), refreshToken: expect.stringMatching(/^rt_/), expiresAt: expect.any(Number) });
    keap.expireAccessTokens();
    expect((await browse(`/api/portal/${cust}/connections/keap/test`, { method: 'POST', cookie: portal.cookie })).body).toMatchObject({ ok: true, account: 'patchbaydemo.infusionsoft.com' });
    const after = await storedCredentials('keap');
    expect(after.credentials.accessToken).not.toBe(stored.credentials.accessToken);
    expect(after.credentials.refreshToken).not.toBe(stored.credentials.refreshToken);
  });
});
