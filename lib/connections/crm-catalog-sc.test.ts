// SugarCRM and Copper in the customer portal's connection catalogue: their forms (and Copper's OAuth), and a
// connection made through the form passes "Test connection" against the emulators.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '@/engine/connectors/catalog';
import { COPPER_EMULATOR_EMAIL, startCopperEmulator, type CopperEmulator } from '@/engine/connectors/copper/emulator';
import { startSugarEmulator, SUGAR_EMULATOR_USER, type SugarEmulator } from '@/engine/connectors/sugarcrm/emulator';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { connectWithApiKey, listConnectorViews, oauthAuth } from './manage-connections';
import { oauthEndpoints } from './oauth-connect';
import { testConnection } from './test-connection';

const key = randomBytes(32);
let db: ScratchDb;
let sugar: SugarEmulator;
let copper: CopperEmulator;
let customerId = '';

beforeAll(async () => {
  [db, sugar, copper] = await Promise.all([createScratchDb('crm_catalog_sc'), startSugarEmulator({ contacts: 5, token: 'unused' }), startCopperEmulator({ contacts: 5, token: 'copper-key' })]);
  ({ customerId } = await seedVendor(db.sql, 'catalog-sc'));
});
afterAll(async () => {
  await Promise.all([sugar?.close(), copper?.close()]);
  await db?.drop();
});

describe('SugarCRM and Copper in the connection catalogue', () => {
  it('lists their forms: Sugar signs in with a user, Copper with an API key and its owner, or OAuth', async () => {
    const views = await listConnectorViews(db.sql, customerId, { PATCHBAY_MODE: 'demo' });
    const sugarView = views.find((v) => v.system === 'sugarcrm')!;
    expect(sugarView.auth.map((a) => a.type)).toEqual(['apiKey']);
    expect(sugarView.auth[0]).toMatchObject({ fields: expect.arrayContaining([expect.objectContaining({ id: 'username' }), expect.objectContaining({ id: 'password', secret: true })]) });
    expect(sugarView.suggestedBaseUrl).toBe('http://127.0.0.1:4016');
    const copperView = views.find((v) => v.system === 'copper')!;
    expect(copperView.auth).toEqual([expect.objectContaining({ type: 'apiKey' }), expect.objectContaining({ type: 'oauth2', available: true })]);
    expect(copperView.suggestedBaseUrl).toBe('http://127.0.0.1:4017');
    const def = catalog.copper.connector;
    expect(oauthEndpoints(def, oauthAuth(def)!, 'https://api.copper.com')).toEqual({ authorizeUrl: 'https://app.copper.com/oauth/authorize', tokenUrl: 'https://app.copper.com/oauth/token' });
  });

  it('a SugarCRM connection from the form signs in (password grant) and passes the connection test; a wrong password says so', async () => {
    await connectWithApiKey(db.sql, key, { customerId, system: 'sugarcrm', baseUrl: sugar.url, credentials: { username: SUGAR_EMULATOR_USER.userName, password: SUGAR_EMULATOR_USER.password } });
    const ok = await testConnection(db.sql, key, fetch, customerId, 'sugarcrm');
    expect(ok).toMatchObject({ ok: true, account: expect.stringContaining('Sally Bronsen') });
    await connectWithApiKey(db.sql, key, { customerId, system: 'sugarcrm', baseUrl: sugar.url, credentials: { username: 'admin', password: 'wrong' } });
    const bad = await testConnection(db.sql, key, fetch, customerId, 'sugarcrm');
    expect(bad).toMatchObject({ ok: false });
    expect(bad!.error).toMatch(/SugarCRM/);
  });

  it('a Copper connection from the form passes the connection test and learns the account id', async () => {
    await connectWithApiKey(db.sql, key, { customerId, system: 'copper', baseUrl: copper.url, credentials: { apiKey: 'copper-key', email: COPPER_EMULATOR_EMAIL } });
    expect(await testConnection(db.sql, key, fetch, customerId, 'copper')).toMatchObject({ ok: true, account: 'Patchbay Demo' });
    const [row] = await db.sql<{ external_account: string }[]>`select external_account from connections where customer_id = ${customerId} and system = 'copper'`;
    expect(row.external_account).toBe('424242');
  });
});
