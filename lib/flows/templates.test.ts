// Every template of the New-flow dialog is a valid flow and answers on demo-like data at once.
import { describe, expect, it } from 'vitest';
import { registry, validateFlow } from '@/engine';
import { createMemoryCdp } from '@/engine/testing/memory-cdp';
import { runFixture } from '@/engine/testing/run-fixture';
import { FLOW_TEMPLATES, findTemplate, suggestAutomationName } from './templates';

async function demoCdp() {
  const cdp = createMemoryCdp('US');
  await cdp.upsert([
    { source: 'demo-crm', externalId: '100007', kind: 'person', firstName: 'Barbara', lastName: 'Lovelace', phones: ['+14152000007'], custom: { tier: 'gold' } },
    { source: 'hubspot', externalId: '51', kind: 'person', firstName: 'Hub', lastName: 'Synced', phones: ['+14152000008'], custom: {} },
  ]);
  return cdp;
}

const def = (id: string) => findTemplate(id)!.definition({ name: `T ${id}`, automation: findTemplate(id)!.automation });

describe('flow templates', () => {
  it.each(FLOW_TEMPLATES.map((t) => [t.id]))('%s is a flow without problems, named as asked', (id) => {
    const d = findTemplate(id)!.definition({ name: 'Mine', automation: 'mine_2' });
    expect(d).toMatchObject({ name: 'Mine', automation: 'mine_2' });
    expect(validateFlow(d, registry).issues).toEqual([]);
  });

  it('caller lookup answers the demo caller', async () => {
    const r = await runFixture(def('caller_lookup'), { phone: '(415) 200-0007' }, { cdp: await demoCdp() });
    expect(r.response?.body).toMatchObject({ found: true, contact: { firstName: 'Barbara' } });
  });

  it('call routing: a gold caller to the VIP queue; no tier and unknown callers to the default queue', async () => {
    const cdp = await demoCdp();
    const d = def('call_routing');
    const route = async (from: string) => (await runFixture(d, { event: 'call.ringing', callId: 'c1', from }, { cdp, options: d.options })).response?.body;
    expect(await route('(415) 200-0007')).toEqual({ action: 'route', target: 'vip-queue', targetType: 'queue' });
    expect(await route('(415) 200-0008')).toEqual({ action: 'route', target: 'main-queue', targetType: 'queue' });
    expect(await route('(415) 200-0999')).toEqual({ action: 'route', target: 'main-queue', targetType: 'queue' });
  });

  it('missed-call task: an answered call makes none; a missed one without HubSpot says why, through the error port', async () => {
    const cdp = await demoCdp();
    expect((await runFixture(def('missed_call_task'), { from: '+14152000007', status: 'answered' }, { cdp })).response?.body).toEqual({ task: false, reason: 'the call was not missed' });
    const r = await runFixture(def('missed_call_task'), { from: '+14152000007', status: 'missed' }, { cdp });
    expect(r.status).toBe('succeeded');
    // The fixture's hubspot.createTask is migrated to the contract's crm.createTask (body → notes; priority is not in the contract).
    expect(r.byNode.task).toMatchObject({ blockId: 'crm.createTask', status: 'failed', errorHandled: 'error', input: { crm: 'hubspot', subject: 'Call back Barbara Lovelace', notes: 'Missed call from +14152000007' } });
    expect(r.response?.body).toEqual({ task: false, reason: 'No hubspot connection: connect hubspot first' });
  });

  it('missed-call task with HubSpot connected creates the task for a HubSpot contact', async () => {
    const calls: { url: string; body: unknown }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url: String(url), body: init.body === undefined ? undefined : JSON.parse(String(init.body)) });
      // After the task, the contract's HubSpot asks the account's portal id for the record URL.
      if (String(url).endsWith('/account-info/v3/details')) return new Response(JSON.stringify({ portalId: 24681357 }), { status: 200, headers: { 'content-type': 'application/json' } });
      return new Response(JSON.stringify({ id: '9001', properties: {} }), { status: 201, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    const r = await runFixture(def('missed_call_task'), { from: '+14152000008', status: 'missed' }, {
      cdp: await demoCdp(), fetch: fakeFetch,
      connections: { hubspot: { id: 'h', system: 'hubspot', baseUrl: 'http://hubspot.test', credentials: { accessToken: 't' } } },
    });
    expect(r.response?.body).toEqual({ task: true, taskId: '9001' });
    expect(calls[0].url).toBe('http://hubspot.test/crm/v3/objects/tasks');
    expect(JSON.stringify(calls[0].body)).toContain('"to":{"id":"51"}');
  });

  it('contact sync starts the sync with the template options', async () => {
    const started: unknown[] = [];
    const r = await runFixture(def('contact_sync'), { mode: 'full' }, {
      options: def('contact_sync').options as Record<string, unknown>,
      sync: { async start(req) { started.push(req); return { syncRunId: 'sr-1', status: 'queued' }; } },
    });
    expect(r.response).toEqual({ status: 202, body: { syncRunId: 'sr-1', status: 'queued' } });
    expect(started[0]).toMatchObject({ source: 'hubspot', mode: 'full', destinations: ['cdp', 'phonebook'] });
  });

  it('suggests a free automation name', () => {
    expect(suggestAutomationName('call_routing', [])).toBe('call_routing');
    expect(suggestAutomationName('call_routing', ['call_routing', 'call_routing_2'])).toBe('call_routing_3');
  });
});
