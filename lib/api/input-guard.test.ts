import { describe, expect, it } from 'vitest';
import { ApiError } from './http-io';
import { decodePathSegment, findUnstorable, jsonDepthExceeds, MAX_JSON_DEPTH, parseJsonBody, textProblem, tryDecodeURIComponent } from './input-guard';

const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
const refusal = (f: () => unknown) => { try { f(); } catch (e) { return e as ApiError; } throw new Error('not refused'); };

describe('input guard', () => {
  it('tells NUL and unpaired surrogates from storable text (pairs are fine)', () => {
    expect(textProblem('a\u0000b')).toBe('nul');
    expect(textProblem('\ud800')).toBe('surrogate');
    expect(textProblem('x\udc00')).toBe('surrogate');
    expect(textProblem('\udc00\ud800')).toBe('surrogate');
    expect(textProblem('😀 Zoë \u2028')).toBeNull();
  });

  it('measures depth without parsing, ignoring brackets inside strings', () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonDepthExceeds(`{"a":"${'['.repeat(500)}\\"${'{'.repeat(500)}"}`)).toBe(false);
    const t = Date.now();
    expect(jsonDepthExceeds(nested(2_000_000))).toBe(true);
    expect(Date.now() - t).toBeLessThan(1500); // JSON.parse takes ~17 s on this input
  });

  it('names the first unstorable field, keys included', () => {
    expect(findUnstorable({ a: [1, { b: 'ok' }, { c: 'x\u0000' }] })).toEqual({ path: ['a', 2, 'c'], problem: 'nul' });
    expect(findUnstorable({ a: { 'k\ud800': 1 } })).toEqual({ path: ['a', 'k?'], problem: 'surrogate' });
    expect(findUnstorable({ ok: ['fine', 1, null, true] })).toBeNull();
  });

  it('parses bodies or refuses them with 400 naming the field', () => {
    expect(parseJsonBody('{"a":[1,"x"]}')).toEqual({ a: [1, 'x'] });
    expect(refusal(() => parseJsonBody('{"a":{"b":"\\u0000"}}'))).toMatchObject({ status: 400, code: 'invalid_input', extra: { path: ['a', 'b'] } });
    expect(refusal(() => parseJsonBody('{"a":"\\ud800"}')).message).toMatch(/"a": contains an unpaired UTF-16 surrogate/);
    expect(refusal(() => parseJsonBody(`{"a":${nested(100_000)}}`))).toMatchObject({ status: 400, message: 'body: nested deeper than 64 levels' });
    expect(refusal(() => parseJsonBody('{"a":'))).toMatchObject({ status: 400, code: 'invalid_json' });
  });

  it('decodes path segments or refuses them', () => {
    expect(decodePathSegment('a%20b', 'externalId')).toBe('a b');
    expect(refusal(() => decodePathSegment('%E0%A4%A', 'externalId'))).toMatchObject({ status: 400, code: 'invalid_path', extra: { path: ['externalId'] } });
    expect(refusal(() => decodePathSegment('a%00', 'externalId'))).toMatchObject({ status: 400, code: 'invalid_input', extra: { path: ['externalId'] } });
    expect(tryDecodeURIComponent('%E0%A4%A')).toBeNull();
    expect(tryDecodeURIComponent('%C3%A9')).toBe('é');
  });
});
