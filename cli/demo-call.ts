// npm run demo:call [-- --delay 0.1 --crm hubspot]: against the running Patchbay (npm start), starts a CRM
// emulator, an S3 emulator and the phone-system emulator, connects them to the demo customer, enables the
// call_logging template with a short delay, places three calls (answered with a recording, missed, notes edited
// later) and prints what happened: the contact lookup, the records in the CRM emulator, the stored recording.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startHubspotEmulator } from '../engine/connectors/hubspot/emulator';
import { syntheticPerson } from '../engine/connectors/kit/synthetic';
import { startPhoneSystemEmulator } from '../engine/connectors/phone-system/emulator';
import { startPipedriveEmulator } from '../engine/connectors/pipedrive/emulator';
import { startS3Emulator } from '../engine/connectors/s3/emulator';
import { startSalesforceEmulator } from '../engine/connectors/salesforce/emulator';
import { readConfig } from '../lib/config';
import { connect } from '../lib/db/client';
import { saveConnection } from '../lib/engine-host/connections';
import { enableIntegration } from '../lib/flows/flows';
import { loadSecrets } from '../lib/secrets';

const { values } = parseArgs({ options: { delay: { type: 'string', default: '0.1' }, crm: { type: 'string', default: 'hubspot' }, customer: { type: 'string', default: 'demo' } } });
const crm = String(values.crm) as 'hubspot' | 'salesforce' | 'pipedrive';
const delayMinutes = Number(values.delay);

async function main() {
  const cfg = readConfig();
  const runtimeFile = path.join(cfg.dataDir, 'runtime.json');
  if (!fs.existsSync(runtimeFile)) throw new Error(`Start Patchbay first (npm start): ${runtimeFile} is missing`);
  const runtime = JSON.parse(fs.readFileSync(runtimeFile, 'utf8')) as { url: string; databaseUrl: string };
  const { sql } = connect(process.env.DATABASE_URL || runtime.databaseUrl, 2);
  const secrets = loadSecrets(cfg);
  const [c] = await sql<{ id: string; vendor_id: string; slug: string }[]>`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = ${String(values.customer)} limit 1`;
  if (!c) throw new Error(`No customer "${values.customer}"`);
  const [flow] = await sql<{ id: string }[]>`select id from flows where vendor_id = ${c.vendor_id} and automation = 'call_logging' and deleted_at is null limit 1`;
  if (!flow) throw new Error('The call_logging template is not there: start Patchbay once in demo mode (it seeds it)');

  const token = 'demo-call-token';
  const emu = crm === 'salesforce' ? await startSalesforceEmulator({ contacts: 20, users: 3, token })
    : crm === 'pipedrive' ? await startPipedriveEmulator({ contacts: 20, users: 3, token })
      : await startHubspotEmulator({ contacts: 20, users: 3, token });
  const s3 = await startS3Emulator({ credentials: { AKIADEMOCALL: 'demo-call-secret' }, buckets: ['recordings'] });
  const secret = 'whsec_demo_call';
  const pb = await startPhoneSystemEmulator({ token: 'demo-pbx', webhookUrl: `${runtime.url}/api/v1/hooks/${c.slug}/${values.customer}/phone-system`, webhookSecret: secret, webhookRetryDelayMs: 200 });
  const key = secrets.encryptionKeys;
  await saveConnection(sql, key, { customerId: c.id, system: 'phonesystem', name: 'Phone system (emulator)', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: 'demo-pbx', webhookSecret: secret } });
  await saveConnection(sql, key, { customerId: c.id, system: crm, name: `${crm} (emulator)`, authKind: 'apiKey', baseUrl: emu.url, credentials: crm === 'pipedrive' ? { apiToken: token, companyDomain: 'demo' } : { token } });
  await saveConnection(sql, key, { customerId: c.id, system: 's3', name: 'S3 (emulator)', authKind: 'apiKey', baseUrl: s3.url, credentials: { accessKeyId: 'AKIADEMOCALL', secretAccessKey: 'demo-call-secret', region: 'us-east-1', bucket: 'recordings' } });
  await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId: flow.id, options: { crm, delayMinutes, recordingLinkLifetimeSec: 3600 } });
  console.log(`call_logging enabled for "${values.customer}" on ${crm} (emulator ${emu.url}), S3 ${s3.url}, delay ${delayMinutes} min\n`);

  const caller = syntheticPerson(0);
  const agentEmail = crm === 'hubspot' ? (emu as Awaited<ReturnType<typeof startHubspotEmulator>>).store.owners[1].email
    : crm === 'salesforce' ? String((emu as Awaited<ReturnType<typeof startSalesforceEmulator>>).store.list('User').find((u) => u.IsActive)!.Email)
      : (emu as Awaited<ReturnType<typeof startPipedriveEmulator>>).store.users.get(2)!.email;
  const calls = [
    { label: 'answered, with a recording', placed: await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail, durationSec: 184, recordingBytes: 2_000_000 }) },
    { label: 'missed', placed: await pb.placeCall({ outcome: 'missed', from: syntheticPerson(1).e164, to: '+14155550199', agentEmail }) },
    { label: 'answered, notes edited later', placed: await pb.placeCall({ outcome: 'answered', from: syntheticPerson(2).e164, to: '+14155550199', agentEmail, durationSec: 63 }) },
  ];
  const deadline = Date.now() + delayMinutes * 60_000 + 60_000;
  const sessionOf = async (callId: string) => (await sql<{ state: string; call: any; records: any; run_ids: string[] }[]>`select state, call, records, run_ids from call_sessions where customer_id = ${c.id} and call_id = ${callId}`)[0];
  const done = async (callId: string) => { const s = await sessionOf(callId); return !!(s?.records.log || s?.records.task); };
  process.stdout.write('waiting for the runs');
  while (Date.now() < deadline && !(await Promise.all(calls.map((x) => done(x.placed.callId)))).every(Boolean)) { process.stdout.write('.'); await new Promise((r) => setTimeout(r, 1000)); }
  console.log('');
  await pb.emitCall({ event: 'notes.updated', callId: calls[2].placed.callId, direction: 'inbound', from: syntheticPerson(2).e164, to: '+14155550199', startedAt: calls[2].placed.startedAt, notes: 'Asked for a quote. Call back Friday.' });
  await new Promise((r) => setTimeout(r, 3000));

  for (const { label, placed } of calls) {
    const s = await sessionOf(placed.callId);
    console.log(`\n● ${label}: ${placed.callId} (${s?.state}, ${s?.call.status}, ${s?.call.durationSec ?? 0} s)`);
    const runs = await sql<{ status: string; steps: { nodeId: string; port: string | null }[] }[]>`select status, steps from runs where id = any(${s?.run_ids ?? []}::uuid[]) and automation = 'call_logging' order by started_at`;
    for (const r of runs) {
      const path = r.steps.map((st) => st.nodeId + (st.port && st.port !== 'out' ? `[${st.port}]` : '')).join(' → ');
      console.log(`  run ${r.status}: ${path}`);
    }
    if (s?.records.recording) console.log(`  recording: s3://${s.records.recording.bucket}/${s.records.recording.key} (${s.records.recording.size} bytes)\n    ${s.records.recording.url.slice(0, 120)}…`);
    if (s?.records.log) console.log(`  CRM log: ${JSON.stringify(s.records.log.ref)}  notes: ${JSON.stringify(s.records.log.logged.notes)}`);
    if (s?.records.task) console.log(`  CRM task: ${JSON.stringify(s.records.task.ref)}`);
  }
  if (crm === 'hubspot') {
    const hs = emu as Awaited<ReturnType<typeof startHubspotEmulator>>;
    console.log(`\nHubSpot emulator holds ${hs.store.calls().length} call(s) and ${hs.store.tasks().length} task(s):`);
    for (const x of hs.store.calls()) console.log(`  call ${x.id}: ${x.properties.hs_call_title} · ${x.properties.hs_call_status} · ${Number(x.properties.hs_call_duration) / 1000} s · owner ${x.properties.hubspot_owner_id} · contact ${x.associations.contacts?.join(',') ?? '-'} · notes ${JSON.stringify(x.properties.hs_call_body ?? '')}`);
    for (const x of hs.store.tasks()) console.log(`  task ${x.id}: ${x.properties.hs_task_subject}`);
  }
  console.log(`\nS3 emulator: ${s3.store.objects().map((o) => `${o.bucket}/${o.key} (${o.size} bytes)`).join(', ') || 'nothing stored'}`);
  await sql`update integrations set enabled = false where customer_id = ${c.id} and automation = 'call_logging'`;
  console.log('\n(call_logging disabled again for the demo customer: the emulators stop with this script)');
  await Promise.all([emu.close(), s3.close(), pb.close()]);
  await sql.end({ timeout: 2 });
}

main().catch((err) => { console.error(err instanceof Error ? err.message : err); process.exit(1); });
