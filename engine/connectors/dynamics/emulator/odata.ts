// The OData v4 query options the Dataverse emulator understands: $filter (eq ne gt ge lt le, and/or/not,
// parentheses, contains/startswith/endswith, string/number/bool/null/GUID/date-time literals), $orderby, $select.
// Comparisons follow Dataverse's SQL collation: strings are case-insensitive, date-times compare as instants.

export type ODataRow = Record<string, unknown>;
type Expr =
  | { t: 'or' | 'and'; l: Expr; r: Expr }
  | { t: 'not'; e: Expr }
  | { t: 'cmp'; op: string; l: Operand; r: Operand }
  | { t: 'fn'; name: 'contains' | 'startswith' | 'endswith'; field: string; value: string };
type Operand = { kind: 'field'; name: string } | { kind: 'lit'; value: string | number | boolean | null; date?: number };

export class ODataError extends Error {}

const TOKEN = /\s*(?:(\()|(\))|(,)|'((?:[^']|'')*)'|([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![\w-])|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))|(-?\d+(?:\.\d+)?)(?![\w-])|([A-Za-z_][\w.@]*))/y;

type Tok = { k: '(' | ')' | ',' | 'str' | 'guid' | 'date' | 'num' | 'id'; v: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < s.length) {
    if (/^\s*$/.test(s.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(s);
    if (!m) throw new ODataError(`Syntax error at position ${pos} in '${s}'.`);
    pos = TOKEN.lastIndex;
    if (m[1]) out.push({ k: '(', v: '(' });
    else if (m[2]) out.push({ k: ')', v: ')' });
    else if (m[3]) out.push({ k: ',', v: ',' });
    else if (m[4] !== undefined) out.push({ k: 'str', v: m[4].replace(/''/g, "'") });
    else if (m[5]) out.push({ k: 'guid', v: m[5].toLowerCase() });
    else if (m[6]) out.push({ k: 'date', v: m[6] });
    else if (m[7]) out.push({ k: 'num', v: m[7] });
    else out.push({ k: 'id', v: m[8] });
  }
  return out;
}

const OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

export function parseFilter(s: string, fieldExists: (name: string) => boolean): Expr {
  const toks = tokenize(s);
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  const expect = (k: Tok['k']) => { const t = next(); if (!t || t.k !== k) throw new ODataError(`Syntax error: expected '${k}' in '${s}'.`); return t; };
  const field = (name: string) => {
    if (!fieldExists(name)) throw new ODataError(`Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.entity'.`);
    return name;
  };
  const operand = (): Operand => {
    const t = next();
    if (!t) throw new ODataError(`Syntax error: unexpected end of '${s}'.`);
    if (t.k === 'str') return { kind: 'lit', value: t.v };
    if (t.k === 'guid') return { kind: 'lit', value: t.v };
    if (t.k === 'num') return { kind: 'lit', value: Number(t.v) };
    if (t.k === 'date') return { kind: 'lit', value: t.v, date: Date.parse(t.v) };
    if (t.k === 'id') {
      if (t.v === 'true' || t.v === 'false') return { kind: 'lit', value: t.v === 'true' };
      if (t.v === 'null') return { kind: 'lit', value: null };
      return { kind: 'field', name: field(t.v) };
    }
    throw new ODataError(`Syntax error at '${t.v}' in '${s}'.`);
  };
  const primary = (): Expr => {
    const t = peek();
    if (t?.k === '(') { next(); const e = or(); expect(')'); return e; }
    if (t?.k === 'id' && t.v === 'not') { next(); return { t: 'not', e: primary() }; }
    if (t?.k === 'id' && /^(contains|startswith|endswith)$/.test(t.v) && toks[i + 1]?.k === '(') {
      next(); next();
      const f = expect('id').v;
      expect(',');
      const v = expect('str').v;
      expect(')');
      return { t: 'fn', name: t.v as 'contains', field: field(f), value: v };
    }
    const l = operand();
    const op = next();
    if (!op || op.k !== 'id' || !OPS.has(op.v)) throw new ODataError(`Syntax error: expected a comparison operator in '${s}'.`);
    return { t: 'cmp', op: op.v, l, r: operand() };
  };
  const and = (): Expr => {
    let e = primary();
    while (peek()?.k === 'id' && peek().v === 'and') { next(); e = { t: 'and', l: e, r: primary() }; }
    return e;
  };
  const or = (): Expr => {
    let e = and();
    while (peek()?.k === 'id' && peek().v === 'or') { next(); e = { t: 'or', l: e, r: and() }; }
    return e;
  };
  const e = or();
  if (i < toks.length) throw new ODataError(`Syntax error at '${toks[i].v}' in '${s}'.`);
  return e;
}

function valueOf(o: Operand, row: ODataRow): unknown {
  return o.kind === 'field' ? row[o.name] ?? null : o.value;
}

/** Dataverse compares text case-insensitively and date-times as instants. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === null || a === undefined || b === null || b === undefined) return a === b || (a == null && b == null) ? 0 : a == null ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  const da = /^\d{4}-\d{2}-\d{2}T/.test(sa) ? Date.parse(sa) : NaN;
  const db = /^\d{4}-\d{2}-\d{2}T/.test(sb) ? Date.parse(sb) : NaN;
  if (Number.isFinite(da) && Number.isFinite(db)) return da - db;
  const la = sa.toLowerCase();
  const lb = sb.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

export function evaluate(e: Expr, row: ODataRow): boolean {
  switch (e.t) {
    case 'or': return evaluate(e.l, row) || evaluate(e.r, row);
    case 'and': return evaluate(e.l, row) && evaluate(e.r, row);
    case 'not': return !evaluate(e.e, row);
    case 'fn': {
      const v = row[e.field];
      if (typeof v !== 'string') return false;
      const hay = v.toLowerCase();
      const needle = e.value.toLowerCase();
      return e.name === 'contains' ? hay.includes(needle) : e.name === 'startswith' ? hay.startsWith(needle) : hay.endsWith(needle);
    }
    case 'cmp': {
      const a = valueOf(e.l, row);
      const b = valueOf(e.r, row);
      if (e.op === 'eq') return (a ?? null) === null || (b ?? null) === null ? (a ?? null) === (b ?? null) : compareValues(a, b) === 0;
      if (e.op === 'ne') return (a ?? null) === null || (b ?? null) === null ? (a ?? null) !== (b ?? null) : compareValues(a, b) !== 0;
      if (a == null || b == null) return false;
      const c = compareValues(a, b);
      return e.op === 'gt' ? c > 0 : e.op === 'ge' ? c >= 0 : e.op === 'lt' ? c < 0 : c <= 0;
    }
  }
}

export function parseOrderBy(s: string, fieldExists: (name: string) => boolean): { field: string; desc: boolean }[] {
  return s.split(',').map((part) => {
    const [f, dir = 'asc'] = part.trim().split(/\s+/);
    if (!fieldExists(f)) throw new ODataError(`Could not find a property named '${f}' on type 'Microsoft.Dynamics.CRM.entity'.`);
    if (dir !== 'asc' && dir !== 'desc') throw new ODataError(`Syntax error in $orderby: '${part.trim()}'.`);
    return { field: f, desc: dir === 'desc' };
  });
}

export function sortRows(rows: ODataRow[], order: { field: string; desc: boolean }[]): ODataRow[] {
  if (!order.length) return rows;
  return [...rows].sort((a, b) => {
    for (const o of order) {
      const c = compareValues(a[o.field], b[o.field]);
      if (c !== 0) return o.desc ? -c : c;
    }
    return 0;
  });
}
