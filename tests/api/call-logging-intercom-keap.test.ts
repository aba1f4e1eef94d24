// The real call_logging template (engine/fixtures/call-logging.flow.json) for a customer on Intercom and one on Keap,
// through the API path: the phone-system emulator sends its signed webhooks to the running server, which runs the
// template durably against each CRM's emulator. An answered call gives exactly one native record (Intercom: a note on
// the contact by the agent; Keap: a Call note) read back through the vendor's API, linked to the caller and the agent;
// a missed call exactly one call-back (Intercom: a Back-office ticket; Keap: a Call task); notes edited after the call
// change that same record (Keap edits the note in place; Intercom's API cannot edit a note, so one update note naming
// the call carries them) and never add a second call record.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, baseUrl, db } from './helpers';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { saveConnection } from '@/lib/engine-host/connections';
import type { ConnectorCall } from '@/engine/connectors/kit/contact-source';
import type { RecordRef } from '@/engine/connectors/kit/crm-contract';
import type { RunningEmulator } from '@/engine/connectors/kit/emulator-server';
import type { CrmReadBack } from '@/engine/connectors/kit/conformance';
import type { CrmConnectorDefinition } from '@/engine/connectors/kit/define-crm-connector';
import { syntheticPerson } from '@/engine/connectors/kit/synthetic';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { startS3Emulator, type S3Emulator } from '@/engine/connectors/s3/emulator';
import { startIntercomEmulator, type IntercomEmulator } from '@/engine/connectors/intercom/emulator';
import { intercomConnector } from '@/engine/connectors/intercom/manifest';
import { intercomReadBack } from '@/engine/connectors/intercom/read-back';
import { noteHtmlToText } from '@/engine/connectors/intercom/note-html';
import { startKeapEmulator, type KeapEmulator } from '@/engine/connectors/keap/emulator';
import { keapConnector } from '@/engine/connectors/keap/manifest';
import { keapReadBack } from '@/engine/connectors/keap/read-back';

const TOKEN = 'crm-token-calls-ic-kp';
const PB_TOKEN = 'pb-token-calls-ic-kp';
const S3_KEYS = { accessKeyId: 'AKIAICKPCRMS', secretAccessKey: 'ic-kp-crms-secret' };
const DELAY_MIN = 0.05; // 3 s

interface Target {
  connector: CrmConnectorDefinition;
  start(): Promise<RunningEmulator>;
  credentials: Record<string, unknown>;
  readBack: CrmReadBack<any>;
}

const targets: Target[] = [
  { connector: intercomConnector, start: () => startIntercomEmulator({ contacts: 5, users: 3, token: TOKEN }), credentials: { accessToken: TOKEN }, readBack: intercomReadBack },
  { connector: keapConnector, start: () => startKeapEmulator({ contacts: 5, users: 3, token: TOKEN }), credentials: { apiKey: TOKEN }, readBack: keapReadBack },
];

interface Tenant { ext: string; id: string; secret: string; hook: string; emu: RunningEmulator; agent: { id: string; email: string }; callerId: string }
const tenants = new Map<string, Tenant>();
let pb: PhoneSystemEmulator;
let s3: S3Emulator;
const caller = syntheticPerson(0); // seeded in every CRM emulator

const callOf = (t: Target, emu: RunningEmulator): ConnectorCall => ({
  fetch, requestLog: [],
  conn: { id: `read-${t.connector.id}`, system: t.connector.id, baseUrl: emu.url, credentials: t.credentials, saveCredentials: async () => {}, reportHealth: async () => {} },
});

beforeAll(async () => {
  [pb, s3] = await Promise.all([
    startPhoneSystemEmulator({ token: PB_TOKEN, webhookRetryDelayMs: 50 }),
    startS3Emulator({ credentials: { [S3_KEYS.accessKeyId]: S3_KEYS.secretAccessKey }, region: 'eu-west-1', buckets: ['call-recordings'] }),
  ]);
  const sql = db();
  const key = Buffer.from(JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).encryptionKey, 'hex');
  const definition = JSON.parse(fs.readFileSync(path.resolve('engine/fixtures/call-logging.flow.json'), 'utf8')) as { automation: string };
  let flowId = '';
  for (const t of targets) {
    const crm = t.connector.id;
    const emu = await t.start();
    const ext = `callsickp-${crm}-${Math.random().toString(36).slice(2, 7)}`;
    expect((await api('/api/v1/customers', { body: { externalId: ext, name: `Calls on ${t.connector.name}`, defaultCountry: 'US' } })).status).toBe(201);
    const [c] = await sql`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = ${ext}`;
    const secret = `whsec_${crm}_${Math.random().toString(36).slice(2)}`;
    await saveConnection(sql, key, { customerId: c.id, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: PB_TOKEN, webhookSecret: secret } });
    await saveConnection(sql, key, { customerId: c.id, system: crm, name: t.connector.name, authKind: 'apiKey', baseUrl: emu.url, credentials: t.credentials });
    await saveConnection(sql, key, { customerId: c.id, system: 's3', name: 'S3', authKind: 'apiKey', baseUrl: s3.url, credentials: { ...S3_KEYS, region: 'eu-west-1', bucket: 'call-recordings' } });
    if (!flowId) {
      // The demo seed publishes a call_logging flow for the vendor (automation names are unique per vendor): the
      // template file becomes its newest published version.
      const [existing] = await sql<{ id: string }[]>`select id from flows where vendor_id = ${c.vendor_id} and automation = ${definition.automation} and deleted_at is null`;
      const saved = await saveFlowVersion(sql, { vendorId: c.vendor_id, flowId: existing?.id, definition });
      flowId = saved.flowId;
      await publishFlow(sql, c.vendor_id, flowId, saved.version);
    }
    // The one template for every CRM: only the integration's options name the CRM.
    await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId, options: { crm, delayMinutes: DELAY_MIN, recordingLinkLifetimeSec: 3600 } });
    const [hit] = await t.connector.crm.findContactsByPhone(callOf(t, emu), { phone: caller.e164, defaultCountry: 'US' });
    expect(hit?.id, `${crm} emulator holds the caller`).toBeTruthy();
    tenants.set(crm, { ext, id: c.id, secret, hook: `${baseUrl()}/api/v1/hooks/${c.slug}/${ext}/phone-system`, emu, agent: t.readBack.agent(emu), callerId: String(hit.id) });
  }
}, 120_000);

afterAll(async () => { await Promise.all([pb?.close(), s3?.close(), ...[...tenants.values()].map((t) => t.emu.close())]); });

async function session(t: Tenant, callId: string) {
  const [s] = await db()`select state, call, records, run_ids from call_sessions where customer_id = ${t.id} and call_id = ${callId}`;
  return s as { state: string; call: any; records: any; run_ids: string[] } | undefined;
}

/** Waits until the call's record (log or task) is stored and every run the call started has finished, none failed. */
async function settled(t: Tenant, callId: string, until: (s: NonNullable<Awaited<ReturnType<typeof session>>>) => boolean = () => true, timeoutMs = 45_000) {
  const t0 = Date.now();
  for (;;) {
    const s = await session(t, callId);
    if (s && (s.records?.log || s.records?.task) && until(s)) {
      const runs = await db()`select status, error from runs where id = any(${s.run_ids}::uuid[])`;
      if (runs.every((r) => r.status === 'succeeded' || r.status === 'failed')) {
        expect(runs.filter((r) => r.status === 'failed')).toEqual([]);
        return s;
      }
    }
    if (Date.now() - t0 > timeoutMs) {
      const runs = s ? await db()`select id, status, error, steps from runs where id = any(${s.run_ids}::uuid[])` : [];
      throw new Error(`call ${callId} did not settle: ${JSON.stringify({ s, runs }).slice(0, 3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.each(targets.map((t) => [t.connector.name, t] as const))('call_logging template on %s', (_name, t) => {
  const crm = t.connector.id;

  it('an answered call: exactly one native call record, linked to the caller and the agent, with the stored recording', async () => {
    const tenant = tenants.get(crm)!;
    pb.setWebhook({ url: tenant.hook, secret: tenant.secret });
    const logs0 = t.readBack.countCallLogs(tenant.emu);
    const tasks0 = t.readBack.countTasks(tenant.emu);
    const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: tenant.agent.email, durationSec: 83, recordingBytes: 20_000 });
    const s = await settled(tenant, placed.callId);
    expect(t.readBack.countCallLogs(tenant.emu) - logs0).toBe(1);
    expect(t.readBack.countTasks(tenant.emu) - tasks0).toBe(0);
    const ref = s.records.log.ref as RecordRef;
    expect(ref.system).toBe(crm);
    const log = await t.readBack.readCallLog(tenant.emu, callOf(t, tenant.emu), ref);
    expect(log).toMatchObject({ direction: 'inbound', status: 'answered', contactId: tenant.callerId, ownerId: tenant.agent.id, callId: placed.callId });
    // The recording was stored in S3 first; the log links the stored copy.
    expect(s.records.recording.url.startsWith(`${s3.url}/call-recordings/recordings/${tenant.id}/`)).toBe(true);
    expect(log.notes).toContain(s.records.recording.url);
    expect(s.state).toBe('ended');
  });

  it('a missed call: exactly one call-back task for the agent on the caller, and no call record', async () => {
    const tenant = tenants.get(crm)!;
    pb.setWebhook({ url: tenant.hook, secret: tenant.secret });
    const logs0 = t.readBack.countCallLogs(tenant.emu);
    const tasks0 = t.readBack.countTasks(tenant.emu);
    const placed = await pb.placeCall({ outcome: 'missed', from: caller.e164, to: '+14155550199', agentEmail: tenant.agent.email });
    const s = await settled(tenant, placed.callId);
    expect(t.readBack.countTasks(tenant.emu) - tasks0).toBe(1);
    expect(t.readBack.countCallLogs(tenant.emu) - logs0).toBe(0);
    expect(s.records.log).toBeUndefined();
    const task = await t.readBack.readTask(tenant.emu, callOf(t, tenant.emu), s.records.task.ref as RecordRef);
    expect(task.subject).toContain(`Call back ${caller.e164}`);
    expect(task).toMatchObject({ contactId: tenant.callerId, ownerId: tenant.agent.id });
  });

  it('notes edited after the call change the same record, never a second call record', async () => {
    const tenant = tenants.get(crm)!;
    pb.setWebhook({ url: tenant.hook, secret: tenant.secret });
    const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: tenant.agent.email, durationSec: 40, recordingBytes: 10_000 });
    const first = await settled(tenant, placed.callId);
    const ref = first.records.log.ref as RecordRef;
    const logs0 = t.readBack.countCallLogs(tenant.emu);
    const edited = 'Wants the premium plan.\nCall back Friday.';
    await pb.emitCall({ event: 'notes.updated', callId: placed.callId, direction: 'inbound', from: caller.e164, to: '+14155550199', startedAt: placed.startedAt, notes: edited });
    const s = await settled(tenant, placed.callId, (x) => x.records.log?.logged?.notes === edited);
    expect(s.records.log.ref).toMatchObject({ system: crm, id: ref.id });
    expect(t.readBack.countCallLogs(tenant.emu)).toBe(logs0);
    const log = await t.readBack.readCallLog(tenant.emu, callOf(t, tenant.emu), ref);
    expect(log).toMatchObject({ callId: placed.callId, contactId: tenant.callerId, ownerId: tenant.agent.id });
    if (crm === 'keap') {
      // Keap edits the Call note in place: same note, the new notes in its body.
      expect(log.notes).toContain(edited);
      expect((tenant.emu as KeapEmulator).store.notes.get(Number(ref.id))!.body).toContain(edited);
    } else {
      // Intercom's API cannot edit a note: the call's note stays as written, and exactly one update note on the
      // caller names the call and carries the edited notes.
      const emu = tenant.emu as IntercomEmulator;
      const updates = [...emu.store.notes.values()].filter((n) => n.contact.id === tenant.callerId).map((n) => noteHtmlToText(n.body))
        .filter((b) => b.startsWith('Update to') && b.includes(`Call id: ${placed.callId}`));
      expect(updates).toHaveLength(1);
      expect(updates[0]).toContain(edited);
      expect(log.notes).not.toContain(edited);
    }
  });
});
