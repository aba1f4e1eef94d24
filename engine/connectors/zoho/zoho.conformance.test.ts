// Zoho CRM runs the one CRM conformance suite against its emulator.
import { runCrmConformance } from '../kit/conformance';
import { startZohoEmulator, type ZohoEmulator } from './emulator';
import { zohoConnector } from './manifest';
import { zohoReadBack } from './read-back';

runCrmConformance<ZohoEmulator>({
  connector: zohoConnector,
  start: (o) => startZohoEmulator(o),
  tokenCredentials: (token) => ({ token }),
  oauth: {
    authorizePath: '/oauth/v2/auth',
    tokenPath: '/oauth/v2/token',
    credentials: (t, client) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, ...client }),
  },
  ...zohoReadBack,
});
