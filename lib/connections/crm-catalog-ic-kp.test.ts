// Intercom and Keap in the customer portal's connection catalogue: their forms and OAuth apps (the real endpoints, and
// the emulator's for a local base URL), and a connection made through the form passes "Test connection" against the
// emulators, learning the account.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '@/engine/connectors/catalog';
import { startIntercomEmulator, type IntercomEmulator } from '@/engine/connectors/intercom/emulator';
import { startKeapEmulator, type KeapEmulator } from '@/engine/connectors/keap/emulator';
import { buildAuthorizeUrl, exchangeCode } from '@/engine/connectors';
import { keapConnector } from '@/engine/connectors/keap/manifest';
import { loadConnection, saveConnection } from '../engine-host/connections';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { connectWithApiKey, listConnectorViews, oauthAuth } from './manage-connections';
import { oauthEndpoints } from './oauth-connect';
import { testConnection } from './test-connection';

const key = randomBytes(32);
const KEAP_APP = { clientId: 'keap-app', clientSecret: 'keap-app-secret' };
let db: ScratchDb;
let intercom: IntercomEmulator;
let keap: KeapEmulator;
let customerId = '';

beforeAll(async () => {
  [db, intercom, keap] = await Promise.all([createScratchDb('crm_catalog_ic_kp'), startIntercomEmulator({ contacts: 5, token: 'intercom-key' }), startKeapEmulator({ contacts: 5, token: 'keap-key', oauth: KEAP_APP })]);
  ({ customerId } = await seedVendor(db.sql, 'catalog-ic-kp'));
});
afterAll(async () => {
  await Promise.all([intercom?.close(), keap?.close()]);
  await db?.drop();
});

describe('Intercom and Keap in the connection catalogue', () => {
  it('lists their forms and OAuth apps on the demo ports', async () => {
    const views = await listConnectorViews(db.sql, customerId, { PATCHBAY_MODE: 'demo' });
    const ic = views.find((v) => v.system === 'intercom')!;
    expect(ic.auth).toEqual([expect.objectContaining({ type: 'apiKey' }), expect.objectContaining({ type: 'oauth2', available: true })]);
    expect(ic.suggestedBaseUrl).toBe('http://127.0.0.1:4015');
    const kp = views.find((v) => v.system === 'keap')!;
    expect(kp.auth).toEqual([expect.objectContaining({ type: 'oauth2', available: true }), expect.objectContaining({ type: 'apiKey' })]);
    expect(kp.suggestedBaseUrl).toBe('http://127.0.0.1:4021');
  });

  it("points OAuth at the vendors' endpoints, or at the emulator for a local base URL", () => {
    const ic = catalog.intercom.connector;
    expect(oauthEndpoints(ic, oauthAuth(ic)!, 'https://api.intercom.io')).toEqual({ authorizeUrl: 'https://app.intercom.com/oauth', tokenUrl: 'https://api.intercom.io/auth/eagle/token' });
    expect(oauthEndpoints(ic, oauthAuth(ic)!, intercom.url)).toEqual({ authorizeUrl: `${intercom.url}/oauth`, tokenUrl: `${intercom.url}/auth/eagle/token` });
    const kp = catalog.keap.connector;
    expect(oauthEndpoints(kp, oauthAuth(kp)!, 'https://api.infusionsoft.com')).toEqual({ authorizeUrl: 'https://accounts.infusionsoft.com/app/oauth/authorize', tokenUrl: 'https://api.infusionsoft.com/token' });
    expect(oauthEndpoints(kp, oauthAuth(kp)!, keap.url)).toEqual({ authorizeUrl: `${keap.url}/app/oauth/authorize`, tokenUrl: `${keap.url}/token` });
  });

  it('connections from the forms pass the connection test and learn the account; a wrong token says so', async () => {
    await connectWithApiKey(db.sql, key, { customerId, system: 'intercom', baseUrl: intercom.url, credentials: { accessToken: 'intercom-key' } });
    expect(await testConnection(db.sql, key, fetch, customerId, 'intercom')).toMatchObject({ ok: true, account: 'Patchbay Demo' });
    await connectWithApiKey(db.sql, key, { customerId, system: 'keap', baseUrl: keap.url, credentials: { apiKey: 'keap-key' } });
    expect(await testConnection(db.sql, key, fetch, customerId, 'keap')).toMatchObject({ ok: true, account: 'patchbaydemo.infusionsoft.com' });
    const rows = await db.sql<{ system: string; external_account: string }[]>`select system, external_account from connections where customer_id = ${customerId} and system in ('intercom', 'keap') order by system`;
    expect(rows.map((r) => [r.system, r.external_account])).toEqual([['intercom', intercom.store.workspaceId], ['keap', 'patchbaydemo.infusionsoft.com']]);
    await connectWithApiKey(db.sql, key, { customerId, system: 'keap', baseUrl: keap.url, credentials: { apiKey: 'wrong' } });
    const bad = await testConnection(db.sql, key, fetch, customerId, 'keap');
    expect(bad).toMatchObject({ ok: false });
    expect(bad!.error).toBe('Keap rejected the token: reconnect Keap');
  });

  it('a Keap OAuth connection whose access token expired is refreshed on use, and the new tokens are stored encrypted', async () => {
    const redirectUri = 'http://127.0.0.1:3000/api/portal/oauth/callback';
    const res = await fetch(buildAuthorizeUrl(`${keap.url}/app/oauth/authorize`, { clientId: KEAP_APP.clientId, redirectUri, state: 's', scopes: ['full'] }), { redirect: 'manual' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const t = await exchangeCode(fetch, { tokenUrl: `${keap.url}/token`, ...KEAP_APP }, code, redirectUri);
    await saveConnection(db.sql, key, { customerId, system: 'keap', name: 'Keap', authKind: 'oauth2', baseUrl: keap.url, credentials: { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: Date.now() - 60_000, ...KEAP_APP } });
    const conn = await loadConnection(db.sql, key, customerId, 'keap');
    const found = await keapConnector.crm.getContact({ fetch, conn, requestLog: [] }, { id: '101' });
    expect(found?.firstName).toBe('Ada');
    const stored = (await loadConnection(db.sql, key, customerId, 'keap')).credentials as { accessToken: string; refreshToken: string; expiresAt: number };
    expect(stored.accessToken).not.toBe(t.accessToken);
    expect(stored.refreshToken).not.toBe(t.refreshToken); // Keap rotates the refresh token: the new one is kept
    expect(stored.expiresAt).toBeGreaterThan(Date.now() + 3_600_000);
    const [row] = await db.sql<{ row: string }[]>`select c::text as row from connections c where customer_id = ${customerId} and system = 'keap'`;
    expect(row.row).not.toContain(stored.accessToken);
    expect(row.row).not.toContain(stored.refreshToken);
    // The next run uses the stored token as is: no refresh.
    const again = { fetch: (async (input: RequestInfo | URL, init?: RequestInit) => { expect(String(input)).not.toContain('/token'); return fetch(input, init); }) as typeof fetch, conn: await loadConnection(db.sql, key, customerId, 'keap'), requestLog: [] };
    expect((await keapConnector.crm.getContact(again, { id: '101' }))?.id).toBe('101');
  });
});
