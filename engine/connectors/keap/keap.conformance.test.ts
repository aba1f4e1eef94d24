// Keap runs the one CRM conformance suite against its emulator.
import { runCrmConformance } from '../kit/conformance';
import { startKeapEmulator, type KeapEmulator } from './emulator';
import { keapConnector } from './manifest';
import { keapReadBack } from './read-back';

runCrmConformance<KeapEmulator>({
  connector: keapConnector,
  start: (o) => startKeapEmulator(o),
  tokenCredentials: (token) => ({ apiKey: token }),
  oauth: {
    authorizePath: '/app/oauth/authorize',
    tokenPath: '/token',
    credentials: (t, client) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, ...client }),
  },
  ...keapReadBack,
});
