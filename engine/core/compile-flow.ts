// Validates a flow against the block registry once and precompiles every param expression,
// so running it does no parsing. The result is cached by the host per (customer, automation, version).
import { z } from 'zod';
import { humanizeParam, type AnyBlock } from './define-block';
import { PatchbayError } from './errors';
import { compileValue, expressionSources, isExpression, type CompiledValue } from './expressions';
import { findCycle, reachableFrom } from './flow-graph';
import { ERROR_PORT, flowSchema, type Flow, type FlowNode, type OnError, type RetryPolicy } from './flow-schema';
import { migrateFlow, type BlockMigration } from './migrate-flow';

export interface BlockLookup {
  get(type: string): AnyBlock | undefined;
  /** Retired block ids and their successors: a stored flow using them is migrated before validation. */
  migrations?: Record<string, BlockMigration>;
}

export interface CompiledNode {
  id: string;
  /** What people call the node: its label, else its block's title. */
  name: string;
  block: AnyBlock;
  onError: OnError['action'];
  /** `continue`: the output recorded instead of the block's, and the port followed. */
  errorOutput?: CompiledValue;
  errorContinuePort?: string;
  retry?: RetryPolicy;
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
  /** The flow's fallback answer when a run fails before a respond block answered. */
  fallback?: { status: number; body: CompiledValue };
}

/** The node's name as the editor shows it. */
export const nodeName = (n: Pick<FlowNode, 'id' | 'label'>, block?: AnyBlock) => n.label || block?.title || n.id;

/** Names that n8n, Make or Zapier users type out of habit; JSONata reads them as unbound variables (nothing). */
const FOREIGN_VARIABLES = /\$(json|node|input|item|items|binary|env|vars|parameter|workflow|execution|prevNode|now|today)\b(?!\s*\()/;

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
    const name = nodeName(n, block);
    issues.push(...checkParams(block, n.params, ['nodes', i, 'params'], n.id, name));
    issues.push(...checkReferences(n.params, ['nodes', i, 'params'], n.id, name, ids, flow));
    if (n.retry && n.retry.count > 0 && !block.idempotent && !block.isTrigger) {
      issues.push({ path: ['nodes', i, 'retry'], nodeId: n.id, message: `${name} → Retries: "${block.title}" may not be safe to run twice, so it cannot retry` });
    }
    if (n.onError && n.onError.action !== 'stop' && block.isTrigger) {
      issues.push({ path: ['nodes', i, 'onError'], nodeId: n.id, message: `${name} → On error: a trigger cannot fail over` });
    }
    if (n.onError?.port !== undefined && !block.ports.some((p) => p.id === n.onError!.port)) {
      issues.push({ path: ['nodes', i, 'onError', 'port'], nodeId: n.id, message: `${name} → On error: "${block.title}" has no output "${n.onError.port}" to continue through` });
    }
    if (n.onError?.output !== undefined) {
      try { compileValue(n.onError.output, ['nodes', i, 'onError', 'output']); } catch (err) { issues.push({ path: ['nodes', i, 'onError', 'output'], nodeId: n.id, message: `${name} → On error output: ${(err as Error).message}` }); }
    }
  });
  if (flow.fallback?.body !== undefined) {
    try { compileValue(flow.fallback.body, ['fallback', 'body']); } catch (err) { issues.push({ path: ['fallback', 'body'], message: `Fallback answer: ${(err as Error).message}` }); }
    issues.push(...checkReferences({ body: flow.fallback.body }, ['fallback'], undefined, 'Fallback answer', ids, flow));
  }
  const triggers = flow.nodes.filter((n) => registry.get(n.type)?.isTrigger);
  if (triggers.length !== 1) issues.push({ path: ['nodes'], message: triggers.length === 0 ? 'The flow has no trigger' : 'A flow has exactly one trigger' });

  flow.edges.forEach((e, i) => {
    const src = flow.nodes.find((n) => n.id === e.source);
    if (!src) issues.push({ path: ['edges', i, 'source'], message: `Edge ${e.id} starts at unknown node "${e.source}"` });
    if (!ids.has(e.target)) issues.push({ path: ['edges', i, 'target'], message: `Edge ${e.id} ends at unknown node "${e.target}"` });
    const block = src && registry.get(src.type);
    const errorPort = e.sourcePort === ERROR_PORT && src?.onError?.action === 'error';
    if (block && !errorPort && e.sourcePort === ERROR_PORT && !block.ports.some((p) => p.id === e.sourcePort)) {
      issues.push({ path: ['edges', i, 'sourcePort'], nodeId: src.id, message: `${nodeName(src, block)}: its error output is connected, but On error is not set to "go to the error output"` });
    } else if (block && !errorPort && !block.ports.some((p) => p.id === e.sourcePort)) {
      issues.push({ path: ['edges', i, 'sourcePort'], nodeId: src.id, message: `"${src.id}" has no output "${e.sourcePort}" (it has ${block.ports.map((p) => p.id).join(', ') || 'none'})` });
    }
    const tgt = flow.nodes.find((n) => n.id === e.target);
    if (tgt && registry.get(tgt.type)?.isTrigger) issues.push({ path: ['edges', i, 'target'], nodeId: tgt.id, message: 'Nothing can connect into a trigger' });
    if (e.source === e.target) issues.push({ path: ['edges', i], nodeId: e.source, message: 'A node cannot connect to itself' });
  });

  if (triggers.length === 1 && issues.length === 0) {
    const reach = reachableFrom(flow.edges, triggers[0].id);
    flow.nodes.forEach((n, i) => {
      if (!reach.has(n.id)) issues.push({ path: ['nodes', i], nodeId: n.id, message: `"${n.label ?? n.id}" is not connected to the trigger` });
    });
    const cycle = findCycle(flow.nodes.map((n) => n.id), flow.edges);
    if (cycle) issues.push({ path: ['edges'], nodeId: cycle, message: `The flow loops back into "${cycle}"; loops are not allowed` });
  }
  return { flow, issues, ...(migrated.changes.length ? { migrations: migrated.changes } : {}) };
}

function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function checkParams(block: AnyBlock, params: Record<string, unknown>, path: (string | number)[], nodeId: string, name: string): FlowIssue[] {
  const issues: FlowIssue[] = [];
  const shape = block.params instanceof z.ZodObject ? (block.params.shape as Record<string, z.ZodType>) : null;
  if (!shape) return issues;
  for (const [key, field] of Object.entries(shape)) {
    const value = params[key];
    const label = `${name} → ${humanizeParam(key)}`;
    try {
      compileValue(value, [...path, key]);
    } catch (err) {
      issues.push({ path: [...path, key], nodeId, message: `${label}: ${(err as Error).message.replace(/^Expression at \S+ /, 'the expression ')}` });
      continue;
    }
    if (block.required?.includes(key) && (isEmptyValue(value) || value === '=')) {
      issues.push({ path: [...path, key], nodeId, message: `${label} is required` });
      continue;
    }
    if (typeof value === 'string' && value.trim() === '=') {
      issues.push({ path: [...path, key], nodeId, message: `${label}: the expression after "=" is empty` });
      continue;
    }
    if (containsExpression(value)) continue;
    const r = field.safeParse(value);
    if (!r.success) {
      const first = r.error.issues[0];
      const sub = (first.path as (string | number)[]);
      issues.push({
        path: [...path, key, ...sub],
        nodeId,
        message: value === undefined ? `${label} is required` : `${label}${sub.length ? ` (${sub.join('.')})` : ''}: ${first.message}`,
      });
    }
  }
  return issues;
}

/** Expressions that name steps the flow does not have, or variables from other tools (`$json`), are mistakes. */
function checkReferences(params: unknown, path: (string | number)[], nodeId: string | undefined, name: string, ids: Set<string>, flow: Flow): FlowIssue[] {
  const issues: FlowIssue[] = [];
  const all = new Set(flow.nodes.map((n) => n.id));
  for (const [src, at] of expressionSources(params, path)) {
    const field = typeof at[path.length] === 'string' ? humanizeParam(String(at[path.length])) : 'value';
    for (const m of src.matchAll(/\bsteps\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*["']([^"']+)["']\s*\])/g)) {
      const ref = m[1] ?? m[2];
      if (!all.has(ref) && !ids.has(ref)) issues.push({ path: at, nodeId, message: `${name} → ${field}: there is no step "${ref}" in this flow (${[...all].join(', ')})` });
      else if (ref === nodeId) issues.push({ path: at, nodeId, message: `${name} → ${field}: a step cannot read its own output` });
    }
    const foreign = FOREIGN_VARIABLES.exec(src);
    if (foreign) issues.push({ path: at, nodeId, message: `${name} → ${field}: "$${foreign[1]}" means nothing here; use trigger.…, steps.<id>.…, options.… or customer.…` });
  }
  return issues;
}

function containsExpression(v: unknown): boolean {
  if (isExpression(v)) return true;
  if (Array.isArray(v)) return v.some(containsExpression);
  if (v && typeof v === 'object') return Object.values(v).some(containsExpression);
  return false;
}

export function compileFlow(input: unknown, registry: BlockLookup): CompiledFlow {
  const { flow, issues } = validateFlow(input, registry);
  if (!flow || issues.length) {
    const first = issues[0];
    // A message that names its step says where it is; only flow-level problems get their path.
    const where = first.nodeId || !first.path.length ? '' : ` (at ${first.path.join('.')})`;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw new PatchbayError('invalid_flow', `Invalid flow: ${first.message}${where}${more}`, { path: first.path, nodeId: first.nodeId, details: issues });
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
    const onError = n.onError?.action ?? 'stop';
    nodes.set(n.id, {
      id: n.id, name: nodeName(n, block), block, params, staticParams: params.isStatic, next, onError,
      errorOutput: onError === 'continue' && n.onError?.output !== undefined ? compileValue(n.onError.output, ['nodes', n.id, 'onError', 'output']) : undefined,
      errorContinuePort: onError === 'continue' ? n.onError?.port ?? block.ports[0]?.id : undefined,
      retry: n.retry && n.retry.count > 0 ? n.retry : undefined,
    });
  }
  const fallback = flow.fallback ? { status: flow.fallback.status, body: compileValue(flow.fallback.body ?? null, ['fallback', 'body']) } : undefined;
  return { flow, triggerId, nodes, fallback };
}
