// Validates a flow against the block registry once and precompiles every param expression,
// so running it does no parsing. The result is cached by the host per (customer, automation, version).
import { z } from 'zod';
import type { AnyBlock } from './define-block';
import { PatchbayError } from './errors';
import { compileValue, isExpression, type CompiledValue } from './expressions';
import { flowSchema, type Flow } from './flow-schema';
import { migrateFlow, type BlockMigration } from './migrate-flow';

export interface BlockLookup {
  get(type: string): AnyBlock | undefined;
  /** Retired block ids and their successors: a stored flow using them is migrated before validation. */
  migrations?: Record<string, BlockMigration>;
}

export interface CompiledNode {
  id: string;
  block: AnyBlock;
  params: CompiledValue;
  /** Static params already validated at compile time skip re-validation at run time. */
  staticParams: boolean;
  /** Outgoing targets by port. */
  next: Map<string, string[]>;
}

export interface CompiledFlow {
  flow: Flow;
  triggerId: string;
  nodes: Map<string, CompiledNode>;
}

export interface FlowIssue {
  path: (string | number)[];
  nodeId?: string;
  message: string;
}

/** Every problem in a flow, for the editor to mark; empty when the flow can run. */
export function validateFlow(input: unknown, registry: BlockLookup): { flow?: Flow; issues: FlowIssue[]; migrations?: string[] } {
  const migrated = registry.migrations ? migrateFlow(input, registry.migrations) : { flow: input, changes: [] };
  const parsed = flowSchema.safeParse(migrated.flow);
  if (!parsed.success) {
    return { issues: parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })) };
  }
  const flow = parsed.data;
  const issues: FlowIssue[] = [];
  const ids = new Set<string>();
  flow.nodes.forEach((n, i) => {
    if (ids.has(n.id)) issues.push({ path: ['nodes', i, 'id'], nodeId: n.id, message: `Duplicate node id "${n.id}"` });
    ids.add(n.id);
    const block = registry.get(n.type);
    if (!block) {
      issues.push({ path: ['nodes', i, 'type'], nodeId: n.id, message: `Unknown block "${n.type}"` });
      return;
    }
    issues.push(...checkParams(block, n.params, ['nodes', i, 'params'], n.id));
  });
  const triggers = flow.nodes.filter((n) => registry.get(n.type)?.isTrigger);
  if (triggers.length !== 1) issues.push({ path: ['nodes'], message: triggers.length === 0 ? 'The flow has no trigger' : 'A flow has exactly one trigger' });

  flow.edges.forEach((e, i) => {
    const src = flow.nodes.find((n) => n.id === e.source);
    if (!src) issues.push({ path: ['edges', i, 'source'], message: `Edge ${e.id} starts at unknown node "${e.source}"` });
    if (!ids.has(e.target)) issues.push({ path: ['edges', i, 'target'], message: `Edge ${e.id} ends at unknown node "${e.target}"` });
    const block = src && registry.get(src.type);
    if (block && !block.ports.some((p) => p.id === e.sourcePort)) {
      issues.push({ path: ['edges', i, 'sourcePort'], nodeId: src.id, message: `"${src.id}" has no output "${e.sourcePort}" (it has ${block.ports.map((p) => p.id).join(', ') || 'none'})` });
    }
    const tgt = flow.nodes.find((n) => n.id === e.target);
    if (tgt && registry.get(tgt.type)?.isTrigger) issues.push({ path: ['edges', i, 'target'], nodeId: tgt.id, message: 'Nothing can connect into a trigger' });
    if (e.source === e.target) issues.push({ path: ['edges', i], nodeId: e.source, message: 'A node cannot connect to itself' });
  });

  if (triggers.length === 1 && issues.length === 0) {
    const reach = reachableFrom(triggers[0].id, flow);
    flow.nodes.forEach((n, i) => {
      if (!reach.has(n.id)) issues.push({ path: ['nodes', i], nodeId: n.id, message: `"${n.label ?? n.id}" is not connected to the trigger` });
    });
    const cycle = findCycle(flow);
    if (cycle) issues.push({ path: ['edges'], nodeId: cycle, message: `The flow loops back into "${cycle}"; loops are not allowed` });
  }
  return { flow, issues, ...(migrated.changes.length ? { migrations: migrated.changes } : {}) };
}

function checkParams(block: AnyBlock, params: Record<string, unknown>, path: (string | number)[], nodeId: string): FlowIssue[] {
  const issues: FlowIssue[] = [];
  const shape = block.params instanceof z.ZodObject ? (block.params.shape as Record<string, z.ZodType>) : null;
  if (!shape) return issues;
  for (const [key, field] of Object.entries(shape)) {
    const value = params[key];
    try {
      compileValue(value, [...path, key]);
    } catch (err) {
      issues.push({ path: [...path, key], nodeId, message: (err as Error).message });
      continue;
    }
    if (containsExpression(value)) continue;
    const r = field.safeParse(value);
    if (!r.success) {
      const first = r.error.issues[0];
      issues.push({
        path: [...path, key, ...(first.path as (string | number)[])],
        nodeId,
        message: value === undefined ? `"${key}" is required` : `"${key}": ${first.message}`,
      });
    }
  }
  return issues;
}

function containsExpression(v: unknown): boolean {
  if (isExpression(v)) return true;
  if (Array.isArray(v)) return v.some(containsExpression);
  if (v && typeof v === 'object') return Object.values(v).some(containsExpression);
  return false;
}

function reachableFrom(start: string, flow: Flow): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    for (const e of flow.edges) if (e.source === id && !seen.has(e.target)) { seen.add(e.target); stack.push(e.target); }
  }
  return seen;
}

function findCycle(flow: Flow): string | null {
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): string | null => {
    state.set(id, 1);
    for (const e of flow.edges) {
      if (e.source !== id) continue;
      const s = state.get(e.target);
      if (s === 1) return e.target;
      if (!s) { const c = visit(e.target); if (c) return c; }
    }
    state.set(id, 2);
    return null;
  };
  for (const n of flow.nodes) if (!state.has(n.id)) { const c = visit(n.id); if (c) return c; }
  return null;
}

export function compileFlow(input: unknown, registry: BlockLookup): CompiledFlow {
  const { flow, issues } = validateFlow(input, registry);
  if (!flow || issues.length) {
    const first = issues[0];
    throw new PatchbayError('invalid_flow', `Invalid flow: ${first.message}${first.path.length ? ` (at ${first.path.join('.')})` : ''}`, { path: first.path, nodeId: first.nodeId, details: issues });
  }
  const nodes = new Map<string, CompiledNode>();
  let triggerId = '';
  for (const n of flow.nodes) {
    const block = registry.get(n.type)!;
    if (block.isTrigger) triggerId = n.id;
    const next = new Map<string, string[]>();
    for (const e of flow.edges) {
      if (e.source !== n.id) continue;
      const list = next.get(e.sourcePort) ?? [];
      list.push(e.target);
      next.set(e.sourcePort, list);
    }
    const params = compileValue(n.params, ['nodes', n.id, 'params']);
    nodes.set(n.id, { id: n.id, block, params, staticParams: params.isStatic, next });
  }
  return { flow, triggerId, nodes };
}
