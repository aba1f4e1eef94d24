// The one conformance suite of the CRM contract. Every CRM runs it unchanged against its emulator over real HTTP
// (a tiny `<system>.conformance.test.ts` per CRM passes its target): lookups in every number format, changed-since
// paging with a resumable cursor, all ids, users, contacts, call logs read back in the CRM's native shape, updates
// that never duplicate a log, tasks, notes, and the HTTP behaviour every connector must share (401, 429, 5xx,
// OAuth refresh). What differs per CRM lives only in the target: how to start its emulator and read native records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchbayError } from '../../core/errors';
import type { ConnectionHandle } from '../../core/define-block';
import type { ConnectorCall, ObjectKind } from './contact-source';
import type { CrmConnectorDefinition } from './define-crm-connector';
import { crmUserSchema, type CallStatus, type CrmUser, type RecordRef } from './crm-contract';
import type { RunningEmulator } from './emulator-server';
import { buildAuthorizeUrl, exchangeCode, type OAuthTokens } from './oauth2';
import { phoneFor, syntheticPerson } from './synthetic';
import { memoryRenewCredentials } from '../../testing/memory-credentials';

/** A call log as the CRM stores it, read back through its API and put in plain terms. */
export interface NativeCallView {
  direction: 'inbound' | 'outbound';
  /** The outcome the native record states (its disposition, status, title or "Result:" line), in the contract's words. */
  status: CallStatus | string;
  contactId: string | null;
  ownerId: string | null;
  /** The call's notes as the CRM holds them (HTML or text). */
  notes: string;
  /** The phone system's call id as stored on the record, or null where the CRM has no field for it. */
  callId: string | null;
}

export interface CrmConformanceTarget<E extends RunningEmulator = RunningEmulator> {
  connector: CrmConnectorDefinition;
  /** Starts the CRM's emulator seeded with `contacts` synthetic people (syntheticPerson(0…)), `users` agents. */
  start(o: { contacts: number; companies: number; users: number; token: string; oauth: { clientId: string; clientSecret: string } }): Promise<E>;
  /** A static-token connection's credentials. */
  tokenCredentials(token: string): Record<string, unknown>;
  /** The CRM's OAuth app flow; left out for a CRM that only takes an API token (ActiveCampaign). */
  oauth?: {
    authorizePath: string;
    tokenPath: string;
    /** false where the vendor's OAuth tokens never expire and come without a refresh token (Intercom). Default true. */
    refreshes?: boolean;
    /** The connection's credentials after the code exchange. */
    credentials(tokens: OAuthTokens & { raw: Record<string, unknown> }, client: { clientId: string; clientSecret: string }): Record<string, unknown>;
  };
  /** false for a CRM whose contacts have no owner (ActiveCampaign, Zendesk end users): createContact's owner is not read back. */
  contactOwner?: boolean;
  /** One seeded agent. */
  agent(emu: E): { id: string; email: string };
  readCallLog(emu: E, call: ConnectorCall, ref: RecordRef): Promise<NativeCallView>;
  /** How many call logs the emulator holds. */
  countCallLogs(emu: E): number;
  readTask(emu: E, call: ConnectorCall, ref: RecordRef): Promise<{ subject: string; contactId: string | null; ownerId: string | null }>;
  readNote(emu: E, call: ConnectorCall, ref: RecordRef): Promise<{ body: string; contactId: string | null }>;
}

/** What reads a CRM's native records back (each CRM's read-back.ts): the conformance suite and the API tests use it. */
export type CrmReadBack<E extends RunningEmulator> = Pick<CrmConformanceTarget<E>, 'agent' | 'readCallLog' | 'countCallLogs' | 'readTask' | 'readNote'> & {
  /** How many tasks the emulator holds. */
  countTasks(emu: E): number;
};

const CONTACTS = 35;
const TOKEN = 'conformance-token-0123456789';
const OAUTH = { clientId: 'conformance-client', clientSecret: 'conformance-secret' };

export function runCrmConformance<E extends RunningEmulator>(target: CrmConformanceTarget<E>): void {
  const crm = target.connector.crm;
  const name = target.connector.name;
  let emu: E;

  const connection = (credentials: Record<string, unknown>, saved: Record<string, unknown>[] = []): ConnectionHandle => ({
    id: `conn-${crm.system}`, system: crm.system, baseUrl: emu.url, credentials,
    saveCredentials: async (next) => { saved.push(next); }, renewCredentials: memoryRenewCredentials(credentials, (next) => { saved.push(next); }),
    reportHealth: async () => {},
  });
  const callWith = (credentials: Record<string, unknown> = target.tokenCredentials(TOKEN), saved?: Record<string, unknown>[], http: ConnectorCall['http'] = {}): ConnectorCall =>
    ({ fetch, conn: connection(credentials, saved), requestLog: [], http: { backoffMs: 5, ...http } });

  /** The seeded person 0 (a US number) and its CRM id, found once by E.164. */
  let contactId = '';
  const p0 = syntheticPerson(0);

  beforeAll(async () => {
    emu = await target.start({ contacts: CONTACTS, companies: 5, users: 3, token: TOKEN, oauth: OAUTH });
    const [hit] = await crm.findContactsByPhone(callWith(), { phone: p0.e164, defaultCountry: 'US' });
    contactId = hit?.id ?? '';
  });
  afterAll(async () => { await emu?.close(); });

  describe(`${name} passes the CRM contract`, () => {
    it('declares its capabilities', () => {
      expect(['in_place', 'note']).toContain(crm.capabilities.callLogUpdate);
      expect(crm.capabilities.nativeCallObject.length).toBeGreaterThan(5);
    });

    it('finds a contact by phone in E.164, national and formatted input', async () => {
      expect(contactId).not.toBe('');
      const national = p0.e164.slice(2); // +1 2022000000 → 2022000000
      const formatted = `+1 (${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`;
      for (const phone of [p0.e164, national, formatted, p0.phoneAsTyped]) {
        const found = await crm.findContactsByPhone(callWith(), { phone, defaultCountry: 'US' });
        expect(found.map((c) => c.id), phone).toContain(contactId);
        const c = found.find((x) => x.id === contactId)!;
        expect(c).toMatchObject({ system: crm.system, kind: 'person', firstName: p0.firstName, lastName: p0.lastName, displayName: `${p0.firstName} ${p0.lastName}` });
        expect(c.phones.map((x) => x.e164)).toContain(p0.e164);
        expect(c.emails).toContain(p0.email);
      }
      // A number nobody has: nothing, not an error.
      expect(await crm.findContactsByPhone(callWith(), { phone: phoneFor(9_999_999, 'US').e164, defaultCountry: 'US' })).toEqual([]);
    });

    it('lists changed records over at least three pages, and resumes from a page cursor', async () => {
      const pages: { ids: string[]; cursor: string }[] = [];
      for await (const page of crm.listChanged(callWith(), { kind: 'person', cursor: null, pageSize: 10 })) {
        pages.push({ ids: page.contacts.map((c) => c.externalId), cursor: page.cursor });
      }
      expect(pages.length).toBeGreaterThanOrEqual(3);
      const all = pages.flatMap((p) => p.ids);
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBeGreaterThanOrEqual(CONTACTS);
      // Resume after the first page: exactly what came after it, nothing before it again.
      const resumed: string[] = [];
      for await (const page of crm.listChanged(callWith(), { kind: 'person', cursor: pages[0].cursor, pageSize: 10 })) resumed.push(...page.contacts.map((c) => c.externalId));
      expect(resumed).toEqual(all.slice(pages[0].ids.length));
      // From the last cursor: nothing new.
      const after: string[] = [];
      for await (const page of crm.listChanged(callWith(), { kind: 'person', cursor: pages.at(-1)!.cursor, pageSize: 10 })) after.push(...page.contacts.map((c) => c.externalId));
      expect(after).toEqual([]);
    });

    it('lists every id', async () => {
      const ids: string[] = [];
      for await (const page of crm.listAllIds(callWith(), { kind: 'person' as ObjectKind, pageSize: 10 })) ids.push(...page);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeGreaterThanOrEqual(CONTACTS);
      expect(ids).toContain(contactId);
    });

    it('finds a user by email, in any case', async () => {
      const agent = target.agent(emu);
      expect(await crm.findUserByEmail(callWith(), { email: agent.email.toUpperCase() })).toMatchObject({ id: agent.id, email: agent.email });
      expect(await crm.findUserByEmail(callWith(), { email: 'nobody-here@example.com' })).toBeNull();
    });

    // listUsers is optional in the contract (user provisioning); a CRM that has it lists the agent, once, valid.
    it.skipIf(!crm.listUsers)('lists its users (optional listUsers), the agent among them, each once', async () => {
      const agent = target.agent(emu);
      const users: CrmUser[] = [];
      for await (const page of crm.listUsers!(callWith(), {})) users.push(...page.map((u) => crmUserSchema.parse(u)));
      expect(users.filter((u) => u.id === agent.id)).toEqual([expect.objectContaining({ email: agent.email })]);
      expect(new Set(users.map((u) => u.id)).size).toBe(users.length);
    });

    it('creates a contact and reads it back', async () => {
      const agent = target.agent(emu);
      const { ref, contact } = await crm.createContact(callWith(), { firstName: 'Conformance', lastName: 'Caller', email: 'conformance.caller@example.com', phone: '+1 415 555 0142', owner: agent.email });
      expect(ref).toMatchObject({ system: crm.system });
      expect(ref.id).toBeTruthy();
      if (contact) expect(contact.id).toBe(ref.id);
      const back = await crm.getContact(callWith(), { id: ref.id, defaultCountry: 'US' });
      expect(back).toMatchObject({ id: ref.id, firstName: 'Conformance', lastName: 'Caller', emails: ['conformance.caller@example.com'], ...(target.contactOwner === false ? {} : { owner: agent.id }) });
      expect(back!.phones.map((p) => p.e164)).toContain('+14155550142');
      const found = await crm.findContactsByPhone(callWith(), { phone: '(415) 555-0142', defaultCountry: 'US' });
      expect(found.map((c) => c.id)).toContain(ref.id);
    });

    const statuses: { status: CallStatus; direction: 'inbound' | 'outbound' }[] = [
      { status: 'answered', direction: 'inbound' }, { status: 'missed', direction: 'inbound' }, { status: 'transferred', direction: 'outbound' },
    ];
    for (const { status, direction } of statuses) {
      it(`logs a ${status} ${direction} call linked to the contact and the agent, in the CRM's native shape`, async () => {
        const agent = target.agent(emu);
        const before = target.countCallLogs(emu);
        const callId = `conf-${status}-${Date.now()}`;
        const ref = await crm.logCall(callWith(), {
          callId, direction, status, startedAt: '2026-03-02T09:30:00Z', endedAt: '2026-03-02T09:34:05Z',
          from: direction === 'inbound' ? p0.e164 : '+14155550100', to: direction === 'inbound' ? '+14155550100' : p0.e164,
          agent: agent.email, contactId, notes: `Notes for the ${status} call`, recordingUrl: 'https://recordings.example.com/r/1.mp3',
        });
        expect(ref).toMatchObject({ system: crm.system });
        expect(target.countCallLogs(emu)).toBe(before + 1);
        const native = await target.readCallLog(emu, callWith(), ref);
        expect(native.direction).toBe(direction);
        expect(native.status).toBe(status);
        expect(native.contactId).toBe(contactId);
        expect(native.ownerId).toBe(agent.id);
        expect(native.notes).toContain(`Notes for the ${status} call`);
        if (crm.capabilities.callIdField) expect(native.callId).toBe(callId);

        // The phone system retries the same call: found again, not logged twice.
        if (crm.capabilities.callIdField) {
          const again = await crm.logCall(callWith(), { callId, direction, status, startedAt: '2026-03-02T09:30:00Z', agent: agent.id, contactId });
          expect(again.id).toBe(ref.id);
          expect(target.countCallLogs(emu)).toBe(before + 1);
        }
      });
    }

    it('updates the same call log twice without a second log', async () => {
      const agent = target.agent(emu);
      const ref = await crm.logCall(callWith(), { callId: `conf-upd-${Date.now()}`, direction: 'inbound', status: 'answered', startedAt: '2026-03-02T10:00:00Z', durationSec: 61, agent: agent.id, contactId, notes: 'Typed during the call' });
      const count = target.countCallLogs(emu);
      const first = await crm.updateCallLog(callWith(), ref, { notes: 'First version of the notes' });
      const second = await crm.updateCallLog(callWith(), ref, { notes: 'Latest notes after hang-up', recordingUrl: 'https://recordings.example.com/r/2.mp3' });
      expect(target.countCallLogs(emu)).toBe(count);
      expect(first.ref.id).toBe(ref.id);
      expect(second.ref.id).toBe(ref.id);
      expect(second.mode).toBe(crm.capabilities.callLogUpdate);
      if (crm.capabilities.callLogUpdate === 'in_place') {
        const native = await target.readCallLog(emu, callWith(), ref);
        expect(native.notes).toContain('Latest notes after hang-up');
        expect(native.notes).not.toContain('First version of the notes');
        expect(native.notes).not.toContain('Typed during the call');
      } else {
        expect(second.note).not.toBeNull();
        const note = await target.readNote(emu, callWith(), second.note!);
        expect(note.body).toContain('Latest notes after hang-up');
      }
      // An update to another CRM's record is refused before any request.
      await expect(crm.updateCallLog(callWith(), { ...ref, system: 'other-crm' }, { notes: 'x' })).rejects.toMatchObject({ code: 'invalid_params' });
    });

    it('creates a task for the agent on the contact', async () => {
      const agent = target.agent(emu);
      const ref = await crm.createTask(callWith(), { subject: 'Call back about the missed call', due: '2026-03-03T09:00:00Z', owner: agent.email, contactId, notes: 'Caller asked for pricing' });
      const task = await target.readTask(emu, callWith(), ref);
      expect(task).toEqual({ subject: 'Call back about the missed call', contactId, ownerId: agent.id });
    });

    it('a call-back task made with a call id is made once: a retry answers the first task', async () => {
      if (!crm.capabilities.taskCallIdField) return;
      const agent = target.agent(emu);
      const callId = `conf-task-${Date.now()}`;
      const first = await crm.createTask(callWith(), { subject: 'Call back the missed caller', due: '2026-03-03T09:00:00Z', owner: agent.email, contactId, notes: 'Missed call', callId });
      const again = await crm.createTask(callWith(), { subject: 'Call back the missed caller', due: '2026-03-03T09:00:00Z', owner: agent.email, contactId, notes: 'Missed call', callId });
      expect(again.id).toBe(first.id);
      // Another call's task is another task.
      const other = await crm.createTask(callWith(), { subject: 'Call back the missed caller', due: '2026-03-03T09:00:00Z', owner: agent.email, contactId, notes: 'Missed call', callId: `${callId}-b` });
      expect(other.id).not.toBe(first.id);
      expect(await target.readTask(emu, callWith(), first)).toEqual({ subject: 'Call back the missed caller', contactId, ownerId: agent.id });
    });

    it('adds a note to the contact', async () => {
      const ref = await crm.addNote(callWith(), { body: 'Prefers e-mail over calls', contactId });
      const note = await target.readNote(emu, callWith(), ref);
      expect(note.body).toContain('Prefers e-mail over calls');
      expect(note.contactId).toBe(contactId);
    });

    it('refuses bad input naming the field, before any request', async () => {
      const call = callWith();
      await expect(crm.logCall(call, { direction: 'sideways', startedAt: 'now' } as never)).rejects.toMatchObject({ code: 'invalid_params' });
      await expect(crm.logCall(call, { direction: 'inbound', status: 'cancelled', startedAt: '2026-03-02T10:00:00Z' } as never)).rejects.toMatchObject({ code: 'invalid_params', path: ['status'] });
      expect(call.requestLog).toEqual([]);
    });

    it('turns a rejected token into a connection_auth error in plain words', async () => {
      const err = await crm.findContactsByPhone(callWith(target.tokenCredentials('not-a-valid-token')), { phone: p0.e164, defaultCountry: 'US' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PatchbayError);
      expect((err as PatchbayError).code).toBe('connection_auth');
      expect((err as PatchbayError).message).toContain(name);
      expect((err as PatchbayError).message).toMatch(/reconnect/i);
    });

    it('waits out a 429 with Retry-After, then succeeds', async () => {
      const call = callWith();
      emu.setRateLimit(1, 1000);
      try {
        const limitedBefore = emu.stats.rateLimited;
        const t0 = Date.now();
        await crm.findUserByEmail(call, { email: target.agent(emu).email });
        const user = await crm.findUserByEmail(call, { email: target.agent(emu).email });
        expect(user?.id).toBe(target.agent(emu).id);
        expect(emu.stats.rateLimited).toBeGreaterThan(limitedBefore);
        expect(call.requestLog.some((r) => r.status === 429)).toBe(true);
        expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
      } finally {
        emu.setRateLimit(0);
      }
    });

    it('retries a 5xx answer', async () => {
      const call = callWith();
      const failedBefore = emu.stats.failed;
      emu.failNext(2, 503);
      const found = await crm.getContact(call, { id: contactId });
      expect(found?.id).toBe(contactId);
      expect(emu.stats.failed).toBe(failedBefore + 2);
      expect(call.requestLog.filter((r) => r.status === 503)).toHaveLength(2);
    });

    it.skipIf(target.oauth?.refreshes !== false)('uses an OAuth token that never expires as is; a revoked one is connection_auth, nothing saved', async () => {
      const oauth = target.oauth!;
      const redirectUri = 'http://127.0.0.1:3000/api/portal/oauth/callback';
      const authorize = buildAuthorizeUrl(`${emu.url}${oauth.authorizePath}`, { clientId: OAUTH.clientId, redirectUri, state: 'conf', scopes: [] });
      const redirect = await fetch(authorize, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
      const tokens = await exchangeCode(fetch, { tokenUrl: `${emu.url}${oauth.tokenPath}`, ...OAUTH }, code, redirectUri);
      expect(tokens.refreshToken).toBeUndefined();
      const saved: Record<string, unknown>[] = [];
      const credentials = oauth.credentials(tokens, OAUTH);
      expect((await crm.getContact(callWith(credentials, saved), { id: contactId }))?.id).toBe(contactId);
      emu.expireAccessTokens();
      const err = await crm.getContact(callWith(credentials, saved), { id: contactId }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'connection_auth' });
      expect(saved).toHaveLength(0);
    });

    it.skipIf(!target.oauth || target.oauth.refreshes === false)('refreshes an expired OAuth access token and saves the new one', async () => {
      const oauth = target.oauth!;
      const redirectUri = 'http://127.0.0.1:3000/api/portal/oauth/callback';
      const authorize = buildAuthorizeUrl(`${emu.url}${oauth.authorizePath}`, { clientId: OAUTH.clientId, redirectUri, state: 'conf', scopes: [] });
      const redirect = await fetch(authorize, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
      const tokens = await exchangeCode(fetch, { tokenUrl: `${emu.url}${oauth.tokenPath}`, ...OAUTH }, code, redirectUri);
      const saved: Record<string, unknown>[] = [];
      const credentials = oauth.credentials(tokens, OAUTH);
      expect((await crm.getContact(callWith(credentials, saved), { id: contactId }))?.id).toBe(contactId);
      expect(saved).toHaveLength(0);
      emu.expireAccessTokens();
      const call = callWith(credentials, saved);
      expect((await crm.getContact(call, { id: contactId }))?.id).toBe(contactId);
      expect(call.requestLog.map((r) => r.status)).toContain(401);
      expect(saved).toHaveLength(1);
      expect(saved[0].accessToken).not.toBe(tokens.accessToken);
    });
  });
}
