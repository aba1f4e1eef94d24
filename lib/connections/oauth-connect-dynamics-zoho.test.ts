// OAuth endpoints for the CRMs whose authorization host depends on the account: a Dynamics 365 environment signs
// in at Microsoft Entra ID with its own user_impersonation scope, a Zoho account at its data centre's accounts server.
import { describe, expect, it } from 'vitest';
import { catalog } from '@/engine/connectors/catalog';
import { oauthAuth } from './manage-connections';
import { oauthEndpoints, startOAuth } from './oauth-connect';

const endpoints = (system: string, baseUrl: string) => {
  const def = catalog[system].connector;
  return oauthEndpoints(def, oauthAuth(def)!, baseUrl);
};
const start = (system: string, baseUrl: string) => new URL(startOAuth('s3cret', { customerId: 'c', vendorId: 'v', externalId: 'acme', system, baseUrl, redirectUri: 'http://localhost:3000/api/portal/oauth/callback', env: {} }).authorizeUrl);

describe('OAuth endpoints of Dynamics 365 and Zoho CRM', () => {
  it('Dynamics 365: Entra ID for a real environment, with that environment\'s scope; the emulator serves the same paths', () => {
    expect(endpoints('dynamics', 'https://contoso.crm4.dynamics.com')).toEqual({
      authorizeUrl: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize', tokenUrl: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/token',
    });
    expect(start('dynamics', 'https://contoso.crm4.dynamics.com/').searchParams.get('scope')).toBe('https://contoso.crm4.dynamics.com/user_impersonation offline_access');
    expect(endpoints('dynamics', 'http://127.0.0.1:4018')).toEqual({ authorizeUrl: 'http://127.0.0.1:4018/organizations/oauth2/v2.0/authorize', tokenUrl: 'http://127.0.0.1:4018/organizations/oauth2/v2.0/token' });
  });

  it('Zoho CRM: the accounts server of the API domain\'s data centre, asking for a refresh token', () => {
    expect(endpoints('zoho', 'https://www.zohoapis.eu')).toEqual({ authorizeUrl: 'https://accounts.zoho.eu/oauth/v2/auth?access_type=offline&prompt=consent', tokenUrl: 'https://accounts.zoho.eu/oauth/v2/token' });
    expect(endpoints('zoho', 'https://www.zohoapis.com').tokenUrl).toBe('https://accounts.zoho.com/oauth/v2/token');
    const url = start('zoho', 'https://www.zohoapis.in');
    expect(url.origin + url.pathname).toBe('https://accounts.zoho.in/oauth/v2/auth');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('scope')).toBe('ZohoCRM.modules.ALL ZohoCRM.users.READ ZohoCRM.org.READ');
    expect(endpoints('zoho', 'http://127.0.0.1:4019')).toEqual({ authorizeUrl: 'http://127.0.0.1:4019/oauth/v2/auth', tokenUrl: 'http://127.0.0.1:4019/oauth/v2/token' });
  });
});
