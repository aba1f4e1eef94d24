// More than one vendor: `npx patchbay vendor create` makes a vendor with its owner account and a first key, and two
// vendors created that way see nothing of each other through any door (public API, staff API, audit log), even
// with the same customer id.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, inject } from 'vitest';
import callerLookupFlow from '@/engine/fixtures/caller-lookup.flow.json';
import { mintStaffSessionCookie } from '@/lib/auth/staff-session';
import { verifyStaffCredentials } from '@/lib/auth/staff-users';
import { api, browse, db } from './helpers';

const uniq = Math.random().toString(36).slice(2, 8);
interface Made { vendorId: string; slug: string; ownerEmail: string; password?: string; apiKey: string }

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['bin/patchbay.mjs', 'vendor', ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: inject('databaseUrl') }, timeout: 120_000 });
}

const v: Record<'a' | 'b', Made & { cookie: string }> = {} as never;

beforeAll(async () => {
  process.env.NEXTAUTH_SECRET ??= JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).authSecret;
  for (const which of ['a', 'b'] as const) {
    const r = cli('create', '--slug', `iso-${which}-${uniq}`, '--name', `Isolated ${which.toUpperCase()}`, '--owner-email', `Owner-${which}-${uniq}@Iso.test`, '--json');
    expect(r.status, r.stderr).toBe(0);
    const made = JSON.parse(r.stdout) as Made;
    const [u] = await db()<{ id: string }[]>`select id from staff_users where email = ${made.ownerEmail}`;
    v[which] = { ...made, cookie: await mintStaffSessionCookie({ userId: u.id, vendorId: made.vendorId, role: 'owner', email: made.ownerEmail, name: 'o', sid: `iso-${u.id}` }) };
  }
}, 240_000);

const staff = (who: 'a' | 'b', p: string, o: { method?: string; body?: unknown } = {}) => browse(p, { method: o.method ?? (o.body === undefined ? 'GET' : 'POST'), body: o.body, cookie: v[who].cookie });

describe('npx patchbay vendor create', () => {
  it('creates the vendor, its owner (who can sign in) and a first API key, audited as the operator', async () => {
    const a = v.a;
    expect(a).toMatchObject({ slug: `iso-a-${uniq}`, ownerEmail: `owner-a-${uniq}@iso.test` });
    expect(a.apiKey).toMatch(/^pb_/);
    expect(a.password!.length).toBeGreaterThanOrEqual(10);
    const signIn = await verifyStaffCredentials(db(), a.ownerEmail, a.password!);
    expect(signIn).toMatchObject({ vendorId: a.vendorId, role: 'owner' });
    expect((await api('/api/v1/customers/nobody', { key: a.apiKey })).status).toBe(404);
    const me = await staff('a', '/api/staff/me');
    expect(me.body).toMatchObject({ role: 'owner', vendor: { id: a.vendorId, slug: `iso-a-${uniq}`, name: 'Isolated A' } });
    const audit = await staff('a', '/api/staff/audit');
    expect(audit.body.entries.map((e: any) => [e.action, e.actor.kind])).toEqual([['api_key.create', 'operator'], ['staff_user.create', 'operator'], ['vendor.create', 'operator']]);
  });

  it('refuses a taken slug or owner e-mail and a bad slug, naming the field, and creates nothing', async () => {
    const dup = cli('create', '--slug', `iso-a-${uniq}`, '--name', 'Again', '--owner-email', `other-${uniq}@iso.test`);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/vendor_exists \(slug\)/);
    const email = cli('create', '--slug', `iso-c-${uniq}`, '--name', 'C', '--owner-email', `owner-a-${uniq}@iso.test`);
    expect(email.status).toBe(1);
    expect(email.stderr).toMatch(/email_taken \(ownerEmail\)/);
    expect((await db()`select 1 from vendors where slug = ${`iso-c-${uniq}`}`).length).toBe(0);
    const bad = cli('create', '--slug', 'Not A Slug!', '--name', 'X', '--owner-email', `x-${uniq}@iso.test`);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/invalid_input \(slug\)/);
    expect(cli('create', '--slug', 'x').status).toBe(2);
  }, 240_000); // five CLI processes, each starting TypeScript through tsx: slow on a loaded machine
});

describe('two vendors are isolated', () => {
  it('the same customer id at both vendors: each key, staff member and audit log sees only its own', async () => {
    for (const w of ['a', 'b'] as const) {
      const r = await api('/api/v1/customers', { body: { externalId: 'shared', name: `Shared of ${w}` }, key: v[w].apiKey });
      expect(r.status).toBe(201);
    }
    expect((await api('/api/v1/customers/shared', { key: v.a.apiKey })).body.name).toBe('Shared of a');
    expect((await api('/api/v1/customers/shared', { key: v.b.apiKey })).body.name).toBe('Shared of b');
    expect((await staff('b', '/api/staff/customers')).body.map((c: any) => c.name)).toEqual(['Shared of b']);

    // A's flow, enabled and run for A's customer.
    const flow = await staff('a', '/api/staff/flows', { body: { definition: callerLookupFlow } });
    expect(flow.status).toBe(201);
    expect((await staff('a', `/api/staff/flows/${flow.body.id}/publish`, { body: { version: 1 } })).status).toBe(200);
    expect((await api('/api/v1/customers/shared/integrations', { body: { flowId: flow.body.id }, key: v.a.apiKey })).status).toBe(200);
    const run = await api('/api/v1/customers/shared/automations/caller_lookup', { body: { phone: '+1 415-704-0007' }, key: v.a.apiKey });
    expect(run.status).toBe(200);
    const runId = run.headers.get('x-patchbay-run-id')!;
    for (let i = 0; i < 100 && (await api(`/api/v1/runs/${runId}`, { key: v.a.apiKey })).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));

    // B reaches none of it: not A's flow (to read, publish or enable), run, automation, key or audit entries.
    expect((await staff('b', `/api/staff/flows/${flow.body.id}`)).status).toBe(404);
    expect((await staff('b', `/api/staff/flows/${flow.body.id}/publish`, { body: { version: 1 } })).status).toBe(404);
    expect((await staff('b', '/api/staff/flows')).body).toEqual([]);
    expect((await api('/api/v1/customers/shared/integrations', { body: { flowId: flow.body.id }, key: v.b.apiKey })).status).toBe(404);
    expect((await api('/api/v1/customers/shared/automations/caller_lookup', { body: { phone: '+1 415-704-0007' }, key: v.b.apiKey })).status).toBe(404);
    expect((await api(`/api/v1/runs/${runId}`, { key: v.b.apiKey })).status).toBe(404);
    expect((await staff('b', `/api/staff/runs/${runId}`)).status).toBe(404);
    expect((await staff('b', '/api/staff/runs')).body.runs).toEqual([]);
    const aKeys = (await staff('a', '/api/staff/api-keys')).body;
    expect((await staff('b', `/api/staff/api-keys/${aKeys[0].id}/rotate`, { method: 'POST' })).status).toBe(404);
    expect((await staff('b', `/api/staff/api-keys/${aKeys[0].id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await staff('b', '/api/staff/api-keys')).body.map((k: any) => k.id)).not.toContain(aKeys[0].id);
    const bAudit = JSON.stringify((await staff('b', '/api/staff/audit?limit=200')).body);
    expect(bAudit).not.toContain(flow.body.id);
    expect(bAudit).not.toContain(v.a.vendorId);
    // A's key still works after all B tried.
    expect((await api('/api/v1/customers/shared/automations/caller_lookup', { body: { phone: '+1 415-704-0007' }, key: v.a.apiKey })).status).toBe(200);
  });
});
