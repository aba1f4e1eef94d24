// Routing answered on the webhook (issue 16): the demo vendor's published call_routing template, enabled per
// customer with answerEvents ["call.ringing"], answers the phone system's signed call.ringing webhook with the
// routing JSON; a re-delivery gets the stored answer without a second run; a slow CRM lookup (an emulator delay far
// past the 800 ms deadline) answers the fallback in time, aborts the CRM call and records why; a failing step
// answers the fallback too; without answerEvents the flow routes through the phone system's API instead.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, baseUrl, db } from './helpers';
import { enableIntegration } from '@/lib/flows/flows';
import { saveConnection } from '@/lib/engine-host/connections';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { signWebhookBody } from '@/engine/connectors/phone-system/webhook-signature';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';

const uniq = Math.random().toString(36).slice(2, 8);
const secret = 'whsec_routing_' + uniq;
const PHONE_TOKEN = 'phone-token';
const customers = { fast: `rt-fast-${uniq}`, slow: `rt-slow-${uniq}`, failing: `rt-fail-${uniq}`, async: `rt-async-${uniq}` };
let phone: PhoneSystemEmulator;
let hub: HubspotEmulator;
let vendorSlug = '';
/** Generous for a loaded machine (load 20 on 2 cores); the slow step answers after 20 s, so anything earlier is the fallback. */
const MARGIN_MS = 4000;

const hookUrl = (cust: string) => `${baseUrl()}/api/v1/hooks/${vendorSlug}/${cust}/phone-system`;
let seq = 0;

/** Posts a signed call.ringing delivery as the phone system would; `deliveryId` to re-deliver. */
async function ring(cust: string, from: string, deliveryId = `dlv-${uniq}-${++seq}`) {
  const callId = `call-${deliveryId}`;
  const body = JSON.stringify({ deliveryId, event: 'call.ringing', callId, direction: 'inbound', from, to: '+14155550100', startedAt: new Date().toISOString(), status: 'ringing' });
  const t0 = Date.now();
  const res = await fetch(hookUrl(cust), {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'x-phonesystem-signature': signWebhookBody(secret, body), 'x-phonesystem-event': 'call.ringing', 'x-phonesystem-delivery': deliveryId },
  });
  const json = await res.json();
  return { status: res.status, body: json, ms: Date.now() - t0, headers: res.headers, deliveryId, callId };
}

async function runOf(runId: string, until: (r: any) => boolean = (r) => r.status !== 'running' && r.status !== 'queued') {
  for (let i = 0; i < 150; i++) {
    const r = await api(`/api/v1/runs/${runId}`);
    if (r.status === 200 && until(r.body)) return r.body;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`run ${runId} not recorded`);
}

beforeAll(async () => {
  phone = await startPhoneSystemEmulator({ token: PHONE_TOKEN, webhookSecret: secret, webhookRetryDelayMs: 50 });
  hub = await startHubspotEmulator({ contacts: 5, companies: 1, users: 2, token: 'hub-token' });
  const sql = db();
  const encryptionKey = Buffer.from(JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).encryptionKey, 'hex');
  const ids: Record<string, string> = {};
  for (const [k, ext] of Object.entries(customers)) {
    expect((await api('/api/v1/customers', { body: { externalId: ext, name: `Routing ${k}`, defaultCountry: 'US' } })).status).toBe(201);
    const [c] = await sql`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = ${ext}`;
    ids[k] = c.id;
    vendorSlug = c.slug;
    await saveConnection(sql, encryptionKey, { customerId: c.id, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: phone.url, credentials: { token: PHONE_TOKEN, webhookSecret: secret } });
  }
  await saveConnection(sql, encryptionKey, { customerId: ids.slow, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: hub.url, credentials: { token: 'hub-token' } });
  const [v] = await sql`select vendor_id from customers where id = ${ids.fast}`;
  // The template the demo seed published for the vendor.
  const [flow] = await sql`select id from flows where vendor_id = ${v.vendor_id} and automation = 'call_routing' and deleted_at is null and published_version is not null`;
  expect(flow, 'the demo seed publishes call_routing').toBeTruthy();
  const enable = (k: string, o: Partial<Parameters<typeof enableIntegration>[1]>) => enableIntegration(sql, { vendorId: v.vendor_id, customerId: ids[k], flowId: flow.id, ...o });
  // A generous deadline where the answer itself is under test (a loaded machine must not turn it into the fallback).
  await enable('fast', { answerEvents: ['call.ringing'], deadlineMs: 10_000 });
  await enable('slow', { answerEvents: ['call.ringing'], options: { liveCrm: true, crm: 'hubspot' } }); // the flow's 800 ms
  await enable('failing', { answerEvents: ['call.ringing'], deadlineMs: 10_000, options: { liveCrm: true, crm: 'pipedrive' } }); // no Pipedrive connection
  await enable('async', { options: { routeVia: 'api' } });
  const r = await api(`/api/v1/customers/${customers.fast}/cdp/contacts`, { body: { contacts: [
    { source: 'hubspot', externalId: 'vip-1', firstName: 'Vera', lastName: 'Important', phones: ['+1 415 555 0110'], custom: { tags: 'partner, vip' } },
    { source: 'hubspot', externalId: 'es-1', firstName: 'Sofía', lastName: 'Ruiz', phones: ['+1 415 555 0111'], custom: { language: 'es' } },
  ] } });
  expect(r.status).toBe(200);
});

afterAll(async () => { await Promise.all([phone?.close(), hub?.close()]); });

describe('call routing answered on the webhook', () => {
  it('a VIP caller gets the VIP queue, a Spanish speaker the Spanish queue, an unknown caller the default queue', async () => {
    const vip = await ring(customers.fast, '(415) 555-0110');
    expect(vip.status).toBe(200);
    expect(vip.body).toEqual({ action: 'route', target: 'vip-queue', targetType: 'queue' });
    expect(vip.headers.get('x-patchbay-fallback')).toBeNull();
    expect((await ring(customers.fast, '+14155550111')).body).toEqual({ action: 'route', target: 'spanish-queue', targetType: 'queue' });
    expect((await ring(customers.fast, '+14155550199')).body).toEqual({ action: 'route', target: 'main-queue', targetType: 'queue' });
    const run = await runOf(vip.headers.get('x-patchbay-run-id')!);
    expect(run).toMatchObject({ status: 'succeeded', automation: 'call_routing', fallbackReason: null });
    expect(run.steps.find((s: any) => s.nodeId === 'rules').output).toMatchObject({ matched: true, rule: 'VIP' });
  });

  it('a re-delivered webhook gets the same answer from storage and runs nothing twice', async () => {
    const first = await ring(customers.fast, '+14155550110');
    const again = await ring(customers.fast, '+14155550110', first.deliveryId);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('x-patchbay-duplicate')).toBe('true');
    expect(again.headers.get('x-patchbay-run-id')).toBe(first.headers.get('x-patchbay-run-id'));
    const count = async () => (await db()`select count(*)::int as n from runs where trigger->>'deliveryId' = ${first.deliveryId}`)[0].n as number;
    // Run records are written in batches: wait for it to land, then there is exactly one.
    for (let i = 0; i < 100 && (await count()) === 0; i++) await new Promise((res) => setTimeout(res, 50));
    expect(await count()).toBe(1);
  });

  it('an event answered on the webhook still starts its own queued automation, once (call_ringing beside call_routing)', async () => {
    const sql = db();
    const [c] = await sql`select id, vendor_id from customers where external_id = ${customers.fast}`;
    // The Slack caller card the demo seed published answers to call_ringing.
    const [flow] = await sql`select id from flows where vendor_id = ${c.vendor_id} and automation = 'call_ringing' and deleted_at is null and published_version is not null`;
    await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId: flow.id });
    try {
      const first = await ring(customers.fast, '+14155550110');
      expect(first.body).toEqual({ action: 'route', target: 'vip-queue', targetType: 'queue' });
      expect((await ring(customers.fast, '+14155550110', first.deliveryId)).headers.get('x-patchbay-duplicate')).toBe('true');
      const runs = async () => (await sql<{ automation: string }[]>`select automation from runs where trigger->>'deliveryId' = ${first.deliveryId} order by automation`).map((r) => r.automation);
      for (let i = 0; i < 100 && (await runs()).length < 2; i++) await new Promise((res) => setTimeout(res, 50));
      expect(await runs()).toEqual(['call_ringing', 'call_routing']);
    } finally {
      await sql`delete from integrations where customer_id = ${c.id} and automation = 'call_ringing'`;
    }
  });

  it('the phone system routes the ringing call by the answer (emulator)', async () => {
    phone.setWebhook({ url: hookUrl(customers.fast), secret });
    const d = await phone.emitCall({ event: 'call.ringing', callId: `emu-${uniq}`, direction: 'inbound', from: '+14155550110', to: '+14155550100', startedAt: new Date().toISOString(), status: 'ringing' });
    expect(d.delivered).toBe(true);
    expect(phone.store.routes().filter((r) => r.callId === `emu-${uniq}`)).toMatchObject([{ target: 'vip-queue', targetType: 'queue', via: 'webhook' }]);
  });

  it('a lookup slower than the deadline: the fallback arrives within the deadline plus a margin, the CRM call is aborted, the run says why', async () => {
    hub.delay(20_000);
    try {
      const aborted = hub.stats.aborted;
      const r = await ring(customers.slow, '+14155550123');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ action: 'route', target: 'main-queue', targetType: 'queue' });
      expect(r.headers.get('x-patchbay-fallback')).toBe('deadline');
      expect(r.ms).toBeLessThan(800 + MARGIN_MS);
      // The cancelled step's HTTP call was aborted: the emulator saw its caller give up.
      for (let i = 0; i < 100 && hub.stats.aborted === aborted; i++) await new Promise((res) => setTimeout(res, 50));
      expect(hub.stats.aborted).toBe(aborted + 1);
      const run = await runOf(r.headers.get('x-patchbay-run-id')!);
      expect(run).toMatchObject({ status: 'timeout', fallbackReason: 'deadline', error: { code: 'deadline', nodeId: 'crm', details: { deadlineMs: 800 } } });
      expect(run.error.message).toMatch(/^Look up caller in CRM was still running at the 800 ms deadline \(for \d+ ms\)/);
      expect(run.error.details.stepMs).toBeGreaterThan(0);
      expect(run.response).toMatchObject({ body: { target: 'main-queue' } });
      expect(run.steps.find((s: any) => s.nodeId === 'crm')).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });

      // The named URL keeps the same deadline and fallback (no more 504).
      const named = await api(`/api/v1/customers/${customers.slow}/automations/call_routing`, { body: { from: '+14155550123' } });
      expect(named.status).toBe(200);
      expect(named.body).toEqual({ action: 'route', target: 'main-queue', targetType: 'queue' });
      expect(named.headers.get('x-patchbay-fallback')).toBe('deadline');
    } finally {
      hub.delay(0);
    }
  });

  it('a re-delivery that arrives while the first delivery is still running waits for the same answer; one run', async () => {
    hub.delay(20_000);
    try {
      const deliveryId = `dlv-${uniq}-concurrent`;
      const [a, b] = await Promise.all([ring(customers.slow, '+14155550126', deliveryId), new Promise((r) => setTimeout(r, 100)).then(() => ring(customers.slow, '+14155550126', deliveryId))]);
      expect(a.body).toEqual({ action: 'route', target: 'main-queue', targetType: 'queue' });
      expect(b.body).toEqual(a.body);
      expect(b.headers.get('x-patchbay-run-id')).toBe(a.headers.get('x-patchbay-run-id'));
      expect([a.headers.get('x-patchbay-duplicate'), b.headers.get('x-patchbay-duplicate')].sort()).toEqual(['true', null].sort());
    } finally {
      hub.delay(0);
    }
  });

  it('the integration\'s deadline and answered events are checked, naming the field', async () => {
    const [flow] = await db()`select f.id from flows f join customers c on c.vendor_id = f.vendor_id where c.external_id = ${customers.fast} and f.automation = 'call_routing'`;
    const post = (body: Record<string, unknown>) => api(`/api/v1/customers/${customers.fast}/integrations`, { body: { flowId: flow.id, ...body } });
    expect(await post({ deadlineMs: 10 })).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', path: ['deadlineMs'] } } });
    expect(await post({ answerEvents: ['call.rang'] })).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', path: ['answerEvents', 0] } } });
    expect((await post({ answerEvents: ['call.ringing'], deadlineMs: 10_000 })).status).toBe(200);
    const [row] = await db()`select i.deadline_ms, i.answer_events from integrations i join customers c on c.id = i.customer_id where c.external_id = ${customers.fast} and i.automation = 'call_routing'`;
    expect(row).toEqual({ deadline_ms: 10_000, answer_events: ['call.ringing'] });
  });

  it('a failing step answers the fallback too, and the run records the failure', async () => {
    const r = await ring(customers.failing, '+14155550124');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ action: 'route', target: 'main-queue', targetType: 'queue' });
    expect(r.headers.get('x-patchbay-fallback')).toBe('failed');
    const run = await runOf(r.headers.get('x-patchbay-run-id')!);
    expect(run).toMatchObject({ status: 'failed', fallbackReason: 'failed', error: { code: 'connection_missing', nodeId: 'crm' } });
  });

  it('without answerEvents the ringing event is queued and the flow routes through the phone system\'s API', async () => {
    phone.setWebhook({ url: hookUrl(customers.async), secret });
    const callId = `async-${uniq}`;
    const d = await phone.emitCall({ event: 'call.ringing', callId, direction: 'inbound', from: '+14155550125', to: '+14155550100', startedAt: new Date().toISOString(), status: 'ringing' });
    expect(d.attempts[0]).toMatchObject({ status: 202 });
    for (let i = 0; i < 150 && !phone.store.routes().some((r) => r.callId === callId); i++) await new Promise((res) => setTimeout(res, 100));
    expect(phone.store.routes().filter((r) => r.callId === callId)).toMatchObject([{ target: 'main-queue', targetType: 'queue', via: 'api' }]);
  });
});
