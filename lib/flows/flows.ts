// Flows are versioned: every save is a new immutable version; publishing marks the one the named URL runs.
// Timestamps arrive as strings from the app's pool (lib/db/client.ts keeps them as text), so rows are read through new Date().
import type postgres from 'postgres';
import { flowSchema, migrateStoredFlow, registry, validateFlow, type Flow, type FlowIssue, type RecordingPolicy } from '@/engine';
import { Conflict, InvalidInput, NotFound } from '../errors';
import { invalidateAutomation } from '../engine-host/automation-cache';
import { suggestAutomationName } from './templates';

/** 400 invalid_flow: the definition cannot be saved or published; `issues` says where. */
export class FlowValidationError extends InvalidInput {
  constructor(readonly issues: FlowIssue[]) {
    super(`The flow has ${issues.length} problem(s): ${issues.slice(0, 3).map((i) => i.message).join('; ')}`, issues[0]?.path ?? [], { issues }, 'invalid_flow');
  }
}

const flowNotFound = (flowId: string, path?: (string | number)[]) => new NotFound('flow_not_found', `No flow "${flowId}"`, path ? { path } : {});

/** Another flow of the vendor answers to this automation name already: the named URL would be ambiguous. */
export class AutomationTakenError extends Conflict {
  constructor(readonly automation: string, readonly takenBy: { id: string; name: string }) {
    super('automation_taken', `Another flow ("${takenBy.name}") already answers to the automation "${automation}": choose another automation name`, { path: ['automation'], flowId: takenBy.id });
  }
}

/** The vendor's automation names in use (by flows other than `exceptFlowId`). */
export async function automationNamesInUse(sql: postgres.Sql, vendorId: string, exceptFlowId?: string): Promise<string[]> {
  const rows = await sql<{ automation: string }[]>`select automation from flows where vendor_id = ${vendorId} and deleted_at is null ${exceptFlowId ? sql`and id <> ${exceptFlowId}` : sql``}`;
  return rows.map((r) => r.automation);
}

/** `base`, else `base_2`, `base_3` …: the first automation name no other flow of the vendor uses. */
export async function freeAutomationName(sql: postgres.Sql, vendorId: string, base: string): Promise<string> {
  return suggestAutomationName(base, await automationNamesInUse(sql, vendorId));
}

export interface FlowSummary {
  id: string; vendorId: string; name: string; automation: string; description: string | null;
  latestVersion: number; publishedVersion: number | null; updatedAt: Date; createdAt: Date;
}

interface FlowRow { id: string; vendor_id: string; name: string; automation: string; description: string | null; latest_version: number; published_version: number | null; updated_at: Date | string; created_at: Date | string }
const toSummary = (r: FlowRow): FlowSummary => ({ id: r.id, vendorId: r.vendor_id, name: r.name, automation: r.automation, description: r.description, latestVersion: r.latest_version, publishedVersion: r.published_version, updatedAt: new Date(r.updated_at), createdAt: new Date(r.created_at) });

/**
 * Validates strictly (drafts may be saved with issues when `allowIssues`), then stores a new version; with
 * `publish` it is published in the same transaction, and a flow with problems writes nothing at all.
 * An automation name another flow of the vendor answers to is refused (409).
 */
export async function saveFlowVersion(sql: postgres.Sql, p: { vendorId: string; flowId?: string; definition: unknown; message?: string; userId?: string | null; allowIssues?: boolean; publish?: boolean }): Promise<{ flowId: string; version: number; issues: FlowIssue[] }> {
  const { flow, issues } = validateFlow(p.definition, registry);
  if (!flow) throw new FlowValidationError(issues);
  if (issues.length && (!p.allowIssues || p.publish)) throw new FlowValidationError(issues);
  return sql.begin(async (tx) => {
    // One writer per (vendor, automation name) at a time, so two saves cannot both take a free name.
    await tx`select pg_advisory_xact_lock(hashtext(${`${p.vendorId}:${flow.automation}`}))`;
    const [taken] = await tx<{ id: string; name: string }[]>`
      select id, name from flows where vendor_id = ${p.vendorId} and automation = ${flow.automation} and deleted_at is null
      ${p.flowId ? tx`and id <> ${p.flowId}` : tx``} limit 1`;
    if (taken) throw new AutomationTakenError(flow.automation, taken);
    let flowId = p.flowId;
    if (!flowId) {
      const [row] = await tx<{ id: string }[]>`insert into flows (vendor_id, name, automation, description) values (${p.vendorId}, ${flow.name}, ${flow.automation}, ${flow.description ?? null}) returning id`;
      flowId = row.id;
    }
    const [f] = await tx<{ latest_version: number }[]>`
      update flows set latest_version = latest_version + 1, name = ${flow.name}, automation = ${flow.automation}, description = ${flow.description ?? null}, updated_at = now()
      where id = ${flowId} and vendor_id = ${p.vendorId} and deleted_at is null returning latest_version`;
    if (!f) throw flowNotFound(flowId);
    await tx`insert into flow_versions (flow_id, version, definition, message, created_by) values (${flowId}, ${f.latest_version}, ${JSON.stringify(flow)}::text::json, ${p.message ?? null}, ${p.userId ?? null})`;
    if (p.publish) await tx`update flows set published_version = ${f.latest_version} where id = ${flowId}`;
    return { flowId, version: f.latest_version, issues };
  });
}

export async function publishFlow(sql: postgres.Sql, vendorId: string, flowId: string, version: number): Promise<void> {
  const def = await getFlowVersion(sql, vendorId, flowId, version);
  if (!def) throw new NotFound('version_not_found', `Flow "${flowId}" has no version ${version}`, { path: ['version'] });
  const { issues } = validateFlow(def.definition, registry);
  if (issues.length) throw new FlowValidationError(issues);
  await sql`update flows set published_version = ${version}, updated_at = now() where id = ${flowId} and vendor_id = ${vendorId}`;
}

export async function getFlow(sql: postgres.Sql, vendorId: string, flowId: string): Promise<FlowSummary | null> {
  const rows = await sql<FlowRow[]>`select * from flows where id = ${flowId} and vendor_id = ${vendorId} and deleted_at is null`;
  return rows.length ? toSummary(rows[0]) : null;
}

/**
 * One version of a flow; the latest when `version` is left out. A definition saved with blocks that were since
 * replaced (the per-CRM blocks before the CRM contract) is migrated on load. Loading the latest version records
 * the migration in the flow's history: a new version whose message says what moved (older versions stay as
 * they were stored and are migrated in memory only).
 */
export async function getFlowVersion(sql: postgres.Sql, vendorId: string, flowId: string, version?: number): Promise<{ version: number; definition: Flow; createdAt: Date; message: string | null; migrated?: string[] } | null> {
  const rows = await sql<{ version: number; definition: Flow; created_at: Date | string; message: string | null }[]>`
    select v.version, v.definition, v.created_at, v.message from flow_versions v join flows f on f.id = v.flow_id
    where f.id = ${flowId} and f.vendor_id = ${vendorId} and f.deleted_at is null and v.version = coalesce(${version ?? null}::int, f.latest_version)`;
  if (!rows.length) return null;
  const row = rows[0];
  const { flow, changes } = migrateStoredFlow(row.definition as unknown);
  if (!changes.length) return { version: row.version, definition: flowSchema.parse(row.definition), createdAt: new Date(row.created_at), message: row.message };
  const definition = flowSchema.parse(flow);
  if (version === undefined) {
    const recorded = await recordMigration(sql, vendorId, flowId, row.version, definition, changes);
    if (recorded) return { ...recorded, definition, migrated: changes };
  }
  return { version: row.version, definition, createdAt: new Date(row.created_at), message: row.message, migrated: changes };
}

/** Stores the migrated definition as the next version, unless someone saved a newer one meanwhile. */
async function recordMigration(sql: postgres.Sql, vendorId: string, flowId: string, fromVersion: number, definition: Flow, changes: string[]): Promise<{ version: number; createdAt: Date; message: string } | null> {
  const message = `Migrated on load from version ${fromVersion} to the generic CRM blocks: ${changes.join('; ')}`.slice(0, 2000);
  return sql.begin(async (tx) => {
    const [f] = await tx<{ latest_version: number }[]>`
      update flows set latest_version = latest_version + 1, updated_at = now()
      where id = ${flowId} and vendor_id = ${vendorId} and deleted_at is null and latest_version = ${fromVersion} returning latest_version`;
    if (!f) return null;
    const [v] = await tx<{ created_at: Date | string }[]>`
      insert into flow_versions (flow_id, version, definition, message, created_by) values (${flowId}, ${f.latest_version}, ${JSON.stringify(definition)}::text::json, ${message}, null)
      returning created_at`;
    return { version: f.latest_version, createdAt: new Date(v.created_at), message };
  });
}

export async function listFlows(sql: postgres.Sql, vendorId: string): Promise<FlowSummary[]> {
  const rows = await sql<FlowRow[]>`select * from flows where vendor_id = ${vendorId} and deleted_at is null order by updated_at desc`;
  return rows.map(toSummary);
}

/**
 * Enables (or re-points) a customer's automation to a flow of the same vendor; `enabled: false` stores it
 * disabled (the named URL answers 404 automation_disabled until it is enabled). Refused before anything is
 * written: a flow version that does not exist (400 version_not_found), a pinned version with problems (409
 * version_has_problems), and following a flow that was never published (409 flow_not_published). Takes effect
 * at once in this process; other processes re-read within PATCHBAY_AUTOMATION_CACHE_MS (2 s).
 */
export async function enableIntegration(sql: postgres.Sql, p: {
  vendorId: string; customerId: string; flowId: string; flowVersion?: number | null; options?: Record<string, unknown>; enabled?: boolean;
  /** Overrides the flow's deadline (synchronous automations). */
  deadlineMs?: number | null;
  /** Phone-system events whose webhook this automation answers synchronously (e.g. call.ringing). */
  answerEvents?: string[];
  /** Overrides the flow's recording policy (null: the flow's). */
  recording?: RecordingPolicy | null;
}): Promise<{ id: string; automation: string; enabled: boolean; flowVersion: number | null }> {
  const flow = await getFlow(sql, p.vendorId, p.flowId);
  if (!flow) throw flowNotFound(p.flowId, ['flowId']);
  // A version that does not exist (or cannot run) would leave the customer's automation failing on every call until re-pointed.
  if (p.flowVersion != null) {
    const v = await getFlowVersion(sql, p.vendorId, p.flowId, p.flowVersion);
    if (!v) throw new InvalidInput(`"flowVersion": flow "${flow.name}" has no version ${p.flowVersion} (latest is ${flow.latestVersion})`, ['flowVersion'], {}, 'version_not_found');
    const { issues } = validateFlow(v.definition, registry);
    if (issues.length) throw new Conflict('version_has_problems', `"flowVersion": version ${p.flowVersion} of flow "${flow.name}" has ${issues.length} problem(s) and cannot run: ${issues.slice(0, 3).map((i) => i.message).join('; ')}`, { path: ['flowVersion'] });
  } else if (flow.publishedVersion == null) {
    throw new Conflict('flow_not_published', `Flow "${flow.name}" has never been published: publish a version first, or pin one with "flowVersion"`, { path: ['flowId'] });
  }
  const enabled = p.enabled ?? true;
  const [row] = await sql<{ id: string }[]>`
    insert into integrations (customer_id, flow_id, automation, flow_version, options, enabled, deadline_ms, answer_events, recording)
    values (${p.customerId}, ${p.flowId}, ${flow.automation}, ${p.flowVersion ?? null}, ${JSON.stringify(p.options ?? {})}::text::jsonb, ${enabled}, ${p.deadlineMs ?? null}, ${[...new Set(p.answerEvents ?? [])]}::text[], ${p.recording ? JSON.stringify(p.recording) : null}::text::jsonb)
    on conflict (customer_id, automation) do update set flow_id = excluded.flow_id, flow_version = excluded.flow_version, options = excluded.options, enabled = excluded.enabled,
      deadline_ms = excluded.deadline_ms, answer_events = excluded.answer_events, recording = excluded.recording, updated_at = now()
    returning id`;
  invalidateAutomation(p.customerId, flow.automation);
  return { id: row.id, automation: flow.automation, enabled, flowVersion: p.flowVersion ?? null };
}

export interface FlowActivity extends FlowSummary {
  lastRun: { status: string; startedAt: Date } | null;
  /** Customers with an enabled integration on this flow. */
  enabledCustomers: number;
}

interface ActivityRow extends FlowRow { last_status: string | null; last_started_at: Date | string | null; enabled_customers: number }
const toActivity = (r: ActivityRow): FlowActivity => ({
  ...toSummary(r),
  lastRun: r.last_status && r.last_started_at ? { status: r.last_status, startedAt: new Date(r.last_started_at) } : null,
  enabledCustomers: r.enabled_customers,
});

/** The vendor's flows, most recently edited first, each with its latest run (one index probe per flow). */
export async function listFlowsWithActivity(sql: postgres.Sql, vendorId: string, flowId?: string): Promise<FlowActivity[]> {
  const rows = await sql<ActivityRow[]>`
    select f.*, lr.status as last_status, lr.started_at as last_started_at,
      (select count(*)::int from integrations i where i.flow_id = f.id and i.enabled) as enabled_customers
    from flows f
    left join lateral (select r.status, r.started_at from runs r where r.flow_id = f.id order by r.started_at desc limit 1) lr on true
    where f.vendor_id = ${vendorId} and f.deleted_at is null ${flowId ? sql`and f.id = ${flowId}` : sql``}
    order by f.updated_at desc, f.id`;
  return rows.map(toActivity);
}

export async function getFlowWithActivity(sql: postgres.Sql, vendorId: string, flowId: string): Promise<FlowActivity | null> {
  const [row] = await listFlowsWithActivity(sql, vendorId, flowId);
  return row ?? null;
}

export interface FlowVersionListItem { version: number; createdAt: Date; message: string | null; createdBy: string | null }

/** Newest first; `createdBy` is the author's name (null for seeded or imported-by-script versions). */
export async function listFlowVersions(sql: postgres.Sql, vendorId: string, flowId: string): Promise<FlowVersionListItem[]> {
  const rows = await sql<{ version: number; created_at: Date | string; message: string | null; author: string | null }[]>`
    select v.version, v.created_at, v.message, u.name as author
    from flow_versions v join flows f on f.id = v.flow_id left join staff_users u on u.id = v.created_by
    where f.id = ${flowId} and f.vendor_id = ${vendorId} and f.deleted_at is null
    order by v.version desc`;
  return rows.map((r) => ({ version: r.version, createdAt: new Date(r.created_at), message: r.message, createdBy: r.author }));
}

/** A new flow (version 1) from the latest version of another; it starts as a draft. */
export async function duplicateFlow(sql: postgres.Sql, p: { vendorId: string; flowId: string; userId?: string | null }): Promise<{ flowId: string; version: number } | null> {
  const src = await getFlowVersion(sql, p.vendorId, p.flowId);
  if (!src) return null;
  const definition = { ...src.definition, name: `${src.definition.name} (copy)`.slice(0, 200), automation: await freeAutomationName(sql, p.vendorId, `${src.definition.automation}_copy`.slice(0, 63)) };
  const saved = await saveFlowVersion(sql, { vendorId: p.vendorId, definition, message: `Duplicated from "${src.definition.name}" v${src.version}`, userId: p.userId, allowIssues: true });
  return { flowId: saved.flowId, version: saved.version };
}

/** Soft delete: versions and runs stay for the record; integrations on the flow stop answering. */
/** Returns the deleted flow's name, or null when the vendor has no such flow. */
export async function deleteFlow(sql: postgres.Sql, vendorId: string, flowId: string): Promise<{ name: string } | null> {
  const rows = await sql<{ name: string }[]>`update flows set deleted_at = now(), updated_at = now() where id = ${flowId} and vendor_id = ${vendorId} and deleted_at is null returning name`;
  return rows[0] ?? null;
}
