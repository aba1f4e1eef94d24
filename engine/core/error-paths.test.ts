// A missing value is a value, and every block has an error path: stop, continue with output, error port, retries,
// and the flow's fallback answer. Each setting runs a fixture flow and asserts the steps and the answer.
import { describe, expect, it } from 'vitest';
import routing from '../fixtures/call-routing-by-tier.flow.json';
import type { CdpPort } from './define-block';
import { PatchbayError } from './errors';
import { validateFlow } from './compile-flow';
import { registry } from '../registry';
import { createMemoryCdp } from '../testing/memory-cdp';
import { runFixture } from '../testing/run-fixture';

async function demoCdp() {
  const cdp = createMemoryCdp('US');
  await cdp.upsert([
    { source: 'demo-crm', externalId: '1', kind: 'person', firstName: 'Ada', lastName: 'Gold', phones: ['+14152000001'], custom: { tier: 'gold' } },
    { source: 'hubspot', externalId: '2', kind: 'person', firstName: 'Grace', lastName: 'Plain', phones: ['+14152000002'], custom: {} },
  ]);
  return cdp;
}

/** A CDP whose lookups fail `failures` times (a database hiccup), then answer from `inner`. */
function flakyCdp(inner: CdpPort, failures: number): CdpPort & { calls: number } {
  const port = {
    ...inner,
    calls: 0,
    async lookupByPhone(e164: string) {
      port.calls++;
      if (port.calls <= failures) throw new PatchbayError('upstream_error', 'The CDP did not answer');
      return inner.lookupByPhone(e164);
    },
  };
  return port;
}

const twoWay = (left: string, operator: string, extra: Record<string, unknown> = {}) => ({
  name: 'cond', automation: 'call_routing',
  nodes: [
    { id: 't', type: 'trigger.webhook' },
    { id: 'c', type: 'condition', params: { left, operator, ...extra } },
    { id: 'yes', type: 'respond.json', params: { body: { branch: 'true' } } },
    { id: 'no', type: 'respond.json', params: { body: { branch: 'false' } } },
  ],
  edges: [
    { id: 'a', source: 't', target: 'c' },
    { id: 'b', source: 'c', sourcePort: 'true', target: 'yes' },
    { id: 'd', source: 'c', sourcePort: 'false', target: 'no' },
  ],
});

describe('a missing value is a value', () => {
  it('routes a gold caller, a caller without a tier and an unknown caller; none fails', async () => {
    const cdp = await demoCdp();
    const gold = await runFixture(routing, { phone: '(415) 200-0001' }, { cdp });
    expect(gold.status).toBe('succeeded');
    expect(gold.response?.body).toEqual({ route: 'priority', caller: 'Ada Gold' });
    const plain = await runFixture(routing, { phone: '+1 415 200 0002' }, { cdp });
    expect(plain.status).toBe('succeeded');
    expect(plain.steps.map((s) => s.nodeId)).toEqual(['trigger', 'lookup', 'is_gold', 'route_main']);
    expect(plain.byNode.is_gold.output).toEqual({ result: false });
    expect(plain.byNode.is_gold.port).toBe('false');
    const unknown = await runFixture(routing, { phone: '+1 415 200 0099' }, { cdp });
    expect(unknown.status).toBe('succeeded');
    expect(unknown.response?.body).toEqual({ route: 'main' });
  });

  it('a condition on an absent field: equals is false, notEquals and isEmpty true, exists false', async () => {
    const branch = async (op: string, extra = {}) => (await runFixture(twoWay('=trigger.custom.tier', op, extra), { phone: '1' })).response?.body;
    expect(await branch('equals', { right: 'gold' })).toEqual({ branch: 'false' });
    expect(await branch('notEquals', { right: 'gold' })).toEqual({ branch: 'true' });
    expect(await branch('isEmpty')).toEqual({ branch: 'true' });
    expect(await branch('exists')).toEqual({ branch: 'false' });
    expect(await branch('isTrue')).toEqual({ branch: 'false' });
    expect(await branch('contains', { right: 'g' })).toEqual({ branch: 'false' });
    expect(await branch('greaterThan', { right: 3 })).toEqual({ branch: 'false' });
  });

  it('lookup and normalise blocks given no number take their not-found / invalid branch', async () => {
    const flow = {
      name: 'n', automation: 'caller_lookup',
      nodes: [
        { id: 't', type: 'trigger.webhook' },
        { id: 'n', type: 'phone.normalize', params: { phone: '=trigger.caller.number' } },
        { id: 'l', type: 'cdp.lookup', params: { phone: '=trigger.caller.number' } },
        { id: 'bad', type: 'respond.json', params: { body: { normalised: false } } },
        { id: 'miss', type: 'respond.json', params: { body: { found: false } } },
        { id: 'hit', type: 'respond.json', params: { body: { found: true } } },
      ],
      edges: [
        { id: 'a', source: 't', target: 'n' },
        { id: 'b', source: 'n', sourcePort: 'invalid', target: 'bad' },
        { id: 'c', source: 'n', sourcePort: 'valid', target: 'l' },
        { id: 'd', source: 'l', sourcePort: 'notFound', target: 'miss' },
        { id: 'e', source: 'l', sourcePort: 'found', target: 'hit' },
      ],
    };
    const r = await runFixture(flow, {});
    expect(r.status).toBe('succeeded');
    expect(r.byNode.n.port).toBe('invalid');
    expect(r.response?.body).toEqual({ normalised: false });
    const direct = await runFixture({ ...flow, edges: [{ id: 'a', source: 't', target: 'l' }, ...flow.edges.slice(3)], nodes: flow.nodes.filter((n) => n.id !== 'n' && n.id !== 'bad') }, { caller: {} });
    expect(direct.byNode.l.port).toBe('notFound');
    expect(direct.response?.body).toEqual({ found: false });
  });

  it('a respond body from an expression that yields nothing answers null instead of failing', async () => {
    const flow = { name: 'r', automation: 'x', nodes: [{ id: 't', type: 'trigger.webhook' }, { id: 'r', type: 'respond.json', params: { body: '=trigger.nothing' } }], edges: [{ id: 'a', source: 't', target: 'r' }] };
    const r = await runFixture(flow, {});
    expect(r.status).toBe('succeeded');
    expect(r.response).toEqual({ status: 200, body: null });
  });
});

/** trigger → lookup (failing CDP) → found/notFound responds, with the lookup's error setting varied. */
function lookupFlow(node: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const errorPort = !!node.onError && (node.onError as { action: string }).action === 'error';
  return {
    name: 'errors', automation: 'caller_lookup',
    nodes: [
      { id: 't', type: 'trigger.webhook' },
      { id: 'lookup', type: 'cdp.lookup', label: 'Look up caller', params: { phone: '=trigger.phone' }, ...node },
      { id: 'found', type: 'respond.json', params: { body: { found: true } } },
      { id: 'missing', type: 'respond.json', params: { body: { found: false } } },
      ...(errorPort ? [{ id: 'oops', type: 'respond.json', params: { status: 200, body: { degraded: true, why: '=steps.lookup.error.message' } } }] : []),
    ] as Record<string, unknown>[],
    edges: [
      { id: 'a', source: 't', target: 'lookup' },
      { id: 'b', source: 'lookup', sourcePort: 'found', target: 'found' },
      { id: 'c', source: 'lookup', sourcePort: 'notFound', target: 'missing' },
      ...(errorPort ? [{ id: 'd', source: 'lookup', sourcePort: 'error', target: 'oops' }] : []),
    ],
    ...extra,
  };
}

describe('error paths', () => {
  it('stop (the default): the run fails at the step, with the step input recorded', async () => {
    const cdp = flakyCdp(await demoCdp(), 99);
    const r = await runFixture(lookupFlow({}), { phone: '+14152000001' }, { cdp });
    expect(r.status).toBe('failed');
    expect(r.response).toBeUndefined();
    expect(r.error).toMatchObject({ code: 'upstream_error', nodeId: 'lookup' });
    expect(r.byNode.lookup).toMatchObject({ status: 'failed', input: { phone: '+14152000001' }, port: null });
    expect(cdp.calls).toBe(1);
  });

  it('continue with output: the step records the error and the run goes on through the chosen port with the given output', async () => {
    const cdp = flakyCdp(await demoCdp(), 99);
    const r = await runFixture(lookupFlow({ onError: { action: 'continue', port: 'notFound', output: { found: false, contact: null, phone: '=trigger.phone' } } }), { phone: '+14152000001' }, { cdp });
    expect(r.status).toBe('succeeded');
    expect(r.byNode.lookup).toMatchObject({ status: 'failed', errorHandled: 'continue', port: 'notFound', output: { found: false, contact: null, phone: '+14152000001' } });
    expect(r.byNode.lookup.error?.message).toBe('The CDP did not answer');
    expect(r.response?.body).toEqual({ found: false });
  });

  it('continue without output goes through the block\'s first port with { error }', async () => {
    const cdp = flakyCdp(await demoCdp(), 99);
    const r = await runFixture(lookupFlow({ onError: { action: 'continue' } }), { phone: '+14152000001' }, { cdp });
    expect(r.byNode.lookup.port).toBe('found');
    expect(r.byNode.lookup.output).toEqual({ error: { code: 'upstream_error', message: 'The CDP did not answer' } });
    expect(r.response?.body).toEqual({ found: true });
  });

  it('error port: the run goes on through the node\'s error output, whose steps can read the error', async () => {
    const cdp = flakyCdp(await demoCdp(), 99);
    const flow = lookupFlow({ onError: { action: 'error' } });
    expect(validateFlow(flow, registry).issues).toEqual([]);
    const r = await runFixture(flow, { phone: '+14152000001' }, { cdp });
    expect(r.status).toBe('succeeded');
    expect(r.steps.map((s) => s.nodeId)).toEqual(['t', 'lookup', 'oops']);
    expect(r.byNode.lookup).toMatchObject({ status: 'failed', errorHandled: 'error', port: 'error' });
    expect(r.response?.body).toEqual({ degraded: true, why: 'The CDP did not answer' });
  });

  it('an error output connected while On error is not "error output" is a problem', () => {
    const flow = lookupFlow({ onError: { action: 'error' } });
    flow.nodes[1] = { ...flow.nodes[1], onError: { action: 'stop' } };
    expect(validateFlow(flow, registry).issues.map((i) => i.message)).toEqual([
      'Look up caller: its error output is connected, but On error is not set to "go to the error output"',
    ]);
  });

  it('retries an idempotent block with backoff, then succeeds', async () => {
    const cdp = flakyCdp(await demoCdp(), 2);
    const t0 = Date.now();
    const r = await runFixture(lookupFlow({ retry: { count: 2, backoffMs: 40 } }), { phone: '+14152000001' }, { cdp });
    expect(r.status).toBe('succeeded');
    expect(cdp.calls).toBe(3);
    expect(r.byNode.lookup).toMatchObject({ status: 'succeeded', attempts: 3, port: 'found' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40 + 80 - 5);
  });

  it('gives up after its retries and then applies the on-error setting', async () => {
    const cdp = flakyCdp(await demoCdp(), 99);
    const r = await runFixture(lookupFlow({ retry: { count: 1, backoffMs: 1 }, onError: { action: 'continue', port: 'notFound' } }), { phone: '+14152000001' }, { cdp });
    expect(cdp.calls).toBe(2);
    expect(r.byNode.lookup).toMatchObject({ attempts: 2, errorHandled: 'continue', port: 'notFound' });
    expect(r.response?.body).toEqual({ found: false });
  });

  it('does not retry a block that is not safe to run twice, or params that would fail again', async () => {
    const delayRetry = { name: 'd', automation: 'x', nodes: [{ id: 't', type: 'trigger.webhook' }, { id: 'w', type: 'delay', params: { minutes: 1 }, retry: { count: 2 } }], edges: [{ id: 'a', source: 't', target: 'w' }] };
    expect(validateFlow(delayRetry, registry).issues.map((i) => i.message)).toEqual(['Delay → Retries: "Delay" may not be safe to run twice, so it cannot retry']);
    const cdp = flakyCdp(await demoCdp(), 0);
    const bad = lookupFlow({ params: { phone: '=trigger.phone' }, retry: { count: 3, backoffMs: 1 } });
    bad.nodes[1] = { ...bad.nodes[1], type: 'phone.normalize', params: { phone: '=trigger.phone', country: '=trigger.country' } };
    bad.edges = [{ id: 'a', source: 't', target: 'lookup' }, { id: 'b', source: 'lookup', sourcePort: 'valid', target: 'found' }];
    bad.nodes = bad.nodes.slice(0, 3);
    const r = await runFixture(bad, { phone: '+14152000001', country: 'not a country' }, { cdp });
    expect(r.status).toBe('failed');
    expect(r.byNode.lookup.attempts).toBeUndefined();
    expect(r.error?.code).toBe('invalid_params');
    expect(r.error?.message).toBe('Look up caller → Country: a two-letter country code such as US');
    // The failing step's input is what the params evaluated to, not null.
    expect(r.byNode.lookup.input).toEqual({ phone: '+14152000001', country: 'not a country' });
  });

  it('flow fallback: a failed run answers the fallback (with expressions) instead of nothing', async () => {
    const cdp = flakyCdp(await demoCdp(), 99);
    const flow = lookupFlow({}, { fallback: { status: 200, body: { route: 'main', for: '=trigger.phone', customer: '=customer.id' } } });
    const answered: unknown[] = [];
    const r = await runFixture(flow, { phone: '+14152000001' }, { cdp, onRespond: (x) => answered.push(x) });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('upstream_error');
    expect(r.fallback).toBe(true);
    expect(r.response).toEqual({ status: 200, body: { route: 'main', for: '+14152000001', customer: 'cust-1' } });
    expect(answered).toEqual([r.response]);
    // A run that answered before failing keeps its answer.
    const ok = await runFixture(flow, { phone: '+14152000001' }, { cdp: await demoCdp() });
    expect(ok.fallback).toBeUndefined();
    expect(ok.response?.body).toEqual({ found: true });
  });

  it('the routing fixture answers through its fallback-free error setting when the CDP is down', async () => {
    const cdp = flakyCdp(await demoCdp(), 99);
    const r = await runFixture(routing, { phone: '+14152000001' }, { cdp });
    expect(r.status).toBe('succeeded');
    expect(cdp.calls).toBe(2);
    expect(r.response?.body).toEqual({ route: 'main' });
  });
});
