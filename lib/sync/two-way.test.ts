// Two-way contact sync (phone system's phonebook ⇄ CRM) against the phone-system emulator and each of the
// HubSpot, Salesforce and Pipedrive emulators, over real HTTP on a real PostgreSQL: an edit on either side reaches
// the other once and comes back as an echo that writes nothing; a quiet sync writes nothing run after run (writes
// counted at the emulators); conflicting edits follow each rule and are reported with both values; a delete against
// an edit is a reported conflict; a run killed between a remote write and its commit resumes on another worker
// without duplicates.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCatalog, toPhonebookContact, type ConnectorCall } from '@/engine/connectors';
import type { RunningEmulator } from '@/engine/connectors/kit/emulator-server';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { startPipedriveEmulator } from '@/engine/connectors/pipedrive/emulator';
import { startSalesforceEmulator, type SalesforceEmulator } from '@/engine/connectors/salesforce/emulator';
import { loadConnection, saveConnection } from '../engine-host/connections';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { executeSyncRun, type SyncEngineDeps, type SyncOutcome } from './run-sync';
import type { ConflictRule, SyncConfigInput, SyncMode } from './sync-config';
import { startSync } from './start-sync';
import { readSyncRun } from './sync-store';
import { hashShared, sharedFromCrm, sharedFromCrmContact, sharedFromPhonebook, type SharedFields } from './two-way/shared-fields';

type PipedriveEmulator = Awaited<ReturnType<typeof startPipedriveEmulator>>;

/** How a person in the CRM changes "by hand" (in the CRM's own UI), and what the test reads back. */
interface CrmTarget<E extends RunningEmulator> {
  system: string;
  name: string;
  start(persons: number): Promise<E>;
  credentials: Record<string, unknown>;
  personIds(emu: E): string[];
  rename(emu: E, id: string, firstName: string, lastName: string): void;
  remove(emu: E, id: string): void;
  /** Adds a person as a user would in the CRM. */
  add(emu: E, firstName: string, lastName: string, phone: string): void;
  /** The path of the CRM's create call (the kill test cuts the run right after one). */
  createPath: RegExp;
}

const hubspot: CrmTarget<HubspotEmulator> = {
  system: 'hubspot', name: 'HubSpot',
  start: (n) => startHubspotEmulator({ contacts: n, companies: 0, token: 'hs-2way' }),
  credentials: { token: 'hs-2way' },
  personIds: (emu) => emu.store.list('contacts').map((r) => r.id),
  rename: (emu, id, firstname, lastname) => emu.store.update('contacts', id, { firstname, lastname }),
  remove: (emu, id) => { emu.store.remove('contacts', id); },
  add: (emu, firstname, lastname, phone) => { emu.store.add('contacts', { firstname, lastname, phone }); },
  createPath: /\/crm\/v3\/objects\/contacts$/,
};

const salesforce: CrmTarget<SalesforceEmulator> = {
  system: 'salesforce', name: 'Salesforce',
  start: (n) => startSalesforceEmulator({ contacts: n, companies: 0, users: 1, token: 'sf-2way' }),
  credentials: { token: 'sf-2way' },
  personIds: (emu) => emu.store.list('Contact').map((r) => String(r.Id)),
  rename: (emu, id, FirstName, LastName) => { emu.store.updateContact(id, { FirstName, LastName }); },
  remove: (emu, id) => { emu.store.deleteContact(id); },
  add: (emu, FirstName, LastName, Phone) => { emu.store.insert('Contact', { FirstName, LastName, Phone }); },
  createPath: /\/sobjects\/Contact$/,
};

const pipedrive: CrmTarget<PipedriveEmulator> = {
  system: 'pipedrive', name: 'Pipedrive',
  start: (n) => startPipedriveEmulator({ contacts: n, companies: 0, token: 'pd-2way' }),
  credentials: { apiToken: 'pd-2way', companyDomain: 'patchbay-demo' },
  personIds: (emu) => [...emu.store.persons.values()].filter((p) => !p.is_deleted).map((p) => String(p.id)),
  rename: (emu, id, first, last) => { emu.store.updatePerson(Number(id), { name: `${first} ${last}` }); },
  remove: (emu, id) => { emu.store.deletePerson(Number(id)); },
  add: (emu, first, last, phone) => { emu.store.addPerson({ name: `${first} ${last}`, phones: [phone] }); },
  createPath: /\/api\/v2\/persons$/,
};

/** Writes the emulator answered: POST/PUT/PATCH/DELETE routes, minus searches (HubSpot searches with POST). */
function writesAt(emu: RunningEmulator): number {
  let n = 0;
  for (const [route, count] of emu.stats.byRoute) if (/^(POST|PUT|PATCH|DELETE) /.test(route) && !/search|query|oauth|token/i.test(route)) n += count;
  return n;
}

const key = randomBytes(32);
let db: ScratchDb;
beforeAll(async () => { db = await createScratchDb('sync_two_way'); });
afterAll(async () => { await db?.drop(); });

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function describeTwoWay<E extends RunningEmulator>(t: CrmTarget<E>) {
  describe(`two-way contact sync: phone system ⇄ ${t.name}`, () => {
    let emu: E;
    let pb: PhoneSystemEmulator;
    let customerId = '';
    let deps: SyncEngineDeps;
    let crmCall: ConnectorCall;
    const crm = () => crmCatalog()[t.system].crm;

    beforeAll(async () => {
      [emu, pb] = await Promise.all([t.start(12), startPhoneSystemEmulator({ token: `pb-2way-${t.system}` })]);
      ({ customerId } = await seedVendor(db.sql, `two-way-${t.system}`));
      await saveConnection(db.sql, key, { customerId, system: t.system, name: t.name, authKind: 'apiKey', baseUrl: emu.url, credentials: t.credentials });
      await saveConnection(db.sql, key, { customerId, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: `pb-2way-${t.system}` } });
      deps = { sql: db.sql, encryptionKey: key, fetch, workerId: `w-${t.system}`, leaseMs: 10_000, http: { backoffMs: 5, maxRetryAfterMs: 3000 }, retryBaseMs: 20, twoWayBatchSize: 5 };
      crmCall = { fetch, conn: await loadConnection(db.sql, key, customerId, t.system), requestLog: [] };
    });
    afterAll(async () => { await Promise.all([emu?.close(), pb?.close()]); });

    const config = (rule: ConflictRule = 'newest'): SyncConfigInput => ({ direction: 'two_way', conflictRule: rule, destinations: ['cdp', 'phonebook'], kinds: ['person'], pageSize: 7 });

    async function sync(o: { rule?: ConflictRule; mode?: SyncMode; engine?: Partial<SyncEngineDeps> } = {}) {
      const started = await startSync(db.sql, async () => null, { customerId, source: t.system, mode: o.mode ?? 'incremental', trigger: 'manual', config: config(o.rule) });
      expect(started.status).toBe('queued');
      const out = await executeSyncRun({ ...deps, ...o.engine }, started.syncRunId);
      const run = (await readSyncRun(db.sql, started.syncRunId))!;
      expect(run.error).toBeNull();
      expect(out.status).toBe('succeeded');
      return run;
    }

    async function crmShared(id: string): Promise<SharedFields | null> {
      const c = await crm().getContact(crmCall, { id, kind: 'person', defaultCountry: 'US' });
      return c ? sharedFromCrmContact(c) : null;
    }
    const entryOf = (crmId: string) => pb.store.contacts().find((c) => c.externalId === crmId && c.source === t.system);
    const pbShared = (crmId: string) => { const e = entryOf(crmId); return e ? sharedFromPhonebook({ ...e, id: e.id }) : null; };
    const writes = () => ({ crm: writesAt(emu), phonebook: pb.stats.writes });
    const linked = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from phonebook_links where customer_id = ${customerId} and source = ${t.system}`)[0].n;

    it('the first run links every CRM person to a phonebook entry; quiet runs after it write nothing anywhere', async () => {
      const run = await sync();
      const ids = t.personIds(emu);
      expect(ids.length).toBe(12);
      for (const id of ids) expect(entryOf(id), id).toBeDefined();
      expect(pb.store.contacts().length).toBe(12);
      expect(run.stats).toMatchObject({ direction: 'two_way', phonebookAdded: 12 });
      expect(await linked()).toBe(12);
      // Every CRM person and its entry agree on the shared fields.
      for (const id of ids.slice(0, 3)) expect(hashShared(pbShared(id)!)).toBe(hashShared((await crmShared(id))!));

      const before = writes();
      for (let i = 0; i < 5; i++) {
        const quiet = await sync();
        expect(quiet.conflicts).toEqual([]);
      }
      // The phonebook's feed gave back the sync's own 12 adds once (echoes), then nothing; the CRM nothing at all.
      expect(writes()).toEqual(before);
    });

    it('an edit on each side reaches the other once, and its echo writes nothing', async () => {
      const [a, b] = t.personIds(emu);
      t.rename(emu, a, 'Crmedit', 'Aside');
      const entryB = entryOf(b)!;
      pb.store.update(entryB.id, { firstName: 'Phoneedit', lastName: 'Bside', phones: [{ number: '+442079460123', type: 'work' }] });
      const before = writes();
      const run = await sync();
      expect(run.conflicts).toEqual([]);
      expect(writes()).toEqual({ crm: before.crm + 1, phonebook: before.phonebook + 1 });
      expect(pbShared(a)).toMatchObject({ firstName: 'Crmedit', lastName: 'Aside' });
      expect(await crmShared(b)).toMatchObject({ firstName: 'Phoneedit', lastName: 'Bside', phones: ['+442079460123'] });
      expect(run.stats).toMatchObject({ crmUpdated: 1, phonebookUpdated: 1 });
      // Both echoes come back (the CRM's modified record, the phonebook's updated entry) and are recognised.
      const settled = writes();
      for (let i = 0; i < 3; i++) await sync();
      expect(writes()).toEqual(settled);
      const [cdp] = await db.sql<{ first_name: string }[]>`select first_name from cdp_contacts where customer_id = ${customerId} and source = ${t.system} and external_id = ${b}`;
      expect(cdp.first_name).toBe('Phoneedit');
    });

    it('an entry typed into the phonebook becomes a CRM person, linked both ways', async () => {
      const typed = pb.store.add({ firstName: 'Typed', lastName: 'Inphone', phones: [{ number: '+442079460777', type: 'mobile' }], email: 'typed@example.com' });
      const before = writes();
      const run = await sync();
      expect(run.stats).toMatchObject({ crmCreated: 1 });
      const entry = pb.store.get(typed.id)!;
      expect(entry.source).toBe(t.system);
      expect(entry.externalId).toBeTruthy();
      expect(t.personIds(emu)).toContain(entry.externalId);
      expect(await crmShared(entry.externalId!)).toMatchObject({ firstName: 'Typed', lastName: 'Inphone', email: 'typed@example.com', phones: ['+442079460777'] });
      // One CRM create, one phonebook write (the entry learns its CRM id); then quiet.
      expect(writes()).toEqual({ crm: before.crm + 1, phonebook: before.phonebook + 1 });
      const settled = writes();
      await sync();
      await sync();
      expect(writes()).toEqual(settled);
    });

    it('edits of the same contact on both sides follow the rule, and each conflict is reported with both values', async () => {
      const ids = t.personIds(emu);
      const cases: { rule: ConflictRule; id: string }[] = [
        { rule: 'crm_wins', id: ids[3] }, { rule: 'phone_wins', id: ids[4] }, { rule: 'newest', id: ids[5] }, { rule: 'field_by_field', id: ids[6] },
      ];
      for (const c of cases) {
        const entry = entryOf(c.id)!;
        if (c.rule === 'field_by_field') {
          // Different fields: each side's edit is kept.
          t.rename(emu, c.id, 'Crmfirst', pbShared(c.id)!.lastName ?? 'Same');
          pb.store.update(entry.id, { email: 'both@example.com' });
        } else {
          t.rename(emu, c.id, 'Crmside', 'Crm');
          await wait(5);
          pb.store.update(entry.id, { firstName: 'Phoneside', lastName: 'Phone' });
        }
        const run = await sync({ rule: c.rule });
        expect(run.conflicts).toHaveLength(1);
        const conflict = run.conflicts[0] as Record<string, any>;
        expect(conflict).toMatchObject({ type: 'edited_both', externalId: c.id, phonebookId: entry.id, rule: c.rule });
        const crmNow = (await crmShared(c.id))!;
        const pbNow = pbShared(c.id)!;
        expect(hashShared(crmNow)).toBe(hashShared(pbNow));
        if (c.rule === 'field_by_field') {
          expect(conflict.outcome).toBe('merged');
          expect(conflict.crm.firstName).toBe('Crmfirst');
          expect(conflict.phonebook.email).toBe('both@example.com');
          expect(crmNow).toMatchObject({ firstName: 'Crmfirst', email: 'both@example.com' });
          expect(conflict.fields).toMatchObject({ firstName: 'crm', email: 'phonebook' });
        } else {
          expect(conflict.crm).toMatchObject({ firstName: 'Crmside', lastName: 'Crm' });
          expect(conflict.phonebook).toMatchObject({ firstName: 'Phoneside', lastName: 'Phone' });
          // newest: by each side's own clock, as each side reported it.
          const winner = c.rule === 'crm_wins' ? 'crm' : c.rule === 'phone_wins' ? 'phonebook'
            : Date.parse(conflict.phonebook.updatedAt) > Date.parse(conflict.crm.updatedAt) ? 'phonebook' : 'crm';
          expect(conflict.outcome).toBe(winner);
          expect(crmNow).toMatchObject(winner === 'crm' ? { firstName: 'Crmside', lastName: 'Crm' } : { firstName: 'Phoneside', lastName: 'Phone' });
        }
        expect(conflict.result).toEqual(expect.objectContaining({ firstName: crmNow.firstName }));
      }
      // Settled: nothing more to write.
      const settled = writes();
      await sync();
      expect(writes()).toEqual(settled);
    });

    it('deleted in the phonebook and edited in the CRM is a reported conflict; a plain phonebook delete deletes the CRM person', async () => {
      const ids = t.personIds(emu);
      const [edited, plain] = [ids[7], ids[8]];
      pb.store.remove(entryOf(edited)!.id);
      pb.store.remove(entryOf(plain)!.id);
      t.rename(emu, edited, 'Stillhere', 'Crm');
      const run = await sync({ rule: 'crm_wins' });
      expect(run.conflicts).toHaveLength(1);
      expect(run.conflicts[0]).toMatchObject({ type: 'deleted_in_phonebook_edited_in_crm', externalId: edited, outcome: 'kept', phonebook: { deleted: true }, crm: { firstName: 'Stillhere' } });
      // crm_wins: the edited person is back in the phonebook; the one deleted without an edit is gone from the CRM.
      expect(pbShared(edited)).toMatchObject({ firstName: 'Stillhere' });
      expect(t.personIds(emu)).not.toContain(plain);
      expect(run.stats).toMatchObject({ crmDeleted: 1 });
    });

    it('deleted in the CRM and edited in the phonebook is a reported conflict, settled by the rule', async () => {
      const ids = t.personIds(emu);
      const [keep, drop] = [ids[9], ids[10]];
      const keepEntry = entryOf(keep)!, dropEntry = entryOf(drop)!;
      t.remove(emu, keep);
      t.remove(emu, drop);
      pb.store.update(keepEntry.id, { firstName: 'Phonekeeps' });
      pb.store.update(dropEntry.id, { firstName: 'Phoneloses' });
      // phone_wins: the person is made again in the CRM from the phonebook's entry, which is relinked.
      const first = await sync({ rule: 'phone_wins' });
      const kept = first.conflicts.find((c) => (c as { externalId: string }).externalId === keep) as Record<string, any>;
      expect(kept).toMatchObject({ type: 'deleted_in_crm_edited_in_phonebook', outcome: 'kept', crm: { deleted: true }, phonebook: { firstName: 'Phonekeeps' } });
      const relinked = pb.store.get(keepEntry.id)!;
      expect(relinked.externalId).not.toBe(keep);
      expect(await crmShared(relinked.externalId!)).toMatchObject({ firstName: 'Phonekeeps' });
      // The other one was under the same rule: kept too. Switch the rule and repeat for a delete.
      t.remove(emu, pb.store.get(dropEntry.id)!.externalId!);
      pb.store.update(dropEntry.id, { firstName: 'Phoneloses2' });
      const second = await sync({ rule: 'crm_wins' });
      expect(second.conflicts).toHaveLength(1);
      expect(second.conflicts[0]).toMatchObject({ type: 'deleted_in_crm_edited_in_phonebook', outcome: 'deleted', result: null });
      expect(pb.store.get(dropEntry.id)).toBeUndefined();
      const settled = writes();
      await sync();
      expect(writes()).toEqual(settled);
    });

    it('a run killed right after a CRM create (before its commit) resumes on another worker without duplicates', async () => {
      const made = Array.from({ length: 12 }, (_, i) => pb.store.add({ firstName: `Kill${i}`, lastName: 'Test', phones: [{ number: `+4420794610${String(i).padStart(2, '0')}`, type: 'work' }] }));
      const crmBefore = t.personIds(emu).length;
      // Worker A: its own database connections; the 7th create reaches the CRM, then the worker "dies": its
      // answer is lost, its connections close, nothing it does afterwards reaches anyone.
      const sqlA = postgres(db.url, { max: 3, onnotice: () => {} });
      // Its connections open (and read the type catalogue) now, so none is half-open when the worker dies.
      await Promise.all([1, 2, 3].map(() => sqlA`select pg_sleep(0.05)`));
      let creates = 0;
      let dead = false;
      const fetchA: typeof fetch = async (input, init) => {
        if (dead) throw new Error('killed');
        const url = String(input instanceof Request ? input.url : input);
        const method = (init?.method ?? 'GET').toUpperCase();
        const res = await fetch(input, init);
        if (method === 'POST' && t.createPath.test(new URL(url).pathname) && ++creates === 7) {
          dead = true;
          await sqlA.end({ timeout: 0 });
          throw new Error('killed');
        }
        return res;
      };
      const started = await startSync(db.sql, async () => null, { customerId, source: t.system, mode: 'incremental', trigger: 'manual', config: config() });
      const outA = await executeSyncRun({ ...deps, sql: sqlA, fetch: fetchA, workerId: 'worker-killed', leaseMs: 600 }, started.syncRunId).catch(() => null);
      expect(outA?.status).not.toBe('succeeded');
      expect(dead).toBe(true);
      // Worker B takes the run once A's lease ran out.
      let outB: SyncOutcome;
      for (;;) {
        outB = await executeSyncRun({ ...deps, workerId: 'worker-b' }, started.syncRunId);
        if (outB.status !== 'deferred') break;
        await wait(150);
      }
      expect(outB.status).toBe('succeeded');
      const run = (await readSyncRun(db.sql, started.syncRunId))!;
      expect(run.stats.resumes).toBe(1);
      // Exactly one CRM person per new entry, each entry linked to its own.
      expect(t.personIds(emu).length).toBe(crmBefore + 12);
      const linkedTo = made.map((m) => pb.store.get(m.id)!.externalId);
      expect(linkedTo.every(Boolean)).toBe(true);
      expect(new Set(linkedTo).size).toBe(12);
      for (const m of made.slice(5, 8)) {
        const id = pb.store.get(m.id)!.externalId!;
        expect(await crmShared(id)).toMatchObject({ firstName: m.firstName });
      }
      const settled = writes();
      await sync();
      expect(writes()).toEqual(settled);
    });

    it('a run killed right after a phonebook add (CRM → phone system, before its commit) resumes without a second entry', async () => {
      for (let i = 0; i < 12; i++) t.add(emu, `Crmnew${i}`, 'Kill', `+4420794620${String(i).padStart(2, '0')}`);
      const sqlA = postgres(db.url, { max: 3, onnotice: () => {} });
      // Its connections open (and read the type catalogue) now, so none is half-open when the worker dies.
      await Promise.all([1, 2, 3].map(() => sqlA`select pg_sleep(0.05)`));
      let adds = 0;
      let dead = false;
      const fetchA: typeof fetch = async (input, init) => {
        if (dead) throw new Error('killed');
        const url = new URL(String(input instanceof Request ? input.url : input));
        const res = await fetch(input, init);
        if ((init?.method ?? 'GET').toUpperCase() === 'POST' && url.origin === new URL(pb.url).origin && url.pathname === '/api/v1/phonebook/contacts' && ++adds === 5) {
          dead = true;
          await sqlA.end({ timeout: 0 });
          throw new Error('killed');
        }
        return res;
      };
      const started = await startSync(db.sql, async () => null, { customerId, source: t.system, mode: 'incremental', trigger: 'manual', config: config() });
      await executeSyncRun({ ...deps, sql: sqlA, fetch: fetchA, workerId: 'worker-killed-2', leaseMs: 600 }, started.syncRunId).catch(() => null);
      expect(dead).toBe(true);
      let out: SyncOutcome;
      for (;;) {
        out = await executeSyncRun({ ...deps, workerId: 'worker-c' }, started.syncRunId);
        if (out.status !== 'deferred') break;
        await wait(150);
      }
      expect(out.status).toBe('succeeded');
      expect((await readSyncRun(db.sql, started.syncRunId))!.stats.resumes).toBe(1);
      const made = pb.store.contacts().filter((e) => e.lastName === 'Kill' && e.firstName?.startsWith('Crmnew'));
      expect(made).toHaveLength(12);
      expect(new Set(made.map((e) => e.externalId)).size).toBe(12);
      const settled = writes();
      await sync();
      expect(writes()).toEqual(settled);
    });

    it('phonebook deletes past the safety threshold block the run and delete nothing in the CRM; a confirmed run deletes them', async () => {
      const entries = pb.store.contacts().filter((e) => e.source === t.system);
      const gone = entries.slice(0, Math.ceil(entries.length / 2));
      for (const e of gone) pb.store.remove(e.id);
      const crmBefore = t.personIds(emu).length;
      const started = await startSync(db.sql, async () => null, { customerId, source: t.system, mode: 'incremental', trigger: 'manual', config: config() });
      expect((await executeSyncRun(deps, started.syncRunId)).status).toBe('blocked');
      const blocked = (await readSyncRun(db.sql, started.syncRunId))!;
      expect(blocked.alerts).toEqual([expect.objectContaining({ type: 'mass_delete_refused', destination: 'crm', gone: gone.length })]);
      expect(t.personIds(emu).length).toBe(crmBefore);
      // The refused deletes wait; a run a person confirmed makes them.
      const confirmed = await startSync(db.sql, async () => null, { customerId, source: t.system, mode: 'incremental', trigger: 'manual', config: config(), allowMassDelete: true });
      expect((await executeSyncRun(deps, confirmed.syncRunId)).status).toBe('succeeded');
      expect(t.personIds(emu).length).toBe(crmBefore - gone.length);
      for (const e of gone) expect(t.personIds(emu)).not.toContain(e.externalId);
    });

    it('under "newest", a phonebook edit made after a burst of CRM edits wins for every person of the burst', async () => {
      // The CRM stamps each change with its own clock; many changes in one second share it. None of them may look
      // newer than an edit the phonebook made after them all.
      const ids = t.personIds(emu).filter((id) => entryOf(id)).slice(0, 6);
      expect(ids).toHaveLength(6);
      for (const id of ids) t.rename(emu, id, `Burst${id}`, 'Crmburst');
      await wait(5);
      for (const id of ids) pb.store.update(entryOf(id)!.id, { firstName: `Later${id}`, lastName: 'Phoneburst' });
      const run = await sync({ rule: 'newest' });
      expect(run.conflicts.map((c) => (c as { outcome: string }).outcome)).toEqual(ids.map(() => 'phonebook'));
      for (const id of ids) expect(await crmShared(id)).toMatchObject({ firstName: `Later${id}`, lastName: 'Phoneburst' });
      expect(run.stats).toMatchObject({ conflicts: 6, crmUpdated: 6 });
    });
  });
}

describeTwoWay(hubspot);
describeTwoWay(salesforce);
describeTwoWay(pipedrive);

function describeAtScale<E extends RunningEmulator>(t: CrmTarget<E>, persons: number) {
  describe(`two-way contact sync at scale: ${persons.toLocaleString('en')} ${t.name} persons changed on both sides`, () => {
    let emu: E;
    let pb: PhoneSystemEmulator;
    let customerId = '';
    let deps: SyncEngineDeps;
    let crmCall: ConnectorCall;

    beforeAll(async () => {
      [emu, pb] = await Promise.all([t.start(persons), startPhoneSystemEmulator({ token: `pb-scale-${t.system}` })]);
      ({ customerId } = await seedVendor(db.sql, `two-way-scale-${t.system}`));
      await saveConnection(db.sql, key, { customerId, system: t.system, name: t.name, authKind: 'apiKey', baseUrl: emu.url, credentials: t.credentials });
      await saveConnection(db.sql, key, { customerId, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: `pb-scale-${t.system}` } });
      deps = { sql: db.sql, encryptionKey: key, fetch, workerId: `w-scale-${t.system}`, leaseMs: 30_000, http: { backoffMs: 5, maxRetryAfterMs: 3000 }, retryBaseMs: 20 };
      crmCall = { fetch, conn: await loadConnection(db.sql, key, customerId, t.system), requestLog: [] };
    }, 120_000);
    afterAll(async () => { await Promise.all([emu?.close(), pb?.close()]); });

    async function sync() {
      const started = await startSync(db.sql, async () => null, {
        customerId, source: t.system, mode: 'incremental', trigger: 'manual',
        config: { direction: 'two_way', conflictRule: 'field_by_field', destinations: ['phonebook'], kinds: ['person'], pageSize: 1000 },
      });
      const out = await executeSyncRun(deps, started.syncRunId);
      const run = (await readSyncRun(db.sql, started.syncRunId))!;
      expect(run.error).toBeNull();
      expect(out.status).toBe('succeeded');
      return run;
    }

    it('converge in one run, and the next run writes nothing', { timeout: 120_000 }, async () => {
      // The phonebook as an earlier one-way sync left it: an entry per CRM person, naming it. The first two-way run
      // links them from the feed (no phonebook call per person).
      for await (const page of crmCatalog()[t.system].crm.listChanged(crmCall, { kind: 'person', cursor: null, pageSize: 1000 })) {
        for (const c of page.contacts) pb.store.add(toPhonebookContact(c, { defaultCountry: 'US' }));
      }
      const t00 = Date.now();
      const baseline = { crm: writesAt(emu), phonebook: pb.stats.writes };
      const first = await sync();
      expect({ crm: writesAt(emu), phonebook: pb.stats.writes }).toEqual(baseline);
      expect(first.conflicts).toEqual([]);
      console.log(`first two-way run over ${persons} entries: ${Date.now() - t00} ms`);
      expect(pb.store.contacts().length).toBe(persons);
      const ids = t.personIds(emu);
      const entryOf = new Map(pb.store.contacts().map((e) => [e.externalId!, e]));
      // 40% edited in the CRM (first name), 40% in the phonebook (last name), 10% of them on both sides: a conflict each,
      // merged field by field; and 1% new entries typed into the phonebook.
      const crmEdits = ids.slice(0, Math.floor(persons * 0.4));
      const pbEdits = ids.slice(Math.floor(persons * 0.3), Math.floor(persons * 0.7));
      for (const id of crmEdits) t.rename(emu, id, `Crm${id}`, entryOf.get(id)!.lastName ?? 'Last');
      for (const id of pbEdits) pb.store.update(entryOf.get(id)!.id, { lastName: `Pb${id}` });
      const typed = Math.floor(persons * 0.01);
      for (let i = 0; i < typed; i++) pb.store.add({ firstName: `New${i}`, lastName: 'Typed', phones: [{ number: `+4479${String(10_000_000 + i)}`, type: 'mobile' }] });
      const before = { crm: writesAt(emu), phonebook: pb.stats.writes };

      const t0 = Date.now();
      const run = await sync();
      const ms = Date.now() - t0;
      const both = crmEdits.filter((id) => pbEdits.includes(id)).length;
      expect(both).toBe(Math.floor(persons * 0.1));
      expect(run.stats).toMatchObject({ conflicts: both, crmCreated: typed, crmUpdated: pbEdits.length });
      // CRM → phonebook: the CRM edits (conflicts merged into one write each) and the new entries' links, entry by entry;
      // phonebook → CRM: its edits in batch requests (one update per record where the CRM has no batch API), and the creates.
      expect(pb.stats.writes - before.phonebook).toBe(crmEdits.length + typed);
      const crmRequests = writesAt(emu) - before.crm;
      expect(crmRequests).toBeGreaterThanOrEqual(typed + Math.ceil(pbEdits.length / 200));
      expect(crmRequests).toBeLessThanOrEqual(typed + pbEdits.length);

      // Both sides hold the same shared fields for every linked person.
      const crmNow = new Map<string, SharedFields>();
      for await (const page of crmCatalog()[t.system].crm.listChanged(crmCall, { kind: 'person', cursor: null, pageSize: 1000 })) {
        for (const c of page.contacts) crmNow.set(c.externalId, sharedFromCrm(c, 'US'));
      }
      const links = await db.sql<{ external_id: string; phonebook_id: string }[]>`select external_id, phonebook_id from phonebook_links where customer_id = ${customerId} and source = ${t.system}`;
      expect(links.length).toBe(persons + typed);
      let differing = 0;
      for (const l of links) if (hashShared(crmNow.get(l.external_id)!) !== hashShared(sharedFromPhonebook({ ...pb.store.get(l.phonebook_id)! }))) differing++;
      expect(differing).toBe(0);
      const merged = crmNow.get(crmEdits[crmEdits.length - 1])!;
      expect(merged).toMatchObject({ firstName: `Crm${crmEdits[crmEdits.length - 1]}`, lastName: `Pb${crmEdits[crmEdits.length - 1]}` });
      console.log(`${t.name}: ${persons} persons, ${crmEdits.length} CRM edits + ${pbEdits.length} phonebook edits (${both} on both) + ${typed} new entries converged in ${ms} ms`);

      const settled = { crm: writesAt(emu), phonebook: pb.stats.writes };
      await sync();
      expect({ crm: writesAt(emu), phonebook: pb.stats.writes }).toEqual(settled);
    });
  });
}

// HubSpot and Salesforce take batch updates; Pipedrive has none (one PATCH per person, eight at a time).
describeAtScale(hubspot, 10_000);
describeAtScale(salesforce, 10_000);
describeAtScale(pipedrive, 10_000);
