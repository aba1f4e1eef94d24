// ActiveCampaign and Zendesk in the customer portal's connection catalogue: their forms (ActiveCampaign's API
// token; Zendesk's agent email, API token and where calls are logged, or OAuth on the account's own subdomain),
// and a connection made through the form passes "Test connection" against the emulators.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '@/engine/connectors/catalog';
import { startActiveCampaignEmulator, type AcEmulator } from '@/engine/connectors/activecampaign/emulator';
import { startZendeskEmulator, ZENDESK_EMULATOR_EMAIL, type ZendeskEmulator } from '@/engine/connectors/zendesk/emulator';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { connectWithApiKey, listConnectorViews, oauthAuth } from './manage-connections';
import { oauthEndpoints } from './oauth-connect';
import { testConnection } from './test-connection';

const key = randomBytes(32);
let db: ScratchDb;
let ac: AcEmulator;
let zd: ZendeskEmulator;
let customerId = '';

beforeAll(async () => {
  [db, ac, zd] = await Promise.all([createScratchDb('crm_catalog_hd'), startActiveCampaignEmulator({ contacts: 5, token: 'ac-key' }), startZendeskEmulator({ contacts: 5, token: 'zd-key' })]);
  ({ customerId } = await seedVendor(db.sql, 'catalog-hd'));
});
afterAll(async () => {
  await Promise.all([ac?.close(), zd?.close()]);
  await db?.drop();
});

describe('ActiveCampaign and Zendesk in the connection catalogue', () => {
  it('lists their forms: ActiveCampaign takes an API token; Zendesk an agent email, an API token and the log target, or OAuth', async () => {
    const views = await listConnectorViews(db.sql, customerId, { PATCHBAY_MODE: 'demo' });
    const acView = views.find((v) => v.system === 'activecampaign')!;
    expect(acView.auth.map((a) => a.type)).toEqual(['apiKey']);
    expect(acView.auth[0]).toMatchObject({ fields: [expect.objectContaining({ id: 'apiToken', secret: true })] });
    expect(acView.suggestedBaseUrl).toBe('http://127.0.0.1:4013');
    const zdView = views.find((v) => v.system === 'zendesk')!;
    expect(zdView.auth).toEqual([expect.objectContaining({ type: 'apiKey' }), expect.objectContaining({ type: 'oauth2', available: true })]);
    expect(zdView.auth[0]).toMatchObject({ fields: [expect.objectContaining({ id: 'email', secret: false }), expect.objectContaining({ id: 'apiToken', secret: true }), expect.objectContaining({ id: 'callLogTarget', secret: false })] });
    expect(zdView.suggestedBaseUrl).toBe('http://127.0.0.1:4014');
    const def = catalog.zendesk.connector;
    expect(oauthEndpoints(def, oauthAuth(def)!, 'https://acme.zendesk.com')).toEqual({ authorizeUrl: 'https://acme.zendesk.com/oauth/authorizations/new', tokenUrl: 'https://acme.zendesk.com/oauth/tokens' });
  });

  it('an ActiveCampaign connection from the form passes the connection test; a wrong token says so', async () => {
    await connectWithApiKey(db.sql, key, { customerId, system: 'activecampaign', baseUrl: ac.url, credentials: { apiToken: 'ac-key' } });
    expect(await testConnection(db.sql, key, fetch, customerId, 'activecampaign')).toMatchObject({ ok: true, account: expect.stringContaining(ac.store.users[0].email) });
    await connectWithApiKey(db.sql, key, { customerId, system: 'activecampaign', baseUrl: ac.url, credentials: { apiToken: 'wrong' } });
    const bad = await testConnection(db.sql, key, fetch, customerId, 'activecampaign');
    expect(bad).toMatchObject({ ok: false, error: expect.stringContaining('ActiveCampaign') });
  });

  it('a Zendesk connection from the form passes the connection test; an unknown log target is named', async () => {
    await connectWithApiKey(db.sql, key, { customerId, system: 'zendesk', baseUrl: zd.url, credentials: { email: ZENDESK_EMULATOR_EMAIL, apiToken: 'zd-key', callLogTarget: 'ticket' } });
    expect(await testConnection(db.sql, key, fetch, customerId, 'zendesk')).toMatchObject({ ok: true, account: expect.stringContaining(ZENDESK_EMULATOR_EMAIL) });
    await connectWithApiKey(db.sql, key, { customerId, system: 'zendesk', baseUrl: zd.url, credentials: { email: ZENDESK_EMULATOR_EMAIL, apiToken: 'zd-key', callLogTarget: 'tickets' } });
    const bad = await testConnection(db.sql, key, fetch, customerId, 'zendesk');
    expect(bad).toMatchObject({ ok: false, error: expect.stringContaining('callLogTarget must be "notes" or "ticket"') });
  });
});
