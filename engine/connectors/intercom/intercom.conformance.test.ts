// Intercom runs the one CRM conformance suite against its emulator.
import { runCrmConformance } from '../kit/conformance';
import { startIntercomEmulator, type IntercomEmulator } from './emulator';
import { intercomConnector } from './manifest';
import { intercomReadBack } from './read-back';

runCrmConformance<IntercomEmulator>({
  connector: intercomConnector,
  start: (o) => startIntercomEmulator(o),
  tokenCredentials: (token) => ({ accessToken: token }),
  oauth: {
    authorizePath: '/oauth',
    tokenPath: '/auth/eagle/token',
    refreshes: false,
    credentials: (t) => ({ accessToken: t.accessToken }),
  },
  ...intercomReadBack,
});
