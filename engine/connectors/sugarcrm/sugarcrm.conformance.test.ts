// SugarCRM runs the one CRM conformance suite against its emulator.
import { runCrmConformance } from '../kit/conformance';
import { startSugarEmulator, type SugarEmulator } from './emulator';
import { sugarcrmConnector } from './manifest';
import { sugarReadBack } from './read-back';

runCrmConformance<SugarEmulator>({
  connector: sugarcrmConnector,
  start: (o) => startSugarEmulator(o),
  tokenCredentials: (token) => ({ accessToken: token }),
  oauth: {
    authorizePath: '/rest/v11_4/oauth2/authorize',
    tokenPath: '/rest/v11_4/oauth2/token',
    credentials: (t, client) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, ...client }),
  },
  ...sugarReadBack,
});
