// A customer's integrations (one per automation name): list, disable, re-enable, delete. Enabling or re-pointing
// one is enableIntegration in flows.ts. Changes apply at once in this process and within
// PATCHBAY_AUTOMATION_CACHE_MS (2 s) in every other one (the automation cache re-reads its bindings).
import type postgres from 'postgres';
import { Conflict, NotFound } from '../errors';
import { invalidateAutomation } from '../engine-host/automation-cache';

/** What the named URL does with the integration right now. */
export type IntegrationState = 'active' | 'disabled' | 'flow_deleted' | 'flow_not_published';

export interface IntegrationSummary {
  id: string;
  automation: string;
  flowId: string;
  flowName: string;
  /** The pinned version; null follows the flow's published version. */
  flowVersion: number | null;
  /** The version the named URL runs (pinned, else published); null when there is none. */
  runsVersion: number | null;
  enabled: boolean;
  state: IntegrationState;
  options: Record<string, unknown>;
  /** Overrides the flow's deadline (synchronous calls); null: the flow's. */
  deadlineMs: number | null;
  /** Phone-system events whose webhook this automation answers synchronously. */
  answerEvents: string[];
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: string; automation: string; flow_id: string; flow_name: string; flow_version: number | null; runs_version: number | null;
  enabled: boolean; flow_deleted: boolean; options: Record<string, unknown>; deadline_ms: number | null; answer_events: string[] | null; created_at: Date | string; updated_at: Date | string;
}

const toSummary = (r: Row): IntegrationSummary => ({
  id: r.id, automation: r.automation, flowId: r.flow_id, flowName: r.flow_name, flowVersion: r.flow_version,
  runsVersion: r.flow_deleted ? null : r.runs_version, enabled: r.enabled,
  state: r.flow_deleted ? 'flow_deleted' : !r.enabled ? 'disabled' : r.runs_version == null ? 'flow_not_published' : 'active',
  options: r.options, deadlineMs: r.deadline_ms, answerEvents: r.answer_events ?? [], createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
});

const select = (sql: postgres.Sql, customerId: string, automation?: string) => sql<Row[]>`
  select i.id, i.automation, i.flow_id, f.name as flow_name, i.flow_version, coalesce(i.flow_version, f.published_version) as runs_version,
    i.enabled, f.deleted_at is not null as flow_deleted, i.options, i.deadline_ms, i.answer_events, i.created_at, i.updated_at
  from integrations i join flows f on f.id = i.flow_id
  where i.customer_id = ${customerId} ${automation === undefined ? sql`` : sql`and i.automation = ${automation}`}
  order by i.automation`;

const notFound = (automation: string) => new NotFound('integration_not_found', `The customer has no integration "${automation}"`, { path: ['automation'] });

export async function listIntegrations(sql: postgres.Sql, customerId: string): Promise<IntegrationSummary[]> {
  return (await select(sql, customerId)).map(toSummary);
}

export async function getIntegration(sql: postgres.Sql, customerId: string, automation: string): Promise<IntegrationSummary | null> {
  const [r] = await select(sql, customerId, automation);
  return r ? toSummary(r) : null;
}

/**
 * Disables or re-enables one integration (its flow, version and options stay). Re-enabling an integration whose
 * flow was deleted is refused (409 flow_deleted): it could never answer.
 */
export async function setIntegrationEnabled(sql: postgres.Sql, customerId: string, automation: string, enabled: boolean): Promise<IntegrationSummary> {
  const current = await getIntegration(sql, customerId, automation);
  if (!current) throw notFound(automation);
  if (enabled && current.state === 'flow_deleted') throw new Conflict('flow_deleted', `The flow "${current.flowName}" behind "${automation}" was deleted: enable the integration on another flow (POST …/integrations)`, { path: ['automation'] });
  const rows = await sql`update integrations set enabled = ${enabled}, updated_at = now() where customer_id = ${customerId} and automation = ${automation} and enabled <> ${enabled} returning id`;
  invalidateAutomation(customerId, automation);
  if (!rows.length) return current;
  return (await getIntegration(sql, customerId, automation)) ?? current;
}

/** Removes the integration; its runs stay in the history. */
export async function deleteIntegration(sql: postgres.Sql, customerId: string, automation: string): Promise<void> {
  const rows = await sql`delete from integrations where customer_id = ${customerId} and automation = ${automation} returning id`;
  invalidateAutomation(customerId, automation);
  if (!rows.length) throw notFound(automation);
}
