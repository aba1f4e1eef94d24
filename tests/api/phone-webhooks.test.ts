import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { api, baseUrl, db } from './helpers';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import { saveConnection } from '@/lib/engine-host/connections';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { signWebhookBody } from '@/engine/connectors/phone-system/webhook-signature';

const cust = `calls-${Math.random().toString(36).slice(2, 8)}`;
const secret = 'whsec_test_' + Math.random().toString(36).slice(2);
let emu: PhoneSystemEmulator;
let hookUrl = '';

beforeAll(async () => {
  expect((await api('/api/v1/customers', { body: { externalId: cust, name: 'Calls Inc' } })).status).toBe(201);
  const sql = db();
  const [c] = await sql`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = ${cust}`;
  const key = Buffer.from(JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).encryptionKey, 'hex');
  await saveConnection(sql, key, { customerId: c.id, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: 'http://127.0.0.1:1', credentials: { token: 't', webhookSecret: secret } });
  const saved = await saveFlowVersion(sql, { vendorId: c.vendor_id, definition: {
    name: 'On call end', automation: 'call_ended',
    nodes: [
      { id: 't', type: 'trigger.webhook' },
      { id: 'missed', type: 'condition', params: { left: '=trigger.status', operator: 'equals', right: 'missed' } },
      { id: 'r', type: 'respond.json', params: { body: { call: '=trigger.callId', missed: '=steps.missed.result' } } },
    ],
    edges: [{ id: 'a', source: 't', target: 'missed' }, { id: 'b', source: 'missed', sourcePort: 'true', target: 'r' }, { id: 'c', source: 'missed', sourcePort: 'false', target: 'r' }],
  } });
  await publishFlow(sql, c.vendor_id, saved.flowId, saved.version);
  await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId: saved.flowId });
  hookUrl = `${baseUrl()}/api/v1/hooks/${c.slug}/${cust}/phone-system`;
  emu = await startPhoneSystemEmulator({ webhookUrl: hookUrl, webhookSecret: secret, webhookRetryDelayMs: 50 });
});

afterAll(async () => { await emu?.close(); });

async function waitRun(runId: string) {
  for (let i = 0; i < 60; i++) {
    const r = await api(`/api/v1/runs/${runId}`);
    if (r.body?.status === 'succeeded' || r.body?.status === 'failed') return r.body;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('run did not finish');
}

describe('phone-system call webhooks', () => {
  it('runs the customer\'s call_ended automation once per delivery, even when the delivery is retried', async () => {
    const delivery = await emu.emitCall({ event: 'call.ended', callId: 'c-1', direction: 'inbound', from: '+12025550123', to: '+12025550100', agentEmail: 'agent@example.com', startedAt: new Date().toISOString(), durationSec: 0, status: 'missed' });
    expect(delivery.delivered).toBe(true);
    expect(delivery.attempts).toHaveLength(1);
    const [row] = await db()`select run_id from webhook_deliveries where delivery_id = ${delivery.id}`;
    const run = await waitRun(row.run_id);
    expect(run.response.body).toEqual({ call: 'c-1', missed: true });
    expect(run.trigger).toMatchObject({ event: 'call.ended', deliveryId: delivery.id, from: '+12025550123' });

    // The phone system retries the same delivery (e.g. it timed out waiting for our answer).
    const again = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-phonesystem-signature': delivery.signature, 'x-phonesystem-event': 'call.ended', 'x-phonesystem-delivery': delivery.id }, body: delivery.body });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: true, deliveryId: delivery.id, runId: row.run_id });
    const runs = await db()`select count(*)::int as n from runs where trigger->>'deliveryId' = ${delivery.id}`;
    expect(runs[0].n).toBe(1);
  });

  it('refuses a bad signature and a tampered body', async () => {
    const body = JSON.stringify({ event: 'call.ended', deliveryId: 'd-x', callId: 'c-2' });
    const post = (sig: string, b = body) => fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-phonesystem-signature': sig }, body: b });
    expect((await post('sha256=' + '0'.repeat(64))).status).toBe(401);
    expect((await post(signWebhookBody(secret, body), body.replace('c-2', 'c-3'))).status).toBe(401);
    const ok = await post(signWebhookBody(secret, body));
    expect(ok.status).toBe(202);
  });

  it('accepts an event no automation handles without running anything, and 400s an event without a delivery id', async () => {
    const d = await emu.emitCall({ event: 'call.ringing', callId: 'c-4', direction: 'inbound', from: '+12025550123', to: '+12025550100', startedAt: new Date().toISOString() });
    expect(d.delivered).toBe(true);
    const [row] = await db()`select run_id from webhook_deliveries where delivery_id = ${d.id}`;
    expect(row.run_id).toBeNull();
    const body = JSON.stringify({ event: 'call.ended', callId: 'c-5' });
    const r = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-phonesystem-signature': signWebhookBody(secret, body) }, body });
    expect(r.status).toBe(400);
    expect((await r.json()).error.path).toEqual(['deliveryId']);
  });

  it('answers an unknown customer (or vendor, or an id no customer can have) exactly like a customer without a webhook secret', async () => {
    const other = `nosecret-${Math.random().toString(36).slice(2, 8)}`;
    expect((await api('/api/v1/customers', { body: { externalId: other, name: 'No secret' } })).status).toBe(201);
    const answer = async (url: string) => { const r = await fetch(url, { method: 'POST', body: '{}' }); return { status: r.status, body: await r.json() }; };
    const noSecret = await answer(hookUrl.replace(cust, other));
    expect(noSecret.status).toBe(401);
    expect(noSecret.body.error.code).toBe('webhook_not_configured');
    expect(await answer(hookUrl.replace(cust, 'nobody'))).toEqual(noSecret);
    expect(await answer(hookUrl.replace(cust, '%00'))).toEqual(noSecret);
    expect(await answer(hookUrl.replace(/hooks\/[^/]+\//, 'hooks/no-such-vendor/'))).toEqual(noSecret);
  });

  it('400 for a delivery id that is not printable text; a body with NUL is accepted and its run recorded', async () => {
    const body = JSON.stringify({ event: 'call.ended', callId: 'c-6\u0000', status: 'missed', deliveryId: 'bad\u0000id' });
    const bad = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-phonesystem-signature': signWebhookBody(secret, body) }, body });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.path).toEqual(['deliveryId']);
    const ok = JSON.stringify({ event: 'call.ended', callId: 'c-7\u0000', status: 'missed', deliveryId: `d-nul-${Date.now()}` });
    const r = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-phonesystem-signature': signWebhookBody(secret, ok) }, body: ok });
    expect(r.status).toBe(202);
    const run = await waitRun((await r.json()).runId);
    expect(run.status).toBe('succeeded');
    expect(run.response.body).toEqual({ call: 'c-7\ufffd', missed: true });
  });
});
