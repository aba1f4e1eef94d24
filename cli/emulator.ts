// Runs one emulator standalone: npm run emulator -- hubspot --port 4010 --contacts 10000 --token T
import { parseArgs } from 'node:util';
import type { RunningEmulator } from '../engine/connectors/kit/emulator-server';
import { startHubspotEmulator } from '../engine/connectors/hubspot/emulator';
import { startPipedriveEmulator } from '../engine/connectors/pipedrive/emulator';
import { startPhoneSystemEmulator } from '../engine/connectors/phone-system/emulator';
import { startSalesforceEmulator } from '../engine/connectors/salesforce/emulator';
import { dataDirOf, demoApp } from '../lib/connections/oauth-clients';

export interface EmulatorCliOptions { port: number; contacts: number; token: string; rateLimit: number }

const emulators: Record<string, (o: EmulatorCliOptions) => Promise<RunningEmulator>> = {
  // The CRMs also accept Patchbay's demo OAuth app (its secret from the data folder, PATCHBAY_DATA_DIR or ./data,
  // as the server reads it), so the portal's "Connect with OAuth" works against them.
  hubspot: (o) => startHubspotEmulator({ port: o.port, contacts: o.contacts, token: o.token, rateLimit: o.rateLimit, oauth: demoApp('hubspot', dataDirOf())! }),
  pipedrive: (o) => startPipedriveEmulator({ port: o.port, contacts: o.contacts, token: o.token, rateLimit: o.rateLimit, oauth: demoApp('pipedrive', dataDirOf())! }),
  phonesystem: (o) => startPhoneSystemEmulator({ port: o.port, contacts: o.contacts, token: o.token, rateLimit: o.rateLimit, webhookUrl: process.env.PHONESYSTEM_WEBHOOK_URL, webhookSecret: process.env.PHONESYSTEM_WEBHOOK_SECRET }),
  salesforce: (o) => startSalesforceEmulator({ port: o.port, contacts: o.contacts, token: o.token, rateLimit: o.rateLimit, oauth: demoApp('salesforce', dataDirOf())! }),
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
  const stop = () => emu.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
