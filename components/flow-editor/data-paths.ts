// Which data an expression in a node's params can reach, for autocomplete: the trigger payload (from its
// example and declared fields), outputs of upstream steps (from their output schemas), options, customer, run.
import { findBlock, type BlockInfo, type JsonSchema } from './block-catalog';
import { upstreamNodeIds } from '@/engine/graph';
import type { FlowJson } from './flow-mapping';

export interface DataPath { path: string; detail: string }

const MAX_DEPTH = 4;

function valuePaths(prefix: string, v: unknown, depth: number, out: DataPath[]): void {
  const t = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  out.push({ path: prefix, detail: t === 'object' ? 'object' : `${t}${t === 'string' || t === 'number' || t === 'boolean' ? ` e.g. ${JSON.stringify(v).slice(0, 30)}` : ''}` });
  if (depth >= MAX_DEPTH || !v || typeof v !== 'object' || Array.isArray(v)) return;
  for (const [k, x] of Object.entries(v)) valuePaths(`${prefix}.${k}`, x, depth + 1, out);
}

function schemaType(s: JsonSchema): string {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(schemaType).join(' | ');
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return s.type ?? 'any';
}

function schemaPaths(prefix: string, s: JsonSchema, depth: number, out: DataPath[]): void {
  out.push({ path: prefix, detail: s.description ?? schemaType(s) });
  if (depth >= MAX_DEPTH) return;
  const objects = [s, ...(s.anyOf ?? []), ...(s.oneOf ?? [])].filter((x) => x.properties);
  for (const o of objects) for (const [k, x] of Object.entries(o.properties!)) schemaPaths(`${prefix}.${k}`, x, depth + 1, out);
}

/** Every path an expression in node `nodeId` can use, in a stable order; deduplicated by path. */
export function collectDataPaths(flow: Pick<FlowJson, 'nodes' | 'edges' | 'options'>, blocks: readonly BlockInfo[], nodeId: string | null): DataPath[] {
  const out: DataPath[] = [];
  const trigger = flow.nodes.find((n) => findBlock(blocks, n.type)?.isTrigger);
  if (trigger) {
    const block = findBlock(blocks, trigger.type);
    const example = trigger.params.example ?? block?.example;
    if (example && typeof example === 'object' && !Array.isArray(example)) {
      for (const [k, v] of Object.entries(example)) valuePaths(`trigger.${k}`, v, 1, out);
    }
    if (Array.isArray(trigger.params.fields)) {
      for (const f of trigger.params.fields as { path?: string; type?: string; description?: string }[]) {
        if (f.path) out.push({ path: `trigger.${f.path}`, detail: f.description ?? f.type ?? 'string' });
      }
    }
  }
  const upstream = nodeId ? upstreamNodeIds(flow.edges, nodeId) : flow.nodes.map((n) => n.id);
  for (const id of upstream) {
    const n = flow.nodes.find((x) => x.id === id);
    const block = n && findBlock(blocks, n.type);
    if (!n || !block || block.isTrigger) continue;
    schemaPaths(`steps.${id}`, block.output, 1, out);
  }
  for (const [k, v] of Object.entries(flow.options ?? {})) valuePaths(`options.${k}`, v, 1, out);
  out.push({ path: 'customer.id', detail: 'the customer this run is for' });
  out.push({ path: 'customer.defaultCountry', detail: 'two-letter country code' });
  out.push({ path: 'run.id', detail: 'this run' });
  out.push({ path: 'run.mode', detail: 'live or test' });
  const seen = new Set<string>();
  return out.filter((p) => (seen.has(p.path) ? false : (seen.add(p.path), true)));
}

/** The path fragment being typed at `caret` inside an expression (`=steps.loo|` → `steps.loo`, also inside a
 * JSON string such as `"=steps.loo|`), or null outside one. */
export function tokenAt(text: string, caret: number): { token: string; start: number } | null {
  const before = text.slice(0, caret);
  let inExpr = before.startsWith('=');
  if (!inExpr) {
    const open = before.lastIndexOf('{{');
    inExpr = open !== -1 && before.indexOf('}}', open) === -1;
  }
  // Inside a JSON string value that is an expression: { "name": "=steps.lo|
  if (!inExpr) inExpr = /"=[^"]*$/.test(before);
  if (!inExpr) return null;
  const m = /[A-Za-z_$][A-Za-z0-9_$.-]*$/.exec(before);
  const token = m ? m[0] : '';
  return { token, start: caret - token.length };
}

/** Paths that continue `token`, closest first (direct children before deeper ones). */
export function suggestPaths(paths: readonly DataPath[], token: string, limit = 12): DataPath[] {
  const t = token.toLowerCase();
  const hits = paths.filter((p) => p.path.toLowerCase().startsWith(t) && p.path.toLowerCase() !== t);
  const depth = (p: string) => p.split('.').length;
  return hits.sort((a, b) => depth(a.path) - depth(b.path)).slice(0, limit);
}
