// A block's params JSON schema → the inspector's form fields, and the text ⇄ value rules of each field kind.
// Pure, so the same derivation is unit-tested and rendered.
import type { JsonSchema } from './block-catalog';

export type FieldKind =
  | 'text'      // string
  | 'number'    // number / integer
  | 'select'    // enum
  | 'checkbox'  // boolean
  | 'list'      // array of objects: editable rows of sub-fields
  | 'strings'   // array of primitives: one text row per item
  | 'keyValue'  // record of strings: key / value rows
  | 'group'     // object with declared properties: nested fields
  | 'json';     // anything else (unknown, record of unknown): JSON textarea

export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  nullable: boolean;
  description?: string;
  default?: unknown;
  options?: string[];
  integer?: boolean;
  min?: number;
  max?: number;
  pattern?: string;
  format?: string;
  /** `list` rows and `group` members. */
  fields?: FormField[];
  /** Item kind of a `strings` list. */
  itemKind?: 'text' | 'number';
  /** A `list` shown as an ordered table (a column per sub-field, rows moved up and down): the schema's `table: true`. */
  table?: boolean;
}

/** `defaultCountry` → `Default country`, `timeoutMs` → `Timeout ms`. */
const ACRONYMS = new Set(['url', 'id', 'ids', 'http', 'json', 'api', 'crm', 'cdp', 'sms', 'e164']);

export function humanize(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').trim().toLowerCase().split(/\s+/)
    .map((w) => (ACRONYMS.has(w) ? (w === 'ids' ? 'IDs' : w.toUpperCase()) : w));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function types(s: JsonSchema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (typeof s.type === 'string') return [s.type];
  return [];
}

/** `X | null` (anyOf with null, or type ["string", "null"]) → X, nullable. */
function unwrapNullable(s: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const rest = alts.filter((a) => !(a.type === 'null'));
    if (rest.length === 1 && rest.length < alts.length) {
      const inner = unwrapNullable(rest[0]);
      return { schema: { ...rest[0], ...inner.schema, description: s.description ?? rest[0].description, default: s.default ?? rest[0].default }, nullable: true };
    }
  }
  const t = types(s);
  if (t.includes('null') && t.length === 2) return { schema: { ...s, type: t.find((x) => x !== 'null') }, nullable: true };
  return { schema: s, nullable: false };
}

export function fieldFromSchema(name: string, raw: JsonSchema, required: boolean): FormField {
  const { schema: s, nullable } = unwrapNullable(raw);
  const t = types(s);
  const base: FormField = {
    name, label: s.title ?? humanize(name), kind: 'json', required, nullable,
    ...(s.description ? { description: s.description } : {}),
    ...(s.default !== undefined ? { default: s.default } : {}),
  };
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string')) return { ...base, kind: 'select', options: s.enum as string[] };
  if (t.length === 1) {
    switch (t[0]) {
      case 'string':
        return { ...base, kind: 'text', ...(s.pattern ? { pattern: s.pattern } : {}), ...(s.format ? { format: s.format } : {}), ...(s.minLength !== undefined ? { min: s.minLength } : {}), ...(s.maxLength !== undefined ? { max: s.maxLength } : {}) };
      case 'number':
      case 'integer':
        return { ...base, kind: 'number', integer: t[0] === 'integer', ...(s.minimum !== undefined ? { min: s.minimum } : {}), ...(s.maximum !== undefined ? { max: s.maximum } : {}) };
      case 'boolean':
        return { ...base, kind: 'checkbox' };
      case 'array': {
        const item = s.items ? unwrapNullable(s.items).schema : {};
        const it = types(item);
        if (it.length === 1 && it[0] === 'object' && item.properties) return { ...base, kind: 'list', fields: objectFields(item), ...((s as { table?: unknown }).table === true ? { table: true } : {}) };
        if (it.length === 1 && (it[0] === 'string' || it[0] === 'number' || it[0] === 'integer')) return { ...base, kind: 'strings', itemKind: it[0] === 'string' ? 'text' : 'number' };
        return base;
      }
      case 'object': {
        if (s.properties && Object.keys(s.properties).length) return { ...base, kind: 'group', fields: objectFields(s) };
        const ap = s.additionalProperties;
        if (ap && typeof ap === 'object' && types(ap).length === 1 && types(ap)[0] === 'string') return { ...base, kind: 'keyValue' };
        return base;
      }
    }
  }
  return base;
}

function objectFields(s: JsonSchema): FormField[] {
  const req = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([k, v]) => fieldFromSchema(k, v, req.has(k)));
}

/** The inspector form of a block: one field per top-level param, in declaration order. */
export function deriveFields(params: JsonSchema): FormField[] {
  return objectFields(params);
}

/** A param value that the engine evaluates: `=expr` or a `{{ }}` template (same rule as engine/core/expressions.ts). */
export function isExpressionValue(v: unknown): boolean {
  return typeof v === 'string' && (v.startsWith('=') || v.includes('{{'));
}

/** True when a value is, or holds somewhere inside it, an expression. */
export function containsExpression(v: unknown): boolean {
  if (isExpressionValue(v)) return true;
  if (Array.isArray(v)) return v.some(containsExpression);
  if (v && typeof v === 'object') return Object.values(v).some(containsExpression);
  return false;
}

/** Text shown in a field's input for a value. `json` fields show strings bare unless they would read back as something else. */
export function formatFieldValue(field: Pick<FormField, 'kind'>, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (isExpressionValue(value)) return value as string;
  switch (field.kind) {
    case 'text':
    case 'select':
      return String(value);
    case 'number':
      return typeof value === 'number' ? String(value) : String(value);
    case 'json':
      if (typeof value === 'string') {
        try { JSON.parse(value); return JSON.stringify(value); } catch { return value; }
      }
      return JSON.stringify(value, null, 2);
    default:
      return JSON.stringify(value, null, 2);
  }
}

export type ParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * JSON with `{{ … }}` where a value goes (`{"count": {{ trigger.n }}}`), as people type it coming from other tools:
 * each bare `{{ expr }}` becomes the expression value `"=expr"`; inside a string it stays a template. Null when a
 * `{{` is not closed.
 */
export function embedTemplates(text: string): string | null {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') { inString = true; out += c; continue; }
    if (c === '{' && text[i + 1] === '{') {
      const end = text.indexOf('}}', i + 2);
      if (end < 0) return null;
      out += JSON.stringify(`=${text.slice(i + 2, end).trim()}`);
      i = end + 1;
      continue;
    }
    out += c;
  }
  return out;
}

/** The value a field's text means. Empty text clears the param (undefined) so defaults apply. */
export function parseFieldValue(field: Pick<FormField, 'kind' | 'integer'>, text: string): ParseResult {
  if (field.kind === 'json' && /^\s*[[{]/.test(text) && !text.trimStart().startsWith('{{')) {
    // JSON: parsed as a whole (templates inside strings and bare {{ }} values included), or refused as a whole,
    // never kept as one string that merely looks like JSON.
    try { return { ok: true, value: JSON.parse(text) }; } catch (err) {
      const embedded = text.includes('{{') ? embedTemplates(text) : null;
      if (embedded !== null) { try { return { ok: true, value: JSON.parse(embedded) }; } catch { /* reported below */ } }
      return { ok: false, error: `Not valid JSON: ${(err as Error).message}. Nothing was applied: the flow still has the previous value.` };
    }
  }
  if (isExpressionValue(text)) return { ok: true, value: text };
  if (text === '') return { ok: true, value: undefined };
  switch (field.kind) {
    case 'text':
    case 'select':
      return { ok: true, value: text };
    case 'number': {
      const n = Number(text.trim());
      if (!Number.isFinite(n) || text.trim() === '') return { ok: false, error: 'Enter a number, or an expression starting with =' };
      if (field.integer && !Number.isInteger(n)) return { ok: false, error: 'Enter a whole number' };
      return { ok: true, value: n };
    }
    case 'json': {
      const t = text.trim();
      if (/^[[{"]/.test(t) || /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(t)) {
        try { return { ok: true, value: JSON.parse(t) }; } catch (err) {
          if (/^[[{"]/.test(t)) return { ok: false, error: `Not valid JSON: ${(err as Error).message}` };
        }
      }
      return { ok: true, value: text };
    }
    default: {
      try { return { ok: true, value: JSON.parse(text) }; } catch (err) { return { ok: false, error: `Not valid JSON: ${(err as Error).message}` }; }
    }
  }
}

/** key/value rows of a record, and back (rows with an empty key are dropped; the last duplicate key wins). */
export function recordToRows(v: unknown): [string, string][] {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return [];
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]);
}

export function rowsToRecord(rows: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of rows) if (k.trim()) out[k.trim()] = v;
  return out;
}

/** A fresh row for a `list` field: each sub-field's default. */
export function newListItem(field: FormField): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const f of field.fields ?? []) {
    if (f.default !== undefined) item[f.name] = structuredClone(f.default);
    else if (f.required && f.kind === 'text') item[f.name] = '';
  }
  return item;
}
