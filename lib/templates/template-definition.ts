// What one template version holds: the flows of one integration under their fixed automation names (each pinned to
// a flow version), the options a customer sets (a small schema the portal turns into a form, with defaults), and
// the connections it needs. Pure: shared by the staff API, the portal API and the UI's wire types.
import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { InvalidInput } from '../errors';
import { CONNECTION_ENTRY, OPTION_CONNECTION, neededSystems as systemsFor, systemOptionKeys } from './needed-systems';
import { describeAutomations } from './what-happens';

export const OPTION_TYPES = ['string', 'integer', 'number', 'boolean', 'choice', 'multiChoice', 'country', 'crm'] as const;

export const optionFieldSchema = z.object({
  key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, 'letters, digits and _ (the flows read it as options.<key>)'),
  label: z.string().min(1).max(100),
  help: z.string().max(300).optional(),
  type: z.enum(OPTION_TYPES),
  /** choice / multiChoice: the values offered. */
  choices: z.array(z.object({ value: z.string().min(1).max(100), label: z.string().min(1).max(100) })).max(50).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  default: z.unknown().optional(),
  required: z.boolean().default(false),
});
export type OptionField = z.infer<typeof optionFieldSchema>;

export const templateFlowSchema = z.object({
  automation: z.string(),
  flowId: z.string().uuid(),
  flowVersion: z.number().int().positive(),
  /** The flow's name when the version was made (for people; the flow may be renamed later). */
  flowName: z.string().optional(),
});

export const templateDefinitionSchema = z.object({
  flows: z.array(templateFlowSchema).min(1).max(20),
  options: z.array(optionFieldSchema).max(40).default([]),
  /**
   * Systems the customer must connect: a system id; "crm" (the CRM picked in the option of type crm); or
   * "options.<key>" / "options.<key> if options.<flag>" (the system an option names, while a yes/no option is on).
   */
  connections: z.array(z.string().regex(CONNECTION_ENTRY, 'a system id, "crm", "options.<key>" or "options.<key> if options.<flag>"')).max(10).default([]),
}).superRefine((def, ctx) => {
  // An option entry must name options of this template (a typo would silently need nothing).
  def.connections.forEach((entry, i) => {
    const m = OPTION_CONNECTION.exec(entry);
    if (!m) return;
    const [, key, when] = m;
    const field = def.options.find((f) => f.key === key);
    if (!field || !['choice', 'string', 'crm'].includes(field.type)) ctx.addIssue({ code: 'custom', path: ['connections', i], message: `"${key}" is not an option of this template that names a system (choice or text)` });
    if (when && def.options.find((f) => f.key === when)?.type !== 'boolean') ctx.addIssue({ code: 'custom', path: ['connections', i], message: `"${when}" is not a yes/no option of this template` });
  });
});
export type TemplateDefinition = z.infer<typeof templateDefinitionSchema>;

/** The options' JSON Schema (draft 2020-12), for API readers and the OpenAPI-minded. */
export function optionsJsonSchema(fields: OptionField[], crms: string[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of fields) {
    const base: Record<string, unknown> = { title: f.label, ...(f.help ? { description: f.help } : {}), ...(f.default !== undefined ? { default: f.default } : {}) };
    switch (f.type) {
      case 'string': properties[f.key] = { ...base, type: 'string' }; break;
      case 'integer': properties[f.key] = { ...base, type: 'integer', ...(f.min !== undefined ? { minimum: f.min } : {}), ...(f.max !== undefined ? { maximum: f.max } : {}) }; break;
      case 'number': properties[f.key] = { ...base, type: 'number', ...(f.min !== undefined ? { minimum: f.min } : {}), ...(f.max !== undefined ? { maximum: f.max } : {}) }; break;
      case 'boolean': properties[f.key] = { ...base, type: 'boolean' }; break;
      case 'choice': properties[f.key] = { ...base, enum: (f.choices ?? []).map((c) => c.value) }; break;
      case 'multiChoice': properties[f.key] = { ...base, type: 'array', items: { enum: (f.choices ?? []).map((c) => c.value) }, uniqueItems: true }; break;
      case 'country': properties[f.key] = { ...base, type: 'string', pattern: '^[A-Z]{2}$' }; break;
      case 'crm': properties[f.key] = { ...base, enum: crms }; break;
    }
  }
  return { type: 'object', properties, required: fields.filter((f) => f.required).map((f) => f.key), additionalProperties: false };
}

/** The zod schema that checks a customer's options against the fields (defaults filled in). */
export function optionsValidator(fields: OptionField[], crms: string[]): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fields) {
    let s: z.ZodType;
    switch (f.type) {
      case 'string': s = z.string().max(500); break;
      case 'integer': { let n = z.number().int(); if (f.min !== undefined) n = n.min(f.min); if (f.max !== undefined) n = n.max(f.max); s = n; break; }
      case 'number': { let n = z.number(); if (f.min !== undefined) n = n.min(f.min); if (f.max !== undefined) n = n.max(f.max); s = n; break; }
      case 'boolean': s = z.boolean(); break;
      case 'choice': { const values = (f.choices ?? []).map((c) => c.value); s = z.string().refine((v) => values.includes(v), `one of: ${values.join(', ')}`); break; }
      case 'multiChoice': { const values = (f.choices ?? []).map((c) => c.value); s = z.array(z.string().refine((v) => values.includes(v), `each one of: ${values.join(', ')}`)).max(values.length); break; }
      case 'country': s = z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as US').refine((c) => isSupportedCountry(c.toUpperCase()), 'not a country code Patchbay knows').transform((c) => c.toUpperCase()); break;
      case 'crm': s = z.string().refine((v) => crms.includes(v), `a CRM Patchbay connects: ${crms.join(', ')}`); break;
    }
    shape[f.key] = f.default !== undefined ? s.default(f.default as never) : f.required ? s : s.optional();
  }
  return z.object(shape).strict() as unknown as z.ZodType<Record<string, unknown>>;
}

/** Checks options against the fields: a 400 naming the option (path ["options", key]) when they do not fit. */
export function checkOptions(fields: OptionField[], crms: string[], input: unknown): Record<string, unknown> {
  const r = optionsValidator(fields, crms).safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = issue.path[0] ?? (issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys?.[0] : undefined);
  const field = fields.find((f) => f.key === key);
  const what = issue.code === 'unrecognized_keys' ? `"${String(key)}" is not an option of this integration` : `${field?.label ?? String(key)}: ${issue.message}`;
  throw new InvalidInput(what, ['options', ...(key !== undefined ? [String(key)] : [])]);
}

/** The systems a customer needs connected for these options (lib/templates/needed-systems.ts). */
export function neededSystems(def: TemplateDefinition, options: Record<string, unknown>): string[] {
  return systemsFor(def.connections, def.options, options);
}

/** "What will happen" in plain words, one line per automation, with the options filled in (lib/templates/what-happens.ts). */
export function describeWhatHappens(def: TemplateDefinition, options: Record<string, unknown>, systemName: (s: string) => string): string[] {
  return describeAutomations(def.flows, options, systemName, systemOptionKeys(def.connections, def.options));
}
