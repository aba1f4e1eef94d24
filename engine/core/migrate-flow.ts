// Flows saved with blocks that were since replaced keep working: when a flow is loaded, each node of a retired
// block type is rewritten to its successor (new type, params mapped, renamed output ports), and every expression
// that read the old node's output is rewritten to read the same value from the new output. The result lists each
// change in words, so the host can record the migration in the flow's history.

/** How one retired block becomes its successor. */
export interface BlockMigration {
  /** The successor block id. */
  to: string;
  /** The successor's params from the old node's params (literal values and expressions alike). */
  params(old: Record<string, unknown>): Record<string, unknown>;
  /** Old output path → new output path, for expressions reading `steps.<node>.<path>` (longest first is not needed: matched whole). */
  outputs?: [from: string, to: string][];
  /** Old output port → new port (null: edges from that port are dropped). */
  ports?: Record<string, string | null>;
  /** What the migration could not carry over, in words. */
  lost?(old: Record<string, unknown>): string[];
}

export interface FlowMigrationResult<T> {
  flow: T;
  /** One line per migrated node; empty when nothing changed. */
  changes: string[];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Rewrites `steps.<nodeId>.<from>` (and `steps["<nodeId>"]…` is not supported: flows use dotted paths) in every string. */
function rewriteStrings(value: unknown, rewrite: (s: string) => string): unknown {
  if (typeof value === 'string') return rewrite(value);
  if (Array.isArray(value)) return value.map((v) => rewriteStrings(v, rewrite));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteStrings(v, rewrite)]));
  return value;
}

/**
 * Applies `migrations` (keyed by retired block id) to a flow definition. Input that is not a flow-shaped object is
 * returned as is (validation reports it). Never mutates the input.
 */
export function migrateFlow<T>(input: T, migrations: Record<string, BlockMigration>): FlowMigrationResult<T> {
  if (!input || typeof input !== 'object' || !Array.isArray((input as { nodes?: unknown }).nodes)) return { flow: input, changes: [] };
  const flow = input as unknown as { nodes: Record<string, unknown>[]; edges?: Record<string, unknown>[] };
  const changes: string[] = [];
  const outputRewrites: { nodeId: string; pairs: [string, string][] }[] = [];
  const portRewrites = new Map<string, Record<string, string | null>>();
  const nodes = flow.nodes.map((n) => {
    const type = typeof n?.type === 'string' ? n.type.split('@')[0] : '';
    const m = migrations[type];
    if (!m || typeof n.id !== 'string') return n;
    const oldParams = (n.params && typeof n.params === 'object' ? n.params : {}) as Record<string, unknown>;
    const params = Object.fromEntries(Object.entries(m.params(oldParams)).filter(([, v]) => v !== undefined));
    const lost = m.lost?.(oldParams) ?? [];
    changes.push(`${n.id}: ${type} → ${m.to}${lost.length ? ` (not carried over: ${lost.join('; ')})` : ''}`);
    if (m.outputs?.length) outputRewrites.push({ nodeId: n.id, pairs: m.outputs });
    if (m.ports) portRewrites.set(n.id, m.ports);
    return { ...n, type: m.to, params };
  });
  if (!changes.length) return { flow: input, changes };

  const rewrite = (s: string): string => {
    if (!s.includes('steps.')) return s;
    let out = s;
    for (const { nodeId, pairs } of outputRewrites) {
      for (const [from, to] of pairs) {
        // steps.<node>.<from> followed by a path boundary (., [, space, operator, end …), not a longer name.
        const re = new RegExp(`(steps\\.${escapeRe(nodeId)}\\.)${escapeRe(from)}(?![A-Za-z0-9_$])`, 'g');
        out = out.replace(re, `$1${to}`);
      }
    }
    return out;
  };
  const migratedNodes = nodes.map((n) => (n.params ? { ...n, params: rewriteStrings(n.params, rewrite) } : n));
  const edges = (flow.edges ?? []).flatMap((e) => {
    const ports = typeof e.source === 'string' ? portRewrites.get(e.source) : undefined;
    const port = typeof e.sourcePort === 'string' ? e.sourcePort : 'out';
    if (!ports || !(port in ports)) return [e];
    const to = ports[port];
    return to === null ? [] : [{ ...e, sourcePort: to }];
  });
  const options = (flow as { options?: unknown }).options;
  return {
    flow: { ...(flow as object), nodes: migratedNodes, edges, ...(options !== undefined ? { options: rewriteStrings(options, rewrite) } : {}) } as T,
    changes,
  };
}
