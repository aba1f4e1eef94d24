import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '@/engine/connectors/catalog';
import { oauthAuth } from './manage-connections';
import { nonceMatches, oauthEndpoints, readOAuthState, startOAuth } from './oauth-connect';
import { demoApp, oauthClientFor } from './oauth-clients';

// The demo apps' secrets live in the data folder: a fresh one for these tests.
const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-oauth-'));

const endpoints = (system: string, baseUrl: string) => {
  const def = catalog[system].connector;
  return oauthEndpoints(def, oauthAuth(def)!, baseUrl);
};

describe('OAuth endpoints per base URL', () => {
  it('uses the real services\' authorization hosts for their default base URLs', () => {
    expect(endpoints('hubspot', 'https://api.hubapi.com')).toEqual({ authorizeUrl: 'https://app.hubspot.com/oauth/authorize', tokenUrl: 'https://api.hubapi.com/oauth/v1/token' });
    expect(endpoints('salesforce', 'https://login.salesforce.com')).toEqual({ authorizeUrl: 'https://login.salesforce.com/services/oauth2/authorize', tokenUrl: 'https://login.salesforce.com/services/oauth2/token' });
    expect(endpoints('pipedrive', 'https://api.pipedrive.com')).toEqual({ authorizeUrl: 'https://oauth.pipedrive.com/oauth/authorize', tokenUrl: 'https://oauth.pipedrive.com/oauth/token' });
    // A company's own Pipedrive host still signs in at oauth.pipedrive.com; a Salesforce My Domain at itself.
    expect(endpoints('pipedrive', 'https://acme.pipedrive.com').authorizeUrl).toBe('https://oauth.pipedrive.com/oauth/authorize');
    expect(endpoints('salesforce', 'https://acme.my.salesforce.com/').tokenUrl).toBe('https://acme.my.salesforce.com/services/oauth2/token');
  });

  it('sends everything to an emulator on any other base URL (the paths the emulators serve)', () => {
    expect(endpoints('hubspot', 'http://127.0.0.1:4010')).toEqual({ authorizeUrl: 'http://127.0.0.1:4010/oauth/authorize', tokenUrl: 'http://127.0.0.1:4010/oauth/v1/token' });
    expect(endpoints('salesforce', 'http://127.0.0.1:4011')).toEqual({ authorizeUrl: 'http://127.0.0.1:4011/services/oauth2/authorize', tokenUrl: 'http://127.0.0.1:4011/services/oauth2/token' });
    expect(endpoints('pipedrive', 'http://127.0.0.1:4012')).toEqual({ authorizeUrl: 'http://127.0.0.1:4012/oauth/authorize', tokenUrl: 'http://127.0.0.1:4012/oauth/token' });
  });
});

describe('OAuth clients', () => {
  it('come from PATCHBAY_<SYSTEM>_CLIENT_ID/_SECRET, else the demo app in demo mode only', () => {
    expect(oauthClientFor('hubspot', { PATCHBAY_HUBSPOT_CLIENT_ID: 'id', PATCHBAY_HUBSPOT_CLIENT_SECRET: 'sec', PATCHBAY_MODE: 'production' })).toEqual({ clientId: 'id', clientSecret: 'sec', demo: false });
    expect(oauthClientFor('hubspot', { PATCHBAY_DATA_DIR: demoDir })).toEqual({ clientId: 'patchbay-demo-hubspot', clientSecret: demoApp('hubspot', demoDir)!.clientSecret, demo: true });
    expect(demoApp('hubspot', demoDir)!.clientSecret).not.toBe(demoApp('hubspot', fs.mkdtempSync(path.join(os.tmpdir(), 'pb-oauth-')))!.clientSecret);
    expect(oauthClientFor('hubspot', { PATCHBAY_MODE: 'production' })).toBeNull();
    expect(oauthClientFor('phonesystem', { PATCHBAY_DATA_DIR: demoDir })).toBeNull();
  });
});

describe('OAuth state', () => {
  const secret = 's3cret';
  const p = { customerId: 'c-uuid', vendorId: 'v-uuid', externalId: 'acme', system: 'hubspot', baseUrl: 'http://127.0.0.1:4010/', redirectUri: 'http://localhost:3000/api/portal/oauth/callback', env: { PATCHBAY_DATA_DIR: demoDir } };

  it('carries customer, connector and base URL through the authorize page, bound to a nonce', () => {
    const start = startOAuth(secret, p);
    const u = new URL(start.authorizeUrl);
    expect(u.origin + u.pathname).toBe('http://127.0.0.1:4010/oauth/authorize');
    expect(Object.fromEntries(u.searchParams)).toMatchObject({ response_type: 'code', client_id: 'patchbay-demo-hubspot', redirect_uri: p.redirectUri });
    expect(u.searchParams.get('scope')).toContain('crm.objects.contacts.read');
    const state = readOAuthState(secret, u.searchParams.get('state'));
    expect(state).toEqual({ customerId: 'c-uuid', vendorId: 'v-uuid', externalId: 'acme', system: 'hubspot', baseUrl: 'http://127.0.0.1:4010', nonce: start.nonce });
    expect(nonceMatches(state, start.nonce)).toBe(true);
    expect(nonceMatches(state, start.nonce.slice(1) + 'x')).toBe(false);
    expect(nonceMatches(state, null)).toBe(false);
  });

  it('is refused when forged or stale, in words a customer can act on', () => {
    expect(() => readOAuthState(secret, 'forged.state')).toThrow(/did not come from a connect attempt Patchbay started/);
    const u = new URL(startOAuth(secret, { ...p, nowMs: Date.now() - 16 * 60_000 }).authorizeUrl);
    expect(() => readOAuthState(secret, u.searchParams.get('state'))).toThrow(/took too long/);
  });

  it('is not offered where no OAuth app is configured', () => {
    expect(() => startOAuth(secret, { ...p, env: { PATCHBAY_MODE: 'production' } })).toThrow(/OAuth for HubSpot is not set up/);
  });
});
