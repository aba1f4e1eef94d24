// API keys managed in the staff API: created (shown once, listed by prefix), rotated and revoked, with the old key
// refused at once by every Patchbay process (a second server on the same database had it cached); a key confined
// to one customer runs only that customer's automations; every change leaves an audit row.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { mintStaffSessionCookie } from '@/lib/auth/staff-session';
import { api, baseUrl, browse, db } from './helpers';
import { startServer, type StartedServer } from './server-process';

const uniq = Math.random().toString(36).slice(2, 8);
let owner = '';
let editor = '';
let second: StartedServer | undefined;
let vendorId = '';

const staffCall = (p: string, o: { method?: string; body?: unknown; cookie?: string } = {}) => browse(p, { method: o.method ?? (o.body === undefined ? 'GET' : 'POST'), body: o.body, cookie: o.cookie ?? owner });
async function lookup(key: string, server = baseUrl(), customer = 'demo') {
  const res = await fetch(`${server}/api/v1/customers/${customer}/automations/caller_lookup`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ phone: '+1 415-704-0007' }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** Polls until `check` holds (the NOTIFY arrives at commit; on a loaded machine it may take a moment). */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  const secrets = JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8'));
  process.env.NEXTAUTH_SECRET ??= secrets.authSecret;
  const sql = db();
  [{ id: vendorId }] = await sql<{ id: string }[]>`select id from vendors where slug = 'demo'`;
  const mk = async (role: 'owner' | 'editor') => {
    const email = `${role}-${uniq}@keys.test`;
    const [u] = await sql<{ id: string }[]>`insert into staff_users (vendor_id, email, name, password_hash, role) values (${vendorId}, ${email}, ${role}, 'x', ${role}) returning id`;
    return mintStaffSessionCookie({ userId: u.id, vendorId, role, email, name: role, sid: `keys-${u.id}` });
  };
  owner = await mk('owner');
  editor = await mk('editor');
  for (const id of [`keys-a-${uniq}`, `keys-b-${uniq}`]) expect((await api('/api/v1/customers', { body: { externalId: id, name: id } })).status).toBe(201);
  const [flow] = await sql<{ id: string }[]>`select id from flows where vendor_id = ${vendorId} and automation = 'caller_lookup' and deleted_at is null limit 1`;
  for (const id of [`keys-a-${uniq}`, `keys-b-${uniq}`]) expect((await api(`/api/v1/customers/${id}/integrations`, { body: { flowId: flow.id } })).status).toBe(200);
  // A second Patchbay process on the same database, like a second web server behind a load balancer.
  second = await startServer({ dbKind: 'url', databaseUrl: inject('databaseUrl'), env: { PATCHBAY_SEED_DEMO: '0', PATCHBAY_WORKER: '0', NEXTAUTH_SECRET: secrets.authSecret } });
}, 120_000);

afterAll(async () => { await second?.stop(); });

describe('vendor API keys in the staff API', () => {
  it('creates a key shown once and listed by prefix; only owners manage keys', async () => {
    const made = await staffCall('/api/staff/api-keys', { body: { name: `backend ${uniq}` } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: `backend ${uniq}`, customer: null, revokedAt: null, createdBy: `owner-${uniq}@keys.test` });
    expect(made.body.key).toMatch(/^pb_[A-Za-z0-9_-]{32}$/);
    expect(made.body.key.startsWith(made.body.prefix)).toBe(true);
    expect((await lookup(made.body.key)).status).toBe(200);
    const list = await staffCall('/api/staff/api-keys');
    const row = list.body.find((k: any) => k.id === made.body.id);
    expect(row).toEqual({ ...made.body, key: undefined, createdAt: row.createdAt });
    expect(JSON.stringify(list.body)).not.toContain(made.body.key);
    expect((await staffCall('/api/staff/api-keys', { cookie: editor })).status).toBe(403);
    expect((await staffCall('/api/staff/api-keys', { body: { name: 'x' }, cookie: editor })).status).toBe(403);
  });

  it('rotation: the new key works and the old one is refused at once by every process, though both had it cached', async () => {
    const made = (await staffCall('/api/staff/api-keys', { body: { name: `rotating ${uniq}` } })).body;
    for (const server of [baseUrl(), second!.baseUrl]) for (let i = 0; i < 3; i++) expect((await lookup(made.key, server)).status).toBe(200);
    const rotated = await staffCall(`/api/staff/api-keys/${made.id}/rotate`, { method: 'POST' });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ name: `rotating ${uniq}`, customer: null, revokedAt: null });
    expect(rotated.body.key).not.toBe(made.key);
    for (const server of [baseUrl(), second!.baseUrl]) {
      expect(await eventually(async () => (await lookup(made.key, server)).status === 401), `old key still accepted by ${server}`).toBe(true);
      expect((await lookup(rotated.body.key, server)).status).toBe(200);
    }
    const list = (await staffCall('/api/staff/api-keys')).body;
    expect(list.find((k: any) => k.id === made.id)).toMatchObject({ replacedBy: rotated.body.id, revokedAt: expect.any(String) });
    // A rotated (revoked) key cannot be rotated or revoked again.
    expect((await staffCall(`/api/staff/api-keys/${made.id}/rotate`, { method: 'POST' })).status).toBe(404);
    expect((await staffCall(`/api/staff/api-keys/${made.id}`, { method: 'DELETE' })).status).toBe(404);
    // Revoking the new one: refused everywhere too.
    expect((await staffCall(`/api/staff/api-keys/${rotated.body.id}`, { method: 'DELETE' })).status).toBe(204);
    for (const server of [baseUrl(), second!.baseUrl]) expect(await eventually(async () => (await lookup(rotated.body.key, server)).status === 401)).toBe(true);
  });

  it('a key confined to one customer runs only that customer\'s automations and reads only its runs', async () => {
    const a = `keys-a-${uniq}`;
    const b = `keys-b-${uniq}`;
    const made = await staffCall('/api/staff/api-keys', { body: { name: 'only A', customer: a } });
    expect(made.status).toBe(201);
    expect(made.body.customer).toBe(a);
    const key = made.body.key;
    const mine = await lookup(key, baseUrl(), a);
    expect(mine.status).toBe(200);
    const runId = mine.headers.get('x-patchbay-run-id')!;
    expect(await eventually(async () => (await api(`/api/v1/runs/${runId}`, { key })).status === 200)).toBe(true);
    // Another customer of the same vendor looks like no customer at all.
    const other = await lookup(key, baseUrl(), b);
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ error: { code: 'customer_not_found', message: expect.any(String) } });
    const othersRun = (await lookup(apiKeyOfVendor(), baseUrl(), b)).headers.get('x-patchbay-run-id')!;
    expect(await eventually(async () => (await api(`/api/v1/runs/${othersRun}`)).status === 200)).toBe(true);
    expect((await api(`/api/v1/runs/${othersRun}`, { key })).status).toBe(404);
    // Anything but running automations and reading runs is refused, even for its own customer.
    for (const [p, body] of [
      ['/api/v1/customers', { externalId: `keys-c-${uniq}`, name: 'C' }],
      [`/api/v1/customers/${a}/cdp/contacts`, { contacts: [] }],
      [`/api/v1/customers/${a}/portal-links`, {}],
    ] as const) {
      const r = await api(p, { body, key });
      expect(r.status, p).toBe(403);
      expect(r.body.error.code).toBe('customer_key_not_allowed');
    }
    expect((await api(`/api/v1/customers/${a}`, { key })).status).toBe(403);
    // An unknown customer for the staff API is a 404 naming the field.
    const bad = await staffCall('/api/staff/api-keys', { body: { name: 'x', customer: 'nobody-here' } });
    expect(bad).toMatchObject({ status: 404, body: { error: { code: 'customer_not_found', path: ['customer'] } } });
  });

  it('writes an audit row for every key change, never the key itself', async () => {
    const made = (await staffCall('/api/staff/api-keys', { body: { name: `audited ${uniq}` } })).body;
    const rotated = (await staffCall(`/api/staff/api-keys/${made.id}/rotate`, { method: 'POST' })).body;
    expect((await staffCall(`/api/staff/api-keys/${rotated.id}`, { method: 'DELETE' })).status).toBe(204);
    const rows = await db()<{ action: string; actor_kind: string; actor_label: string; target_id: string; details: any }[]>`
      select action, actor_kind, actor_label, target_id, details from audit_log where vendor_id = ${vendorId} and target_kind = 'api_key' and target_id in (${made.id}, ${rotated.id}) order by id`;
    expect(rows.map((r) => [r.action, r.target_id])).toEqual([['api_key.create', made.id], ['api_key.rotate', made.id], ['api_key.revoke', rotated.id]]);
    expect(rows.every((r) => r.actor_kind === 'staff' && r.actor_label === `owner-${uniq}@keys.test`)).toBe(true);
    expect(rows[1].details).toEqual({ newKeyId: rotated.id, newPrefix: rotated.prefix });
    const page = await staffCall('/api/staff/audit?target=api_key', { cookie: editor });
    expect(page.status).toBe(200);
    expect(page.body.entries.slice(0, 3).map((e: any) => e.action)).toEqual(['api_key.revoke', 'api_key.rotate', 'api_key.create']);
    const text = JSON.stringify(page.body);
    for (const k of [made.key, rotated.key]) expect(text).not.toContain(k);
  });
});

function apiKeyOfVendor(): string { return inject('apiKey'); }
