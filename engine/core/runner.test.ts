import { describe, expect, it } from 'vitest';
import flowFixture from '../fixtures/caller-lookup.flow.json';
import { validateFlow, compileFlow } from './compile-flow';
import { registry } from '../registry';
import { runFixture } from '../testing/run-fixture';
import { createMemoryCdp } from '../testing/memory-cdp';
import { defineBlock } from './define-block';
import { registerBlocks } from '../registry';
import { z } from 'zod';

async function seededCdp() {
  const cdp = createMemoryCdp('US');
  await cdp.upsert([
    { source: 'hubspot', externalId: '1', kind: 'person', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Ltd', phones: ['+44 20 7946 0000', '07911 123456'], country: 'GB', custom: { tier: 'gold' } },
    { source: 'hubspot', externalId: '2', kind: 'person', firstName: 'Grace', lastName: 'Hopper', phones: ['(202) 555-0143'], custom: {} },
  ]);
  return cdp;
}

describe('runner: graph walking', () => {
  it('follows the found branch and answers with the contact', async () => {
    const r = await runFixture(flowFixture, { phone: '07911 123456' }, { cdp: await seededCdp(), customer: { id: 'c', defaultCountry: 'GB' } });
    expect(r.status).toBe('succeeded');
    expect(r.steps.map((s) => s.nodeId)).toEqual(['trigger', 'normalize', 'lookup', 'respond_found']);
    expect(r.byNode.normalize.output).toMatchObject({ valid: true, e164: '+447911123456' });
    expect(r.byNode.lookup.port).toBe('found');
    expect(r.response?.body).toMatchObject({ found: true, contact: { firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Ltd', custom: { tier: 'gold' } } });
  });

  it('follows the notFound branch for an unknown number', async () => {
    const r = await runFixture(flowFixture, { phone: '+1 202 555 0199' }, { cdp: await seededCdp() });
    expect(r.steps.map((s) => s.nodeId)).toEqual(['trigger', 'normalize', 'lookup', 'respond_not_found']);
    expect(r.byNode.lookup.port).toBe('notFound');
    expect(r.response).toEqual({ status: 200, body: { found: false } });
  });

  it('takes the invalid port of phone.normalize for garbage input', async () => {
    const r = await runFixture(flowFixture, { phone: '12' }, { cdp: await seededCdp() });
    expect(r.steps.map((s) => s.nodeId)).toEqual(['trigger', 'normalize', 'respond_not_found']);
    expect(r.byNode.normalize.port).toBe('invalid');
  });

  it('branches on a condition', async () => {
    const flow = {
      name: 'cond', automation: 'call_routing',
      nodes: [
        { id: 't', type: 'trigger.webhook' },
        { id: 'c', type: 'condition', params: { left: '=trigger.minutes', operator: 'greaterThan', right: 5 } },
        { id: 'long', type: 'respond.json', params: { body: { route: 'queue' } } },
        { id: 'short', type: 'respond.json', params: { body: { route: '{{ trigger.agent }}-direct' } } },
      ],
      edges: [
        { id: 'a', source: 't', target: 'c' },
        { id: 'b', source: 'c', sourcePort: 'true', target: 'long' },
        { id: 'd', source: 'c', sourcePort: 'false', target: 'short' },
      ],
    };
    expect((await runFixture(flow, { minutes: 9 })).response?.body).toEqual({ route: 'queue' });
    const short = await runFixture(flow, { minutes: 2, agent: 'bob' });
    expect(short.response?.body).toEqual({ route: 'bob-direct' });
    expect(short.byNode.c.output).toEqual({ result: false });
  });
});

describe('runner: expressions', () => {
  it('evaluates JSONata over trigger, steps, options and customer, keeping types', async () => {
    const flow = {
      name: 'expr', automation: 'x',
      nodes: [
        { id: 't', type: 'trigger.webhook' },
        { id: 'r', type: 'respond.json', params: { status: 201, body: { sum: '=$sum(trigger.items.qty)', upper: '=$uppercase(trigger.name)', greeting: 'Hi {{ trigger.name }} from {{ customer.defaultCountry }}', opt: '=options.region', nested: { list: ['=trigger.items[0].qty', 'lit'] } } } },
      ],
      edges: [{ id: 'e', source: 't', target: 'r' }],
    };
    const r = await runFixture(flow, { name: 'ada', items: [{ qty: 2 }, { qty: 3 }] }, { options: { region: 'eu' }, customer: { id: 'c', defaultCountry: 'GB' } });
    expect(r.response).toEqual({ status: 201, body: { sum: 5, upper: 'ADA', greeting: 'Hi ada from GB', opt: 'eu', nested: { list: [2, 'lit'] } } });
  });

  it('has no access to JavaScript globals', async () => {
    const flow = {
      name: 'sandbox', automation: 'x',
      nodes: [{ id: 't', type: 'trigger.webhook' }, { id: 'r', type: 'respond.json', params: { body: { p: '=process', c: '=constructor' } } }],
      edges: [{ id: 'e', source: 't', target: 'r' }],
    };
    const r = await runFixture(flow, {});
    expect(r.response?.body).toEqual({});
  });

  it('records an expression runtime error on the step', async () => {
    const flow = {
      name: 'bad', automation: 'x',
      nodes: [{ id: 't', type: 'trigger.webhook' }, { id: 'r', type: 'respond.json', params: { body: { v: '=$number("abc") + $undefinedFn()' } } }],
      edges: [{ id: 'e', source: 't', target: 'r' }],
    };
    const r = await runFixture(flow, {});
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'expression_error', nodeId: 'r' });
  });
});

describe('runner: failures', () => {
  const boom = defineBlock({
    id: 'test.boom', version: 1, title: 'Boom', description: 'fails', category: 'Utility', icon: 'x',
    params: z.object({ message: z.string() }), output: z.object({}), ports: [{ id: 'out', label: 'out' }],
    async run(_ctx, p) { throw new Error(p.message); },
  });
  registerBlocks([boom as never]);

  it('records a failing block with its step and stops', async () => {
    const flow = {
      name: 'fail', automation: 'x',
      nodes: [{ id: 't', type: 'trigger.webhook' }, { id: 'b', type: 'test.boom', params: { message: '=trigger.why' } }, { id: 'r', type: 'respond.json', params: { body: {} } }],
      edges: [{ id: 'e', source: 't', target: 'b' }, { id: 'f', source: 'b', target: 'r' }],
    };
    const r = await runFixture(flow, { why: 'CRM is down' });
    expect(r.status).toBe('failed');
    expect(r.steps).toHaveLength(2);
    expect(r.steps[1]).toMatchObject({ nodeId: 'b', status: 'failed', input: { message: 'CRM is down' }, error: { message: 'CRM is down', nodeId: 'b' } });
    expect(r.error?.nodeId).toBe('b');
    expect(r.response).toBeUndefined();
  });

  it('rejects params that do not fit the block schema at run time, naming the field', async () => {
    const flow = {
      name: 'p', automation: 'x',
      nodes: [{ id: 't', type: 'trigger.webhook' }, { id: 'n', type: 'phone.normalize', params: { phone: '=trigger.n' } }],
      edges: [{ id: 'e', source: 't', target: 'n' }],
    };
    const r = await runFixture(flow, { n: 42 });
    expect(r.error).toMatchObject({ code: 'invalid_params', nodeId: 'n', path: ['phone'] });
  });

  it('suspends on a durable delay and resumes from the saved state', async () => {
    const flow = {
      name: 'd', automation: 'call_logging',
      nodes: [{ id: 't', type: 'trigger.webhook' }, { id: 'w', type: 'delay', params: { minutes: 10 } }, { id: 'r', type: 'respond.json', params: { body: { callId: '=trigger.callId' } } }],
      edges: [{ id: 'e', source: 't', target: 'w' }, { id: 'f', source: 'w', target: 'r' }],
    };
    const now = new Date('2026-01-01T10:00:00Z');
    const first = await runFixture(flow, { callId: 'c1' }, { now: () => now });
    expect(first.status).toBe('waiting');
    expect(first.resumeAt?.toISOString()).toBe('2026-01-01T10:10:00.000Z');
    const saved = JSON.parse(JSON.stringify(first.state));
    const second = await runFixture(flow, null, { resume: saved });
    expect(second.status).toBe('succeeded');
    expect(second.steps.map((s) => s.nodeId)).toEqual(['r']);
    expect(second.response?.body).toEqual({ callId: 'c1' });
  });
});

describe('flow schema', () => {
  const base = () => JSON.parse(JSON.stringify(flowFixture));

  it('accepts the caller_lookup fixture', () => {
    expect(validateFlow(base(), registry).issues).toEqual([]);
  });

  it.each([
    ['unknown block', (f: any) => { f.nodes[1].type = 'nope.block'; }, /Unknown block "nope.block"/],
    ['edge to missing node', (f: any) => { f.edges[0].target = 'ghost'; }, /unknown node "ghost"/],
    ['bad port', (f: any) => { f.edges[2].sourcePort = 'maybe'; }, /has no output "maybe"/],
    ['no trigger', (f: any) => { f.nodes = f.nodes.slice(1); f.edges = f.edges.slice(1); }, /no trigger/],
    ['unreachable node', (f: any) => { f.nodes.push({ id: 'orphan', type: 'respond.json', params: { body: {} } }); }, /not connected/],
    ['missing required param', (f: any) => { delete f.nodes[1].params.phone; }, /Normalise phone number → Phone is required/],
    ['bad automation name', (f: any) => { f.automation = 'Caller Lookup'; }, /lower_snake_case/],
    ['cycle', (f: any) => { f.edges.push({ id: 'loop', source: 'respond_found', sourcePort: 'out', target: 'normalize' }); }, /loops/],
    ['broken expression', (f: any) => { f.nodes[1].params.phone = '=trigger.(('; }, /does not parse/],
    ['duplicate ids', (f: any) => { f.nodes[2].id = 'normalize'; }, /Duplicate node id/],
  ])('rejects %s', (_name, mutate, message) => {
    const f = base();
    mutate(f);
    const { issues } = validateFlow(f, registry);
    expect(issues.map((i) => i.message).join('\n')).toMatch(message);
    expect(() => compileFlow(f, registry)).toThrow(/Invalid flow/);
  });

  it('rejects malformed JSON shapes with the path', () => {
    const { issues } = validateFlow({ name: 'x', automation: 'x', nodes: [{ id: 't' }] }, registry);
    expect(issues[0].path).toEqual(['nodes', 0, 'type']);
  });

  it('refuses control characters in names and labels (NUL cannot even be stored), naming the field', () => {
    const bad = validateFlow({ name: 'caller\u0000lookup', automation: 'x', nodes: [{ id: 't', type: 'trigger.webhook', label: 'two\nlines' }] }, registry);
    expect(bad.issues.map((i) => [i.path, i.message])).toEqual([
      [['name'], 'no line breaks or control characters'],
      [['nodes', 0, 'label'], 'no line breaks or control characters'],
    ]);
    expect(validateFlow({ name: 'Caller lookup – €, ü', automation: 'x', nodes: [{ id: 't', type: 'trigger.webhook' }] }, registry).issues).toEqual([]);
  });
});

describe('trigger input', () => {
  it('names the missing or mistyped field', async () => {
    const { checkTriggerInput } = await import('../blocks/trigger-webhook/block');
    const fields = [{ path: 'phone', type: 'string' as const, required: true }, { path: 'call.id', type: 'number' as const, required: false }];
    expect(checkTriggerInput(fields, {})).toEqual([{ path: 'phone', message: '"phone" is required' }]);
    expect(checkTriggerInput(fields, { phone: 5 })).toEqual([{ path: 'phone', message: '"phone" must be a string, got number' }]);
    expect(checkTriggerInput(fields, { phone: 'x', call: { id: 'a' } })[0].path).toBe('call.id');
    expect(checkTriggerInput(fields, { phone: '+1' })).toEqual([]);
    expect(checkTriggerInput(fields, [1])[0].message).toMatch(/JSON object/);
  });
});
