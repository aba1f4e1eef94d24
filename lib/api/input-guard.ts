// One guard for text that comes in from outside (JSON bodies, path segments, query values) before it can
// reach PostgreSQL or a recursive serializer: bodies nested deeper than MAX_JSON_DEPTH, NUL characters and
// unpaired UTF-16 surrogates (PostgreSQL refuses both in text and jsonb) and bad percent-escapes are refused
// with a 400 that names the field, the same way on every route (public API, portal, staff API).
import { InvalidInput } from '../errors';

/** Deepest nesting a JSON body may have (objects and arrays); flows and options need far less. */
export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export type TextProblem = 'nul' | 'surrogate';

/** Why `s` cannot be stored as PostgreSQL text, or null when it can. */
export function textProblem(s: string): TextProblem | null {
  if (s.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(s)) return 'surrogate';
  return null;
}

const PROBLEM_TEXT: Record<TextProblem, string> = {
  nul: 'contains a NUL character (U+0000), which cannot be stored',
  surrogate: 'contains an unpaired UTF-16 surrogate (not valid Unicode), which cannot be stored',
};

const label = (path: (string | number)[]) => (path.length ? `"${path.join('.')}"` : 'body');

export function invalidText(path: (string | number)[], problem: TextProblem): InvalidInput {
  return new InvalidInput(`${label(path)}: ${PROBLEM_TEXT[problem]}`, path);
}

/** Throws a 400 naming `path` when `s` cannot be stored. */
export function assertStorableText(s: string, path: (string | number)[]): string {
  const p = textProblem(s);
  if (p) throw invalidText(path, p);
  return s;
}

/**
 * Depth of the deepest array/object in JSON text, stopping early past `limit`. Runs before JSON.parse:
 * V8 takes seconds to parse a few hundred thousand nested brackets, and serializers overflow the stack on them.
 */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) { if (++depth > limit) return true; }
    else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

/** The path of the first key or string value in `value` that cannot be stored, and why. */
export function findUnstorable(value: unknown, maxDepth = MAX_JSON_DEPTH): { path: (string | number)[]; problem: TextProblem | 'depth' } | null {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const p = textProblem(v);
      if (p) return { path, problem: p };
    } else if (v && typeof v === 'object') {
      if (path.length >= maxDepth) return { path, problem: 'depth' };
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
      } else {
        const entries = Object.entries(v as Record<string, unknown>);
        for (let i = entries.length - 1; i >= 0; i--) {
          const [k, x] = entries[i];
          const p = textProblem(k);
          if (p) return { path: [...path, printableKey(k)], problem: p };
          stack.push({ v: x, path: [...path, k] });
        }
      }
    }
  }
  return null;
}

const printableKey = (k: string) => k.replace(/[\u0000-\u001f\ud800-\udfff]/g, '?');

/** Parses a JSON body: too deep, not JSON, or holding text that cannot be stored → 400 naming the field. */
export function parseJsonBody(text: string): unknown {
  if (jsonDepthExceeds(text)) throw new InvalidInput(`body: nested deeper than ${MAX_JSON_DEPTH} levels`, []);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InvalidInput(`The request body is not valid JSON: ${(err as Error).message}`, [], {}, 'invalid_json');
  }
  const bad = findUnstorable(data);
  if (bad) {
    if (bad.problem === 'depth') throw new InvalidInput(`${label(bad.path)}: nested deeper than ${MAX_JSON_DEPTH} levels`, bad.path);
    throw invalidText(bad.path, bad.problem);
  }
  return data;
}

/** A percent-decoded path segment: a bad escape → 400 invalid_path; NUL or a lone surrogate → 400 naming `name`. */
export function decodePathSegment(raw: string, name: string): string {
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    throw new InvalidInput(`The path segment "${raw.slice(0, 100)}" is not valid percent-encoding`, [name], {}, 'invalid_path');
  }
  return assertStorableText(s, [name]);
}

/** decodeURIComponent that never throws: null for a bad escape. */
export function tryDecodeURIComponent(s: string): string | null {
  try { return decodeURIComponent(s); } catch { return null; }
}
