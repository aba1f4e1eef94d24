// Two versions of a flow, compared in words for the "Compare" view:
// added/removed nodes, changed params (`lookup.phone: "=a" → "=b"`), rewired edges, moved nodes.
import type { FlowEdgeJson, FlowJsonInput, FlowNodeJson } from './flow-mapping';

const show = (v: unknown): string => (v === undefined ? '(unset)' : JSON.stringify(v));

/** Leaf-by-leaf differences of two JSON values, as `path: old → new` (arrays compared by index). */
export function diffValues(path: string, a: unknown, b: unknown, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const isObj = (v: unknown) => v !== null && typeof v === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (i >= a.length) out.push(`${path}[${i}]: added ${show(b[i])}`);
        else if (i >= b.length) out.push(`${path}[${i}]: removed ${show(a[i])}`);
        else diffValues(`${path}[${i}]`, a[i], b[i], out);
      }
      return;
    }
    const ao = a as Record<string, unknown>; const bo = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) diffValues(`${path}.${k}`, ao[k], bo[k], out);
    return;
  }
  out.push(`${path}: ${show(a)} → ${show(b)}`);
}

const edgeWords = (e: { source: string; sourcePort?: string; target: string }) => `${e.source} (${e.sourcePort ?? 'out'}) → ${e.target}`;

export interface FlowDiff {
  lines: string[];
  added: string[];
  removed: string[];
  changed: string[];
  rewired: string[];
}

/** What changed from `a` to `b`, one sentence per change; `lines` is empty when they mean the same. */
export function describeFlowDiff(a: FlowJsonInput, b: FlowJsonInput): FlowDiff {
  const added: string[] = []; const removed: string[] = []; const changed: string[] = []; const rewired: string[] = [];
  for (const k of ['name', 'automation', 'description'] as const) {
    if ((a[k] ?? undefined) !== (b[k] ?? undefined)) changed.push(`Flow ${k}: ${show(a[k])} → ${show(b[k])}`);
  }
  const optionLines: string[] = [];
  diffValues('options', a.options ?? {}, b.options ?? {}, optionLines);
  changed.push(...optionLines);
  diffValues('fallback', a.fallback, b.fallback, changed);
  diffValues('recording', a.recording, b.recording, changed);
  diffValues('deadlineMs', a.deadlineMs, b.deadlineMs, changed);

  const an = new Map(a.nodes.map((n) => [n.id, n]));
  const bn = new Map(b.nodes.map((n) => [n.id, n]));
  for (const [id, n] of bn) if (!an.has(id)) added.push(`Added node ${id} (${n.type})`);
  for (const [id, n] of an) if (!bn.has(id)) removed.push(`Removed node ${id} (${n.type})`);
  let moved = 0;
  for (const [id, x] of an) {
    const y = bn.get(id);
    if (!y) continue;
    if (x.type !== y.type) changed.push(`${id}: block ${x.type} → ${y.type}`);
    if ((x.label ?? undefined) !== (y.label ?? undefined)) changed.push(`${id}.label: ${show(x.label)} → ${show(y.label)}`);
    const params: string[] = [];
    diffValues(id, (x as FlowNodeJson).params ?? {}, (y as FlowNodeJson).params ?? {}, params);
    changed.push(...params);
    diffValues(`${id}.onError`, x.onError, y.onError, changed);
    diffValues(`${id}.retry`, x.retry, y.retry, changed);
    const px = x.position ?? { x: 0, y: 0 }; const py = y.position ?? { x: 0, y: 0 };
    if (px.x !== py.x || px.y !== py.y) moved++;
  }

  const key = (e: { source: string; sourcePort?: string; target: string }) => `${e.source}\u0000${e.sourcePort ?? 'out'}\u0000${e.target}`;
  const ae = new Map((a.edges ?? []).map((e) => [key(e), e]));
  const be = new Map((b.edges ?? []).map((e) => [key(e), e]));
  const gone = [...ae.entries()].filter(([k]) => !be.has(k)).map(([, e]) => e);
  const fresh = [...be.entries()].filter(([k]) => !ae.has(k)).map(([, e]) => e);
  for (const g of [...gone]) {
    const i = fresh.findIndex((f) => f.source === g.source && (f.sourcePort ?? 'out') === (g.sourcePort ?? 'out'));
    if (i === -1) continue;
    const f = fresh[i];
    rewired.push(`Rewired ${g.source} (${g.sourcePort ?? 'out'}): ${g.target} → ${f.target}`);
    fresh.splice(i, 1);
    gone.splice(gone.indexOf(g), 1);
  }
  for (const e of fresh as FlowEdgeJson[]) added.push(`Connected ${edgeWords(e)}`);
  for (const e of gone as FlowEdgeJson[]) removed.push(`Disconnected ${edgeWords(e)}`);

  const lines = [...added, ...removed, ...changed, ...rewired];
  if (moved) lines.push(`Moved ${moved} node${moved === 1 ? '' : 's'} on the canvas`);
  return { lines, added, removed, changed, rewired };
}
