// Fuzz over HTTP: malformed, oversized, deeply nested and NUL-bearing input to every public-API and portal
// route (the staff routes get the same in lib/staff-api/staff-fuzz.test.ts). Every answer must be a 4xx —
// naming the field where one is to blame — never a 5xx, and within a few seconds.
import { beforeAll, describe, expect, it } from 'vitest';
import { signWebhookBody } from '@/engine/connectors/phone-system/webhook-signature';
import { apiKey, baseUrl, db } from './helpers';

const uniq = Math.random().toString(36).slice(2, 8);
const cust = `fuzz-${uniq}`;
const secret = `whsec_fuzz_${uniq}_0123456789`;
let cookie = '';
let flowId = '';
let widgetToken = '';

type Auth = 'key' | 'portal' | 'none' | 'signed' | 'widget';
interface Route { method: string; path: string; auth: Auth; sample?: unknown; params?: number[] }

function routes(): Route[] {
  return [
    { method: 'POST', path: '/api/v1/customers/demo/automations/caller_lookup', auth: 'key', sample: { phone: '+14155550100' }, params: [3, 5] },
    { method: 'GET', path: '/api/v1/runs/00000000-0000-7000-8000-000000000000', auth: 'key', params: [3] },
    { method: 'POST', path: `/api/v1/customers/${cust}/cdp/contacts`, auth: 'key', params: [3], sample: { contacts: [{
      source: 'crm', externalId: 'fz-1', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical', email: 'ada@example.com',
      phones: ['+14155550101'], country: 'US', crmUrl: 'https://crm.example.com/1', custom: { tier: 'gold' }, updatedAt: '2026-01-01T00:00:00Z',
    }] } },
    { method: 'DELETE', path: `/api/v1/customers/${cust}/cdp/contacts/crm/fz-404`, auth: 'key', params: [3, 6, 7] },
    { method: 'POST', path: '/api/v1/customers', auth: 'key', sample: { externalId: `fz-new-${uniq}`, name: 'Fuzz New', defaultCountry: 'US' } },
    { method: 'GET', path: `/api/v1/customers/${cust}`, auth: 'key', params: [3] },
    { method: 'POST', path: `/api/v1/customers/${cust}/integrations`, auth: 'key', params: [3], sample: { flowId, flowVersion: 1, options: { greeting: 'hi', nested: { list: ['a'] } } } },
    { method: 'GET', path: `/api/v1/customers/${cust}/integrations`, auth: 'key', params: [3] },
    { method: 'POST', path: `/api/v1/customers/${cust}/integrations/caller_lookup/disable`, auth: 'key', params: [3, 5] },
    { method: 'POST', path: `/api/v1/customers/${cust}/integrations/caller_lookup/enable`, auth: 'key', params: [3, 5] },
    { method: 'DELETE', path: `/api/v1/customers/${cust}/integrations/fz_none`, auth: 'key', params: [3, 5] },
    { method: 'POST', path: `/api/v1/customers/${cust}/portal-links`, auth: 'key', params: [3], sample: { expiresInSeconds: 600 } },
    { method: 'POST', path: `/api/v1/customers/${cust}/webhooks/hubspot/contacts-deleted`, auth: 'key', params: [3, 5], sample: { ids: ['1', '2'], kind: 'person' } },
    { method: 'PUT', path: `/api/v1/customers/${cust}/connections/phonesystem`, auth: 'key', params: [3], sample: { baseUrl: 'http://127.0.0.1:4020', credentials: { token: 'tok' }, webhookSecret: secret } },
    { method: 'GET', path: `/api/v1/customers/${cust}/connections/phonesystem`, auth: 'key', params: [3] },
    { method: 'POST', path: '/api/v1/hooks/demo/hubspot', auth: 'none', params: [3], sample: [{ portalId: 1, objectId: 2, subscriptionType: 'contact.deletion' }] },
    { method: 'POST', path: `/api/v1/hooks/demo/${cust}/phone-system`, auth: 'signed', params: [3, 4], sample: { event: 'call.ringing', callId: 'c1' } },
    { method: 'GET', path: `/api/portal/${cust}/connections`, auth: 'portal', params: [2] },
    { method: 'PUT', path: `/api/portal/${cust}/connections/hubspot`, auth: 'portal', params: [2, 4], sample: { baseUrl: 'http://127.0.0.1:1', credentials: { token: 'tok' } } },
    { method: 'DELETE', path: `/api/portal/${cust}/connections/pipedrive`, auth: 'portal', params: [2, 4] },
    { method: 'POST', path: `/api/portal/${cust}/connections/pipedrive/test`, auth: 'portal', params: [2, 4] },
    { method: 'POST', path: `/api/portal/${cust}/connections/hubspot/oauth/start`, auth: 'portal', params: [2, 4], sample: { baseUrl: 'http://127.0.0.1:1' } },
    { method: 'GET', path: '/api/portal/oauth/callback', auth: 'portal' },
    { method: 'POST', path: `/api/v1/customers/${cust}/widget-tokens`, auth: 'key', params: [3], sample: { expiresInSeconds: 600 } },
    { method: 'GET', path: `/api/widget/v1/customers/${cust}/card`, auth: 'widget', params: [5] },
    { method: 'POST', path: `/api/widget/v1/customers/${cust}/actions/lookup/run`, auth: 'widget', params: [5, 7], sample: { phone: '+14155550100', callId: 'c1' } },
  ];
}

interface Outcome { status: number; body: any; ms: number }

async function send(r: Route, o: { path?: string; body?: string | Buffer; contentType?: string; query?: string } = {}): Promise<Outcome> {
  const headers: Record<string, string> = {};
  if (r.auth === 'key') headers.authorization = `Bearer ${apiKey()}`;
  if (r.auth === 'portal') headers.cookie = cookie;
  if (r.auth === 'widget') headers.authorization = `Bearer ${widgetToken}`;
  if (o.body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
  if (r.auth === 'signed' && o.body !== undefined) {
    headers['x-phonesystem-signature'] = signWebhookBody(secret, o.body);
    headers['x-phonesystem-delivery'] = `d-${Math.random().toString(36).slice(2)}`;
  }
  const t = Date.now();
  const res = await fetch(baseUrl() + (o.path ?? r.path) + (o.query ?? ''), { method: r.method, headers, body: o.body as BodyInit | undefined, redirect: 'manual' });
  const text = await res.text();
  let body: any = text;
  try { body = JSON.parse(text); } catch { /* html page or empty */ }
  return { status: res.status, body, ms: Date.now() - t };
}

const label = (r: Route, what: string) => `${r.method} ${r.path} — ${what}`;

function expect4xx(r: Route, what: string, out: Outcome, path?: (string | number)[]) {
  expect(out.status, `${label(r, what)}: ${JSON.stringify(out.body).slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(out.status, `${label(r, what)}: ${JSON.stringify(out.body).slice(0, 300)}`).toBeLessThan(500);
  expect(out.ms, label(r, what)).toBeLessThan(3000);
  if (path) expect(out.body?.error?.path, label(r, what)).toEqual(path);
}

/** Every string leaf (keys too) of `v`, with its path. */
function leaves(v: unknown, path: (string | number)[] = []): { path: (string | number)[]; key: boolean }[] {
  if (typeof v === 'string') return [{ path, key: false }];
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...path, i]));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [{ path: [...path, k], key: true }, ...leaves(x, [...path, k])]);
  return [];
}

function inject(v: unknown, at: { path: (string | number)[]; key: boolean }, bad: string): unknown {
  const copy = structuredClone(v) as any;
  const parent = at.path.slice(0, -1).reduce((o: any, k) => o[k], copy);
  const last = at.path[at.path.length - 1];
  if (at.key) { parent[`${String(last)}${bad}`] = parent[last]; delete parent[last]; } else parent[last] = `x${bad}y`;
  return copy;
}

const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);

beforeAll(async () => {
  const res = await fetch(`${baseUrl()}/api/v1/customers`, { method: 'POST', headers: { authorization: `Bearer ${apiKey()}`, 'content-type': 'application/json' }, body: JSON.stringify({ externalId: cust, name: 'Fuzz Ltd' }) });
  expect(res.status).toBe(201);
  const [flow] = await db()`select f.id from flows f join vendors v on v.id = f.vendor_id where v.slug = 'demo' and f.automation = 'caller_lookup' and f.deleted_at is null`;
  flowId = flow.id;
  const put = await fetch(`${baseUrl()}/api/v1/customers/${cust}/connections/phonesystem`, { method: 'PUT', headers: { authorization: `Bearer ${apiKey()}`, 'content-type': 'application/json' }, body: JSON.stringify({ baseUrl: 'http://127.0.0.1:4020', credentials: { token: 't' }, webhookSecret: secret }) });
  expect(put.status).toBe(200);
  const link = await (await fetch(`${baseUrl()}/api/v1/customers/${cust}/portal-links`, { method: 'POST', headers: { authorization: `Bearer ${apiKey()}` } })).json();
  const open = await fetch(baseUrl() + link.url, { redirect: 'manual' });
  cookie = open.headers.getSetCookie().find((c) => c.startsWith('pb_portal='))!.split(';')[0];
  widgetToken = (await (await fetch(`${baseUrl()}/api/v1/customers/${cust}/widget-tokens`, { method: 'POST', headers: { authorization: `Bearer ${apiKey()}` } })).json()).token;
});

describe('fuzz: every public-API and portal route', () => {
  it('malformed, wrongly typed, deeply nested and oversized bodies → 4xx, fast', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 0x61);
    for (const r of routes().filter((x) => x.sample !== undefined)) {
      for (const [what, body] of [
        ['not JSON', '{"a":'], ['truncated', JSON.stringify(r.sample).slice(0, -1)], ['array', '[]'], ['string', '"x"'], ['number', '42'], ['null', 'null'],
        ['deep array 200k', nested(200_000)], ['deep inside an object', `{"a":${nested(100)}}`], ['deep 2M', nested(2_000_000)],
        ['NUL outside strings', '{"a":\u0000}'], ['lone surrogate escape in a key', '{"\\ud800":1}'],
      ] as const) expect4xx(r, what, await send(r, { body }));
      expect4xx(r, '6 MB body', await send(r, { body: big }));
      if (r.auth !== 'signed' && r.auth !== 'none') expect4xx(r, 'text/plain', await send(r, { body: JSON.stringify(r.sample), contentType: 'text/plain' }));
    }
  }, 120_000);

  it('NUL or an unpaired surrogate in any string or key of a valid body → 400 naming that field', async () => {
    for (const r of routes().filter((x) => x.sample !== undefined && x.auth !== 'signed' && x.auth !== 'none')) {
      for (const leaf of leaves(r.sample)) {
        for (const bad of ['\u0000', '\ud800', '\udfff']) {
          const out = await send(r, { body: JSON.stringify(inject(r.sample, leaf, bad)) });
          const named = leaf.key ? [...leaf.path.slice(0, -1), `${String(leaf.path[leaf.path.length - 1])}?`] : leaf.path;
          expect4xx(r, `${JSON.stringify(bad)} at ${leaf.path.join('.')}${leaf.key ? ' (key)' : ''}`, out, named);
          expect(out.status).toBe(400);
        }
      }
    }
  }, 120_000);

  it('bad path segments (NUL, bad escapes, very long, traversal) → 4xx', async () => {
    for (const r of routes().filter((x) => x.params?.length)) {
      for (const p of r.params!) {
        for (const seg of ['%00', 'a%00b', '%E0%A4%A', '%ZZ', '%ED%A0%80', 'x'.repeat(5000), '..', '%2e%2e', '%2F', '%20']) {
          const parts = r.path.split('/');
          parts[p] = seg;
          const out = await send(r, { path: parts.join('/'), body: r.sample === undefined ? undefined : JSON.stringify(r.sample) });
          expect4xx(r, `segment ${p} = ${seg.slice(0, 20)}`, out);
        }
      }
    }
  }, 120_000);

  it('bad query strings where a route reads them → 4xx', async () => {
    const lookup = routes()[0];
    for (const q of ['?async=%00', '?async=%E0%A4%A', `?async=${'x'.repeat(5000)}`, '?async=yes']) expect4xx(lookup, q.slice(0, 30), await send(lookup, { query: q, body: JSON.stringify(lookup.sample) }));
    const card = routes().find((x) => x.path.endsWith('/card'))!;
    for (const q of ['?phone=%00', '?phone=%E0%A4%A', `?phone=${'1'.repeat(100)}`, `?callId=${'c'.repeat(300)}`, '?phone=', '?callId=%ED%A0%80']) expect4xx(card, q.slice(0, 30), await send(card, { query: q }));
    const callback = routes().find((x) => x.path === '/api/portal/oauth/callback')!;
    for (const q of ['', '?state=%00', '?code=x&state=%E0%A4%A', `?state=${'s'.repeat(5000)}`, `?error=x&error_description=${'d'.repeat(2000)}`, `?error=${'e'.repeat(300)}`, '?code=%00&state=x', '?state=a&state=b']) {
      const out = await send(callback, { query: q });
      // The callback answers a page or a redirect back to the portal with the error in words (303), never a 5xx.
      expect(out.status === 303 || (out.status >= 400 && out.status < 500), `${q.slice(0, 40)} → ${out.status}`).toBe(true);
      expect(out.ms).toBeLessThan(3000);
    }
  });

  it('a bad portal cookie and a bad key never give a 5xx', async () => {
    for (const r of routes()) {
      for (const c of ['pb_portal=%E0%A4%A', 'pb_portal=%00', `pb_portal=${'x'.repeat(8000)}`, 'pb_portal=a.b.c']) {
        const res = await fetch(baseUrl() + r.path, { method: r.method, headers: { cookie: c, authorization: 'Bearer \u00ff\u00fe' }, redirect: 'manual' });
        expect(res.status, `${label(r, c.slice(0, 20))}`).toBeLessThan(500);
        expect(res.status).toBeGreaterThanOrEqual(r.path === '/api/portal/oauth/callback' ? 300 : 400);
      }
    }
  });

  it('still serves a well-formed request afterwards (nothing got wedged)', async () => {
    const r = routes()[0];
    const out = await send(r, { body: JSON.stringify(r.sample) });
    expect(out.status).toBe(200);
  });
});
