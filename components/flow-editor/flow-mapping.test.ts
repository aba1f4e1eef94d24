import { describe, expect, it } from 'vitest';
import { flowSchema, registry, validateFlow } from '@/engine';
import fixture from '@/engine/fixtures/caller-lookup.flow.json';
import routing from '@/engine/fixtures/call-routing-by-tier.flow.json';
import { groupBlocks, findBlock } from './block-catalog';
import { registryBlocks } from './blocks.test-helper';
import {
  canvasToFlow, checkConnection, copySelection, createNode, flowToCanvas, newNodeId, pasteClipboard, summarizeParams, upstreamNodeIds,
  type CanvasDoc,
} from './flow-mapping';

const blocks = registryBlocks();
const block = (id: string) => findBlock(blocks, id)!;

describe('flow ⇄ canvas mapping', () => {
  it('round-trips error settings, retries and the fallback answer, and an error port is a port to wire', () => {
    const flow = flowSchema.parse(routing);
    expect(canvasToFlow(flowToCanvas(flow))).toEqual(flow);
    const doc = flowToCanvas({ ...flow, nodes: flow.nodes.map((n) => (n.id === 'lookup' ? { ...n, onError: { action: 'error' as const } } : n)) });
    expect(checkConnection(doc, blocks, { source: 'lookup', sourceHandle: 'error', target: 'route_main' })).toBeNull();
    expect(checkConnection(flowToCanvas(flow), blocks, { source: 'lookup', sourceHandle: 'error', target: 'route_main' })).toBe('"Look up caller" has no output "error"');
  });

  it('round-trips the recording policy (and none)', () => {
    const flow = flowSchema.parse({ ...fixture, recording: { policy: 'sampled', share: 0.05 } });
    expect(canvasToFlow(flowToCanvas(flow)).recording).toEqual({ policy: 'sampled', share: 0.05 });
    expect('recording' in canvasToFlow(flowToCanvas(flowSchema.parse(fixture)))).toBe(false);
    expect(flowSchema.safeParse({ ...fixture, recording: { policy: 'sampled' } }).error?.issues[0].path).toEqual(['recording', 'share']);
  });

  it('round-trips the caller lookup fixture without loss', () => {
    const canonical = flowSchema.parse(fixture);
    const doc = flowToCanvas(canonical);
    expect(doc.nodes).toHaveLength(5);
    expect(doc.edges.find((e) => e.id === 'e4')).toMatchObject({ source: 'lookup', sourceHandle: 'notFound', target: 'respond_not_found' });
    expect(canvasToFlow(doc)).toEqual(canonical);
  });

  it('fills the schema defaults a flow file may omit, the same way the engine does', () => {
    const input = { name: 'x', automation: 'caller_lookup', nodes: [{ id: 't', type: 'trigger.webhook' }, { id: 'r', type: 'respond.json', label: 'Answer' }], edges: [{ id: 'e', source: 't', target: 'r' }] };
    expect(canvasToFlow(flowToCanvas(input))).toEqual(flowSchema.parse(input));
  });

  it('keeps labels, pinned versions, descriptions, options and non-integer positions', () => {
    const input = flowSchema.parse({
      name: 'Pinned', automation: 'call_logging', description: 'd', options: { tier: 'gold', n: 2 },
      nodes: [{ id: 't', type: 'trigger.webhook@1', label: 'Start', params: { fields: [{ path: 'call.from', type: 'string', required: true }] }, position: { x: 10.5, y: -3.25 } }],
    });
    expect(canvasToFlow(flowToCanvas(input))).toEqual(input);
  });

  it('a flow built on the canvas validates in the engine', () => {
    const doc: CanvasDoc = { meta: { schemaVersion: 1, name: 'Built', automation: 'caller_lookup', options: {} }, nodes: [], edges: [] };
    const add = (id: string) => { const n = createNode(block(id), { x: doc.nodes.length * 200, y: 0 }, doc.nodes.map((x) => x.id)); doc.nodes.push(n); return n; };
    const t = add('trigger.webhook'); const norm = add('phone.normalize'); const look = add('cdp.lookup'); const r1 = add('respond.json'); const r2 = add('respond.json');
    expect([t.id, norm.id, look.id, r1.id, r2.id]).toEqual(['trigger', 'normalize', 'lookup', 'respond', 'respond_2']);
    norm.data.params.phone = '=trigger.phone';
    look.data.params.phone = '=steps.normalize.e164';
    r1.data.params.body = { name: '=steps.lookup.contact.displayName' };
    r2.data.params.body = { found: false };
    const wire = (s: string, port: string, tg: string) => doc.edges.push({ id: `${s}-${port}`, source: s, sourceHandle: port, target: tg, targetHandle: 'in' });
    wire('trigger', 'out', 'normalize'); wire('normalize', 'valid', 'lookup'); wire('lookup', 'found', 'respond'); wire('lookup', 'notFound', 'respond_2');
    const { issues } = validateFlow(canvasToFlow(doc), registry);
    expect(issues).toEqual([]);
    expect(t.data.params).toEqual({ fields: [], example: { phone: '+12025550123' } });
    expect(r1.data.params.status).toBe(200);
  });
});

describe('connection rules', () => {
  const doc = flowToCanvas(flowSchema.parse(fixture));
  it('allows a fresh edge', () => {
    expect(checkConnection(doc, blocks, { source: 'normalize', sourceHandle: 'invalid', target: 'respond_found' })).toBeNull();
  });
  it('refuses an edge into the trigger', () => {
    expect(checkConnection(doc, blocks, { source: 'lookup', sourceHandle: 'found', target: 'trigger' })).toMatch(/into a trigger/);
  });
  it('refuses a self loop', () => {
    expect(checkConnection(doc, blocks, { source: 'lookup', sourceHandle: 'found', target: 'lookup' })).toMatch(/itself/);
  });
  it('refuses wiring a port to the same target twice, naming the port by its label', () => {
    expect(checkConnection(doc, blocks, { source: 'lookup', sourceHandle: 'notFound', target: 'respond_not_found' })).toBe('The "not found" output of "lookup" is already wired to "respond_not_found"');
  });
  it('refuses a cycle', () => {
    expect(checkConnection(doc, blocks, { source: 'respond_found', sourceHandle: 'out', target: 'normalize' })).toMatch(/loop/);
  });
  it('refuses a port the block does not have', () => {
    expect(checkConnection(doc, blocks, { source: 'lookup', sourceHandle: 'maybe', target: 'respond_found' })).toMatch(/no output "maybe"/);
  });
});

describe('ids, copy and paste', () => {
  it('makes readable unique ids', () => {
    expect(newNodeId('cdp.lookup', [])).toBe('lookup');
    expect(newNodeId('respond.json', ['respond', 'respond_2'])).toBe('respond_3');
    expect(newNodeId('trigger.webhook', [])).toBe('trigger');
    expect(newNodeId('condition', ['condition'])).toBe('condition_2');
  });

  it('pastes copies with new ids, inner edges, renamed step references, and no second trigger', () => {
    const doc = flowToCanvas(flowSchema.parse(fixture));
    for (const n of doc.nodes) n.selected = ['trigger', 'normalize', 'lookup'].includes(n.id);
    const clip = copySelection(doc)!;
    expect(clip.nodes.map((n) => n.id)).toEqual(['trigger', 'normalize', 'lookup']);
    expect(clip.edges.map((e) => e.id)).toEqual(['e1', 'e2']);
    const pasted = pasteClipboard(doc, clip, blocks);
    expect(pasted.skipped).toEqual(['trigger']);
    expect(pasted.nodes.map((n) => n.id)).toEqual(['normalize_2', 'lookup_2']);
    expect(pasted.nodes[1].data.params.phone).toBe('=steps.normalize_2.e164');
    expect(pasted.nodes[0].data.params.phone).toBe('=trigger.phone');
    expect(pasted.nodes[0].position).toEqual({ x: 300, y: 160 });
    expect(pasted.edges).toEqual([{ id: 'e_normalize_2_valid_lookup_2', source: 'normalize_2', sourceHandle: 'valid', target: 'lookup_2', targetHandle: 'in' }]);
    expect(copySelection({ nodes: doc.nodes.map((n) => ({ ...n, selected: false })), edges: [] })).toBeNull();
  });
});

describe('palette and summaries', () => {
  it('groups blocks by category with triggers first, and searches', () => {
    const groups = groupBlocks(blocks);
    expect(groups[0].category).toBe('Triggers');
    expect(groups.flatMap((g) => g.blocks)).toHaveLength(blocks.length);
    const ids = groupBlocks(blocks, 'normalise phone').flatMap((g) => g.blocks.map((b) => b.id));
    expect(ids).toContain('phone.normalize');
    expect(ids).not.toContain('cdp.lookup');
    // Every word must match somewhere in title, id, description, connector or category.
    const few = [block('cdp.lookup'), block('phone.normalize'), block('respond.json')];
    expect(groupBlocks(few, 'CDP').flatMap((g) => g.blocks.map((b) => b.id))).toEqual(['cdp.lookup']);
    expect(groupBlocks(few, 'respond json').map((g) => g.category)).toEqual(['Respond']);
    expect(groupBlocks(blocks, 'no such block at all')).toEqual([]);
  });

  it('summarizes params in one line', () => {
    expect(summarizeParams(block('cdp.lookup'), { phone: '=steps.normalize.e164' })).toBe('phone: =steps.normalize.e164');
    expect(summarizeParams(block('trigger.webhook'), { fields: [{ path: 'phone' }, { path: 'call.id' }] })).toBe('expects phone, call.id');
    expect(summarizeParams(block('respond.json'), { status: 200, body: { found: true, contact: 1 } })).toBe('status: 200 · body: {found, contact}');
    expect(summarizeParams(block('cdp.lookup'), { phone: 'x'.repeat(100) }, 20)).toHaveLength(20);
    expect(summarizeParams(block('http.request'), { method: 'GET', headers: {}, url: 'https://x.test' })).toBe('method: GET · url: https://x.test');
  });

  it('finds upstream nodes nearest first', () => {
    const f = flowSchema.parse(fixture);
    expect(upstreamNodeIds(f.edges, 'respond_not_found')).toEqual(['lookup', 'normalize', 'trigger']);
    expect(upstreamNodeIds(f.edges, 'trigger')).toEqual([]);
  });
});

describe('placing new blocks', () => {
  it('moves down until nothing overlaps', async () => {
    const { freePosition } = await import('./flow-mapping');
    const nodes = [{ position: { x: 0, y: 0 } }, { position: { x: 0, y: 140 } }];
    expect(freePosition(nodes, { x: 0, y: 0 })).toEqual({ x: 0, y: 280 });
    expect(freePosition(nodes, { x: 400, y: 0 })).toEqual({ x: 400, y: 0 });
  });
});

describe('durations', () => {
  it('reads well at every scale', async () => {
    const { formatMs } = await import('./flow-mapping');
    expect(formatMs(0.19299999)).toBe('0.2 ms');
    expect(formatMs(11.0113)).toBe('11 ms');
    expect(formatMs(1534)).toBe('1.5 s');
    expect(formatMs(null)).toBe('—');
  });
});
