// Microsoft Dynamics 365 runs the one CRM conformance suite against its emulator.
import { runCrmConformance } from '../kit/conformance';
import { EMULATOR_TENANT, startDynamicsEmulator, type DynamicsEmulator } from './emulator';
import { dynamicsConnector } from './manifest';
import { dynamicsReadBack } from './read-back';

runCrmConformance<DynamicsEmulator>({
  connector: dynamicsConnector,
  start: (o) => startDynamicsEmulator(o),
  tokenCredentials: (token) => ({ token }),
  oauth: {
    authorizePath: `/${EMULATOR_TENANT}/oauth2/v2.0/authorize`,
    tokenPath: `/${EMULATOR_TENANT}/oauth2/v2.0/token`,
    credentials: (t, client) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, ...client }),
  },
  ...dynamicsReadBack,
});
