// Flow JSON ⇄ React Flow nodes and edges, and the graph rules the canvas enforces while editing.
// Pure: no React, no fetch. Lossless: canvasToFlow(flowToCanvas(f)) equals f (with the schema's defaults filled in).
import type { Edge, Node, XYPosition } from '@xyflow/react';
import type { Flow, FlowEdge, FlowInput, FlowNode, OnError, RetryPolicy } from '@/engine';
import { nodeOutputPorts, wouldLoop } from '@/engine/graph';
import { findBlock, type BlockInfo, type JsonSchema } from './block-catalog';

// The flow's own types come from the engine's schema (one source): Flow as stored, FlowInput as a file may
// leave it (the schema's defaults unset).
export type FlowJson = Flow;
export type FlowJsonInput = FlowInput;
export type FlowNodeJson = FlowNode;
export type FlowEdgeJson = FlowEdge;
/** The flow without its graph: what the canvas keeps beside its nodes and edges. */
export type FlowMeta = Omit<Flow, 'nodes' | 'edges'>;
export type FlowFallback = NonNullable<Flow['fallback']>;
/** A node's error path (the flow schema's `onError`): stop, continue through `port` with `output`, or the `error` port. */
export type NodeOnError = OnError;
export type NodeRetry = RetryPolicy;

/** The output port every node gets when its on-error action is `error` (the engine's). */
export { ERROR_PORT, upstreamNodeIds } from '@/engine/graph';

export type BlockNodeData = {
  /** Block id, optionally pinned: `cdp.lookup` or `cdp.lookup@1`. */
  type: string;
  label?: string;
  params: Record<string, unknown>;
  onError?: NodeOnError;
  retry?: NodeRetry;
};

export type BlockNode = Node<BlockNodeData, 'block'>;
export type PortEdge = Edge;

export const TARGET_HANDLE = 'in';

export interface CanvasDoc { meta: FlowMeta; nodes: BlockNode[]; edges: PortEdge[] }

export function flowToCanvas(flow: FlowJsonInput): CanvasDoc {
  const meta: FlowMeta = { schemaVersion: 1, name: flow.name, automation: flow.automation, options: flow.options ?? {} };
  if (flow.description !== undefined) meta.description = flow.description;
  if (flow.fallback !== undefined) meta.fallback = { ...flow.fallback, status: flow.fallback.status ?? 200 };
  if (flow.recording !== undefined) meta.recording = flow.recording;
  if (flow.deadlineMs !== undefined) meta.deadlineMs = flow.deadlineMs;
  const nodes: BlockNode[] = flow.nodes.map((n) => ({
    id: n.id,
    type: 'block',
    position: { x: n.position?.x ?? 0, y: n.position?.y ?? 0 },
    data: { type: n.type, ...(n.label !== undefined ? { label: n.label } : {}), params: n.params ?? {}, ...(n.onError ? { onError: { ...n.onError, action: n.onError.action ?? 'stop' } } : {}), ...(n.retry ? { retry: { ...n.retry, backoffMs: n.retry.backoffMs ?? 200 } } : {}) },
  }));
  const edges: PortEdge[] = (flow.edges ?? []).map((e) => ({
    id: e.id, source: e.source, sourceHandle: e.sourcePort ?? 'out', target: e.target, targetHandle: TARGET_HANDLE,
  }));
  return { meta, nodes, edges };
}

export function canvasToFlow(doc: CanvasDoc): FlowJson {
  const { meta } = doc;
  const flow: FlowJson = {
    schemaVersion: 1,
    name: meta.name,
    automation: meta.automation,
    ...(meta.description !== undefined ? { description: meta.description } : {}),
    nodes: doc.nodes.map((n) => ({
      id: n.id,
      type: n.data.type,
      ...(n.data.label !== undefined ? { label: n.data.label } : {}),
      params: n.data.params,
      position: { x: n.position.x, y: n.position.y },
      ...(n.data.onError ? { onError: n.data.onError } : {}),
      ...(n.data.retry ? { retry: n.data.retry } : {}),
    })),
    edges: doc.edges.map((e) => ({ id: e.id, source: e.source, sourcePort: e.sourceHandle ?? 'out', target: e.target })),
    options: meta.options,
    ...(meta.fallback ? { fallback: meta.fallback } : {}),
    ...(meta.recording ? { recording: meta.recording } : {}),
    ...(meta.deadlineMs !== undefined ? { deadlineMs: meta.deadlineMs } : {}),
  };
  return flow;
}

/** `steps.<id>` must stay readable: `cdp.lookup` → `lookup`, `respond.json` → `respond`, then `_2`, `_3` … */
export function newNodeId(blockId: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const parts = blockId.split('.');
  const generic = new Set(['json', 'webhook', 'request', 'http']);
  let base = parts.length > 1 && !generic.has(parts[parts.length - 1]) ? parts[parts.length - 1] : parts[0];
  base = base.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!/^[A-Za-z_]/.test(base)) base = `n_${base}`;
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

export function newEdgeId(source: string, port: string, target: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = `e_${source}_${port}_${target}`;
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Params a new node starts with: every declared default (the trigger also gets the block's example payload). */
export function defaultParams(block: BlockInfo): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(block.params.properties ?? {})) {
    if ((s as JsonSchema).default !== undefined) params[key] = structuredClone((s as JsonSchema).default);
  }
  if (block.isTrigger && block.example !== undefined && block.params.properties?.example && params.example === undefined) params.example = structuredClone(block.example);
  return params;
}

/** The first spot at or below `want` where a node of about `size` does not overlap another one. */
export function freePosition(nodes: readonly { position: XYPosition }[], want: XYPosition, size = { w: 210, h: 130 }): XYPosition {
  let p = { ...want };
  for (let i = 0; i < 100; i++) {
    if (!nodes.some((n) => Math.abs(n.position.x - p.x) < size.w && Math.abs(n.position.y - p.y) < size.h)) return p;
    p = { x: p.x, y: p.y + size.h + 10 };
  }
  return p;
}

export function createNode(block: BlockInfo, position: XYPosition, takenIds: Iterable<string>): BlockNode {
  return { id: newNodeId(block.id, takenIds), type: 'block', position, data: { type: block.id, params: defaultParams(block) } };
}

/** The node's output ports: its block's, plus `error` when its on-error setting routes failures there (the engine's rule). */
export function nodePorts(block: BlockInfo | undefined, data: Pick<BlockNodeData, 'onError'>): readonly { id: string; label: string }[] {
  return nodeOutputPorts(block?.ports ?? [{ id: 'out', label: 'next' }], data.onError);
}

export interface ConnectionAttempt { source: string; sourceHandle?: string | null; target: string }

export function nodeName(n: { id: string; data: BlockNodeData } | undefined, fallback = '?'): string {
  return n ? (n.data.label || n.id) : fallback;
}

/** Why the canvas refuses this edge, or null when it may be drawn. */
export function checkConnection(doc: Pick<CanvasDoc, 'nodes' | 'edges'>, blocks: readonly BlockInfo[], c: ConnectionAttempt): string | null {
  const src = doc.nodes.find((n) => n.id === c.source);
  const tgt = doc.nodes.find((n) => n.id === c.target);
  if (!src || !tgt) return 'Connect an output to another block';
  const port = c.sourceHandle ?? 'out';
  if (c.source === c.target) return `"${nodeName(src)}" cannot connect to itself`;
  if (findBlock(blocks, tgt.data.type)?.isTrigger) return `Nothing can connect into a trigger ("${nodeName(tgt)}" starts the flow)`;
  const srcBlock = findBlock(blocks, src.data.type);
  const ports = nodePorts(srcBlock, src.data);
  if (srcBlock && !ports.some((p) => p.id === port)) return `"${nodeName(src)}" has no output "${port}"`;
  if (doc.edges.some((e) => e.source === c.source && (e.sourceHandle ?? 'out') === port && e.target === c.target)) {
    const label = ports.find((p) => p.id === port)?.label ?? port;
    return `The "${label}" output of "${nodeName(src)}" is already wired to "${nodeName(tgt)}"`;
  }
  if (wouldLoop(doc.edges, c.source, c.target)) return `That would make a loop: "${nodeName(tgt)}" already leads to "${nodeName(src)}"`;
  return null;
}

const fmt = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.length}]`;
  return `{${Object.keys(v).slice(0, 3).join(', ')}${Object.keys(v).length > 3 ? ', …' : ''}}`;
};

/** One line for the canvas node: the set params in declaration order (`phone: =trigger.phone`). */
export function summarizeParams(block: BlockInfo | undefined, params: Record<string, unknown>, max = 60): string {
  if (!block) return '';
  let text: string;
  if (block.isTrigger && Array.isArray(params.fields)) {
    const paths = (params.fields as { path?: string }[]).map((f) => f.path).filter(Boolean);
    text = paths.length ? `expects ${paths.join(', ')}` : 'POST …/automations/{name}';
  } else {
    const keys = Object.keys(block.params.properties ?? {});
    for (const k of Object.keys(params)) if (!keys.includes(k)) keys.push(k);
    const empty = (v: unknown) => v === undefined || v === '' || (Array.isArray(v) ? v.length === 0 : !!v && typeof v === 'object' && Object.keys(v).length === 0);
    text = keys.filter((k) => !empty(params[k])).map((k) => `${k}: ${fmt(params[k])}`).join(' · ');
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface Clipboard { nodes: BlockNode[]; edges: PortEdge[] }

/** Selected nodes and the edges between them. */
export function copySelection(doc: Pick<CanvasDoc, 'nodes' | 'edges'>): Clipboard | null {
  const nodes = doc.nodes.filter((n) => n.selected);
  if (!nodes.length) return null;
  const ids = new Set(nodes.map((n) => n.id));
  return {
    nodes: nodes.map((n) => structuredClone({ id: n.id, type: n.type, position: n.position, data: n.data }) as BlockNode),
    edges: doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ ...e, selected: false })),
  };
}

/** Copies with fresh ids, offset, selected; references between pasted nodes (`steps.<old>`) follow the new ids. */
export function pasteClipboard(doc: Pick<CanvasDoc, 'nodes' | 'edges'>, clip: Clipboard, blocks: readonly BlockInfo[], offset = 40): { nodes: BlockNode[]; edges: PortEdge[]; skipped: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const edgeIds = new Set(doc.edges.map((e) => e.id));
  const hasTrigger = doc.nodes.some((n) => findBlock(blocks, n.data.type)?.isTrigger);
  const rename = new Map<string, string>();
  const skipped: string[] = [];
  const nodes: BlockNode[] = [];
  for (const n of clip.nodes) {
    if (hasTrigger && findBlock(blocks, n.data.type)?.isTrigger) { skipped.push(n.id); continue; }
    const id = newNodeId(n.id.replace(/_\d+$/, ''), taken);
    taken.add(id);
    rename.set(n.id, id);
  }
  for (const n of clip.nodes) {
    const id = rename.get(n.id);
    if (!id) continue;
    nodes.push({ id, type: 'block', position: { x: n.position.x + offset, y: n.position.y + offset }, selected: true, data: { ...structuredClone(n.data), params: renameStepRefs(structuredClone(n.data.params), rename) as Record<string, unknown> } });
  }
  const edges: PortEdge[] = [];
  for (const e of clip.edges) {
    const s = rename.get(e.source); const t = rename.get(e.target);
    if (!s || !t) continue;
    const id = newEdgeId(s, e.sourceHandle ?? 'out', t, edgeIds);
    edgeIds.add(id);
    edges.push({ id, source: s, sourceHandle: e.sourceHandle ?? 'out', target: t, targetHandle: TARGET_HANDLE });
  }
  return { nodes, edges, skipped };
}

function renameStepRefs(v: unknown, rename: Map<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\bsteps\.([A-Za-z_][A-Za-z0-9_-]*)/g, (m, id: string) => (rename.has(id) ? `steps.${rename.get(id)}` : m));
  if (Array.isArray(v)) return v.map((x) => renameStepRefs(x, rename));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renameStepRefs(x, rename)]));
  return v;
}

/** `0.19` → `0.2 ms`, `11.01` → `11 ms`, `1534` → `1.5 s`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Math.round(ms / 100) / 10} s`;
}
