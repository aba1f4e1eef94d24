// Runs one emulator standalone: npm run emulator -- hubspot --port 4010 --contacts 10000 --token T
import { parseArgs } from 'node:util';
import type { RunningEmulator } from '../engine/connectors/kit/emulator-server';
import { COPPER_EMULATOR_EMAIL, startCopperEmulator } from '../engine/connectors/copper/emulator';
import { startHubspotEmulator } from '../engine/connectors/hubspot/emulator';
import { startPipedriveEmulator } from '../engine/connectors/pipedrive/emulator';
import { startPhoneSystemEmulator } from '../engine/connectors/phone-system/emulator';
import { startSalesforceEmulator } from '../engine/connectors/salesforce/emulator';
import { startSugarEmulator, SUGAR_EMULATOR_USER } from '../engine/connectors/sugarcrm/emulator';
import { DEMO_EMULATORS } from '../lib/connections/oauth-clients';

export interface EmulatorCliOptions { port: number; contacts: number; token: string; rateLimit: number }

const emulators: Record<string, (o: EmulatorCliOptions) => Promise<RunningEmulator>> = {
  // The CRMs also accept Patchbay's demo OAuth app, so the portal's "Connect with OAuth" works against them.
  // The API key is the token; the key owner's email (X-PW-UserEmail) is printed below.
  copper: (o) => startCopperEmulator({ port: o.port, contacts: o.contacts, token: o.token, rateLimit: o.rateLimit, oauth: DEMO_EMULATORS.copper }),
  hubspot: (o) => startHubspotEmulator({ port: o.port, contacts: o.contacts, token: o.token, rateLimit: o.rateLimit, oauth: DEMO_EMULATORS.hubspot }),
  pipedrive: (o) => startPipedriveEmulator({ port: o.port, contacts: o.contacts, token: o.token, rateLimit: o.rateLimit, oauth: DEMO_EMULATORS.pipedrive }),
  phonesystem: (o) => startPhoneSystemEmulator({ port: o.port, contacts: o.contacts, token: o.token, rateLimit: o.rateLimit, webhookUrl: process.env.PHONESYSTEM_WEBHOOK_URL, webhookSecret: process.env.PHONESYSTEM_WEBHOOK_SECRET }),
  salesforce: (o) => startSalesforceEmulator({ port: o.port, contacts: o.contacts, token: o.token, rateLimit: o.rateLimit, oauth: DEMO_EMULATORS.salesforce }),
  // Sign in as admin / patchbay-demo (Sugar's password grant), or use the static token as the connection's accessToken.
  sugarcrm: (o) => startSugarEmulator({ port: o.port, contacts: o.contacts, token: o.token, rateLimit: o.rateLimit, oauth: DEMO_EMULATORS.sugarcrm, userName: SUGAR_EMULATOR_USER.userName, password: SUGAR_EMULATOR_USER.password }),
};

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string', default: '0' }, contacts: { type: 'string', default: '1000' }, token: { type: 'string', default: 'dev-token' }, 'rate-limit': { type: 'string', default: '0' } },
  });
  const name = positionals[0];
  const start = name ? emulators[name] : undefined;
  if (!start) {
    console.error(`usage: npm run emulator -- <${Object.keys(emulators).join('|')}> [--port N] [--contacts N] [--token T] [--rate-limit N]`);
    process.exit(2);
  }
  const emu = await start({ port: Number(values.port), contacts: Number(values.contacts), token: String(values.token), rateLimit: Number(values['rate-limit']) });
  console.log(`${name} emulator listening on ${emu.url} (token: ${values.token}, contacts: ${values.contacts})`);
  if (name === 'copper') console.log(`copper API key owner (X-PW-UserEmail): ${COPPER_EMULATOR_EMAIL}`);
  if (name === 'sugarcrm') console.log(`sugarcrm sign-in (password grant, client_id sugar): ${SUGAR_EMULATOR_USER.userName} / ${SUGAR_EMULATOR_USER.password}`);
  const stop = () => emu.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
