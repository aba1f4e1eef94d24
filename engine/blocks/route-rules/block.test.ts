import { describe, expect, it } from 'vitest';
import { decideRoute, type RouteRule } from './block';
import { runFixture } from '../../testing/run-fixture';

const rules: RouteRule[] = [
  { label: 'VIP', field: 'tags', operator: 'contains', value: 'vip', targetType: 'queue', target: 'vip-queue' },
  { label: 'Spanish', field: 'language', operator: 'in', value: 'es, es-MX', targetType: 'queue', target: 'spanish-queue' },
  { label: 'Open invoice', field: 'billing.openInvoice', operator: 'isTrue', targetType: 'queue', target: 'billing' },
  { label: 'Owner', field: 'owner', operator: 'exists', targetType: 'user', target: '@owner' },
];
const dflt = { target: 'main-queue', targetType: 'queue' as const };

describe('route.rules', () => {
  it('the first rule that holds decides, in table order', () => {
    expect(decideRoute({ tags: ['vip'], language: 'es', owner: 'u1' }, rules, dflt)).toEqual({ action: 'route', target: 'vip-queue', targetType: 'queue', rule: 'VIP', index: 0 });
    expect(decideRoute({ tags: ['new'], language: 'es-MX', owner: 'u1' }, rules, dflt)).toMatchObject({ target: 'spanish-queue', index: 1 });
    expect(decideRoute({ billing: { openInvoice: true }, owner: 'u1' }, rules, dflt)).toMatchObject({ target: 'billing', index: 2 });
  });

  it('@field takes the target from the caller: the owning agent', () => {
    expect(decideRoute({ owner: 'ann@acme.example' }, rules, dflt)).toEqual({ action: 'route', target: 'ann@acme.example', targetType: 'user', rule: 'Owner', index: 3 });
  });

  it('missing values are values: nothing holds and the default answers (unknown caller, empty owner, no facts)', () => {
    expect(decideRoute({}, rules, dflt)).toEqual({ action: 'route', target: 'main-queue', targetType: 'queue', rule: null, index: null });
    expect(decideRoute({ owner: '' }, [{ field: 'owner', operator: 'isEmpty', targetType: 'user', target: '@owner' }], dflt)).toMatchObject({ target: 'main-queue', index: null });
    expect(decideRoute(undefined, rules, dflt)).toMatchObject({ target: 'main-queue' });
    expect(decideRoute({ language: 'fr' }, rules, dflt)).toMatchObject({ target: 'main-queue' });
  });

  it('runs as a block in a flow and answers the routing JSON', async () => {
    const flow = {
      name: 'r', automation: 'call_routing',
      nodes: [
        { id: 't', type: 'trigger.webhook' },
        { id: 'rules', type: 'route.rules', params: { caller: '=trigger.caller', rules, defaultTarget: 'main-queue' } },
        { id: 'a', type: 'respond.json', params: { body: { action: '=steps.rules.action', target: '=steps.rules.target' } } },
      ],
      edges: [{ id: 'e1', source: 't', target: 'rules' }, { id: 'e2', source: 'rules', target: 'a' }],
    };
    const vip = await runFixture(flow, { caller: { tags: ['VIP-gold', 'vip'] } });
    expect(vip.response?.body).toEqual({ action: 'route', target: 'vip-queue' });
    expect(vip.byNode.rules.output).toMatchObject({ matched: true, ruleIndex: 0, rule: 'VIP' });
    const nobody = await runFixture(flow, {});
    expect(nobody.response?.body).toEqual({ action: 'route', target: 'main-queue' });
  });
});
