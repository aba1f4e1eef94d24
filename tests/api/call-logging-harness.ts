// The real call_logging template (engine/fixtures/call-logging.flow.json, the one the demo publishes) run through the
// API path for a list of CRM targets: one customer per target, the phone-system emulator sending its signed webhooks
// to the running server, which runs the template durably against the target's emulator. Every target gets the same
// tests: an answered call gives exactly one native call record (read back through the vendor's API) linked to the
// caller and the agent, with the stored recording; a missed call exactly one call-back task and no call record; and,
// for targets that say how the CRM shows an edit, notes edited after the call (notes.updated) change that same record
// and never add a second call record. The *.test.ts files beside this one only list their targets.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, baseUrl, db } from './helpers';
import { settledCall, type CallSession } from './call-sessions';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { saveConnection } from '@/lib/engine-host/connections';
import type { ConnectorCall } from '@/engine/connectors/kit/contact-source';
import type { RecordRef } from '@/engine/connectors/kit/crm-contract';
import type { RunningEmulator } from '@/engine/connectors/kit/emulator-server';
import type { CrmReadBack, NativeCallView } from '@/engine/connectors/kit/conformance';
import type { CrmConnectorDefinition } from '@/engine/connectors/kit/define-crm-connector';
import { syntheticPerson } from '@/engine/connectors/kit/synthetic';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { startS3Emulator, type S3Emulator } from '@/engine/connectors/s3/emulator';

const DELAY_MIN = 0.05; // 3 s
const EDITED_NOTES = 'Wants the premium plan.\nCall back Friday.';

/** What a CRM shows once the call's notes were edited, beyond "same record, no second call log" which every target gets. */
export interface NotesEdit {
  /** Counts the notes-like records the emulator holds; left out where the check below counts for itself. */
  count?(emu: RunningEmulator): number;
  /** How many of those records the edit adds (0: the CRM changes the note in place). */
  added?: number;
  check(x: { emu: RunningEmulator; ref: RecordRef; log: NativeCallView; callId: string; callerId: string; agentId: string; edited: string }): void;
}

export interface CallLoggingTarget {
  /** Names the customer, the connection and the describe block; defaults to the connector's name. */
  label?: string;
  connector: CrmConnectorDefinition;
  start(): Promise<RunningEmulator>;
  credentials: Record<string, unknown>;
  readBack: CrmReadBack<any>;
  /** Left out: the target gets no notes-edit test. */
  notesEdit?: NotesEdit;
}

/** A CRM that edits the call's note in place: the log read back carries the new notes and no notes record is added. */
export const editedInPlace = (o: { count?: (emu: RunningEmulator) => number; check?: NotesEdit['check'] } = {}): NotesEdit => ({
  count: o.count,
  added: 0,
  check(x) {
    expect(x.log.notes).toContain(x.edited);
    o.check?.(x);
  },
});

interface Tenant { ext: string; id: string; secret: string; hook: string; emu: RunningEmulator; agent: { id: string; email: string }; callerId: string }

/**
 * Declares the call_logging tests for every target. `prefix` keeps this file's customers and tokens apart from the
 * other files' (the server and its database are shared by the whole API run).
 */
export function describeCallLogging(prefix: string, targets: CallLoggingTarget[]): void {
  const pbToken = `pb-token-${prefix}`;
  const s3Keys = { accessKeyId: `AKIA${prefix.replace(/[^a-z0-9]/gi, '').toUpperCase()}`, secretAccessKey: `${prefix}-secret` };
  const labelOf = (t: CallLoggingTarget) => t.label ?? t.connector.name;
  const tenants = new Map<string, Tenant>();
  let pb: PhoneSystemEmulator;
  let s3: S3Emulator;
  const caller = syntheticPerson(0); // seeded in every CRM emulator

  const callOf = (t: CallLoggingTarget, emu: RunningEmulator): ConnectorCall => ({
    fetch, requestLog: [],
    conn: { id: `read-${t.connector.id}`, system: t.connector.id, baseUrl: emu.url, credentials: t.credentials, saveCredentials: async () => {}, reportHealth: async () => {} },
  });

  beforeAll(async () => {
    [pb, s3] = await Promise.all([
      startPhoneSystemEmulator({ token: pbToken, webhookRetryDelayMs: 50 }),
      startS3Emulator({ credentials: { [s3Keys.accessKeyId]: s3Keys.secretAccessKey }, region: 'eu-west-1', buckets: ['call-recordings'] }),
    ]);
    const sql = db();
    const key = Buffer.from(JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).encryptionKey, 'hex');
    const definition = JSON.parse(fs.readFileSync(path.resolve('engine/fixtures/call-logging.flow.json'), 'utf8')) as { automation: string };
    let flowId = '';
    for (const t of targets) {
      const crm = t.connector.id;
      const label = labelOf(t);
      const emu = await t.start();
      const ext = `${prefix}-${crm}-${Math.random().toString(36).slice(2, 7)}`;
      expect((await api('/api/v1/customers', { body: { externalId: ext, name: `Calls on ${label}`, defaultCountry: 'US' } })).status).toBe(201);
      const [c] = await sql`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = ${ext}`;
      const secret = `whsec_${crm}_${Math.random().toString(36).slice(2)}`;
      await saveConnection(sql, key, { customerId: c.id, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: pbToken, webhookSecret: secret } });
      await saveConnection(sql, key, { customerId: c.id, system: crm, name: label, authKind: 'apiKey', baseUrl: emu.url, credentials: t.credentials });
      await saveConnection(sql, key, { customerId: c.id, system: 's3', name: 'S3', authKind: 'apiKey', baseUrl: s3.url, credentials: { ...s3Keys, region: 'eu-west-1', bucket: 'call-recordings' } });
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
      expect(hit?.id, `${label} emulator holds the caller`).toBeTruthy();
      tenants.set(label, { ext, id: c.id, secret, hook: `${baseUrl()}/api/v1/hooks/${c.slug}/${ext}/phone-system`, emu, agent: t.readBack.agent(emu), callerId: String(hit.id) });
    }
  }, 120_000);

  afterAll(async () => { await Promise.all([pb?.close(), s3?.close(), ...[...tenants.values()].map((t) => t.emu.close())]); });

  /** Waits until the call's record (log or task) is stored (and `until` holds) and every run the call started has finished, none failed. */
  const settled = (t: Tenant, callId: string, until: (s: CallSession) => boolean = () => true) =>
    settledCall(t.id, callId, (s) => !!(s.records?.log || s.records?.task) && until(s), { timeoutMs: 45_000 });

  describe.each(targets.map((t) => [labelOf(t), t] as const))('call_logging template on %s', (label, t) => {
    const crm = t.connector.id;

    it('an answered call: exactly one native call record, linked to the caller and the agent, with the stored recording', async () => {
      const tenant = tenants.get(label)!;
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
      const tenant = tenants.get(label)!;
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

    const notesEdit = t.notesEdit;
    if (notesEdit) {
      it('notes edited after the call (notes.updated) change the same record, never a second call record', async () => {
        const tenant = tenants.get(label)!;
        pb.setWebhook({ url: tenant.hook, secret: tenant.secret });
        const placed = await pb.placeCall({ outcome: 'answered', from: caller.e164, to: '+14155550199', agentEmail: tenant.agent.email, durationSec: 40, recordingBytes: 10_000 });
        const first = await settled(tenant, placed.callId);
        const ref = first.records.log.ref as RecordRef;
        const logs0 = t.readBack.countCallLogs(tenant.emu);
        const notes0 = notesEdit.count?.(tenant.emu);
        await pb.emitCall({ event: 'notes.updated', callId: placed.callId, direction: 'inbound', from: caller.e164, to: '+14155550199', startedAt: placed.startedAt, notes: EDITED_NOTES });
        const s = await settled(tenant, placed.callId, (x) => x.records.log?.logged?.notes === EDITED_NOTES);
        expect(s.records.log.ref).toEqual(ref);
        expect(s.records.log.ref).toMatchObject({ system: crm, id: ref.id });
        expect(t.readBack.countCallLogs(tenant.emu)).toBe(logs0);
        if (notesEdit.count) expect(notesEdit.count(tenant.emu) - notes0!).toBe(notesEdit.added ?? 0);
        const log = await t.readBack.readCallLog(tenant.emu, callOf(t, tenant.emu), ref);
        expect(log).toMatchObject({ callId: placed.callId, contactId: tenant.callerId, ownerId: tenant.agent.id });
        notesEdit.check({ emu: tenant.emu, ref, log, callId: placed.callId, callerId: tenant.callerId, agentId: tenant.agent.id, edited: EDITED_NOTES });
      });
    }
  });
}
