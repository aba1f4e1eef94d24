// The call_logging template through the API path (tests/api/call-logging-harness.ts) for a customer on each CRM added
// on the contract — Microsoft Dynamics 365, Zoho CRM, SugarCRM, Copper: an answered call gives exactly one native call
// record (read back through the vendor's API), linked to the caller and the agent; a missed call exactly one call-back
// task and no call record.
import { describeCallLogging } from './call-logging-harness';
import { startDynamicsEmulator } from '@/engine/connectors/dynamics/emulator';
import { dynamicsConnector } from '@/engine/connectors/dynamics/manifest';
import { dynamicsReadBack } from '@/engine/connectors/dynamics/read-back';
import { startZohoEmulator } from '@/engine/connectors/zoho/emulator';
import { zohoConnector } from '@/engine/connectors/zoho/manifest';
import { zohoReadBack } from '@/engine/connectors/zoho/read-back';
import { startSugarEmulator } from '@/engine/connectors/sugarcrm/emulator';
import { sugarcrmConnector } from '@/engine/connectors/sugarcrm/manifest';
import { sugarReadBack } from '@/engine/connectors/sugarcrm/read-back';
import { COPPER_EMULATOR_EMAIL, startCopperEmulator } from '@/engine/connectors/copper/emulator';
import { copperConnector } from '@/engine/connectors/copper/manifest';
import { copperReadBack } from '@/engine/connectors/copper/read-back';

const TOKEN = 'crm-token-calls-four';
const seed = { contacts: 5, companies: 2, users: 3, token: TOKEN };

describeCallLogging('calls4', [
  { connector: dynamicsConnector, start: () => startDynamicsEmulator(seed), credentials: { token: TOKEN }, readBack: dynamicsReadBack },
  { connector: zohoConnector, start: () => startZohoEmulator(seed), credentials: { token: TOKEN }, readBack: zohoReadBack },
  { connector: sugarcrmConnector, start: () => startSugarEmulator(seed), credentials: { accessToken: TOKEN }, readBack: sugarReadBack },
  { connector: copperConnector, start: () => startCopperEmulator(seed), credentials: { apiKey: TOKEN, email: COPPER_EMULATOR_EMAIL }, readBack: copperReadBack },
]);
