// Templates as the vendor's staff make them: from flows (each flow brings its automation name, pinned to a flow
// version), with an options schema and the connections it needs; every save is a new immutable version, and
// publishing marks the version new customers get (roll-outs move existing customers: rollout.ts).
import type postgres from 'postgres';
import { crmSystems } from '@/engine/connectors';
import { Conflict, InvalidInput, NotFound } from '../errors';
import { getFlow, getFlowVersion } from '../flows/flows';
import { optionsValidator, templateDefinitionSchema, type OptionField, type TemplateDefinition } from './template-definition';

export interface TemplateSummary {
  id: string; slug: string; name: string; description: string; icon: string;
  latestVersion: number; publishedVersion: number | null; updatedAt: Date;
}

export interface TemplateVersion { version: number; definition: TemplateDefinition; message: string | null; publishedAt: Date | null; createdAt: Date }

interface Row { id: string; slug: string; name: string; description: string; icon: string; latest_version: number; published_version: number | null; updated_at: Date | string }
const toSummary = (r: Row): TemplateSummary => ({ id: r.id, slug: r.slug, name: r.name, description: r.description, icon: r.icon, latestVersion: r.latest_version, publishedVersion: r.published_version, updatedAt: new Date(r.updated_at) });

export const templateNotFound = (id: string, path?: (string | number)[]) => new NotFound('template_not_found', `No template "${id}"`, path ? { path } : {});

export interface TemplateInput {
  name: string;
  description?: string;
  icon?: string;
  /** The flows, each at a version (its published version when left out). */
  flows: { flowId: string; version?: number | null }[];
  options?: OptionField[];
  connections?: string[];
}

/** Resolves the flows to (automation, flow, version) and checks the whole definition; 400 naming the field. */
async function buildDefinition(sql: postgres.Sql, vendorId: string, input: TemplateInput): Promise<TemplateDefinition> {
  const flows: TemplateDefinition['flows'] = [];
  for (const [i, f] of input.flows.entries()) {
    const flow = await getFlow(sql, vendorId, f.flowId);
    if (!flow) throw new InvalidInput(`No flow "${f.flowId}"`, ['flows', i, 'flowId'], {}, 'flow_not_found');
    const version = f.version ?? flow.publishedVersion;
    if (version == null) throw new InvalidInput(`"${flow.name}" has no published version: publish it, or name a version`, ['flows', i, 'version'], {}, 'flow_not_published');
    if (!(await getFlowVersion(sql, vendorId, f.flowId, version))) throw new InvalidInput(`"${flow.name}" has no version ${version}`, ['flows', i, 'version'], {}, 'version_not_found');
    if (flows.some((x) => x.automation === flow.automation)) throw new InvalidInput(`Two flows answer to "${flow.automation}": a template has one flow per automation name`, ['flows', i, 'flowId']);
    flows.push({ automation: flow.automation, flowId: flow.id, flowVersion: version, flowName: flow.name });
  }
  const parsed = templateDefinitionSchema.safeParse({ flows, options: input.options ?? [], connections: input.connections ?? [] });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new InvalidInput(i.message, i.path as (string | number)[]);
  }
  const def = parsed.data;
  // The defaults must fit their own fields, or every customer would be refused at enable time.
  const defaults = Object.fromEntries(def.options.filter((o) => o.default !== undefined).map((o) => [o.key, o.default]));
  const checked = optionsValidator(def.options, crmSystems()).safeParse(defaults);
  if (!checked.success) {
    const key = checked.error.issues[0].path[0];
    throw new InvalidInput(`The default of option "${String(key)}" does not fit it: ${checked.error.issues[0].message}`, ['options', def.options.findIndex((o) => o.key === key), 'default']);
  }
  if (new Set(def.options.map((o) => o.key)).size !== def.options.length) throw new InvalidInput('Two options have the same key', ['options']);
  return def;
}

const slugOf = (name: string) => name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || 'template';

/** A new template with its version 1 (unpublished unless `publish`). */
export async function createTemplate(sql: postgres.Sql, p: { vendorId: string; userId?: string | null; input: TemplateInput; slug?: string; message?: string; publish?: boolean }): Promise<{ id: string; version: number }> {
  const definition = await buildDefinition(sql, p.vendorId, p.input);
  const slug = p.slug ?? slugOf(p.input.name);
  return sql.begin(async (tx) => {
    const [taken] = await tx`select 1 from templates where vendor_id = ${p.vendorId} and slug = ${slug} and deleted_at is null`;
    if (taken) throw new Conflict('template_taken', `A template "${slug}" exists already: choose another name`, { path: ['name'] });
    const [t] = await tx<{ id: string }[]>`
      insert into templates (vendor_id, slug, name, description, icon, latest_version, published_version)
      values (${p.vendorId}, ${slug}, ${p.input.name}, ${p.input.description ?? ''}, ${p.input.icon ?? 'plug'}, 1, ${p.publish ? 1 : null}) returning id`;
    await tx`insert into template_versions (template_id, version, definition, message, created_by, published_at)
      values (${t.id}, 1, ${JSON.stringify(definition)}::text::jsonb, ${p.message ?? null}, ${p.userId ?? null}, ${p.publish ? tx`now()` : null})`;
    return { id: t.id, version: 1 };
  });
}

/** The next version of a template (name, description and icon follow the latest version). */
export async function saveTemplateVersion(sql: postgres.Sql, p: { vendorId: string; templateId: string; userId?: string | null; input: TemplateInput; message?: string }): Promise<{ version: number }> {
  // Another vendor's template is a 404 before anything about the input is said.
  if (!(await getTemplate(sql, p.vendorId, p.templateId))) throw templateNotFound(p.templateId);
  const definition = await buildDefinition(sql, p.vendorId, p.input);
  return sql.begin(async (tx) => {
    const [t] = await tx<{ latest_version: number }[]>`
      update templates set latest_version = latest_version + 1, name = ${p.input.name}, description = ${p.input.description ?? ''}, icon = ${p.input.icon ?? 'plug'}, updated_at = now()
      where id = ${p.templateId} and vendor_id = ${p.vendorId} and deleted_at is null returning latest_version`;
    if (!t) throw templateNotFound(p.templateId);
    await tx`insert into template_versions (template_id, version, definition, message, created_by)
      values (${p.templateId}, ${t.latest_version}, ${JSON.stringify(definition)}::text::jsonb, ${p.message ?? null}, ${p.userId ?? null})`;
    return { version: t.latest_version };
  });
}

/** Marks a version published: the catalogue offers it and new customers get it. Existing customers move by roll-out. */
export async function publishTemplateVersion(sql: postgres.Sql, vendorId: string, templateId: string, version: number): Promise<void> {
  const rows = await sql`
    update template_versions v set published_at = coalesce(v.published_at, now())
    from templates t where t.id = v.template_id and t.id = ${templateId} and t.vendor_id = ${vendorId} and t.deleted_at is null and v.version = ${version}
    returning v.version`;
  if (!rows.length) {
    if (!(await getTemplate(sql, vendorId, templateId))) throw templateNotFound(templateId);
    throw new InvalidInput(`The template has no version ${version}`, ['version'], {}, 'version_not_found');
  }
  await sql`update templates set published_version = greatest(coalesce(published_version, 0), ${version}), updated_at = now() where id = ${templateId}`;
}

export async function getTemplate(sql: postgres.Sql, vendorId: string, templateId: string): Promise<TemplateSummary | null> {
  if (!/^[0-9a-f-]{36}$/i.test(templateId)) return null;
  const [r] = await sql<Row[]>`select * from templates where id = ${templateId} and vendor_id = ${vendorId} and deleted_at is null`;
  return r ? toSummary(r) : null;
}

export async function getTemplateBySlug(sql: postgres.Sql, vendorId: string, slug: string): Promise<TemplateSummary | null> {
  const [r] = await sql<Row[]>`select * from templates where slug = ${slug} and vendor_id = ${vendorId} and deleted_at is null`;
  return r ? toSummary(r) : null;
}

export async function listTemplates(sql: postgres.Sql, vendorId: string, o: { publishedOnly?: boolean } = {}): Promise<TemplateSummary[]> {
  const rows = await sql<Row[]>`select * from templates where vendor_id = ${vendorId} and deleted_at is null ${o.publishedOnly ? sql`and published_version is not null` : sql``} order by name`;
  return rows.map(toSummary);
}

/** One version (the latest when left out); null when the template or version is not the vendor's. */
export async function getTemplateVersion(sql: postgres.Sql, vendorId: string, templateId: string, version?: number): Promise<TemplateVersion | null> {
  if (!/^[0-9a-f-]{36}$/i.test(templateId)) return null;
  const [r] = await sql<{ version: number; definition: unknown; message: string | null; published_at: Date | string | null; created_at: Date | string }[]>`
    select v.version, v.definition, v.message, v.published_at, v.created_at from template_versions v join templates t on t.id = v.template_id
    where t.id = ${templateId} and t.vendor_id = ${vendorId} and t.deleted_at is null and v.version = coalesce(${version ?? null}::int, t.latest_version)`;
  if (!r) return null;
  return { version: r.version, definition: templateDefinitionSchema.parse(r.definition), message: r.message, publishedAt: r.published_at ? new Date(r.published_at) : null, createdAt: new Date(r.created_at) };
}

export async function listTemplateVersions(sql: postgres.Sql, vendorId: string, templateId: string): Promise<TemplateVersion[]> {
  const rows = await sql<{ version: number; definition: unknown; message: string | null; published_at: Date | string | null; created_at: Date | string }[]>`
    select v.version, v.definition, v.message, v.published_at, v.created_at from template_versions v join templates t on t.id = v.template_id
    where t.id = ${templateId} and t.vendor_id = ${vendorId} and t.deleted_at is null order by v.version desc`;
  return rows.map((r) => ({ version: r.version, definition: templateDefinitionSchema.parse(r.definition), message: r.message, publishedAt: r.published_at ? new Date(r.published_at) : null, createdAt: new Date(r.created_at) }));
}
