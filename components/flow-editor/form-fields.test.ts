import { describe, expect, it } from 'vitest';
import { findBlock } from './block-catalog';
import { registryBlocks } from './blocks.test-helper';
import { containsExpression, deriveFields, fieldFromSchema, formatFieldValue, humanize, isExpressionValue, newListItem, parseFieldValue, recordToRows, rowsToRecord } from './form-fields';

const blocks = registryBlocks();
const fieldsOf = (id: string) => deriveFields(findBlock(blocks, id)!.params);

describe('schema → form fields', () => {
  it('string, optional string with pattern', () => {
    expect(fieldsOf('phone.normalize')).toEqual([
      { name: 'phone', label: 'Phone', kind: 'text', required: true, nullable: true, description: 'The number as received' },
      { name: 'country', label: 'Country', kind: 'text', required: false, nullable: false, description: "Country for numbers without a country code (default: the customer's)", pattern: '^[A-Za-z]{2}$' },
    ]);
  });

  it('enum → select, unknown → json', () => {
    const [left, operator, right] = fieldsOf('condition');
    expect(left).toMatchObject({ name: 'left', kind: 'json' });
    expect(operator).toMatchObject({ kind: 'select', default: 'isTrue', options: ['isTrue', 'equals', 'notEquals', 'contains', 'greaterThan', 'lessThan', 'exists', 'isEmpty'] });
    expect(right.kind).toBe('json');
  });

  it('integer with bounds → number', () => {
    expect(fieldsOf('respond.json')[0]).toMatchObject({ name: 'status', kind: 'number', integer: true, min: 200, max: 599, default: 200 });
    expect(fieldsOf('delay')[0]).toMatchObject({ kind: 'number', integer: false, min: 0 });
  });

  it('array of objects → list rows with their own fields (trigger fields); record of unknown → json', () => {
    const [fields, example] = fieldsOf('trigger.webhook');
    expect(fields.kind).toBe('list');
    expect(fields.fields!.map((f) => [f.name, f.kind, f.required])).toEqual([['path', 'text', true], ['type', 'select', false], ['required', 'checkbox', false], ['description', 'text', false]]);
    expect(example).toMatchObject({ kind: 'json', default: { phone: '+12025550123' } });
    expect(newListItem(fields)).toEqual({ path: '', type: 'string', required: true });
  });

  it('record of strings → key/value, boolean → checkbox, nullable unwraps', () => {
    expect(fieldFromSchema('headers', { type: 'object', propertyNames: { type: 'string' }, additionalProperties: { type: 'string' } }, false).kind).toBe('keyValue');
    expect(fieldFromSchema('continueOnError', { type: 'boolean', default: false }, false)).toMatchObject({ kind: 'checkbox', default: false });
    expect(fieldFromSchema('cursor', { type: ['string', 'null'], description: 'c' }, false)).toMatchObject({ kind: 'text', nullable: true, description: 'c' });
    expect(fieldFromSchema('x', { anyOf: [{ type: 'number' }, { type: 'null' }] }, true)).toMatchObject({ kind: 'number', nullable: true, required: true });
    expect(fieldFromSchema('tags', { type: 'array', items: { type: 'string' } }, false)).toMatchObject({ kind: 'strings', itemKind: 'text' });
    expect(fieldFromSchema('addr', { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, false)).toMatchObject({ kind: 'group', fields: [{ name: 'city', kind: 'text', required: true }] });
  });

  it('humanizes names', () => {
    expect(humanize('defaultCountry')).toBe('Default country');
    expect(humanize('timeout_ms')).toBe('Timeout ms');
    expect(humanize('url')).toBe('URL');
    expect(humanize('contactId')).toBe('Contact ID');
  });
});

describe('field text ⇄ value', () => {
  it('recognises expressions the way the engine does', () => {
    expect(isExpressionValue('=trigger.phone')).toBe(true);
    expect(isExpressionValue('Hello {{ trigger.name }}')).toBe(true);
    expect(isExpressionValue('plain')).toBe(false);
    expect(isExpressionValue(3)).toBe(false);
    expect(containsExpression({ found: true, contact: ['=steps.lookup.contact'] })).toBe(true);
    expect(containsExpression({ found: false })).toBe(false);
  });

  it('numbers parse, refuse garbage, allow expressions, empty clears', () => {
    const f = { kind: 'number' as const, integer: true };
    expect(parseFieldValue(f, '404')).toEqual({ ok: true, value: 404 });
    expect(parseFieldValue(f, '4.5')).toMatchObject({ ok: false });
    expect(parseFieldValue(f, 'abc')).toMatchObject({ ok: false });
    expect(parseFieldValue(f, '=steps.x.status')).toEqual({ ok: true, value: '=steps.x.status' });
    expect(parseFieldValue(f, '')).toEqual({ ok: true, value: undefined });
  });

  it('json fields: objects, bare strings and expressions survive format → parse', () => {
    const f = { kind: 'json' as const };
    for (const v of [{ found: true, contact: '=steps.lookup.contact' }, 'plain text', '123', 'true', 42, true, null, ['a'], '=trigger.phone']) {
      const text = formatFieldValue(f, v);
      const back = parseFieldValue(f, text);
      expect(back).toEqual({ ok: true, value: v === null ? undefined : v });
    }
    expect(formatFieldValue(f, 'plain text')).toBe('plain text');
    expect(formatFieldValue(f, '123')).toBe('"123"');
    expect(parseFieldValue(f, '{ "a": ')).toMatchObject({ ok: false });
  });

  it('json fields: {{ }} inside a JSON body is a value or a template, not a string of the whole body', () => {
    const f = { kind: 'json' as const };
    expect(parseFieldValue(f, '{ "route": "vip", "count": {{ trigger.n }}, "greeting": "Hi {{ trigger.name }}", "list": [{{steps.lookup.contact}}] }')).toEqual({
      ok: true, value: { route: 'vip', count: '=trigger.n', greeting: 'Hi {{ trigger.name }}', list: ['=steps.lookup.contact'] },
    });
    // Invalid JSON is refused whole (the editor keeps the previous value and says so), even with templates in it.
    const bad = parseFieldValue(f, '{ "name": "{{ trigger.name }}", }');
    expect(bad).toMatchObject({ ok: false });
    expect((bad as { error: string }).error).toMatch(/^Not valid JSON: .*Nothing was applied/);
    expect(parseFieldValue(f, '{ "a": {{ trigger.x }')).toMatchObject({ ok: false });
    // A plain template and a bare expression stay what they were.
    expect(parseFieldValue(f, 'Hi {{ trigger.name }}')).toEqual({ ok: true, value: 'Hi {{ trigger.name }}' });
    expect(parseFieldValue(f, '{{ trigger.name }}')).toEqual({ ok: true, value: '{{ trigger.name }}' });
  });

  it('key/value rows', () => {
    expect(recordToRows({ a: '1', b: 2 })).toEqual([['a', '1'], ['b', '2']]);
    expect(rowsToRecord([['a', '1'], ['', 'x'], [' b ', '=trigger.x']])).toEqual({ a: '1', b: '=trigger.x' });
  });
});

describe('an ordered rules table', () => {
  it('a list whose schema says table: true is shown as a table (route.rules)', async () => {
    const { z } = await import('zod');
    const { registry } = await import('@/engine');
    const params = z.toJSONSchema(registry.get('route.rules')!.params, { io: 'input', unrepresentable: 'any' }) as Parameters<typeof deriveFields>[0];
    const rules = deriveFields(params).find((f) => f.name === 'rules')!;
    expect(rules).toMatchObject({ kind: 'list', table: true });
    expect(rules.fields!.map((f) => f.name)).toEqual(['label', 'field', 'operator', 'value', 'targetType', 'target']);
    expect(deriveFields(params).find((f) => f.name === 'defaultTarget')).toMatchObject({ kind: 'text', required: true });
  });
});
