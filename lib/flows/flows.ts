// Flows are versioned: every save is a new immutable version; publishing marks the one the named URL runs.
import type postgres from 'postgres';
import { flowSchema, registry, validateFlow, type Flow, type FlowIssue } from '@/engine';

export class FlowValidationError extends Error {
  constructor(readonly issues: FlowIssue[]) {
    super(`The flow has ${issues.length} problem(s): ${issues.slice(0, 3).map((i) => i.message).join('; ')}`);
  }
}

export interface FlowSummary {
  id: string; vendorId: string; name: string; automation: string; description: string | null;
  latestVersion: number; publishedVersion: number | null; updatedAt: Date; createdAt: Date;
}

interface FlowRow { id: string; vendor_id: string; name: string; automation: string; description: string | null; latest_version: number; published_version: number | null; updated_at: Date; created_at: Date }
const toSummary = (r: FlowRow): FlowSummary => ({ id: r.id, vendorId: r.vendor_id, name: r.name, automation: r.automation, description: r.description, latestVersion: r.latest_version, publishedVersion: r.published_version, updatedAt: r.updated_at, createdAt: r.created_at });

/** Validates strictly (drafts may be saved with issues when `allowIssues`), then stores a new version. */
export async function saveFlowVersion(sql: postgres.Sql, p: { vendorId: string; flowId?: string; definition: unknown; message?: string; userId?: string | null; allowIssues?: boolean }): Promise<{ flowId: string; version: number; issues: FlowIssue[] }> {
  const { flow, issues } = validateFlow(p.definition, registry);
  if (!flow) throw new FlowValidationError(issues);
  if (issues.length && !p.allowIssues) throw new FlowValidationError(issues);
  return sql.begin(async (tx) => {
    let flowId = p.flowId;
    if (!flowId) {
      const [row] = await tx<{ id: string }[]>`insert into flows (vendor_id, name, automation, description) values (${p.vendorId}, ${flow.name}, ${flow.automation}, ${flow.description ?? null}) returning id`;
      flowId = row.id;
    }
    const [f] = await tx<{ latest_version: number }[]>`
      update flows set latest_version = latest_version + 1, name = ${flow.name}, automation = ${flow.automation}, description = ${flow.description ?? null}, updated_at = now()
      where id = ${flowId} and vendor_id = ${p.vendorId} and deleted_at is null returning latest_version`;
    if (!f) throw new Error('flow not found');
    await tx`insert into flow_versions (flow_id, version, definition, message, created_by) values (${flowId}, ${f.latest_version}, ${JSON.stringify(flow)}::jsonb, ${p.message ?? null}, ${p.userId ?? null})`;
    return { flowId, version: f.latest_version, issues };
  });
}

export async function publishFlow(sql: postgres.Sql, vendorId: string, flowId: string, version: number): Promise<void> {
  const rows = await sql`select 1 from flow_versions v join flows f on f.id = v.flow_id where f.id = ${flowId} and f.vendor_id = ${vendorId} and v.version = ${version}`;
  if (!rows.length) throw new Error('version not found');
  const def = await getFlowVersion(sql, vendorId, flowId, version);
  const { issues } = validateFlow(def!.definition, registry);
  if (issues.length) throw new FlowValidationError(issues);
  await sql`update flows set published_version = ${version}, updated_at = now() where id = ${flowId} and vendor_id = ${vendorId}`;
}

export async function getFlow(sql: postgres.Sql, vendorId: string, flowId: string): Promise<FlowSummary | null> {
  const rows = await sql<FlowRow[]>`select * from flows where id = ${flowId} and vendor_id = ${vendorId} and deleted_at is null`;
  return rows.length ? toSummary(rows[0]) : null;
}

export async function getFlowVersion(sql: postgres.Sql, vendorId: string, flowId: string, version?: number): Promise<{ version: number; definition: Flow; createdAt: Date; message: string | null } | null> {
  const rows = await sql<{ version: number; definition: Flow; created_at: Date; message: string | null }[]>`
    select v.version, v.definition, v.created_at, v.message from flow_versions v join flows f on f.id = v.flow_id
    where f.id = ${flowId} and f.vendor_id = ${vendorId} and f.deleted_at is null and v.version = coalesce(${version ?? null}::int, f.latest_version)`;
  return rows.length ? { version: rows[0].version, definition: flowSchema.parse(rows[0].definition), createdAt: rows[0].created_at, message: rows[0].message } : null;
}

export async function listFlows(sql: postgres.Sql, vendorId: string): Promise<FlowSummary[]> {
  const rows = await sql<FlowRow[]>`select * from flows where vendor_id = ${vendorId} and deleted_at is null order by updated_at desc`;
  return rows.map(toSummary);
}

/** Enables (or re-points) a customer's automation to a flow of the same vendor. */
export async function enableIntegration(sql: postgres.Sql, p: { vendorId: string; customerId: string; flowId: string; flowVersion?: number | null; options?: Record<string, unknown> }): Promise<{ id: string; automation: string }> {
  const flow = await getFlow(sql, p.vendorId, p.flowId);
  if (!flow) throw new Error('flow not found');
  const [row] = await sql<{ id: string }[]>`
    insert into integrations (customer_id, flow_id, automation, flow_version, options, enabled)
    values (${p.customerId}, ${p.flowId}, ${flow.automation}, ${p.flowVersion ?? null}, ${JSON.stringify(p.options ?? {})}::jsonb, true)
    on conflict (customer_id, automation) do update set flow_id = excluded.flow_id, flow_version = excluded.flow_version, options = excluded.options, enabled = true, updated_at = now()
    returning id`;
  return { id: row.id, automation: flow.automation };
}
