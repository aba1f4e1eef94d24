// A dry run (ctx.dryRun) runs reads and logic, never a block that declares an effect: its step says what it
// would have done. Shadow replay of recorded inputs through a new flow version rests on this.
import { describe, expect, it } from 'vitest';
import { registry } from '../registry';
import { runFixture } from '../testing/run-fixture';

const logFlow = {
  schemaVersion: 1, name: 'Log', automation: 'log_it',
  nodes: [
    { id: 'trigger', type: 'trigger.webhook', params: {}, position: { x: 0, y: 0 } },
    { id: 'find', type: 'crm.findContactByPhone', params: { crm: 'hubspot', phone: '=trigger.from' }, position: { x: 1, y: 0 } },
    { id: 'log', type: 'crm.logCall', params: { crm: 'hubspot', callId: '=trigger.callId', direction: 'inbound', status: 'answered', startedAt: '2026-11-30T10:00:00Z', from: '=trigger.from' }, position: { x: 2, y: 0 } },
    { id: 'wait', type: 'delay', params: { minutes: 5 }, position: { x: 3, y: 0 } },
    { id: 'answer', type: 'respond.json', params: { status: 200, body: { logged: true, ref: '=steps.log.ref' } }, position: { x: 4, y: 0 } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourcePort: 'out', target: 'find' },
    { id: 'e2', source: 'find', sourcePort: 'found', target: 'log' },
    { id: 'e3', source: 'find', sourcePort: 'notFound', target: 'log' },
    { id: 'e4', source: 'log', sourcePort: 'out', target: 'wait' },
    { id: 'e5', source: 'wait', sourcePort: 'out', target: 'answer' },
  ],
};

describe('dry run', () => {
  it('reads through the connection, records the write it would have made instead of making it, and does not wait', async () => {
    const requests: { method: string; url: string }[] = [];
    const fakeFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      requests.push({ method: init?.method ?? 'GET', url });
      return new Response(JSON.stringify({ total: 0, results: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const r = await runFixture(logFlow, { from: '+14155550100', callId: 'c-1' }, {
      dryRun: true, fetch: fakeFetch, connections: { hubspot: { id: 'h', system: 'hubspot', credentials: { accessToken: 't' }, baseUrl: 'http://crm.test' } },
    });
    expect(r.status).toBe('succeeded');
    expect(r.response).toEqual({ status: 200, body: { logged: true } });
    // The lookup ran (a read); nothing was posted to create an engagement.
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((q) => q.url.includes('/search'))).toBe(true);
    expect(r.byNode.log.wouldDo).toEqual({ what: 'Log the call in the CRM', system: 'hubspot', params: expect.objectContaining({ callId: 'c-1', from: '+14155550100' }) });
    expect(r.byNode.log.output).toEqual({ simulated: true });
    expect(r.byNode.find.wouldDo).toBeUndefined();
    expect(r.byNode.wait.status).toBe('succeeded');
  });

  it('a live run of the same flow does call the write (the declaration is what a dry run skips)', async () => {
    const methods: string[] = [];
    const fakeFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      methods.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return new Response(JSON.stringify({ total: 0, results: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    await runFixture(logFlow, { from: '+14155550100', callId: 'c-1' }, {
      fetch: fakeFetch, connections: { hubspot: { id: 'h', system: 'hubspot', credentials: { accessToken: 't' }, baseUrl: 'http://crm.test' } },
    });
    expect(methods.some((m) => !m.includes('/search'))).toBe(true);
  });

  it('an HTTP GET is a read, a POST is a write', async () => {
    const http = registry.get('http.request')!;
    expect(http.effect?.when?.({ method: 'GET' } as never)).toBe(false);
    expect(http.effect?.when?.({ method: 'POST' } as never)).toBe(true);
  });

  it('every block is classified: it declares an effect or is on the list of blocks that only read', () => {
    // A new block that writes somewhere must declare `effect`, or shadow replay would send its writes.
    const readsOnly = new Set([
      'trigger.webhook', 'phone.normalize', 'cdp.lookup', 'condition', 'respond.json', 'delay', 'call.session',
      'crm.findContactByPhone', 'crm.findContactById', 'crm.findUserByEmail',
      'phonesystem.findByPhone', 'phonesystem.findByExternalId', 'phonesystem.listContacts', 'phonesystem.listUsers',
      'route.rules', 'slack.findUserByEmail',
    ]);
    const unclassified = registry.list().filter((b) => !b.effect && !readsOnly.has(b.id) && !/\.(list\w*Changed|listAllIds)$/.test(b.id)).map((b) => b.id);
    expect(unclassified).toEqual([]);
  });
});
