// Zendesk runs the one CRM conformance suite against its emulator (end users have no owner).
import { runCrmConformance } from '../kit/conformance';
import { startZendeskEmulator, ZENDESK_EMULATOR_EMAIL, type ZendeskEmulator } from './emulator';
import { zendeskConnector } from './manifest';
import { zendeskReadBack } from './read-back';

runCrmConformance<ZendeskEmulator>({
  connector: zendeskConnector,
  start: (o) => startZendeskEmulator(o),
  tokenCredentials: (token) => ({ email: ZENDESK_EMULATOR_EMAIL, apiToken: token }),
  contactOwner: false,
  oauth: {
    authorizePath: '/oauth/authorizations/new',
    tokenPath: '/oauth/tokens',
    credentials: (t, client) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, ...client }),
  },
  ...zendeskReadBack,
});
