// Param expressions: JSONata, evaluated in its own sandbox (no JS eval).
// A string param starting with `=` is one expression whose result keeps its type (`=trigger.phone`);
// a string containing `{{ … }}` is a template whose parts are interpolated as text; anything else is literal.
import jsonata from 'jsonata';
import { PatchbayError } from './errors';

export interface ExpressionScope {
  trigger: unknown;
  steps: Record<string, unknown>;
  options: Record<string, unknown>;
  customer: { id: string; defaultCountry: string };
  run: { id: string; mode: string };
}

type Compiled =
  | { kind: 'literal'; value: unknown }
  | { kind: 'expr'; source: string; expr: jsonata.Expression; path?: string[] }
  | { kind: 'template'; parts: (string | { source: string; expr: jsonata.Expression })[] }
  | { kind: 'object'; entries: [string, Compiled][] }
  | { kind: 'array'; items: Compiled[] };

export interface CompiledValue {
  readonly isStatic: boolean;
  /** The value, synchronously when every part is a literal or a plain path that resolved; else a promise. */
  evaluate(scope: ExpressionScope): unknown;
}

const TEMPLATE = /\{\{([\s\S]+?)\}\}/g;
const PLAIN_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && (value.startsWith('=') || value.includes('{{'));
}

function compileExpr(source: string, path: (string | number)[]): jsonata.Expression {
  try {
    return jsonata(source);
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new PatchbayError('expression_error', `Expression at ${path.join('.') || 'value'} does not parse: ${e.message ?? String(err)}`, { path });
  }
}

function compile(value: unknown, path: (string | number)[]): Compiled {
  if (typeof value === 'string') {
    if (value.startsWith('=')) {
      const source = value.slice(1);
      const trimmed = source.trim();
      return { kind: 'expr', source, expr: compileExpr(source, path), path: PLAIN_PATH.test(trimmed) ? trimmed.split('.') : undefined };
    }
    if (value.includes('{{')) {
      const parts: (string | { source: string; expr: jsonata.Expression })[] = [];
      let last = 0;
      for (const m of value.matchAll(TEMPLATE)) {
        if (m.index! > last) parts.push(value.slice(last, m.index));
        parts.push({ source: m[1].trim(), expr: compileExpr(m[1].trim(), path) });
        last = m.index! + m[0].length;
      }
      if (last < value.length) parts.push(value.slice(last));
      return { kind: 'template', parts };
    }
    return { kind: 'literal', value };
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compile(v, [...path, i]));
    return items.every((i) => i.kind === 'literal') ? { kind: 'literal', value } : { kind: 'array', items };
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compile(v, [...path, k])] as [string, Compiled]);
    return entries.every(([, c]) => c.kind === 'literal') ? { kind: 'literal', value } : { kind: 'object', entries };
  }
  return { kind: 'literal', value };
}

const NEEDS_JSONATA: unique symbol = Symbol('needs JSONata');

/** Own property walk for a plain path; undefined when a step is missing or not a plain object. */
function walk(scope: ExpressionScope, path: string[]): unknown {
  let v: unknown = scope;
  for (const key of path) {
    // Own properties only: `constructor`, `__proto__` … must not reach JavaScript objects.
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * The synchronous evaluation most params get (literals and plain paths such as `trigger.phone`), without a
 * promise per value; NEEDS_JSONATA when any part needs the JSONata evaluator.
 */
function runSync(c: Compiled, scope: ExpressionScope): unknown {
  switch (c.kind) {
    case 'literal':
      return c.value;
    case 'expr': {
      if (!c.path) return NEEDS_JSONATA;
      const v = walk(scope, c.path);
      // Missing values and arrays (which JSONata maps over) are left to JSONata itself.
      return v !== undefined && !Array.isArray(v) ? v : NEEDS_JSONATA;
    }
    case 'template':
      return NEEDS_JSONATA;
    case 'array': {
      const out: unknown[] = [];
      for (const item of c.items) {
        const v = runSync(item, scope);
        if (v === NEEDS_JSONATA) return NEEDS_JSONATA;
        out.push(v);
      }
      return out;
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, item] of c.entries) {
        const v = runSync(item, scope);
        if (v === NEEDS_JSONATA) return NEEDS_JSONATA;
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
  }
}

async function run(c: Compiled, scope: ExpressionScope, path: (string | number)[]): Promise<unknown> {
  switch (c.kind) {
    case 'literal':
      return c.value;
    case 'expr': {
      if (c.path) {
        const v = walk(scope, c.path);
        if (v !== undefined && !Array.isArray(v)) return v;
      }
      return evaluateExpr(c.expr, c.source, scope, path);
    }
    case 'template': {
      let out = '';
      for (const p of c.parts) {
        if (typeof p === 'string') out += p;
        else {
          const v = await evaluateExpr(p.expr, p.source, scope, path);
          out += v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
        }
      }
      return out;
    }
    case 'array':
      return Promise.all(c.items.map((item, i) => run(item, scope, [...path, i])));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of c.entries) {
        const r = await run(v, scope, [...path, k]);
        if (r !== undefined) out[k] = r;
      }
      return out;
    }
  }
}

async function evaluateExpr(expr: jsonata.Expression, source: string, scope: ExpressionScope, path: (string | number)[]): Promise<unknown> {
  try {
    const v = await expr.evaluate(scope);
    return normalizeJsonata(v);
  } catch (err) {
    const e = err as { message?: string };
    throw new PatchbayError('expression_error', `Expression "${source}" at ${path.join('.')} failed: ${e.message ?? String(err)}`, { path });
  }
}

/** JSONata returns arrays tagged with a `sequence` flag; hand blocks plain JSON values. */
function normalizeJsonata(v: unknown): unknown {
  if (Array.isArray(v)) return Array.from(v, normalizeJsonata);
  return v;
}

export function compileValue(value: unknown, path: (string | number)[] = []): CompiledValue {
  const c = compile(value, path);
  return {
    isStatic: c.kind === 'literal',
    evaluate: (scope) => {
      const v = runSync(c, scope);
      return v === NEEDS_JSONATA ? run(c, scope, path) : v;
    },
  };
}

/** Every expression source in a value (`=…` and each `{{ … }}`), with where it sits. */
export function expressionSources(value: unknown, path: (string | number)[] = []): [string, (string | number)[]][] {
  if (typeof value === 'string') {
    if (value.startsWith('=')) return [[value.slice(1), path]];
    if (value.includes('{{')) return [...value.matchAll(TEMPLATE)].map((m) => [m[1], path] as [string, (string | number)[]]);
    return [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => expressionSources(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => expressionSources(v, [...path, k]));
  return [];
}
