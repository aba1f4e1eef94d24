// renewAccessToken through a host's renewCredentials (here the in-memory one the test fixtures use): two handles
// on one stored connection, as two processes hold, renew once between them for Zoho's refresh, SugarCRM's
// password sign-in (also after a 401) and Dynamics' client credentials; the other handle takes the stored token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionHandle } from '../../core/define-block';
import { memoryRenewCredentials } from '../../testing/memory-credentials';
import type { ConnectorCall } from './contact-source';
import { startZohoEmulator, type ZohoEmulator } from '../zoho/emulator';
import { zohoConnector } from '../zoho/manifest';
import { startSugarEmulator, SUGAR_EMULATOR_USER, type SugarEmulator } from '../sugarcrm/emulator';
import { sugarcrmConnector } from '../sugarcrm/manifest';
import { startDynamicsEmulator, type DynamicsEmulator } from '../dynamics/emulator';
import { dynamicsConnector } from '../dynamics/manifest';

/** Two handles with their own copies of one stored connection, and the token requests both made. */
function twoProcesses(system: string, baseUrl: string, credentials: Record<string, unknown>) {
  const tokenRequests: string[] = [];
  const spy: typeof fetch = async (input, init) => {
    if (/token$/.test(new URL(String(input)).pathname)) tokenRequests.push(String(init?.body ?? ''));
    return fetch(input, init);
  };
  const renewCredentials = memoryRenewCredentials(credentials);
  const handle = (): ConnectionHandle => ({ id: 'c', system, baseUrl, credentials: { ...credentials }, saveCredentials: async () => {}, renewCredentials, reportHealth: async () => {} });
  const call = (conn: ConnectionHandle): ConnectorCall => ({ fetch: spy, conn, requestLog: [], http: { backoffMs: 5 } });
  return { handles: [handle(), handle()] as const, call, tokenRequests, stored: () => renewCredentials(async () => null) };
}

describe('renewing a token once between two handles', () => {
  let zoho: ZohoEmulator;
  let sugar: SugarEmulator;
  let dynamics: DynamicsEmulator;
  const ZOHO_APP = { clientId: 'zoho-self-client', clientSecret: 'zoho-self-secret' };
  const DYN_APP = { clientId: 'patchbay-s2s-app', clientSecret: 'patchbay-s2s-secret' };

  beforeAll(async () => {
    [zoho, sugar, dynamics] = await Promise.all([
      startZohoEmulator({ contacts: 5, users: 2, token: 'zoho-static', oauth: ZOHO_APP }),
      startSugarEmulator({ contacts: 5, users: 2, token: 'sugar-static' }),
      startDynamicsEmulator({ contacts: 5, users: 2, token: 'dyn-static', oauth: DYN_APP }),
    ]);
  });
  afterAll(async () => { await Promise.all([zoho?.close(), sugar?.close(), dynamics?.close()]); });

  it('Zoho: an expired access token is refreshed once', async () => {
    const redirect = 'http://127.0.0.1/cb';
    const auth = await fetch(`${zoho.url}/oauth/v2/auth?client_id=${ZOHO_APP.clientId}&redirect_uri=${encodeURIComponent(redirect)}&response_type=code&access_type=offline`, { redirect: 'manual' });
    const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
    const tokens = await (await fetch(`${zoho.url}/oauth/v2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: ZOHO_APP.clientId, client_secret: ZOHO_APP.clientSecret }) })).json() as { refresh_token: string };
    const p = twoProcesses('zoho', zoho.url, { ...ZOHO_APP, refreshToken: tokens.refresh_token, accessToken: 'at_expired', expiresAt: Date.now() - 1000 });
    const email = zoho.store.users[1].email;
    const users = await Promise.all(p.handles.map((h) => zohoConnector.crm.findUserByEmail(p.call(h), { email })));
    expect(users.map((u) => u?.id)).toEqual([zoho.store.users[1].id, zoho.store.users[1].id]);
    expect(p.tokenRequests).toHaveLength(1);
    const stored = await p.stored();
    expect(stored).toMatchObject({ refreshToken: tokens.refresh_token, accessToken: expect.stringMatching(/^at_/) });
    expect(p.handles.map((h) => h.credentials.accessToken)).toEqual([stored.accessToken, stored.accessToken]);
  });

  it('SugarCRM: a first sign-in with the password happens once', async () => {
    const p = twoProcesses('sugarcrm', sugar.url, { username: SUGAR_EMULATOR_USER.userName, password: SUGAR_EMULATOR_USER.password });
    await Promise.all(p.handles.map((h) => sugarcrmConnector.crm.findUserByEmail(p.call(h), { email: 'nobody@example.com' })));
    expect(p.tokenRequests).toHaveLength(1);
    expect(p.tokenRequests[0]).toContain('"grant_type":"password"');
    expect(p.handles[1].credentials.accessToken).toBe((await p.stored()).accessToken);
  });

  it('SugarCRM: after a 401 on both handles, one signs in again and the other retries with its token', async () => {
    const p = twoProcesses('sugarcrm', sugar.url, { username: SUGAR_EMULATOR_USER.userName, password: SUGAR_EMULATOR_USER.password, accessToken: 'revoked-token', refreshToken: 'dropped-refresh-token' });
    const calls = p.handles.map((h) => p.call(h));
    await Promise.all(calls.map((c) => sugarcrmConnector.crm.findUserByEmail(c, { email: 'nobody@example.com' })));
    // The refresh token is refused, then the password grant: one renewal for both handles.
    expect(p.tokenRequests.map((b) => JSON.parse(b).grant_type)).toEqual(['refresh_token', 'password']);
    expect(calls.flatMap((c) => c.requestLog.map((r) => r.status)).filter((s) => s === 401)).toHaveLength(2);
    const stored = await p.stored();
    expect(p.handles.map((h) => h.credentials.accessToken)).toEqual([stored.accessToken, stored.accessToken]);
  });

  it('Dynamics: a client-credentials token is fetched once', async () => {
    const p = twoProcesses('dynamics', dynamics.url, { tenantId: 'organizations', ...DYN_APP });
    await Promise.all(p.handles.map((h) => dynamicsConnector.crm.findUserByEmail(p.call(h), { email: 'nobody@example.com' })));
    expect(p.tokenRequests).toHaveLength(1);
    expect(p.handles.map((h) => h.credentials.accessToken)).toEqual([(await p.stored()).accessToken, (await p.stored()).accessToken]);
  });
});
