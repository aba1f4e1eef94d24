// Bad input against the running server (issue 15, items 4–11): every case answers a 4xx that names the
// field — never a 500, a hang, a database message or a silent loss.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, baseUrl, browse, db } from './helpers';

const uniq = Math.random().toString(36).slice(2, 8);
const cust = `badin-${uniq}`;
let hanging: net.Server;
let hangingUrl = '';
const sockets = new Set<net.Socket>();


async function portalCookie(customer: string): Promise<string> {
  const link = await api(`/api/v1/customers/${customer}/portal-links`, { method: 'POST' });
  expect(link.status).toBe(201);
  const r = await browse(link.body.url);
  expect(r.status).toBe(303);
  return r.setCookies.find((c) => c.startsWith('pb_portal='))!.split(';')[0];
}

const contact = (extra: Record<string, unknown> = {}) => ({ source: 'crm', externalId: `x-${Math.random().toString(36).slice(2, 8)}`, firstName: 'Ada', phones: ['+14155550100'], ...extra });
const upsert = (contacts: unknown[]) => api(`/api/v1/customers/${cust}/cdp/contacts`, { body: { contacts } });
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

beforeAll(async () => {
  expect((await api('/api/v1/customers', { body: { externalId: cust, name: 'Bad Input Ltd' } })).status).toBe(201);
  // Accepts connections and never answers (a stuck CRM or a black-holed address behind a proxy).
  hanging = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => hanging?.close(r));
});

describe('4: bad percent-escapes', () => {
  it('a portal cookie with a bad escape is no session (401), on portal routes and the OAuth callback', async () => {
    const r = await browse(`/api/portal/${cust}/connections`, { cookie: 'pb_portal=%E0%A4%A' });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthenticated');
    const cb = await browse('/api/portal/oauth/callback?code=x&state=y', { cookie: 'pb_portal=%E0%A4%A; pb_portal_oauth=%E0%A4%A' });
    expect(cb.status).toBe(401);
  });

  it('a path with a bad escape answers 400 invalid_path on every kind of page', async () => {
    for (const p of ['/portal/%E0%A4%A', '/portal/%E0%A4%A/connections', '/flows/%E0%A4%A', '/runs/%E0%A4%A', '/api/staff/flows/%E0%A4%A', '/api/auth/%E0%A4%A', '/api/portal/%E0%A4%A/connections']) {
      const r = await browse(p);
      expect(r.status, p).toBe(400);
      expect(r.body.error.code, p).toBe('invalid_path');
    }
  });
});

describe('5: NUL and unpaired surrogates', () => {
  it('are refused with 400 naming the field, wherever they are in a contact', async () => {
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ firstName: 'A\u0000da' }, ['contacts', 0, 'firstName']],
      [{ lastName: '\ud800' }, ['contacts', 0, 'lastName']],
      [{ company: 'x\udc00y' }, ['contacts', 0, 'company']],
      [{ email: 'a\u0000@b.c' }, ['contacts', 0, 'email']],
      [{ crmUrl: 'https://x/\u0000' }, ['contacts', 0, 'crmUrl']],
      [{ source: 'c\u0000rm' }, ['contacts', 0, 'source']],
      [{ externalId: 'id\u0000' }, ['contacts', 0, 'externalId']],
      [{ custom: { tier: 'gold\u0000' } }, ['contacts', 0, 'custom', 'tier']],
      [{ custom: { 'ti\u0000er': 'gold' } }, ['contacts', 0, 'custom', 'ti?er']],
    ];
    for (const [extra, path] of cases) {
      const r = await upsert([contact(extra)]);
      expect(r.status, JSON.stringify(extra)).toBe(400);
      expect(r.body.error.path).toEqual(path);
      expect(r.body.error.message).toMatch(/NUL|surrogate/);
    }
  });

  it('are refused in customer names, integration options and the contact DELETE path', async () => {
    const name = await api('/api/v1/customers', { body: { externalId: `nul-${uniq}`, name: 'Bad\u0000Name' } });
    expect(name.status).toBe(400);
    expect(name.body.error.path).toEqual(['name']);
    const [flow] = await db()`select f.id from flows f join vendors v on v.id = f.vendor_id where v.slug = 'demo' and f.automation = 'caller_lookup' and f.deleted_at is null`;
    const opts = await api(`/api/v1/customers/${cust}/integrations`, { body: { flowId: flow.id, options: { greeting: 'hi\ud800' } } });
    expect(opts.status).toBe(400);
    expect(opts.body.error.path).toEqual(['options', 'greeting']);
    const del = await api(`/api/v1/customers/${cust}/cdp/contacts/crm/a%00b`, { method: 'DELETE' });
    expect(del.status).toBe(400);
    expect(del.body.error.path).toEqual(['externalId']);
  });
});

describe('6: contact updatedAt', () => {
  it('accepts ISO 8601 in a sane range only', async () => {
    for (const bad of ['not a date', '2026-02-30T00:00:00Z', '300000-01-01', '+300000-01-01T00:00:00Z', 'yesterday', 'epoch', 'infinity', '-infinity', '1200-01-01', '2026-13-01', '2026-01-01T25:00:00Z', '12/31/2025']) {
      const r = await upsert([contact({ updatedAt: bad })]);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.path, bad).toEqual(['contacts', 0, 'updatedAt']);
    }
    const good = contact({ updatedAt: '2026-02-28T10:00:00+02:00', phones: ['+14155550177'] });
    const ok = await upsert([good, contact({ updatedAt: '2025-12-31', phones: [] }), contact({ updatedAt: '2026-11-25T10:00:00.123456Z', phones: [] })]);
    expect(ok.status).toBe(200);
    expect(ok.body.inserted).toBe(3);
    const [row] = await db()`select source_updated_at from cdp_contacts where external_id = ${good.externalId}`;
    expect(new Date(row.source_updated_at).toISOString()).toBe('2026-02-28T08:00:00.000Z');
  });
});

describe('7: integrations, deep bodies', () => {
  it('refuses a flowVersion that does not exist or does not fit an int32, naming it', async () => {
    const [flow] = await db()`select f.id from flows f join vendors v on v.id = f.vendor_id where v.slug = 'demo' and f.automation = 'caller_lookup' and f.deleted_at is null`;
    const missing = await api(`/api/v1/customers/${cust}/integrations`, { body: { flowId: flow.id, flowVersion: 9999 } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'version_not_found', path: ['flowVersion'] });
    const huge = await api(`/api/v1/customers/${cust}/integrations`, { body: { flowId: flow.id, flowVersion: 2147483648 } });
    expect(huge.status).toBe(400);
    expect(huge.body.error.path).toEqual(['flowVersion']);
    // The automation was not pointed anywhere broken.
    expect((await db()`select count(*)::int as n from integrations i join customers c on c.id = i.customer_id where c.external_id = ${cust}`)[0].n).toBe(0);
    const ok = await api(`/api/v1/customers/${cust}/integrations`, { body: { flowId: flow.id, flowVersion: 1 } });
    expect(ok.status).toBe(200);
  });

  it('refuses bodies nested deeper than 64 levels quickly, on every JSON route', async () => {
    const [flow] = await db()`select f.id from flows f join vendors v on v.id = f.vendor_id where v.slug = 'demo' and f.automation = 'caller_lookup' and f.deleted_at is null`;
    const deepOptions = `{"flowId":"${flow.id}","options":{"x":${nested(100_000)}}}`;
    const t = Date.now();
    const r = await api(`/api/v1/customers/${cust}/integrations`, { rawBody: deepOptions });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/nested deeper than 64 levels/);
    const lookup = await api('/api/v1/customers/demo/automations/caller_lookup', { rawBody: `{"phone":"+14155550100","x":${nested(1_000_000)}}` });
    expect(lookup.status).toBe(400);
    expect(Date.now() - t).toBeLessThan(3000);
    // 64 levels are fine.
    const ok = await api(`/api/v1/customers/${cust}/integrations`, { rawBody: `{"flowId":"${flow.id}","options":{"x":${nested(60)}}}` });
    expect(ok.status).toBe(200);
  });
});

describe('8: OAuth callback and start', () => {
  it('answers 400 for an over-long error_description or state (with a live session)', async () => {
    const cookie = await portalCookie(cust);
    const long = await browse(`/api/portal/oauth/callback?error=x&error_description=${'d'.repeat(1500)}`, { cookie });
    expect(long.status).toBe(400);
    expect(long.text).toMatch(/error_description/);
    const state = await browse(`/api/portal/oauth/callback?code=c&state=${'s'.repeat(5000)}`, { cookie });
    expect(state.status).toBe(400);
    expect(state.text).toMatch(/state/);
  });

  it('reads a chunked body at OAuth start (the base URL is not dropped)', async () => {
    const cookie = await portalCookie(cust);
    const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(JSON.stringify({ baseUrl: 'http://127.0.0.1:4999' }))); c.close(); } });
    const res = await fetch(`${baseUrl()}/api/portal/${cust}/connections/hubspot/oauth/start`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    expect((await res.json()).authorizeUrl).toMatch(/^http:\/\/127\.0\.0\.1:4999\//);
  });
});

describe('9: a CRM that never answers', () => {
  it('the connection test answers within ~10 s with "HubSpot did not answer in 10 s"', async () => {
    const cookie = await portalCookie(cust);
    const put = await browse(`/api/portal/${cust}/connections/hubspot`, { method: 'PUT', cookie, body: { baseUrl: hangingUrl, credentials: { token: 'tok' } } });
    expect(put.status).toBe(200);
    const t = Date.now();
    const r = await browse(`/api/portal/${cust}/connections/hubspot/test`, { method: 'POST', cookie });
    const took = Date.now() - t;
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(false);
    expect(r.body.error).toMatch(/^HubSpot did not answer in 10 s/);
    expect(took).toBeGreaterThan(9_000);
    expect(took).toBeLessThan(13_000);
  }, 30_000);

  it('the OAuth code exchange gives up within ~10 s and says so', async () => {
    const cookie = await portalCookie(cust);
    const start = await browse(`/api/portal/${cust}/connections/hubspot/oauth/start`, { method: 'POST', cookie, body: { baseUrl: hangingUrl } });
    expect(start.status).toBe(200);
    const state = new URL(start.body.authorizeUrl).searchParams.get('state')!;
    const nonce = start.setCookies.find((c) => c.startsWith('pb_portal_oauth='))!.split(';')[0];
    const t = Date.now();
    const cb = await browse(`/api/portal/oauth/callback?code=abc&state=${encodeURIComponent(state)}`, { cookie: `${cookie}; ${nonce}` });
    expect(Date.now() - t).toBeLessThan(13_000);
    expect(cb.status).toBe(303);
    expect(new URL(cb.location!, 'http://x').searchParams.get('error')).toMatch(/^HubSpot did not answer in 10 s/);
  }, 30_000);
});

describe('10: database error text', () => {
  it('a delete webhook with a NUL id is a 400 naming it, never the database message', async () => {
    const r = await api(`/api/v1/customers/${cust}/webhooks/hubspot/contacts-deleted`, { body: { ids: ['ok', 'a\u0000'] } });
    expect(r.status).toBe(400);
    expect(r.body.error.path).toEqual(['ids', 1]);
    expect(JSON.stringify(r.body)).not.toMatch(/byte sequence|UTF8|0x00/);
  });
});

describe('11: duplicates in one upsert', () => {
  it('reports the record a later duplicate replaced', async () => {
    const first = contact({ firstName: 'First' });
    const r = await upsert([first, contact({ externalId: 'other', phones: [] }), { ...first, firstName: 'Second' }]);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ received: 3, inserted: 2 });
    expect(r.body.problems).toEqual([{ index: 0, source: 'crm', externalId: first.externalId, phone: '', reason: expect.stringMatching(/^duplicate: the contact at index 2 /) }]);
    const [row] = await db()`select first_name from cdp_contacts where external_id = ${first.externalId}`;
    expect(row.first_name).toBe('Second');
  });
});
