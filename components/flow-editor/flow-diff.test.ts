import { describe, expect, it } from 'vitest';
import { flowSchema } from '@/engine';
import fixture from '@/engine/fixtures/caller-lookup.flow.json';
import { describeFlowDiff } from './flow-diff';

const base = flowSchema.parse(fixture);
const clone = () => structuredClone(base);

describe('error settings in words', () => {
  it('names changed on-error, retry and fallback settings', () => {
    const base = { name: 'f', automation: 'a', nodes: [{ id: 'l', type: 'cdp.lookup', params: {} }], edges: [] };
    const next = { ...base, fallback: { status: 200, body: { route: 'main' } }, nodes: [{ id: 'l', type: 'cdp.lookup', params: {}, onError: { action: 'error' as const }, retry: { count: 2 } }] };
    expect(describeFlowDiff(base, next).changed).toEqual(['fallback: (unset) → {"status":200,"body":{"route":"main"}}', 'l.onError: (unset) → {"action":"error"}', 'l.retry: (unset) → {"count":2}']);
  });
});

describe('version diff in words', () => {
  it('is empty for the same flow', () => {
    expect(describeFlowDiff(base, clone()).lines).toEqual([]);
  });

  it('names changed params with old and new value', () => {
    const b = clone();
    b.nodes.find((n) => n.id === 'lookup')!.params.phone = '=trigger.phone';
    b.nodes.find((n) => n.id === 'respond_found')!.params.status = 201;
    expect(describeFlowDiff(base, b).changed).toEqual(['lookup.phone: "=steps.normalize.e164" → "=trigger.phone"', 'respond_found.status: 200 → 201']);
  });

  it('lists added and removed nodes and edges, and rewired ports', () => {
    const b = clone();
    b.nodes = b.nodes.filter((n) => n.id !== 'respond_not_found');
    b.nodes.push({ id: 'respond_missing', type: 'respond.json', params: { status: 404 }, position: { x: 0, y: 0 } });
    b.edges = b.edges.filter((e) => e.id !== 'e5').map((e) => (e.id === 'e4' ? { ...e, target: 'respond_missing' } : e));
    const d = describeFlowDiff(base, b);
    expect(d.added).toEqual(['Added node respond_missing (respond.json)']);
    expect(d.removed).toEqual(['Removed node respond_not_found (respond.json)', 'Disconnected normalize (invalid) → respond_not_found']);
    expect(d.rewired).toEqual(['Rewired lookup (notFound): respond_not_found → respond_missing']);
  });

  it('reports flow settings, options and moves', () => {
    const b = clone();
    b.name = 'Renamed';
    b.options = { tier: 'gold' };
    b.nodes[0].position = { x: 5, y: 5 };
    expect(describeFlowDiff(base, b).lines).toEqual(['Flow name: "Caller lookup" → "Renamed"', 'options.tier: (unset) → "gold"', 'Moved 1 node on the canvas']);
  });
});
