// The Salesforce emulator's query engine: a small SOQL and SOSL parser and evaluator over the emulator's
// in-memory tables. It covers what API clients such as this connector send (field lists with one level of
// relationship, WHERE with AND/OR/NOT, comparisons, IN, LIKE, dateTime literals, ORDER BY, LIMIT, OFFSET,
// COUNT(); SOSL FIND {…} IN … FIELDS RETURNING Obj(fields WHERE … ORDER BY … LIMIT n)) and answers errors
// with Salesforce's error codes. Keyset queries (ORDER BY LastModifiedDate, Id with a lower bound) run on a
// lazily sorted index with a binary search, so paging through 100,000 records stays linear.

export type FieldType = 'id' | 'reference' | 'string' | 'textarea' | 'phone' | 'email' | 'url' | 'picklist' | 'datetime' | 'date' | 'boolean' | 'int' | 'double';

export interface SObjectSchema {
  name: string;
  keyPrefix: string;
  fields: Record<string, FieldType>;
  /** Relationship name → reference field and target object (Account → AccountId → Account). */
  relationships: Record<string, { field: string; to: string }>;
  phoneFields: string[];
  nameFields: string[];
  emailFields: string[];
}

export type SRecord = Record<string, unknown> & { Id: string };

/** What the engine needs from the emulator's store. */
export interface SoqlDataSource {
  schema(sobject: string): SObjectSchema | undefined;
  get(sobject: string, id: string): SRecord | undefined;
  all(sobject: string): Iterable<SRecord>;
  /** Records sorted by (LastModifiedDate, Id) with their modified time in epoch ms, cached until a write. */
  sortedByModified(sobject: string): { records: SRecord[]; ms: number[] };
  sortedById(sobject: string): SRecord[];
  /** Ids of records whose phone field, stripped to digits, equals `digits`. */
  phoneLookup(sobject: string, digits: string): Iterable<string>;
}

export class SoqlError extends Error {
  constructor(readonly errorCode: string, message: string) {
    super(message);
  }
}

// ---------- tokens ----------

type Tok =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'string'; v: string; pos: number }
  | { t: 'number'; v: number; pos: number }
  | { t: 'datetime'; v: number; raw: string; pos: number }
  | { t: 'date'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'punct'; v: string; pos: number };

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\', _: '\\_', '%': '\\%' };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const rest = src.slice(i);
    if (c === "'") {
      let v = '';
      let j = i + 1;
      for (; j < src.length && src[j] !== "'"; j++) {
        if (src[j] === '\\') {
          const e = ESCAPES[src[j + 1]];
          if (e === undefined) throw malformed(src, i, `Invalid string literal escape \\${src[j + 1] ?? ''}`);
          v += e;
          j++;
        } else v += src[j];
      }
      if (j >= src.length) throw malformed(src, i, 'unterminated string literal');
      out.push({ t: 'string', v, pos: i });
      i = j + 1;
      continue;
    }
    let m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/.exec(rest);
    if (m) {
      const ms = Date.parse(m[0].replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      if (!Number.isFinite(ms)) throw malformed(src, i, `invalid dateTime literal ${m[0]}`);
      out.push({ t: 'datetime', v: ms, raw: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    m = /^\d{4}-\d{2}-\d{2}(?![\dT])/.exec(rest);
    if (m) { out.push({ t: 'date', v: m[0], pos: i }); i += m[0].length; continue; }
    m = /^-?\d+(?:\.\d+)?/.exec(rest);
    if (m) { out.push({ t: 'number', v: Number(m[0]), pos: i }); i += m[0].length; continue; }
    m = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(rest);
    if (m) { out.push({ t: 'ident', v: m[0], pos: i }); i += m[0].length; continue; }
    m = /^(?:!=|<>|<=|>=|=|<|>)/.exec(rest);
    if (m) { out.push({ t: 'op', v: m[0] === '<>' ? '!=' : m[0], pos: i }); i += m[0].length; continue; }
    if ('(),'.includes(c)) { out.push({ t: 'punct', v: c, pos: i }); i++; continue; }
    throw malformed(src, i, `unexpected token: '${c}'`);
  }
  return out;
}

function malformed(src: string, pos: number, why: string): SoqlError {
  const col = pos + 1;
  return new SoqlError('MALFORMED_QUERY', `\n${src}\n${' '.repeat(Math.max(0, pos))}^\nERROR at Row:1:Column:${col}\n${why}`);
}

class Cursor {
  i = 0;
  constructor(readonly src: string, readonly toks: Tok[]) {}
  peek(o = 0): Tok | undefined { return this.toks[this.i + o]; }
  next(): Tok | undefined { return this.toks[this.i++]; }
  isKw(kw: string, o = 0): boolean {
    const t = this.peek(o);
    return t?.t === 'ident' && t.v.toUpperCase() === kw;
  }
  acceptKw(kw: string): boolean {
    if (this.isKw(kw)) { this.i++; return true; }
    return false;
  }
  expectKw(kw: string): void {
    if (!this.acceptKw(kw)) throw this.err(`expecting '${kw}'`);
  }
  isPunct(p: string): boolean {
    const t = this.peek();
    return t?.t === 'punct' && t.v === p;
  }
  expectPunct(p: string): void {
    if (!this.isPunct(p)) throw this.err(`expecting '${p}'`);
    this.i++;
  }
  err(why: string): SoqlError {
    const t = this.peek();
    return malformed(this.src, t ? t.pos : this.src.length, t ? `${why}, found '${'raw' in t ? t.raw : String(t.v)}'` : `${why}, found end of query`);
  }
}

// ---------- AST ----------

export type Lit =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'datetime'; value: number }
  | { type: 'date'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'null'; value: null };

/** A resolved field: [field] or [relationship, field] with canonical names. */
export interface FieldPath { path: string[]; type: FieldType }

export type Cond =
  | { kind: 'and' | 'or'; items: Cond[] }
  | { kind: 'not'; item: Cond }
  | { kind: 'cmp'; field: FieldPath; op: string; value: Lit }
  | { kind: 'in'; field: FieldPath; values: Lit[]; negate: boolean }
  | { kind: 'like'; field: FieldPath; re: RegExp };

export interface OrderItem { field: FieldPath; desc: boolean; nullsLast: boolean }

export interface SelectSpec {
  sobject: string;
  fields: FieldPath[];
  count: boolean;
  where?: Cond;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
}

const RESERVED = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'LIKE', 'ORDER', 'BY', 'LIMIT', 'OFFSET', 'ASC', 'DESC', 'NULLS', 'FIRST', 'LAST', 'NULL', 'TRUE', 'FALSE', 'RETURNING', 'FIND', 'GROUP', 'HAVING', 'WITH', 'FOR']);

function resolveField(ds: SoqlDataSource, schema: SObjectSchema, raw: string, c: Cursor, pos: number): FieldPath {
  const parts = raw.split('.');
  const inEntity = (s: SObjectSchema, name: string): [string, FieldType] | null => {
    const hit = Object.keys(s.fields).find((f) => f.toLowerCase() === name.toLowerCase());
    if (hit) return [hit, s.fields[hit]];
    if (/__c$/i.test(name)) return [name, 'string'];
    return null;
  };
  const noColumn = (entity: string, name: string) =>
    new SoqlError('INVALID_FIELD', `\n${c.src}\n${' '.repeat(pos)}^\nERROR at Row:1:Column:${pos + 1}\nNo such column '${name}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
  // A field may be prefixed with the object's own name: Contact.Email.
  if (parts.length === 2 && parts[0].toLowerCase() === schema.name.toLowerCase()) parts.shift();
  if (parts.length === 1) {
    const f = inEntity(schema, parts[0]);
    if (!f) throw noColumn(schema.name, parts[0]);
    return { path: [f[0]], type: f[1] };
  }
  if (parts.length === 2) {
    const relName = Object.keys(schema.relationships).find((r) => r.toLowerCase() === parts[0].toLowerCase());
    if (!relName) throw new SoqlError('INVALID_FIELD', `Didn't understand relationship '${parts[0]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
    const target = ds.schema(schema.relationships[relName].to)!;
    const f = inEntity(target, parts[1]);
    if (!f) throw noColumn(target.name, parts[1]);
    return { path: [relName, f[0]], type: f[1] };
  }
  throw new SoqlError('INVALID_FIELD', `The emulator supports one level of relationship fields, not '${raw}'`);
}

function parseLiteral(c: Cursor): Lit {
  const t = c.next();
  if (!t) throw c.err('expecting a value');
  if (t.t === 'string') return { type: 'string', value: t.v };
  if (t.t === 'number') return { type: 'number', value: t.v };
  if (t.t === 'datetime') return { type: 'datetime', value: t.v };
  if (t.t === 'date') return { type: 'date', value: t.v };
  if (t.t === 'ident') {
    const u = t.v.toUpperCase();
    if (u === 'NULL') return { type: 'null', value: null };
    if (u === 'TRUE' || u === 'FALSE') return { type: 'boolean', value: u === 'TRUE' };
  }
  c.i--;
  throw c.err('expecting a value');
}

function checkLiteral(field: FieldPath, lit: Lit, op: string): void {
  const name = field.path.join('.');
  if (lit.type === 'null') return;
  if (field.type === 'datetime' && lit.type !== 'datetime') {
    throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `\nvalue of filter criterion for field '${name}' must be of type dateTime and should not be enclosed in quotes`);
  }
  if (field.type === 'date' && lit.type !== 'date') {
    throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `\nvalue of filter criterion for field '${name}' must be of type date and should not be enclosed in quotes`);
  }
  if (field.type === 'boolean' && lit.type !== 'boolean') {
    throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `\nvalue of filter criterion for field '${name}' must be of type boolean and should not be enclosed in quotes`);
  }
  if ((field.type === 'int' || field.type === 'double') && lit.type !== 'number') {
    throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `\nvalue of filter criterion for field '${name}' must be of type ${field.type} and should not be enclosed in quotes`);
  }
  if ((field.type === 'id' || field.type === 'reference') && (op === '=' || op === '!=')) {
    if (lit.type !== 'string' || !/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(lit.value)) {
      throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `\ninvalid ID field: ${lit.type === 'string' ? lit.value : String(lit.value)}`);
    }
  }
}

function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && (pattern[i + 1] === '_' || pattern[i + 1] === '%')) { re += pattern[i + 1]; i++; continue; }
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$', 'i');
}

function parseCond(ds: SoqlDataSource, schema: SObjectSchema, c: Cursor): Cond {
  const items = [parseAnd(ds, schema, c)];
  while (c.acceptKw('OR')) items.push(parseAnd(ds, schema, c));
  return items.length === 1 ? items[0] : { kind: 'or', items };
}

function parseAnd(ds: SoqlDataSource, schema: SObjectSchema, c: Cursor): Cond {
  const items = [parseNot(ds, schema, c)];
  while (c.acceptKw('AND')) items.push(parseNot(ds, schema, c));
  return items.length === 1 ? items[0] : { kind: 'and', items };
}

function parseNot(ds: SoqlDataSource, schema: SObjectSchema, c: Cursor): Cond {
  if (c.acceptKw('NOT')) return { kind: 'not', item: parseNot(ds, schema, c) };
  if (c.isPunct('(')) {
    c.next();
    const inner = parseCond(ds, schema, c);
    c.expectPunct(')');
    return inner;
  }
  const t = c.next();
  if (!t || t.t !== 'ident' || RESERVED.has(t.v.toUpperCase())) { c.i--; throw c.err('unexpected token'); }
  const field = resolveField(ds, schema, t.v, c, t.pos);
  if (c.isKw('NOT') && c.isKw('IN', 1)) { c.i += 2; return parseIn(field, c, true); }
  if (c.acceptKw('IN')) return parseIn(field, c, false);
  if (c.acceptKw('LIKE')) {
    const lit = parseLiteral(c);
    if (lit.type !== 'string') throw c.err('LIKE needs a string');
    return { kind: 'like', field, re: likeToRegExp(lit.value) };
  }
  const op = c.next();
  if (!op || op.t !== 'op') { c.i--; throw c.err('unexpected token'); }
  const value = parseLiteral(c);
  checkLiteral(field, value, op.v);
  return { kind: 'cmp', field, op: op.v, value };
}

function parseIn(field: FieldPath, c: Cursor, negate: boolean): Cond {
  c.expectPunct('(');
  const values: Lit[] = [];
  do {
    const v = parseLiteral(c);
    checkLiteral(field, v, '=');
    values.push(v);
  } while (c.isPunct(',') && c.next());
  c.expectPunct(')');
  return { kind: 'in', field, values, negate };
}

function parseOrderBy(ds: SoqlDataSource, schema: SObjectSchema, c: Cursor): OrderItem[] {
  const items: OrderItem[] = [];
  do {
    const t = c.next();
    if (!t || t.t !== 'ident') { c.i--; throw c.err('expecting a field to order by'); }
    const field = resolveField(ds, schema, t.v, c, t.pos);
    let desc = false;
    if (c.acceptKw('DESC')) desc = true;
    else c.acceptKw('ASC');
    let nullsLast = desc;
    if (c.acceptKw('NULLS')) {
      if (c.acceptKw('LAST')) nullsLast = true;
      else { c.expectKw('FIRST'); nullsLast = false; }
    }
    items.push({ field, desc, nullsLast });
  } while (c.isPunct(',') && c.next());
  return items;
}

function parseInt(c: Cursor, what: string): number {
  const t = c.next();
  if (!t || t.t !== 'number' || !Number.isInteger(t.v) || t.v < 0) { c.i--; throw c.err(`expecting a non-negative integer for ${what}`); }
  return t.v;
}

/** Field list, then optional WHERE / ORDER BY / LIMIT / OFFSET (shared by SOQL and SOSL's RETURNING). */
function parseSelectBody(ds: SoqlDataSource, schema: SObjectSchema, c: Cursor, fieldToks: Tok[]): SelectSpec {
  const spec: SelectSpec = { sobject: schema.name, fields: [], count: false, orderBy: [] };
  for (const t of fieldToks) spec.fields.push(resolveField(ds, schema, t.v as string, c, t.pos));
  if (c.acceptKw('WHERE')) spec.where = parseCond(ds, schema, c);
  if (c.acceptKw('ORDER')) { c.expectKw('BY'); spec.orderBy = parseOrderBy(ds, schema, c); }
  if (c.acceptKw('LIMIT')) spec.limit = parseInt(c, 'LIMIT');
  if (c.acceptKw('OFFSET')) {
    spec.offset = parseInt(c, 'OFFSET');
    if (spec.offset > 2000) throw new SoqlError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is 2000`);
  }
  return spec;
}

function schemaOrThrow(ds: SoqlDataSource, name: string, c: Cursor, pos: number): SObjectSchema {
  const s = ds.schema(name);
  if (!s) throw new SoqlError('INVALID_TYPE', `\n${c.src}\n${' '.repeat(pos)}^\nERROR at Row:1:Column:${pos + 1}\nsObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`);
  return s;
}

export function parseSoql(ds: SoqlDataSource, src: string): SelectSpec {
  if (!src || !src.trim()) throw new SoqlError('MALFORMED_QUERY', 'A query string has to be specified');
  const c = new Cursor(src, tokenize(src));
  c.expectKw('SELECT');
  const fieldToks: Tok[] = [];
  let count = false;
  if (c.isKw('COUNT') && c.peek(1)?.t === 'punct' && c.peek(1)?.v === '(' && c.peek(2)?.t === 'punct' && c.peek(2)?.v === ')') {
    c.i += 3;
    count = true;
  } else {
    do {
      const t = c.next();
      if (!t || t.t !== 'ident' || RESERVED.has(t.v.toUpperCase())) { c.i--; throw c.err('unexpected token'); }
      fieldToks.push(t);
    } while (c.isPunct(',') && c.next());
  }
  c.expectKw('FROM');
  const obj = c.next();
  if (!obj || obj.t !== 'ident') { c.i--; throw c.err('expecting an object name'); }
  const schema = schemaOrThrow(ds, obj.v, c, obj.pos);
  const spec = parseSelectBody(ds, schema, c, fieldToks);
  spec.count = count;
  if (c.peek()) throw c.err('unexpected token');
  return spec;
}

// ---------- evaluation ----------

export function toMs(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? ms : null;
}

function valueOf(ds: SoqlDataSource, schema: SObjectSchema, rec: SRecord, f: FieldPath): unknown {
  if (f.path.length === 1) return rec[f.path[0]] ?? null;
  const rel = schema.relationships[f.path[0]];
  const refId = rec[rel.field];
  if (typeof refId !== 'string') return null;
  return ds.get(rel.to, refId)?.[f.path[1]] ?? null;
}

/** -1/0/1, or null when incomparable (null on either side). */
function compareTo(type: FieldType, a: unknown, lit: Lit): number | null {
  if (a === null || a === undefined || lit.type === 'null') return null;
  let x: string | number;
  let y: string | number;
  switch (type) {
    case 'datetime': {
      const ms = toMs(a);
      if (ms === null) return null;
      x = ms; y = lit.value as number;
      break;
    }
    case 'int': case 'double': x = Number(a); y = Number(lit.value); break;
    case 'boolean': x = a ? 1 : 0; y = lit.value ? 1 : 0; break;
    case 'id': case 'reference': {
      // 15- and 18-character forms of one id are equal: compare the case-sensitive 15-character part.
      x = String(a).slice(0, 15); y = String(lit.value).slice(0, 15);
      break;
    }
    case 'date': x = String(a); y = String(lit.value); break;
    default: x = String(a).toLowerCase(); y = String(lit.value).toLowerCase();
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

function evalCond(ds: SoqlDataSource, schema: SObjectSchema, rec: SRecord, c: Cond): boolean {
  switch (c.kind) {
    case 'and': return c.items.every((i) => evalCond(ds, schema, rec, i));
    case 'or': return c.items.some((i) => evalCond(ds, schema, rec, i));
    case 'not': return !evalCond(ds, schema, rec, c.item);
    case 'like': {
      const v = valueOf(ds, schema, rec, c.field);
      return v !== null && c.re.test(String(v));
    }
    case 'in': {
      const v = valueOf(ds, schema, rec, c.field);
      const hit = c.values.some((lit) => (lit.type === 'null' ? v === null : compareTo(c.field.type, v, lit) === 0));
      return c.negate ? !hit : hit;
    }
    case 'cmp': {
      const v = valueOf(ds, schema, rec, c.field);
      if (c.value.type === 'null') return c.op === '=' ? v === null : c.op === '!=' ? v !== null : false;
      const r = compareTo(c.field.type, v, c.value);
      if (r === null) return c.op === '!=';
      switch (c.op) {
        case '=': return r === 0;
        case '!=': return r !== 0;
        case '<': return r < 0;
        case '<=': return r <= 0;
        case '>': return r > 0;
        case '>=': return r >= 0;
      }
      return false;
    }
  }
}

/** A lower bound (epoch ms) on LastModifiedDate implied by the condition, for the index scan. */
function modifiedLowerBound(c: Cond | undefined): number | undefined {
  if (!c) return undefined;
  switch (c.kind) {
    case 'cmp':
      if (c.field.path.length === 1 && c.field.path[0] === 'LastModifiedDate' && c.value.type === 'datetime' && ['>', '>=', '='].includes(c.op)) return c.value.value;
      return undefined;
    case 'and': {
      const b = c.items.map(modifiedLowerBound).filter((x): x is number => x !== undefined);
      return b.length ? Math.max(...b) : undefined;
    }
    case 'or': {
      const b = c.items.map(modifiedLowerBound);
      return b.every((x) => x !== undefined) ? Math.min(...(b as number[])) : undefined;
    }
    default: return undefined;
  }
}

/** Ids the condition restricts to (Id = 'x' / Id IN (…)), or undefined when unrestricted. */
function idCandidates(c: Cond | undefined): string[] | undefined {
  if (!c) return undefined;
  const isId = (f: FieldPath) => f.path.length === 1 && f.path[0] === 'Id';
  switch (c.kind) {
    case 'cmp': return isId(c.field) && c.op === '=' && c.value.type === 'string' ? [c.value.value] : undefined;
    case 'in': return isId(c.field) && !c.negate ? c.values.filter((v) => v.type === 'string').map((v) => v.value as string) : undefined;
    case 'and': {
      for (const i of c.items) { const ids = idCandidates(i); if (ids) return ids; }
      return undefined;
    }
    case 'or': {
      const all = c.items.map(idCandidates);
      return all.every(Boolean) ? [...new Set(all.flat() as string[])] : undefined;
    }
    default: return undefined;
  }
}

function comparator(ds: SoqlDataSource, schema: SObjectSchema, order: OrderItem[]) {
  return (a: SRecord, b: SRecord): number => {
    for (const o of order) {
      const va = valueOf(ds, schema, a, o.field);
      const vb = valueOf(ds, schema, b, o.field);
      if (va === null || vb === null) {
        if (va === vb) continue;
        const nullFirst = va === null ? -1 : 1;
        return o.nullsLast ? -nullFirst : nullFirst;
      }
      const r = compareTo(o.field.type, va, literalOf(o.field.type, vb));
      if (r) return o.desc ? -r : r;
    }
    return 0;
  };
}

function literalOf(type: FieldType, v: unknown): Lit {
  if (type === 'datetime') return { type: 'datetime', value: toMs(v) ?? 0 };
  if (type === 'int' || type === 'double') return { type: 'number', value: Number(v) };
  if (type === 'boolean') return { type: 'boolean', value: Boolean(v) };
  return { type: 'string', value: String(v) };
}

function isPath(f: FieldPath, name: string): boolean {
  return f.path.length === 1 && f.path[0] === name;
}

/** Runs a parsed SELECT: matching records in order, after OFFSET and LIMIT. */
export function executeSelect(ds: SoqlDataSource, spec: SelectSpec, restrictTo?: Iterable<SRecord>): SRecord[] {
  const schema = ds.schema(spec.sobject)!;
  const matches = (r: SRecord) => !spec.where || evalCond(ds, schema, r, spec.where);
  const want = spec.limit === undefined ? Infinity : (spec.offset ?? 0) + spec.limit;
  const take = (source: Iterable<SRecord>, start = 0, arr?: SRecord[]): SRecord[] => {
    const out: SRecord[] = [];
    if (arr) {
      for (let i = start; i < arr.length && out.length < want; i++) if (matches(arr[i])) out.push(arr[i]);
    } else {
      for (const r of source) { if (out.length >= want) break; if (matches(r)) out.push(r); }
    }
    return out;
  };
  const ob = spec.orderBy;
  const allAsc = ob.every((o) => !o.desc);
  let rows: SRecord[];
  const ids = restrictTo ? undefined : idCandidates(spec.where);
  if (restrictTo || ids) {
    const src = restrictTo ? [...restrictTo] : ids!.map((id) => ds.get(spec.sobject, id)).filter((r): r is SRecord => !!r);
    rows = src.filter(matches);
    if (ob.length) rows.sort(comparator(ds, schema, ob));
  } else if (ob.length && allAsc && isPath(ob[0].field, 'LastModifiedDate') && (ob.length === 1 || (ob.length === 2 && isPath(ob[1].field, 'Id')))) {
    const { records, ms } = ds.sortedByModified(spec.sobject);
    const bound = modifiedLowerBound(spec.where);
    let lo = 0;
    if (bound !== undefined) {
      let hi = records.length;
      while (lo < hi) { const mid = (lo + hi) >>> 1; if (ms[mid] < bound) lo = mid + 1; else hi = mid; }
    }
    rows = take([], lo, records);
  } else if (ob.length === 1 && !ob[0].desc && isPath(ob[0].field, 'Id')) {
    rows = take([], 0, ds.sortedById(spec.sobject));
  } else if (!ob.length) {
    rows = take(ds.all(spec.sobject));
  } else {
    rows = [];
    for (const r of ds.all(spec.sobject)) if (matches(r)) rows.push(r);
    rows.sort(comparator(ds, schema, ob));
  }
  const from = spec.offset ?? 0;
  return rows.slice(from, spec.limit === undefined ? undefined : from + spec.limit);
}

/** The JSON shape of a queried record: attributes, then the selected fields (relationships nested). */
export function projectRecord(ds: SoqlDataSource, sobject: string, rec: SRecord, fields: FieldPath[], apiBase: string): Record<string, unknown> {
  const schema = ds.schema(sobject)!;
  const out: Record<string, unknown> = { attributes: { type: sobject, url: `${apiBase}/sobjects/${sobject}/${rec.Id}` } };
  for (const f of fields) {
    if (f.path.length === 1) { out[f.path[0]] = rec[f.path[0]] ?? null; continue; }
    const [relName, field] = f.path;
    const rel = schema.relationships[relName];
    const refId = rec[rel.field];
    const target = typeof refId === 'string' ? ds.get(rel.to, refId) : undefined;
    if (!target) { out[relName] = null; continue; }
    let nested = out[relName] as Record<string, unknown> | null | undefined;
    if (!nested) nested = out[relName] = { attributes: { type: rel.to, url: `${apiBase}/sobjects/${rel.to}/${target.Id}` } };
    nested[field] = target[field] ?? null;
  }
  return out;
}

// ---------- SOSL ----------

export type SearchGroup = 'ALL' | 'NAME' | 'EMAIL' | 'PHONE' | 'SIDEBAR';

export interface SoslSpec {
  /** OR of AND-groups of terms. */
  terms: string[][];
  group: SearchGroup;
  returning: SelectSpec[];
  limit: number;
}

function invalidSearch(message: string): SoqlError {
  return new SoqlError('INVALID_SEARCH', message);
}

/** Splits the text between FIND's braces into OR-ed groups of AND-ed terms (quotes group a phrase). */
function parseSearchTerms(raw: string): string[][] {
  const words: { v: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < raw.length) {
    if (/\s/.test(raw[i])) { i++; continue; }
    let v = '';
    let quoted = false;
    if (raw[i] === '"') {
      quoted = true;
      i++;
      while (i < raw.length && raw[i] !== '"') { if (raw[i] === '\\') i++; v += raw[i] ?? ''; i++; }
      i++;
    } else {
      while (i < raw.length && !/\s/.test(raw[i])) { if (raw[i] === '\\') i++; v += raw[i] ?? ''; i++; }
    }
    words.push({ v, quoted });
  }
  const groups: string[][] = [[]];
  let negateNext = false;
  for (const w of words) {
    const u = w.quoted ? '' : w.v.toUpperCase();
    if (u === 'OR') { groups.push([]); continue; }
    if (u === 'AND') continue;
    if (u === 'NOT') { negateNext = true; continue; }
    if (negateNext) { negateNext = false; continue; } // AND NOT terms only narrow results; the emulator ignores them
    groups[groups.length - 1].push(w.v);
  }
  const out = groups.filter((g) => g.length);
  if (!out.length) throw invalidSearch('search term must be longer than one character: ' + raw);
  for (const g of out) for (const t of g) if (t.replace(/\*/g, '').length < 2) throw invalidSearch(`search term must be longer than one character: ${t}`);
  return out;
}

export function parseSosl(ds: SoqlDataSource, src: string): SoslSpec {
  const m = /^\s*FIND\s*\{/i.exec(src);
  if (!m) throw new SoqlError('MALFORMED_SEARCH', `No search term found. The search term must be enclosed in braces.`);
  let i = m[0].length;
  let inner = '';
  for (; i < src.length && src[i] !== '}'; i++) {
    if (src[i] === '\\' && i + 1 < src.length) { inner += src[i] + src[i + 1]; i++; continue; }
    inner += src[i];
  }
  if (i >= src.length) throw new SoqlError('MALFORMED_SEARCH', 'Missing closing brace for the search term');
  const terms = parseSearchTerms(inner);
  const rest = src.slice(i + 1);
  const c = new Cursor(rest, tokenize(rest));
  let group: SearchGroup = 'ALL';
  if (c.acceptKw('IN')) {
    const g = c.next();
    const name = g?.t === 'ident' ? g.v.toUpperCase() : '';
    if (!['ALL', 'NAME', 'EMAIL', 'PHONE', 'SIDEBAR'].includes(name)) { c.i--; throw new SoqlError('MALFORMED_SEARCH', `Invalid search group: ${g && 'v' in g ? String(g.v) : ''}`); }
    group = name as SearchGroup;
    c.expectKw('FIELDS');
  }
  const returning: SelectSpec[] = [];
  if (c.acceptKw('RETURNING')) {
    do {
      const obj = c.next();
      if (!obj || obj.t !== 'ident') { c.i--; throw c.err('expecting an object name'); }
      const schema = schemaOrThrow(ds, obj.v, c, obj.pos);
      if (c.isPunct('(')) {
        c.next();
        const fieldToks: Tok[] = [];
        do {
          const t = c.next();
          if (!t || t.t !== 'ident' || RESERVED.has(t.v.toUpperCase())) { c.i--; throw c.err('unexpected token'); }
          fieldToks.push(t);
        } while (c.isPunct(',') && c.next());
        const spec = parseSelectBody(ds, schema, c, fieldToks);
        c.expectPunct(')');
        returning.push(spec);
      } else {
        returning.push({ sobject: schema.name, fields: [{ path: ['Id'], type: 'id' }], count: false, orderBy: [] });
      }
    } while (c.isPunct(',') && c.next());
  } else {
    for (const name of ['Account', 'Contact']) returning.push({ sobject: name, fields: [{ path: ['Id'], type: 'id' }], count: false, orderBy: [] });
  }
  let limit = 2000;
  if (c.acceptKw('LIMIT')) limit = Math.min(2000, parseInt(c, 'LIMIT'));
  if (c.peek()) throw c.err('unexpected token');
  return { terms, group, returning, limit };
}

function textMatches(value: unknown, term: string): boolean {
  if (typeof value !== 'string' || !value) return false;
  const v = value.toLowerCase();
  const t = term.toLowerCase();
  if (t.endsWith('*')) return v.split(/[\s@.,;:()-]+/).some((w) => w.startsWith(t.slice(0, -1))) || v.startsWith(t.slice(0, -1));
  return v === t || v.split(/[\s,;:()]+/).includes(t) || v.includes(t);
}

/**
 * Ids of `sobject` matching one term. Phone fields match when the term's digits equal the stored number's
 * digits (formatting ignored: "(202) 555-0143", "202.555.0143" and "2025550143" are one number, but
 * "+1 202 555 0143" is 12025550143 — callers search each form they expect).
 */
function matchTerm(ds: SoqlDataSource, schema: SObjectSchema, group: SearchGroup, term: string): Set<string> {
  const hits = new Set<string>();
  const digits = term.replace(/\D/g, '');
  const phoneSearch = group === 'PHONE' || group === 'ALL' || group === 'SIDEBAR';
  if (phoneSearch && digits.length >= 2) for (const id of ds.phoneLookup(schema.name, digits)) hits.add(id);
  if (group === 'PHONE') return hits;
  const fields = group === 'EMAIL' ? schema.emailFields : group === 'NAME' ? schema.nameFields
    : Object.entries(schema.fields).filter(([, t]) => t === 'string' || t === 'email' || t === 'textarea' || t === 'url' || t === 'picklist').map(([f]) => f);
  for (const r of ds.all(schema.name)) if (fields.some((f) => textMatches(r[f], term))) hits.add(r.Id);
  return hits;
}

/** Runs SOSL: the searchRecords array of the REST search answer (records in RETURNING order). */
export function executeSosl(ds: SoqlDataSource, spec: SoslSpec, apiBase: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const sel of spec.returning) {
    const schema = ds.schema(sel.sobject)!;
    const ids = new Set<string>();
    for (const andGroup of spec.terms) {
      let acc: string[] | null = null;
      for (const term of andGroup) {
        const hits = matchTerm(ds, schema, spec.group, term);
        acc = acc === null ? [...hits] : acc.filter((id: string) => hits.has(id));
      }
      for (const id of acc ?? []) ids.add(id);
    }
    const recs = [...ids].map((id) => ds.get(sel.sobject, id)).filter((r): r is SRecord => !!r);
    const rows = executeSelect(ds, sel, recs);
    for (const r of rows) {
      if (out.length >= spec.limit) return out;
      out.push(projectRecord(ds, sel.sobject, r, sel.fields, apiBase));
    }
  }
  return out;
}
