// Copper runs the one CRM conformance suite against its emulator.
import { runCrmConformance } from '../kit/conformance';
import { COPPER_EMULATOR_EMAIL, startCopperEmulator, type CopperEmulator } from './emulator';
import { copperConnector } from './manifest';
import { copperReadBack } from './read-back';

runCrmConformance<CopperEmulator>({
  connector: copperConnector,
  start: (o) => startCopperEmulator(o),
  tokenCredentials: (token) => ({ apiKey: token, email: COPPER_EMULATOR_EMAIL }),
  oauth: {
    authorizePath: '/oauth/authorize',
    tokenPath: '/oauth/token',
    credentials: (t, client) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, ...client }),
  },
  ...copperReadBack,
});
