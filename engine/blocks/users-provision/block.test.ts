// User provisioning: the plan (pure), CSV/JSON directories, and the block against the phone-system and HubSpot
// emulators over HTTP — a dry run lists the changes and writes nothing, the real run applies them once, a second
// run finds nothing to do, a lost answer to a creation does not create the user twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubspotEmulator, type HubspotEmulator } from '../../connectors/hubspot/emulator';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '../../connectors/phone-system/emulator';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator';
import type { PhoneUserRecord } from '../../connectors/phone-system/users';
import { createTestContext } from '../../testing/run-fixture';
import { usersProvision } from './block';
import { parseCsv, parseDirectoryCsv, parseDirectoryJson, planProvisioning, type PlanOptions } from './plan';

const opts: PlanOptions = { source: 'hubspot', deactivateMissing: true, domains: null, defaultRole: 'agent', maxDeactivateShare: 0.5, allowMassDeactivate: false };
const user = (id: string, email: string, extra: Partial<PhoneUserRecord> = {}): PhoneUserRecord => ({ id, email, firstName: null, lastName: null, extension: null, role: 'agent', department: null, externalId: 'patchbay:hubspot', active: true, ...extra });

describe('planProvisioning', () => {
  it('creates the missing, updates what differs, adopts a same-e-mail user, deactivates only its own users who left', () => {
    const plan = planProvisioning(
      [
        { email: 'New@Example.com', firstName: 'Nia', lastName: 'New' },
        { email: 'same@example.com', firstName: 'Sam', lastName: 'Same' },
        { email: 'renamed@example.com', firstName: 'Rita', lastName: 'Renamed' },
        { email: 'manual@example.com', firstName: 'Manu' },
        { email: 'back@example.com', firstName: 'Bea' },
        { email: 'byhand@example.com' },
        { email: 'quit@example.com', active: false },
        { email: 'not-an-email' },
      ],
      [
        user('1', 'same@example.com', { firstName: 'Sam', lastName: 'Same' }),
        user('2', 'renamed@example.com', { firstName: 'Rita', lastName: 'Old' }),
        user('3', 'manual@example.com', { firstName: 'Manu', externalId: null }),
        user('4', 'back@example.com', { firstName: 'Bea', active: false }),
        user('5', 'byhand@example.com', { active: false, externalId: null }),
        user('6', 'quit@example.com'),
        user('7', 'gone@example.com'),
        user('8', 'admin@example.com', { externalId: null }),
      ],
      opts,
    );
    expect(plan.changes).toEqual([
      { action: 'create', email: 'new@example.com', fields: { firstName: 'Nia', lastName: 'New', role: 'agent', externalId: 'patchbay:hubspot' } },
      { action: 'update', email: 'renamed@example.com', userId: '2', fields: { lastName: { from: 'Old', to: 'Renamed' } } },
      { action: 'update', email: 'manual@example.com', userId: '3', fields: { externalId: { from: null, to: 'patchbay:hubspot' } } },
      { action: 'reactivate', email: 'back@example.com', userId: '4', fields: { active: { from: false, to: true } } },
      { action: 'deactivate', email: 'quit@example.com', userId: '6', reason: 'deactivated in the directory' },
      { action: 'deactivate', email: 'gone@example.com', userId: '7', reason: 'no longer in the directory' },
    ]);
    expect(plan.unchanged).toBe(1);
    expect(plan.problems).toEqual([
      { email: 'not-an-email', reason: 'not an e-mail address: skipped' },
      { email: 'byhand@example.com', reason: 'deactivated in the phone system by someone else: not reactivated' },
    ]);
    expect(plan.blocked).toBeNull();
  });

  it('blocks deactivating more than the allowed share, and keeps to its domains', () => {
    const current = ['a', 'b', 'c', 'd', 'e'].map((x, i) => user(String(i + 1), `${x}@example.com`));
    const plan = planProvisioning([{ email: 'a@example.com' }, { email: 'x@other.org' }], current, { ...opts, maxDeactivateShare: 0.2, domains: ['example.com'] });
    expect(plan.changes.filter((c) => c.action === 'deactivate')).toHaveLength(4);
    expect(plan.changes.some((c) => c.email === 'x@other.org')).toBe(false);
    expect(plan.blocked).toMatch(/4 of 5 managed users would be deactivated/);
    expect(planProvisioning([{ email: 'a@example.com' }], current, { ...opts, maxDeactivateShare: 0.2, allowMassDeactivate: true }).blocked).toBeNull();
  });

  it('reads CSV (quotes, CRLF, header names) and JSON directories', () => {
    expect(parseCsv('a,"b ""q"", c",d\r\n"multi\nline",x\n')).toEqual([['a', 'b "q", c', 'd'], ['multi\nline', 'x']]);
    expect(parseDirectoryCsv('Email,First Name,last_name,Ext,active\nada@example.com,Ada,"Lovelace, Countess",201,yes\nbob@example.com,Bob,,,no\n')).toEqual([
      { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace, Countess', extension: '201', role: null, department: null, active: true },
      { email: 'bob@example.com', firstName: 'Bob', lastName: null, extension: null, role: null, department: null, active: false },
    ]);
    expect(() => parseDirectoryCsv('name\nx')).toThrow(/no "email" column/);
    expect(parseDirectoryJson({ users: [{ email: 'a@b.co', first_name: 'A', active: false }] })).toEqual([{ email: 'a@b.co', firstName: 'A', lastName: null, extension: null, role: null, department: null, active: false }]);
  });
});

describe('users.provision against the emulators', () => {
  let pb: PhoneSystemEmulator;
  let hs: HubspotEmulator;
  beforeAll(async () => {
    [pb, hs] = await Promise.all([startPhoneSystemEmulator({ token: 'pb' }), startHubspotEmulator({ token: 'hs', users: 4, contacts: 0, companies: 0 })]);
  });
  afterAll(async () => { await Promise.all([pb?.close(), hs?.close()]); });

  const ctxFor = (fetchImpl: typeof fetch = fetch) => createTestContext({
    fetch: fetchImpl,
    connections: { phonesystem: { id: 'p', system: 'phonesystem', baseUrl: pb.url, credentials: { token: 'pb' } }, hubspot: { id: 'h', system: 'hubspot', baseUrl: hs.url, credentials: { token: 'hs' } } },
  });
  const run = async (params: Record<string, unknown>, fetchImpl?: typeof fetch) => (await usersProvision.run(ctxFor(fetchImpl), usersProvision.params.parse(params), { trigger: {}, nodeId: 'provision' })).output;

  it('from the CRM\'s users: the dry run lists the changes and writes nothing; the real run applies them once; again: nothing to do', async () => {
    // One agent exists already, made by hand with another first name: adopted and updated, not created twice.
    const owner0 = hs.store.owners[0];
    pb.store.users.create({ email: owner0.email, firstName: 'Old', lastName: owner0.lastName, extension: '300' }, false);
    const dry = await run({ source: 'crm', crm: 'hubspot', dryRun: true });
    expect(dry.counts).toEqual({ create: 3, update: 1, reactivate: 0, deactivate: 0, unchanged: 0 });
    expect(dry.changes.filter((c) => c.action === 'create').map((c) => c.email).sort()).toEqual(hs.store.owners.slice(1).map((o) => o.email.toLowerCase()).sort());
    expect(dry.changes.find((c) => c.action === 'update')).toMatchObject({ email: owner0.email.toLowerCase(), fields: { firstName: { from: 'Old', to: owner0.firstName }, externalId: { from: null, to: 'patchbay:hubspot' } } });
    expect(dry.applied).toBe(0);
    expect(pb.store.users.stats).toEqual({ creates: 0, updates: 0, deactivations: 0 });

    const real = await run({ source: 'crm', crm: 'hubspot', dryRun: false });
    expect(real.changes).toEqual(dry.changes);
    expect(real.applied).toBe(4);
    expect(pb.store.users.stats).toEqual({ creates: 3, updates: 1, deactivations: 0 });
    const byEmail = (e: string) => pb.store.users.byEmail(e)!;
    for (const o of hs.store.owners) expect(byEmail(o.email)).toMatchObject({ firstName: o.firstName, lastName: o.lastName, active: true, externalId: 'patchbay:hubspot', role: 'agent' });
    expect(byEmail(owner0.email).extension).toBe('300');

    const again = await run({ source: 'crm', crm: 'hubspot', dryRun: false });
    expect(again.changes).toEqual([]);
    expect(again.counts.unchanged).toBe(4);
    expect(pb.store.users.stats).toEqual({ creates: 3, updates: 1, deactivations: 0 });

    // An agent leaves (archived in HubSpot): deactivated, once.
    hs.store.owners[2].archived = true;
    const leave = await run({ source: 'crm', crm: 'hubspot', dryRun: false });
    expect(leave.changes).toEqual([{ action: 'deactivate', email: hs.store.owners[2].email.toLowerCase(), userId: byEmail(hs.store.owners[2].email).id, reason: 'deactivated in the directory' }]);
    expect(byEmail(hs.store.owners[2].email).active).toBe(false);
    expect((await run({ source: 'crm', crm: 'hubspot', dryRun: false })).changes).toEqual([]);
    expect(pb.store.users.stats.deactivations).toBe(1);
  });

  it('from a CSV: a creation whose answer was lost is found by its e-mail, not made twice; a taken extension is a problem, not a failure', async () => {
    let dropped = 0;
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/api/v1/users') && init?.method === 'POST' && dropped === 0) { dropped++; throw new TypeError('socket hang up'); }
      return res;
    };
    const csv = 'email,first_name,last_name,extension\nlost@example.com,Lou,Lost,401\nclash@example.com,Cee,Clash,300\n';
    const out = await run({ source: 'csv', csv, dryRun: false, deactivateMissing: false }, lossy);
    expect(dropped).toBe(1);
    expect(pb.store.users.all().filter((u) => u.email === 'lost@example.com')).toHaveLength(1);
    expect(pb.store.users.byEmail('lost@example.com')).toMatchObject({ firstName: 'Lou', extension: '401', externalId: 'patchbay:csv' });
    expect(out.applied).toBe(1);
    expect(out.problems).toEqual([{ email: 'clash@example.com', reason: expect.stringMatching(/create refused: .*Extension 300 belongs to/) }]);
    await expect(run({ source: 'crm', crm: 'pipedrive' })).rejects.toMatchObject({ code: 'invalid_params', path: ['crm'], message: expect.stringMatching(/cannot list its users/) });
    await expect(run({ source: 'csv', csv: 'name\nx' })).rejects.toMatchObject({ code: 'invalid_params', path: ['csv'] });
  });

  it('from Salesforce\'s users (SOQL on User, nextRecordsUrl pages): active users are planned, inactive ones are not created', async () => {
    const sf = await startSalesforceEmulator({ token: 'sf', users: 3, contacts: 0, companies: 0 });
    try {
      const users = sf.store.list('User').filter((u) => u.Email);
      const inactive = users.find((u) => u.Id !== sf.store.apiUserId)!;
      inactive.IsActive = false;
      const ctx = createTestContext({ connections: { phonesystem: { id: 'p', system: 'phonesystem', baseUrl: pb.url, credentials: { token: 'pb' } }, salesforce: { id: 's', system: 'salesforce', baseUrl: sf.url, credentials: { token: 'sf' } } } });
      const out = (await usersProvision.run(ctx, usersProvision.params.parse({ source: 'crm', crm: 'salesforce', dryRun: true }), { trigger: {}, nodeId: 'p' })).output;
      const wanted = users.filter((u) => u.IsActive !== false && !pb.store.users.byEmail(String(u.Email))).map((u) => String(u.Email).toLowerCase()).sort();
      expect(out.changes.filter((c) => c.action === 'create').map((c) => c.email).sort()).toEqual(wanted);
      expect(out.changes.some((c) => c.email === String(inactive.Email).toLowerCase())).toBe(false);
      expect(out.source).toBe('salesforce');
    } finally { await sf.close(); }
  });

  it('the users API pages with cursors and refuses what a phone system would', async () => {
    for (let i = 0; i < 7; i++) pb.store.users.create({ email: `page${i}@example.com` }, false);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await fetch(`${pb.url}/api/v1/users?limit=4${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: 'Bearer pb' } });
      const body = await res.json() as { data: { email: string }[]; next_cursor: string | null };
      seen.push(...body.data.map((u) => u.email));
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(pb.store.users.all().map((u) => u.email));
    expect(pages).toBe(Math.ceil(seen.length / 4));
    const post = (b: unknown) => fetch(`${pb.url}/api/v1/users`, { method: 'POST', headers: { authorization: 'Bearer pb', 'content-type': 'application/json' }, body: JSON.stringify(b) });
    expect((await post({ email: 'nope' })).status).toBe(400);
    const dup = await post({ email: 'PAGE1@example.com' });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ error: { code: 'email_taken' } });
    const anon = await fetch(`${pb.url}/api/v1/users`);
    expect(anon.status).toBe(401);
  });
});
