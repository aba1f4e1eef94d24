// Runs one connector's emulator standalone: npm run emulator -- hubspot --port 4010 --contacts 10000 --token T
// Which emulators exist comes from the catalog (each connector declares its own); CRMs also accept Patchbay's
// demo OAuth app (its secret from this installation's data folder, PATCHBAY_DATA_DIR or ./data, as the server
// reads it), so the portal's "Connect with OAuth" works against them.
import { parseArgs } from 'node:util';
import { catalog } from '../engine/connectors';
import { syntheticPerson } from '../engine/connectors/kit/synthetic';
import { dataDirOf, demoApp } from '../lib/connections/oauth-clients';

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string', default: '0' }, contacts: { type: 'string', default: '1000' }, token: { type: 'string', default: 'dev-token' }, 'rate-limit': { type: 'string', default: '0' } },
  });
  const name = positionals[0];
  const emulator = name ? catalog[name]?.connector.emulator : undefined;
  if (!emulator) {
    const names = Object.values(catalog).filter((e) => e.connector.emulator).map((e) => e.connector.id);
    console.error(`usage: npm run emulator -- <${names.join('|')}> [--port N] [--contacts N] [--token T] [--rate-limit N]`);
    process.exit(2);
  }
  const emu = await emulator.start({
    port: Number(values.port), contacts: Number(values.contacts), token: String(values.token), rateLimit: Number(values['rate-limit']),
    oauth: emulator.demo.oauthClient && name ? { clientId: emulator.demo.oauthClient.clientId, clientSecret: demoApp(name, dataDirOf())!.clientSecret } : undefined, env: process.env,
  });
  console.log(`${name} emulator listening on ${emu.url} (token: ${values.token}, contacts: ${values.contacts})`);
  // A CRM emulator seeds synthetic people 0…N-1: a few of their numbers to call the lookup with after a sync.
  if (catalog[name].contactSource && Number(values.contacts) > 0) {
    const samples = Array.from({ length: Math.min(3, Number(values.contacts)) }, (_, i) => syntheticPerson(i));
    console.log(`Sample contacts (after a contact sync from this ${name}, caller_lookup finds them): ${samples.map((p) => `${p.firstName} ${p.lastName} ${p.e164}`).join(', ')}`);
  }
  const stop = () => emu.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
