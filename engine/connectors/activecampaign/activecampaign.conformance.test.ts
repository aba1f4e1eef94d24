// ActiveCampaign runs the one CRM conformance suite against its emulator (an API token only: no OAuth app flow;
// contacts have no owner).
import { runCrmConformance } from '../kit/conformance';
import { startActiveCampaignEmulator, type AcEmulator } from './emulator';
import { activecampaignConnector } from './manifest';
import { acReadBack } from './read-back';

runCrmConformance<AcEmulator>({
  connector: activecampaignConnector,
  start: (o) => startActiveCampaignEmulator(o),
  tokenCredentials: (token) => ({ apiToken: token }),
  contactOwner: false,
  ...acReadBack,
});
