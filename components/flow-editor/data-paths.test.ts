import { describe, expect, it } from 'vitest';
import { flowSchema } from '@/engine';
import fixture from '@/engine/fixtures/caller-lookup.flow.json';
import { registryBlocks } from './blocks.test-helper';
import { collectDataPaths, suggestPaths, tokenAt } from './data-paths';

const blocks = registryBlocks();
const flow = flowSchema.parse({ ...fixture, options: { greeting: 'hi', routing: { queue: 'sales' } } });

describe('data paths for autocomplete', () => {
  it('offers the trigger example, upstream step outputs, options and customer — not downstream steps', () => {
    const paths = collectDataPaths(flow, blocks, 'respond_found').map((p) => p.path);
    expect(paths).toContain('trigger.phone');
    expect(paths).toContain('steps.lookup.contact.displayName');
    expect(paths).toContain('steps.normalize.e164');
    expect(paths).toContain('options.routing.queue');
    expect(paths).toContain('customer.defaultCountry');
    expect(paths.some((p) => p.startsWith('steps.respond_'))).toBe(false);
    expect(collectDataPaths(flow, blocks, 'normalize').map((p) => p.path).filter((p) => p.startsWith('steps.'))).toEqual([]);
  });

  it('includes declared trigger fields beyond the example', () => {
    const f = flowSchema.parse({ ...fixture, nodes: fixture.nodes.map((n) => (n.id === 'trigger' ? { ...n, params: { fields: [{ path: 'call.direction', type: 'string' }], example: { phone: '+1' } } } : n)) });
    expect(collectDataPaths(f, blocks, 'lookup').map((p) => p.path)).toEqual(expect.arrayContaining(['trigger.phone', 'trigger.call.direction']));
  });

  it('finds the token being typed inside = expressions and {{ }} templates only', () => {
    expect(tokenAt('=steps.loo', 10)).toEqual({ token: 'steps.loo', start: 1 });
    expect(tokenAt('=$uppercase(trigger.ph', 22)).toEqual({ token: 'trigger.ph', start: 12 });
    expect(tokenAt('Hi {{ trig', 10)).toEqual({ token: 'trig', start: 6 });
    expect(tokenAt('Hi {{ trigger.name }} and', 25)).toBeNull();
    expect(tokenAt('plain', 5)).toBeNull();
    const json = '{ "found": true, "name": "=steps.lookup.co';
    expect(tokenAt(json, json.length)).toEqual({ token: 'steps.lookup.co', start: json.length - 15 });
    expect(tokenAt('{ "found": tr', 13)).toBeNull();
  });

  it('suggests continuations, shallow first', () => {
    const paths = collectDataPaths(flow, blocks, 'respond_found');
    const s = suggestPaths(paths, 'steps.lookup.co').map((p) => p.path);
    expect(s[0]).toBe('steps.lookup.contact');
    expect(s).toContain('steps.lookup.contact.displayName');
    expect(suggestPaths(paths, 'steps.lookup.contact.displayName')).toEqual([]);
  });
});
