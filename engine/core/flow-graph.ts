// The graph rules of a flow, once: which output ports a node has, what reaches what, loops. The engine's
// validation (compile-flow.ts) and the editor's canvas (components/flow-editor/flow-mapping.ts) both use these,
// so the canvas refuses exactly the wiring the server would refuse.
import { ERROR_PORT, type OnError } from './flow-schema';

/** The least an edge needs for the graph rules: the canvas's edges and the flow's both have it. */
export interface GraphEdge { source: string; target: string }
export interface PortInfo { id: string; label: string }

/** A node's output ports: its block's, plus `error` when its on-error setting routes failures there. */
export function nodeOutputPorts<P extends PortInfo>(blockPorts: readonly P[], onError: Pick<OnError, 'action'> | undefined): readonly (P | PortInfo)[] {
  if (onError?.action !== 'error' || blockPorts.some((p) => p.id === ERROR_PORT)) return blockPorts;
  return [...blockPorts, { id: ERROR_PORT, label: 'on error' }];
}

/** Every node reachable from `start` along the edges (start included). */
export function reachableFrom(edges: readonly GraphEdge[], start: string): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    for (const e of edges) if (e.source === id && !seen.has(e.target)) { seen.add(e.target); stack.push(e.target); }
  }
  return seen;
}

/** Whether an edge from → to would close a loop: `to` already leads to `from` (or they are the same node). */
export function wouldLoop(edges: readonly GraphEdge[], from: string, to: string): boolean {
  return reachableFrom(edges, to).has(from);
}

/** Nodes upstream of `nodeId` (every node whose output can reach it), nearest first. */
export function upstreamNodeIds(edges: readonly GraphEdge[], nodeId: string): string[] {
  const out: string[] = [];
  const seen = new Set([nodeId]);
  const queue = [nodeId];
  while (queue.length) {
    const id = queue.shift()!;
    for (const e of edges) if (e.target === id && !seen.has(e.source)) { seen.add(e.source); out.push(e.source); queue.push(e.source); }
  }
  return out;
}

/** A node the edges loop back into, or null when the graph has no loop. */
export function findCycle(nodeIds: Iterable<string>, edges: readonly GraphEdge[]): string | null {
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): string | null => {
    state.set(id, 1);
    for (const e of edges) {
      if (e.source !== id) continue;
      const s = state.get(e.target);
      if (s === 1) return e.target;
      if (!s) { const c = visit(e.target); if (c) return c; }
    }
    state.set(id, 2);
    return null;
  };
  for (const id of nodeIds) if (!state.has(id)) { const c = visit(id); if (c) return c; }
  return null;
}
