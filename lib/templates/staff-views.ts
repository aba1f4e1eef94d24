// What the staff pages read about templates and customers: templates with who runs which version, roll-outs;
// customers with a health word (search, filter), and one customer's integrations, versions, connections, runs, syncs.
import type postgres from 'postgres';
import { InvalidInput } from '../errors';
import { URL_ID } from '../tenancy/customers';
import { listCustomerTemplates, systemName, templateHealth } from './customer-templates';
import { listRollouts, type RolloutView } from './rollout';
import type { TemplateDefinition } from './template-definition';
import { getTemplate, getTemplateVersion, listTemplates, listTemplateVersions, templateNotFound } from './templates';

export interface StaffTemplateListItem {
  id: string; slug: string; name: string; description: string; icon: string;
  latestVersion: number; publishedVersion: number | null; updatedAt: string;
  customers: { total: number; paused: number; pinned: number; byVersion: Record<string, number> };
}

export async function staffTemplateList(sql: postgres.Sql, vendorId: string): Promise<StaffTemplateListItem[]> {
  const list = await listTemplates(sql, vendorId);
  const counts = await sql<{ template_id: string; version: number; n: number; paused: number; pinned: number }[]>`
    select ct.template_id, ct.version, count(*)::int as n, count(*) filter (where ct.status = 'paused')::int as paused, count(*) filter (where ct.pinned)::int as pinned
    from customer_templates ct join templates t on t.id = ct.template_id where t.vendor_id = ${vendorId} group by ct.template_id, ct.version`;
  return list.map((t) => {
    const mine = counts.filter((c) => c.template_id === t.id);
    return {
      id: t.id, slug: t.slug, name: t.name, description: t.description, icon: t.icon, latestVersion: t.latestVersion, publishedVersion: t.publishedVersion, updatedAt: t.updatedAt.toISOString(),
      customers: {
        total: mine.reduce((a, c) => a + c.n, 0), paused: mine.reduce((a, c) => a + c.paused, 0), pinned: mine.reduce((a, c) => a + c.pinned, 0),
        byVersion: Object.fromEntries(mine.map((c) => [String(c.version), c.n])),
      },
    };
  });
}

export interface StaffTemplateDetail {
  template: StaffTemplateListItem;
  versions: { version: number; definition: TemplateDefinition; message: string | null; publishedAt: string | null; createdAt: string }[];
  customers: { id: string; name: string; version: number; previousVersion: number | null; pinned: boolean; status: string; enabledAt: string }[];
  rollouts: RolloutView[];
}

export async function staffTemplateDetail(sql: postgres.Sql, vendorId: string, templateId: string): Promise<StaffTemplateDetail> {
  const t = await getTemplate(sql, vendorId, templateId);
  if (!t) throw templateNotFound(templateId);
  const [item] = (await staffTemplateList(sql, vendorId)).filter((x) => x.id === templateId);
  const versions = await listTemplateVersions(sql, vendorId, templateId);
  const customers = await sql<{ external_id: string; name: string; version: number; previous_version: number | null; pinned: boolean; status: string; created_at: Date | string }[]>`
    select c.external_id, c.name, ct.version, ct.previous_version, ct.pinned, ct.status, ct.created_at
    from customer_templates ct join customers c on c.id = ct.customer_id where ct.template_id = ${templateId} and c.vendor_id = ${vendorId} order by c.name`;
  return {
    template: item,
    versions: versions.map((v) => ({ version: v.version, definition: v.definition, message: v.message, publishedAt: v.publishedAt?.toISOString() ?? null, createdAt: v.createdAt.toISOString() })),
    customers: customers.map((c) => ({ id: c.external_id, name: c.name, version: c.version, previousVersion: c.previous_version, pinned: c.pinned, status: c.status, enabledAt: new Date(c.created_at).toISOString() })),
    rollouts: await listRollouts(sql, vendorId, templateId),
  };
}

// ------------------------------------------------------------------------------------------------ customers

export type CustomerHealth = 'ok' | 'failing' | 'paused' | 'idle';
export const CUSTOMER_HEALTH = ['ok', 'failing', 'paused', 'idle'] as const;

export interface StaffCustomerListItem {
  id: string; externalId: string; name: string; defaultCountry: string;
  integrations: number; templates: number;
  /** failing: a connection is broken or an automation's last run failed; paused: a template is paused; idle: nothing has run in 7 days; ok otherwise. */
  health: CustomerHealth;
  healthReason: string | null;
  lastRunAt: string | null;
}

export async function staffCustomerList(sql: postgres.Sql, vendorId: string, q: { search?: string; health?: CustomerHealth; externalId?: string } = {}): Promise<StaffCustomerListItem[]> {
  const like = q.search ? `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await sql<{ id: string; external_id: string; name: string; default_country: string; integrations: number; templates: number; paused: number; broken: string | null; broken_error: string | null; failed_automation: string | null; last_run_at: Date | string | null }[]>`
    select c.id, c.external_id, c.name, c.default_country,
      (select count(*)::int from integrations i where i.customer_id = c.id) as integrations,
      (select count(*)::int from customer_templates ct where ct.customer_id = c.id) as templates,
      (select count(*)::int from customer_templates ct where ct.customer_id = c.id and ct.status = 'paused') as paused,
      (select system from connections k where k.customer_id = c.id and k.status = 'error' order by k.updated_at desc limit 1) as broken,
      (select last_error from connections k where k.customer_id = c.id and k.status = 'error' order by k.updated_at desc limit 1) as broken_error,
      (select i.automation from integrations i
        cross join lateral (select status from runs r where r.customer_id = c.id and r.automation = i.automation order by r.started_at desc limit 1) lr
        where i.customer_id = c.id and i.enabled and lr.status in ('failed', 'timeout') limit 1) as failed_automation,
      (select max(r.started_at) from runs r where r.customer_id = c.id and r.started_at > now() - interval '30 days') as last_run_at
    from customers c where c.vendor_id = ${vendorId}
      ${like ? sql`and (c.external_id ilike ${like} or c.name ilike ${like})` : sql``}
      ${q.externalId !== undefined ? sql`and c.external_id = ${q.externalId}` : sql``}
    order by c.name limit 500`;
  const items = rows.map((r): StaffCustomerListItem => {
    const lastRunAt = r.last_run_at ? new Date(r.last_run_at).toISOString() : null;
    let health: CustomerHealth = 'ok';
    let healthReason: string | null = null;
    if (r.broken) { health = 'failing'; healthReason = `${systemName(r.broken)}: ${r.broken_error ?? 'the connection failed'}`; }
    else if (r.failed_automation) { health = 'failing'; healthReason = `The last ${r.failed_automation} run failed`; }
    else if (r.paused) { health = 'paused'; healthReason = `${r.paused} template${r.paused === 1 ? ' is' : 's are'} paused`; }
    else if (!lastRunAt || Date.now() - new Date(lastRunAt).getTime() > 7 * 86_400_000) { health = 'idle'; healthReason = lastRunAt ? 'Nothing ran in the last 7 days' : 'Nothing has run yet'; }
    return { id: r.id, externalId: r.external_id, name: r.name, defaultCountry: r.default_country.trim(), integrations: r.integrations, templates: r.templates, health, healthReason, lastRunAt };
  });
  return q.health ? items.filter((i) => i.health === q.health) : items;
}

export interface StaffCustomerDetail {
  customer: StaffCustomerListItem;
  integrations: { automation: string; flowId: string; flowName: string; version: number | null; follows: 'pinned' | 'published'; enabled: boolean; template: string | null }[];
  templates: { templateId: string; name: string; version: number; previousVersion: number | null; pinned: boolean; status: string; health: { state: string; summary: string } }[];
  connections: { system: string; name: string; status: string; lastError: string | null; lastSuccessAt: string | null; updatedAt: string }[];
  runs: { id: string; automation: string; status: string; startedAt: string; durationMs: number | null }[];
  syncs: { syncKey: string; status: string; kind: string; startedAt: string; finishedAt: string | null; read: number; written: number; deleted: number; failed: number; error: string | null }[];
}

export async function staffCustomerDetail(sql: postgres.Sql, vendorId: string, externalId: string): Promise<StaffCustomerDetail | null> {
  if (!URL_ID.test(externalId)) return null;
  const [item] = await staffCustomerList(sql, vendorId, { externalId });
  if (!item) return null;
  const integ = await sql<{ automation: string; flow_id: string; flow_name: string; flow_version: number | null; published_version: number | null; enabled: boolean; template_name: string | null }[]>`
    select i.automation, i.flow_id, f.name as flow_name, i.flow_version, f.published_version, i.enabled, t.name as template_name
    from integrations i join flows f on f.id = i.flow_id
    left join customer_templates ct on ct.id = i.customer_template_id left join templates t on t.id = ct.template_id
    where i.customer_id = ${item.id} order by i.automation`;
  const cts = await listCustomerTemplates(sql, item.id);
  const templates: StaffCustomerDetail['templates'] = [];
  for (const ct of cts) {
    const t = await getTemplate(sql, vendorId, ct.templateId);
    const v = await getTemplateVersion(sql, vendorId, ct.templateId, ct.version);
    if (!t || !v) continue;
    const h = await templateHealth(sql, ct, v.definition);
    templates.push({ templateId: t.id, name: t.name, version: ct.version, previousVersion: ct.previousVersion, pinned: ct.pinned, status: ct.status, health: { state: h.state, summary: h.summary } });
  }
  const conns = await sql<{ system: string; status: string; last_error: string | null; last_success_at: Date | string | null; updated_at: Date | string }[]>`
    select system, status, last_error, last_success_at, updated_at from connections where customer_id = ${item.id} order by system`;
  const runs = await sql<{ id: string; automation: string; status: string; started_at: Date | string; duration_ms: number | null }[]>`
    select id, automation, status, started_at, duration_ms from runs where customer_id = ${item.id} order by started_at desc limit 20`;
  const syncs = await sql<{ sync_key: string; status: string; kind: string; started_at: Date | string; finished_at: Date | string | null; read: number; written: number; deleted: number; failed: number; error: string | null }[]>`
    select sync_key, status, kind, started_at, finished_at, read, written, deleted, failed, error from sync_runs where customer_id = ${item.id} order by started_at desc limit 10`;
  return {
    customer: item,
    integrations: integ.map((i) => ({ automation: i.automation, flowId: i.flow_id, flowName: i.flow_name, version: i.flow_version ?? i.published_version, follows: i.flow_version != null ? 'pinned' : 'published', enabled: i.enabled, template: i.template_name })),
    templates,
    connections: conns.map((c) => ({ system: c.system, name: systemName(c.system), status: c.status, lastError: c.last_error, lastSuccessAt: c.last_success_at ? new Date(c.last_success_at).toISOString() : null, updatedAt: new Date(c.updated_at).toISOString() })),
    runs: runs.map((r) => ({ id: r.id, automation: r.automation, status: r.status, startedAt: new Date(r.started_at).toISOString(), durationMs: r.duration_ms })),
    syncs: syncs.map((s) => ({ syncKey: s.sync_key, status: s.status, kind: s.kind, startedAt: new Date(s.started_at).toISOString(), finishedAt: s.finished_at ? new Date(s.finished_at).toISOString() : null, read: s.read, written: s.written, deleted: s.deleted, failed: s.failed, error: s.error })),
  };
}

export function checkSearch(search: string | undefined): string | undefined {
  if (search && search.length > 200) throw new InvalidInput('At most 200 characters', ['search']);
  return search?.trim() || undefined;
}
