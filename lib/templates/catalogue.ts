// The customer's catalogue: the vendor's published templates as one customer sees them (its options form, the
// connections it needs and which are connected, whether the customer enabled it, and how that is going).
import { z } from 'zod';
import type postgres from 'postgres';
import { crmSystems } from '@/engine/connectors';
import type { CustomerRef } from '../tenancy/customers';
import { getCustomerTemplate, listCustomerTemplates, systemName, templateHealth, describeRemoval, type CustomerTemplate } from './customer-templates';
import { describeWhatHappens, optionFieldSchema, optionsJsonSchema, type OptionField, type TemplateDefinition } from './template-definition';
import { getTemplate, getTemplateVersion, listTemplates, templateNotFound, type TemplateSummary } from './templates';

// Wire shapes (zod: the portal routes document them in OpenAPI; types for the portal pages come from z.infer).
export const enabledView = z.object({
  status: z.enum(['active', 'paused']),
  version: z.number().int(),
  pinned: z.boolean(),
  options: z.record(z.string(), z.unknown()),
  enabledAt: z.string(),
  health: z.object({ state: z.enum(['ok', 'failing', 'paused', 'idle']), summary: z.string() }),
});

export const catalogueItemView = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  icon: z.string(),
  version: z.number().int().describe('The version this customer sees: the one it runs when enabled, else the published one'),
  automations: z.array(z.string()),
  options: z.array(optionFieldSchema),
  optionsSchema: z.record(z.string(), z.unknown()).describe('The options as JSON Schema (draft 2020-12)'),
  connections: z.array(z.string()).describe('Systems it needs; "crm" is the CRM chosen in the option of type crm'),
  removal: z.string().describe('What removing it does, in plain words (with the defaults or the customer\'s options)'),
  enabled: enabledView.nullable(),
});

export const catalogueView = z.object({
  customer: z.object({ id: z.string(), name: z.string() }),
  crms: z.array(z.object({ system: z.string(), name: z.string() })),
  /** The customer's connections by system: their health (the enable form connects what is missing). */
  connections: z.record(z.string(), z.enum(['unknown', 'ok', 'error'])),
  templates: z.array(catalogueItemView),
});

const runView = z.object({ id: z.string(), automation: z.string(), status: z.string(), startedAt: z.string(), durationMs: z.number().nullable(), error: z.string().nullable() });
export const templateDetailView = catalogueItemView.extend({
  whatHappens: z.array(z.string()),
  health: z.object({
    state: z.enum(['ok', 'failing', 'paused', 'idle']),
    summary: z.string(),
    automations: z.array(z.object({
      automation: z.string(),
      lastRun: z.object({ id: z.string(), status: z.string(), startedAt: z.string(), error: z.string().nullable() }).nullable().describe('The newest run stored in detail'),
      lastActivity: z.object({ minute: z.string(), runs: z.number(), failures: z.number() }).nullable().describe('The newest minute with runs (every run is counted)'),
    })),
    connections: z.array(z.object({ system: z.string(), name: z.string(), status: z.enum(['ok', 'error', 'unknown', 'missing']), lastError: z.string().nullable(), lastSuccessAt: z.string().nullable() })),
    lastSync: z.object({ status: z.string(), startedAt: z.string(), finishedAt: z.string().nullable(), read: z.number(), written: z.number(), deleted: z.number(), failed: z.number(), error: z.string().nullable() }).nullable(),
    recentRuns: z.array(runView),
  }).nullable(),
});

export type CatalogueView = z.infer<typeof catalogueView>;
export type CatalogueItem = z.infer<typeof catalogueItemView>;
export type TemplateDetail = z.infer<typeof templateDetailView>;

const defaultsOf = (fields: OptionField[]) => Object.fromEntries(fields.filter((f) => f.default !== undefined).map((f) => [f.key, f.default]));

async function itemOf(sql: postgres.Sql, t: TemplateSummary, def: TemplateDefinition, version: number, ct: CustomerTemplate | null): Promise<CatalogueItem> {
  const options = ct?.options ?? defaultsOf(def.options);
  const health = ct ? await templateHealth(sql, ct, def) : null;
  return {
    id: t.id, slug: t.slug, name: t.name, description: t.description, icon: t.icon, version,
    automations: def.flows.map((f) => f.automation),
    options: def.options,
    optionsSchema: optionsJsonSchema(def.options, crmSystems()),
    connections: def.connections,
    removal: describeRemoval(def, options),
    enabled: ct ? { status: ct.status, version: ct.version, pinned: ct.pinned, options: ct.options, enabledAt: ct.createdAt.toISOString(), health: { state: health!.state, summary: health!.summary } } : null,
  };
}

export async function customerCatalogue(sql: postgres.Sql, customer: CustomerRef): Promise<CatalogueView> {
  const templates = await listTemplates(sql, customer.vendorId, { publishedOnly: true });
  const mine = await listCustomerTemplates(sql, customer.id);
  const conns = await sql<{ system: string; status: 'unknown' | 'ok' | 'error' }[]>`select system, status from connections where customer_id = ${customer.id}`;
  const items: CatalogueItem[] = [];
  for (const t of templates) {
    const ct = mine.find((m) => m.templateId === t.id) ?? null;
    const v = await getTemplateVersion(sql, customer.vendorId, t.id, ct?.version ?? t.publishedVersion!);
    if (v) items.push(await itemOf(sql, t, v.definition, v.version, ct));
  }
  return {
    customer: { id: customer.externalId, name: customer.name },
    crms: crmSystems().map((s) => ({ system: s, name: systemName(s) })),
    connections: Object.fromEntries(conns.map((c) => [c.system, c.status])),
    templates: items,
  };
}

/** One template for the customer, with "what will happen" and, when enabled, its full health and recent runs. */
export async function customerTemplateDetail(sql: postgres.Sql, customer: CustomerRef, templateId: string): Promise<TemplateDetail> {
  const t = await getTemplate(sql, customer.vendorId, templateId);
  const ct = t ? await getCustomerTemplate(sql, customer.id, templateId) : null;
  // An unpublished template the customer has not enabled is not in its catalogue.
  if (!t || (!ct && t.publishedVersion == null)) throw templateNotFound(templateId);
  const v = await getTemplateVersion(sql, customer.vendorId, t.id, ct?.version ?? t.publishedVersion!);
  if (!v) throw templateNotFound(templateId);
  const item = await itemOf(sql, t, v.definition, v.version, ct);
  const options = ct?.options ?? defaultsOf(v.definition.options);
  return { ...item, whatHappens: describeWhatHappens(v.definition, options, systemName), health: ct ? await templateHealth(sql, ct, v.definition) : null };
}
