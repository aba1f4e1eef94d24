import { describe, expect, it } from 'vitest';
import { findCycle, nodeOutputPorts, reachableFrom, upstreamNodeIds, wouldLoop } from './flow-graph';

const edges = [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'a', target: 'd' }];

describe('flow graph rules', () => {
  it('adds the error port only when on-error routes there', () => {
    const ports = [{ id: 'out', label: 'next' }];
    expect(nodeOutputPorts(ports, undefined).map((p) => p.id)).toEqual(['out']);
    expect(nodeOutputPorts(ports, { action: 'continue' }).map((p) => p.id)).toEqual(['out']);
    expect(nodeOutputPorts(ports, { action: 'error' }).map((p) => p.id)).toEqual(['out', 'error']);
  });
  it('reaches, loops and upstream', () => {
    expect([...reachableFrom(edges, 'b')].sort()).toEqual(['b', 'c']);
    expect(wouldLoop(edges, 'c', 'a')).toBe(true);
    expect(wouldLoop(edges, 'a', 'c')).toBe(false);
    expect(wouldLoop(edges, 'a', 'a')).toBe(true);
    expect(upstreamNodeIds(edges, 'c')).toEqual(['b', 'a']);
    expect(findCycle(['a', 'b', 'c', 'd'], edges)).toBeNull();
    expect(findCycle(['a', 'b', 'c', 'd'], [...edges, { source: 'c', target: 'a' }])).toBe('a');
  });
});
