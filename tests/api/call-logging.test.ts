// Call logging end to end: the phone-system emulator places calls and sends its signed webhooks to the running
// server; the one call_logging template (engine/fixtures/call-logging.flow.json) waits durably, finds contact and
// agent, stores the recording through the AWS SDK in the S3 emulator and logs the call in the HubSpot, Salesforce
// and Pipedrive emulators. Short delay (options.delayMinutes).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, baseUrl, db } from './helpers';
import { callSession, settledCall, type CallSession } from './call-sessions';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { saveConnection } from '@/lib/engine-host/connections';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { recordingSha256 } from '@/engine/connectors/phone-system/emulator/recordings';
import { signWebhookBody } from '@/engine/connectors/phone-system/webhook-signature';
import { startS3Emulator, type S3Emulator } from '@/engine/connectors/s3/emulator';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { startSalesforceEmulator, type SalesforceEmulator } from '@/engine/connectors/salesforce/emulator';
import { startPipedriveEmulator } from '@/engine/connectors/pipedrive/emulator';
import { syntheticPerson } from '@/engine/connectors/kit/synthetic';

type PipedriveEmulator = Awaited<ReturnType<typeof startPipedriveEmulator>>;
const TOKEN = 'crm-token-calls';
const PB_TOKEN = 'pb-token-calls';
const S3_KEYS = { accessKeyId: 'AKIACALLS', secretAccessKey: 'calls-secret' };
const DELAY_MIN = 0.05; // 3 s

let hs: HubspotEmulator;
let sf: SalesforceEmulator;
let pd: PipedriveEmulator;
let pb: PhoneSystemEmulator;
let s3: S3Emulator;
let vendorSlug = '';

interface Tenant { ext: string; id: string; secret: string; hook: string }
const tenants: Record<'hubspot' | 'salesforce' | 'pipedrive', Tenant> = {} as never;

const caller = syntheticPerson(0); // seeded in every CRM emulator
const AGENT = { hubspot: '', salesforce: '', pipedrive: '' };
const AGENT_ID = { hubspot: '', salesforce: '', pipedrive: '' };

beforeAll(async () => {
  [hs, sf, pd, pb, s3] = await Promise.all([
    startHubspotEmulator({ contacts: 5, companies: 2, users: 3, token: TOKEN }),
    startSalesforceEmulator({ contacts: 5, companies: 2, users: 3, token: TOKEN }),
    startPipedriveEmulator({ contacts: 5, companies: 2, users: 3, token: TOKEN }),
    startPhoneSystemEmulator({ token: PB_TOKEN, webhookRetryDelayMs: 50 }),
    startS3Emulator({ credentials: { [S3_KEYS.accessKeyId]: S3_KEYS.secretAccessKey }, region: 'eu-west-1', buckets: ['call-recordings'] }),
  ]);
  AGENT.hubspot = hs.store.owners[1].email; AGENT_ID.hubspot = hs.store.owners[1].id;
  const sfUser = sf.store.list('User').find((u) => u.IsActive && u.Id !== sf.store.apiUserId)!;
  AGENT.salesforce = String(sfUser.Email); AGENT_ID.salesforce = String(sfUser.Id);
  const pdUser = pd.store.users.get(2)!;
  AGENT.pipedrive = pdUser.email; AGENT_ID.pipedrive = String(pdUser.id);

  const sql = db();
  const key = Buffer.from(JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).encryptionKey, 'hex');
  const definition = JSON.parse(fs.readFileSync(path.resolve('engine/fixtures/call-logging.flow.json'), 'utf8'));
  let flowId = '';
  let version = 0;
  for (const crm of ['hubspot', 'salesforce', 'pipedrive'] as const) {
    const ext = `calls-${crm}-${Math.random().toString(36).slice(2, 7)}`;
    expect((await api('/api/v1/customers', { body: { externalId: ext, name: `Calls on ${crm}`, defaultCountry: 'US' } })).status).toBe(201);
    const [c] = await sql`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = ${ext}`;
    vendorSlug = c.slug;
    const secret = `whsec_${crm}_${Math.random().toString(36).slice(2)}`;
    await saveConnection(sql, key, { customerId: c.id, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: PB_TOKEN, webhookSecret: secret } });
    const emu = crm === 'hubspot' ? hs : crm === 'salesforce' ? sf : pd;
    const credentials = crm === 'pipedrive' ? { apiToken: TOKEN, companyDomain: 'calls-test' } : { token: TOKEN };
    await saveConnection(sql, key, { customerId: c.id, system: crm, name: crm, authKind: 'apiKey', baseUrl: emu.url, credentials });
    await saveConnection(sql, key, { customerId: c.id, system: 's3', name: 'S3', authKind: 'apiKey', baseUrl: s3.url, credentials: { ...S3_KEYS, region: 'eu-west-1', bucket: 'call-recordings' } });
    if (!flowId) {
      // The demo seed may already have a flow answering to call_logging (automation names are unique per vendor):
      // this definition becomes its new version.
      const [existing] = await sql<{ id: string }[]>`select id from flows where vendor_id = ${c.vendor_id} and automation = ${(definition as { automation: string }).automation} and deleted_at is null`;
      const saved = await saveFlowVersion(sql, { vendorId: c.vendor_id, flowId: existing?.id, definition });
      ({ flowId, version } = saved);
      await publishFlow(sql, c.vendor_id, flowId, version);
    }
    // The same template for every CRM: only the integration's options differ.
    await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId, options: { crm, delayMinutes: DELAY_MIN, recordingLinkLifetimeSec: 3600 } });
    tenants[crm] = { ext, id: c.id, secret, hook: `${baseUrl()}/api/v1/hooks/${c.slug}/${ext}/phone-system` };
  }
  // Three ways to know the caller: a phonebook entry carrying the HubSpot id, a CDP contact from Salesforce,
  // and for Pipedrive nothing but the CRM itself (searched by number).
  const hsContact = hs.store.list('contacts').find((r) => r.properties.firstName === caller.firstName || r.properties.firstname === caller.firstName)!;
  pb.store.add({ externalId: hsContact.id, source: 'hubspot', firstName: caller.firstName, lastName: caller.lastName, phones: [{ number: caller.e164, type: 'work' }] });
  const sfContact = sf.store.list('Contact').find((r) => r.FirstName === caller.firstName)!;
  const up = await api(`/api/v1/customers/${tenants.salesforce.ext}/cdp/contacts`, { body: { contacts: [{ source: 'salesforce', externalId: String(sfContact.Id), firstName: caller.firstName, lastName: caller.lastName, phones: [caller.e164] }] } });
  expect(up.status).toBe(200);
}, 120_000);

afterAll(async () => { await Promise.all([hs?.close(), sf?.close(), pd?.close(), pb?.close(), s3?.close()]); });

function useTenant(crm: keyof typeof tenants) {
  pb.setWebhook({ url: tenants[crm].hook, secret: tenants[crm].secret });
}

const session = (crm: keyof typeof tenants, callId: string) => callSession(tenants[crm].id, callId);

/** Waits until every run the call started has finished, and returns the session. */
const settled = (crm: keyof typeof tenants, callId: string, until: (s: CallSession) => boolean = (s) => !!s?.records?.log || !!s?.records?.task, timeoutMs = 30_000) =>
  settledCall(tenants[crm].id, callId, until, { timeoutMs });

const hsCallsFor = (callId: string) => hs.store.calls().filter((c) => c.properties.hs_call_external_id === callId);
const sfCallsFor = (callId: string) => sf.store.calls().filter((t) => t.CallObject === callId);
const pdCallsFor = (callId: string) => [...pd.store.tables.activities.rows.values()].filter((a: any) => a.type === 'call' && a.done && !a.is_deleted && String(a.note ?? '').includes(`Call id: ${callId}`)) as any[];

describe('call_logging: one template, every CRM', () => {
  it('HubSpot: an answered call gives one call engagement with every field, linked to the contact and the agent; the recording is in S3 first and linked', async () => {
    useTenant('hubspot');
    const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: AGENT.hubspot, durationSec: 95, recordingBytes: 300_000 });
    const s = await settled('hubspot', placed.callId);
    const logs = hsCallsFor(placed.callId);
    expect(logs).toHaveLength(1);
    const p = logs[0].properties;
    expect(p).toMatchObject({ hs_call_direction: 'INBOUND', hs_call_status: 'COMPLETED', hs_call_duration: '95000', hs_call_from_number: caller.e164, hs_call_to_number: '+14155550199', hubspot_owner_id: AGENT_ID.hubspot });
    expect(Date.parse(p.hs_timestamp)).toBe(Date.parse(placed.startedAt));
    expect(logs[0].associations.contacts).toEqual([pb.store.contacts().find((c) => c.source === 'hubspot')!.externalId]);
    // The recording: uploaded through the AWS SDK to the S3 emulator, before the log, which links the stored copy.
    const obj = s3.store.object('call-recordings', `recordings/${tenants.hubspot.id}/${placed.callId}.wav`)!;
    expect(obj.size).toBe(300_000);
    expect(await s3.store.sha256('call-recordings', obj.key)).toBe(recordingSha256(pb.store.recordings().find((r) => r.id === placed.recordingId)!.seed, 300_000));
    expect(obj.lastModified.getTime()).toBeLessThanOrEqual(Date.parse(logs[0].createdAt));
    expect(s3.stats.byOperation.get('PutObject')).toBe(1); // uploaded once, whichever runs the call started
    expect(p.hs_call_recording_url).toBe(s.records.recording.url);
    expect(p.hs_call_recording_url.startsWith(`${s3.url}/call-recordings/recordings/`)).toBe(true);
    const dl = await fetch(p.hs_call_recording_url);
    expect(dl.status).toBe(200);
    expect((await dl.arrayBuffer()).byteLength).toBe(300_000);
    expect(s.records.log.ref).toMatchObject({ system: 'hubspot', type: 'call', id: logs[0].id });
    expect(s.state).toBe('ended');
  });

  it('Salesforce: the same template logs a completed call Task (contact found in the CDP)', async () => {
    useTenant('salesforce');
    const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: AGENT.salesforce, durationSec: 61, recordingBytes: 50_000 });
    const s = await settled('salesforce', placed.callId);
    const logs = sfCallsFor(placed.callId);
    expect(logs).toHaveLength(1);
    const sfContact = sf.store.list('Contact').find((r) => r.FirstName === caller.firstName)!;
    expect(logs[0]).toMatchObject({ TaskSubtype: 'Call', Status: 'Completed', CallType: 'Inbound', CallDurationInSeconds: 61, WhoId: sfContact.Id, OwnerId: AGENT_ID.salesforce });
    expect(String(logs[0].CallDisposition).toLowerCase()).toBe('answered');
    expect(String(logs[0].Description)).toContain(s.records.recording.url);
  });

  it('Pipedrive: the same template logs a done call activity (contact found by a CRM search)', async () => {
    useTenant('pipedrive');
    const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: AGENT.pipedrive, durationSec: 42, recordingBytes: 50_000 });
    const s = await settled('pipedrive', placed.callId);
    const logs = pdCallsFor(placed.callId);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ type: 'call', done: true, owner_id: Number(AGENT_ID.pipedrive) });
    expect(logs[0].person_id).not.toBeNull();
    const steps = (await db()`select steps from runs where id = any(${s.run_ids}::uuid[]) and automation = 'call_logging'`).flatMap((r) => r.steps);
    expect(steps.some((st: any) => st.nodeId === 'crmfind' && st.port === 'found')).toBe(true);
    expect(String(logs[0].note)).toMatch(/Direction: inbound/);
    expect(String(logs[0].note)).toContain('Result: answered');
  });

  it('a missed call gives a call-back task for the agent, not a log', async () => {
    useTenant('hubspot');
    const calls0 = hs.store.calls().length;
    const tasks0 = hs.store.tasks().length;
    const placed = await pb.placeCall({ outcome: 'missed', from: caller.e164, to: '+14155550199', agentEmail: AGENT.hubspot });
    const s = await settled('hubspot', placed.callId);
    expect(hs.store.calls().length).toBe(calls0);
    const tasks = hs.store.tasks().slice(tasks0);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].properties.hs_task_subject).toContain('Call back');
    expect(tasks[0].properties.hubspot_owner_id).toBe(AGENT_ID.hubspot);
    expect(s.records.task.ref).toMatchObject({ system: 'hubspot', id: tasks[0].id });
    expect(s.records.log).toBeUndefined();
  });

  it('notes edited after the call change the same log, never a second one', async () => {
    useTenant('hubspot');
    const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: AGENT.hubspot, recordingBytes: 10_000 });
    const first = await settled('hubspot', placed.callId);
    const id = first.records.log.ref.id;
    await pb.emitCall({ event: 'notes.updated', callId: placed.callId, direction: 'inbound', from: caller.e164, to: '+14155550199', startedAt: placed.startedAt, notes: 'Wants the premium plan.\nCall back Friday.' });
    await settled('hubspot', placed.callId, (s) => s.records.log?.logged?.notes === 'Wants the premium plan.\nCall back Friday.');
    const logs = hsCallsFor(placed.callId);
    expect(logs).toHaveLength(1);
    expect(logs[0].id).toBe(id);
    expect(logs[0].properties.hs_call_body).toBe('Wants the premium plan.<br>Call back Friday.');
  });

  it('every event delivered three times still gives one log and one run per delivery', async () => {
    useTenant('hubspot');
    const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: AGENT.hubspot, recordingBytes: 10_000, notes: ['first notes'], deliveries: 3 });
    const s = await settled('hubspot', placed.callId, (x) => x.records.log?.logged?.notes === 'first notes');
    expect(hsCallsFor(placed.callId)).toHaveLength(1);
    expect(s.events).toHaveLength(placed.deliveries.length);
    // The first attempt of each delivery is accepted (202), the repeats are recognised (200 duplicate).
    for (const d of placed.deliveries) expect(d.attempts.map((a) => a.status)).toEqual([202, 200, 200]);
    const [{ n }] = await db()`select count(*)::int as n from webhook_deliveries where delivery_id = any(${placed.deliveries.map((d) => d.id)})`;
    expect(n).toBe(placed.deliveries.length);
  });

  it('events in reverse order give one correct log', async () => {
    useTenant('salesforce');
    const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: AGENT.salesforce, durationSec: 77, recordingBytes: 10_000, notes: ['late notes'], order: 'reverse' });
    const s = await settled('salesforce', placed.callId, (x) => x.records.log?.logged?.notes === 'late notes');
    const logs = sfCallsFor(placed.callId);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ CallType: 'Inbound', CallDurationInSeconds: 77, OwnerId: AGENT_ID.salesforce });
    expect(String(logs[0].CallDisposition).toLowerCase()).toBe('answered');
    expect(String(logs[0].Description)).toContain('late notes');
    expect(s).toMatchObject({ state: 'ended', call: { status: 'answered', durationSec: 77 } });
  });

  it('a run that wrote the log but lost its bookkeeping (worker killed) finds the log again instead of writing a second', async () => {
    useTenant('pipedrive');
    const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: AGENT.pipedrive, recordingBytes: 10_000 });
    await settled('pipedrive', placed.callId);
    expect(pdCallsFor(placed.callId)).toHaveLength(1);
    // As if the worker died between the CRM write and storing the record on the session …
    await db()`update call_sessions set records = records - 'log' where customer_id = ${tenants.pipedrive.id} and call_id = ${placed.callId}`;
    // … and the run ran again (the phone system re-sends call.ended under a new delivery id).
    await pb.emitCall({ event: 'call.ended', callId: placed.callId, direction: 'inbound', from: caller.e164, to: '+14155550199', agentEmail: AGENT.pipedrive, startedAt: placed.startedAt, durationSec: 95, status: 'completed' });
    const s = await settled('pipedrive', placed.callId);
    expect(pdCallsFor(placed.callId)).toHaveLength(1);
    expect(String(s.records.log.ref.id)).toBe(String(pdCallsFor(placed.callId)[0].id));
  });

  it('a run waiting on the call (delay 5 minutes) is woken by recording.ready, once, and goes on at once', async () => {
    useTenant('hubspot');
    await db()`update integrations set options = options || '{"delayMinutes": 5}'::jsonb where customer_id = ${tenants.hubspot.id} and automation = 'call_logging'`;
    try {
      const callId = `wake-${Date.now()}`;
      const startedAt = new Date(Date.now() - 60_000).toISOString();
      const base = { callId, direction: 'inbound' as const, from: caller.e164, to: '+14155550199', agentEmail: AGENT.hubspot, startedAt };
      await pb.emitCall({ ...base, event: 'call.answered' });
      await pb.emitCall({ ...base, event: 'call.ended', durationSec: 50, status: 'completed' });
      // The run reaches the wait and is persisted, registered on the call.
      let waiting: any;
      for (let i = 0; i < 40 && !waiting; i++) {
        [waiting] = await db()`select w.run_id, w.until, r.status from call_session_waits w join runs r on r.id = w.run_id join call_sessions s on s.id = w.session_id where s.call_id = ${callId}`;
        if (!waiting) await new Promise((r) => setTimeout(r, 250));
      }
      expect(waiting).toMatchObject({ until: 'recording', status: 'waiting' });
      const [job] = await db()`select state, start_after from pgboss.job where name = 'run-resume' and data->>'runId' = ${waiting.run_id}`;
      expect(new Date(job.start_after).getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
      const url = pb.store.addRecording(`rec-${callId}`, 20_000);
      const t0 = Date.now();
      await pb.emitCall({ ...base, event: 'recording.ready', recordingUrl: url });
      const s = await settled('hubspot', callId);
      expect(Date.now() - t0).toBeLessThan(15_000);
      const [run] = await db()`select status, steps from runs where id = ${waiting.run_id}`;
      expect(run.status).toBe('succeeded');
      expect(run.steps.filter((st: any) => st.nodeId === 'wait')).toHaveLength(1);
      expect(run.steps.filter((st: any) => st.nodeId === 'log')).toHaveLength(1);
      expect(hsCallsFor(callId)).toHaveLength(1);
      expect(hsCallsFor(callId)[0].properties.hs_call_recording_url).toBe(s.records.recording.url);
      expect((await db()`select count(*)::int as n from call_session_waits where run_id = ${waiting.run_id}`)[0].n).toBe(0);
    } finally {
      await db()`update integrations set options = options || ${JSON.stringify({ delayMinutes: DELAY_MIN })}::text::jsonb where customer_id = ${tenants.hubspot.id} and automation = 'call_logging'`;
    }
  });

  it('refuses a forged signature: nothing recorded, nothing run', async () => {
    const body = JSON.stringify({ event: 'call.ended', callId: 'forged-1', direction: 'inbound', from: caller.e164, to: '+14155550199', startedAt: new Date().toISOString(), durationSec: 5, status: 'completed' });
    const post = (sig: string) => fetch(tenants.hubspot.hook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-phonesystem-signature': sig, 'x-phonesystem-event': 'call.ended', 'x-phonesystem-delivery': 'forged-dlv' }, body });
    expect((await post(signWebhookBody('not-the-secret', body))).status).toBe(401);
    expect((await post(signWebhookBody(tenants.salesforce.secret, body))).status).toBe(401);
    expect(await session('hubspot', 'forged-1')).toBeUndefined();
    const bad = JSON.stringify({ event: 'call.ended', callId: 'x'.repeat(201), deliveryId: 'd-bad' });
    const r = await fetch(tenants.hubspot.hook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-phonesystem-signature': signWebhookBody(tenants.hubspot.secret, bad) }, body: bad });
    expect(r.status).toBe(400);
    expect((await r.json()).error.path).toEqual(['callId']);
    expect(vendorSlug).not.toBe('');
  });
});
