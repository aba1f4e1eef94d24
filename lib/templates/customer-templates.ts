// A customer's enabled templates: enabling one binds each of its automations (integrations rows, what the named
// URL runs) to the flow versions of the template version, with the customer's options; pause, resume and remove
// act on all of them at once, and a roll-out (rollout.ts) re-points them to another version.
import type postgres from 'postgres';
import { catalog, crmSystems } from '@/engine/connectors';
import { Conflict, InvalidInput, NotFound } from '../errors';
import { invalidateAutomations } from '../engine-host/automation-cache';
import { checkOptions, describeWhatHappens, neededSystems, type TemplateDefinition } from './template-definition';
import { getTemplate, getTemplateVersion, templateNotFound } from './templates';

export type CustomerTemplateStatus = 'active' | 'paused';

export interface CustomerTemplate {
  id: string; customerId: string; templateId: string; version: number; previousVersion: number | null;
  pinned: boolean; options: Record<string, unknown>; status: CustomerTemplateStatus; createdAt: Date; updatedAt: Date;
}

interface Row { id: string; customer_id: string; template_id: string; version: number; previous_version: number | null; pinned: boolean; options: Record<string, unknown>; status: string; created_at: Date | string; updated_at: Date | string }
export const toCustomerTemplate = (r: Row): CustomerTemplate => ({
  id: r.id, customerId: r.customer_id, templateId: r.template_id, version: r.version, previousVersion: r.previous_version, pinned: r.pinned,
  options: r.options, status: r.status as CustomerTemplateStatus, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});

export const systemName = (s: string) => (Object.prototype.hasOwnProperty.call(catalog, s) ? catalog[s].connector.name : s);

export async function getCustomerTemplate(sql: postgres.Sql, customerId: string, templateId: string): Promise<CustomerTemplate | null> {
  if (!/^[0-9a-f-]{36}$/i.test(templateId)) return null;
  const [r] = await sql<Row[]>`select * from customer_templates where customer_id = ${customerId} and template_id = ${templateId}`;
  return r ? toCustomerTemplate(r) : null;
}

export async function listCustomerTemplates(sql: postgres.Sql, customerId: string): Promise<CustomerTemplate[]> {
  const rows = await sql<Row[]>`select * from customer_templates where customer_id = ${customerId} order by created_at`;
  return rows.map(toCustomerTemplate);
}

/**
 * Points the customer's automations at `def`'s flow versions (inside the caller's transaction): automations the
 * version no longer has are removed, the others upserted with the options and the status.
 */
export async function bindVersion(tx: postgres.TransactionSql, ct: { id: string; customerId: string; options: Record<string, unknown>; status: CustomerTemplateStatus }, def: TemplateDefinition): Promise<void> {
  const automations = def.flows.map((f) => f.automation);
  await tx`delete from integrations where customer_template_id = ${ct.id} and not (automation = any(${automations}::text[]))`;
  for (const f of def.flows) {
    await tx`
      insert into integrations (customer_id, flow_id, automation, flow_version, options, enabled, customer_template_id)
      values (${ct.customerId}, ${f.flowId}, ${f.automation}, ${f.flowVersion}, ${JSON.stringify(ct.options)}::text::jsonb, ${ct.status === 'active'}, ${ct.id})
      on conflict (customer_id, automation) do update set flow_id = excluded.flow_id, flow_version = excluded.flow_version, options = excluded.options,
        enabled = excluded.enabled, customer_template_id = excluded.customer_template_id, updated_at = now()`;
  }
}

export interface EnableResult { customerTemplate: CustomerTemplate; whatHappens: string[]; startsSync: boolean }

/**
 * Enables the template's published version for the customer with these options (checked against its schema,
 * defaults filled in). Every connection it needs must be connected first (409 connection_missing naming it).
 * An automation another template of the customer already runs is refused (409 automation_in_use).
 */
export async function enableTemplate(sql: postgres.Sql, p: { vendorId: string; customerId: string; templateId: string; options?: Record<string, unknown> }): Promise<EnableResult> {
  const t = await getTemplate(sql, p.vendorId, p.templateId);
  if (!t || t.publishedVersion == null) throw templateNotFound(p.templateId);
  const v = (await getTemplateVersion(sql, p.vendorId, p.templateId, t.publishedVersion))!;
  const options = checkOptions(v.definition.options, crmSystems(), p.options ?? {});
  const needed = neededSystems(v.definition, options);
  const have = await sql<{ system: string }[]>`select system from connections where customer_id = ${p.customerId} and system = any(${needed}::text[])`;
  const missing = needed.filter((s) => !have.some((h) => h.system === s));
  if (missing.length) throw new Conflict('connection_missing', `Connect ${missing.map(systemName).join(' and ')} first: this integration needs it`, { systems: missing });
  const ct = await sql.begin(async (tx) => {
    const [existing] = await tx`select 1 from customer_templates where customer_id = ${p.customerId} and template_id = ${p.templateId}`;
    if (existing) throw new Conflict('already_enabled', `"${t.name}" is enabled already: change its options, pause or remove it`);
    const automations = v.definition.flows.map((f) => f.automation);
    const [clash] = await tx<{ automation: string; name: string }[]>`
      select i.automation, tp.name from integrations i join customer_templates c on c.id = i.customer_template_id join templates tp on tp.id = c.template_id
      where i.customer_id = ${p.customerId} and i.automation = any(${automations}::text[]) limit 1`;
    if (clash) throw new Conflict('automation_in_use', `"${clash.name}" already runs the automation "${clash.automation}": remove it first`);
    const [row] = await tx<Row[]>`
      insert into customer_templates (customer_id, template_id, version, options, status)
      values (${p.customerId}, ${p.templateId}, ${v.version}, ${JSON.stringify(options)}::text::jsonb, 'active') returning *`;
    const ct = toCustomerTemplate(row);
    await bindVersion(tx, ct, v.definition);
    return ct;
  });
  invalidateAutomations();
  return { customerTemplate: ct, whatHappens: describeWhatHappens(v.definition, options, systemName), startsSync: v.definition.flows.some((f) => f.automation === 'contact_sync') };
}

const notEnabled = (templateId: string) => new NotFound('integration_not_found', `The template "${templateId}" is not enabled for this customer`);

/** The CRM a template's options name (its contact sync reads it). */
function chosenCrm(def: TemplateDefinition, options: Record<string, unknown>): string | null {
  const key = def.options.find((f) => f.type === 'crm')?.key;
  const v = key ? options[key] : undefined;
  return typeof v === 'string' ? v : null;
}

/** Pause (`paused`) or resume (`active`): the automations stop answering (409 automation_paused) and the contact sync's schedule stops, or both start again. */
export async function setTemplateStatus(sql: postgres.Sql, p: { vendorId: string; customerId: string; templateId: string; status: CustomerTemplateStatus }): Promise<CustomerTemplate> {
  const ct = await getCustomerTemplate(sql, p.customerId, p.templateId);
  if (!ct) throw notEnabled(p.templateId);
  const v = await getTemplateVersion(sql, p.vendorId, p.templateId, ct.version);
  if (!v) throw notEnabled(p.templateId);
  const out = await sql.begin(async (tx) => {
    const [row] = await tx<Row[]>`update customer_templates set status = ${p.status}, updated_at = now() where id = ${ct.id} returning *`;
    await tx`update integrations set enabled = ${p.status === 'active'}, updated_at = now() where customer_template_id = ${ct.id}`;
    const crm = chosenCrm(v.definition, ct.options);
    if (crm && v.definition.flows.some((f) => f.automation === 'contact_sync')) {
      await tx`update sync_states set enabled = ${p.status === 'active'}, updated_at = now() where customer_id = ${p.customerId} and sync_key = ${crm}`;
    }
    return toCustomerTemplate(row);
  });
  invalidateAutomations();
  return out;
}

/** What removing a template does, in the words the portal shows before the customer confirms. */
export function describeRemoval(def: TemplateDefinition, options: Record<string, unknown>): string {
  const crm = chosenCrm(def, options);
  const name = crm ? systemName(crm) : 'your CRM';
  const syncs = def.flows.some((f) => f.automation === 'contact_sync');
  return [
    `Its automations (${def.flows.map((f) => f.automation).join(', ')}) stop at once.`,
    syncs ? `The contact sync stops and the contacts copied from ${name} are deleted from Patchbay, so caller ID no longer finds them.` : null,
    `Nothing is changed or deleted in ${name}: call logs, tasks and contacts already written there stay. Your connection to ${name} stays too (disconnect it under Connections).`,
  ].filter(Boolean).join(' ');
}

/** Removes the template from the customer: its automations, its sync schedule and the contacts that sync copied. */
export async function removeTemplate(sql: postgres.Sql, p: { vendorId: string; customerId: string; templateId: string }): Promise<{ removed: true; deletedContacts: number; whatHappened: string }> {
  const ct = await getCustomerTemplate(sql, p.customerId, p.templateId);
  if (!ct) throw notEnabled(p.templateId);
  const v = await getTemplateVersion(sql, p.vendorId, p.templateId, ct.version);
  const deletedContacts = await sql.begin(async (tx) => {
    await tx`delete from customer_templates where id = ${ct.id}`; // its integrations go with it (on delete cascade)
    const crm = v ? chosenCrm(v.definition, ct.options) : null;
    if (!crm || !v!.definition.flows.some((f) => f.automation === 'contact_sync')) return 0;
    await tx`update sync_states set enabled = false, updated_at = now() where customer_id = ${p.customerId} and sync_key = ${crm}`;
    const gone = await tx`update cdp_contacts set deleted_at = now(), updated_at = now() where customer_id = ${p.customerId} and source = ${crm} and deleted_at is null returning id`;
    return gone.length;
  });
  invalidateAutomations();
  return { removed: true, deletedContacts, whatHappened: v ? describeRemoval(v.definition, ct.options) : 'Its automations stopped.' };
}

/** Changes an enabled template's options (checked like at enable time); its automations read them from their next run. */
export async function updateTemplateOptions(sql: postgres.Sql, p: { vendorId: string; customerId: string; templateId: string; options: Record<string, unknown> }): Promise<CustomerTemplate> {
  const ct = await getCustomerTemplate(sql, p.customerId, p.templateId);
  if (!ct) throw notEnabled(p.templateId);
  const v = (await getTemplateVersion(sql, p.vendorId, p.templateId, ct.version))!;
  const options = checkOptions(v.definition.options, crmSystems(), p.options);
  const out = await sql.begin(async (tx) => {
    const [row] = await tx<Row[]>`update customer_templates set options = ${JSON.stringify(options)}::text::jsonb, updated_at = now() where id = ${ct.id} returning *`;
    await tx`update integrations set options = ${JSON.stringify(options)}::text::jsonb, updated_at = now() where customer_template_id = ${ct.id}`;
    return toCustomerTemplate(row);
  });
  invalidateAutomations();
  return out;
}

/** Staff: pin a customer to a version (roll-outs pass it by) or unpin; with `version`, move it there now. */
export async function pinCustomerTemplate(sql: postgres.Sql, p: { vendorId: string; customerId: string; templateId: string; pinned: boolean; version?: number }): Promise<CustomerTemplate> {
  const ct = await getCustomerTemplate(sql, p.customerId, p.templateId);
  if (!ct) throw notEnabled(p.templateId);
  const target = p.version ?? ct.version;
  const v = await getTemplateVersion(sql, p.vendorId, p.templateId, target);
  if (!v) throw new InvalidInput(`The template has no version ${target}`, ['version'], {}, 'version_not_found');
  const out = await sql.begin(async (tx) => {
    const [row] = await tx<Row[]>`
      update customer_templates set pinned = ${p.pinned}, version = ${target},
        previous_version = case when ${target}::int <> version then version else previous_version end, updated_at = now()
      where id = ${ct.id} returning *`;
    const next = toCustomerTemplate(row);
    if (target !== ct.version) await bindVersion(tx, next, v.definition);
    return next;
  });
  invalidateAutomations();
  return out;
}

// ------------------------------------------------------------------------------------------------ health

export interface AutomationHealth {
  automation: string;
  /** The newest run stored in detail (the recording policy may keep only some successful synchronous runs). */
  lastRun: { id: string; status: string; startedAt: string; error: string | null } | null;
  /** The newest minute with runs in the per-minute aggregates, which count every run. */
  lastActivity: { minute: string; runs: number; failures: number } | null;
}
export interface ConnectionHealth { system: string; name: string; status: 'ok' | 'error' | 'unknown' | 'missing'; lastError: string | null; lastSuccessAt: string | null }
export interface SyncHealth { status: string; startedAt: string; finishedAt: string | null; read: number; written: number; deleted: number; failed: number; error: string | null }
export interface RecentRun { id: string; automation: string; status: string; startedAt: string; durationMs: number | null; error: string | null }

export interface TemplateHealth {
  /** ok | failing | paused | idle: what the one-line summary says. */
  state: 'ok' | 'failing' | 'paused' | 'idle';
  /** In plain words: "Working: caller_lookup answered 3 minutes ago." */
  summary: string;
  automations: AutomationHealth[];
  connections: ConnectionHealth[];
  lastSync: SyncHealth | null;
  recentRuns: RecentRun[];
}

const errText = (e: unknown): string | null => (e && typeof e === 'object' && 'message' in e ? String((e as { message: unknown }).message) : null);

function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'} ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} hour${h === 1 ? '' : 's'} ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** A customer template's health: each automation's last run, the needed connections, the last sync, recent runs. */
export async function templateHealth(sql: postgres.Sql, ct: CustomerTemplate, def: TemplateDefinition): Promise<TemplateHealth> {
  const automations = def.flows.map((f) => f.automation);
  const last = await sql<{ automation: string; id: string | null; status: string | null; started_at: Date | string | null; error: unknown; minute: Date | string | null; runs: number | null; failures: number | null }[]>`
    select a.automation, r.id, r.status, r.started_at, r.error, g.minute, g.runs, g.failures from unnest(${automations}::text[]) as a(automation)
    left join lateral (select id, status, started_at, error from runs where customer_id = ${ct.customerId} and automation = a.automation order by started_at desc limit 1) r on true
    left join lateral (select minute, runs, failures + timeouts as failures from run_aggregates where customer_id = ${ct.customerId} and automation = a.automation order by minute desc limit 1) g on true`;
  const needed = neededSystems(def, ct.options);
  const conns = await sql<{ system: string; status: string; last_error: string | null; last_success_at: Date | string | null }[]>`
    select system, status, last_error, last_success_at from connections where customer_id = ${ct.customerId} and system = any(${needed}::text[])`;
  const crm = chosenCrm(def, ct.options);
  const [sync] = crm ? await sql<{ status: string; started_at: Date | string; finished_at: Date | string | null; read: number; written: number; deleted: number; failed: number; error: string | null }[]>`
    select status, started_at, finished_at, read, written, deleted, failed, error from sync_runs where customer_id = ${ct.customerId} and sync_key = ${crm} order by started_at desc limit 1` : [];
  const recent = await sql<{ id: string; automation: string; status: string; started_at: Date | string; duration_ms: number | null; error: unknown }[]>`
    select id, automation, status, started_at, duration_ms, error from runs where customer_id = ${ct.customerId} and automation = any(${automations}::text[]) order by started_at desc limit 10`;

  const automationHealth: AutomationHealth[] = last.map((r) => ({
    automation: r.automation,
    lastRun: r.id ? { id: r.id, status: r.status!, startedAt: new Date(r.started_at!).toISOString(), error: errText(r.error) } : null,
    lastActivity: r.minute ? { minute: new Date(r.minute).toISOString(), runs: r.runs ?? 0, failures: r.failures ?? 0 } : null,
  }));
  const connections: ConnectionHealth[] = needed.map((s) => {
    const c = conns.find((x) => x.system === s);
    return c
      ? { system: s, name: systemName(s), status: (c.status as ConnectionHealth['status']) ?? 'unknown', lastError: c.last_error, lastSuccessAt: c.last_success_at ? new Date(c.last_success_at).toISOString() : null }
      : { system: s, name: systemName(s), status: 'missing', lastError: null, lastSuccessAt: null };
  });
  const lastSync: SyncHealth | null = sync
    ? { status: sync.status, startedAt: new Date(sync.started_at).toISOString(), finishedAt: sync.finished_at ? new Date(sync.finished_at).toISOString() : null, read: sync.read, written: sync.written, deleted: sync.deleted, failed: sync.failed, error: sync.error }
    : null;

  let state: TemplateHealth['state'];
  let summary: string;
  const broken = connections.find((c) => c.status === 'error' || c.status === 'missing');
  const failedRun = automationHealth.find((a) => a.lastRun && ['failed', 'timeout'].includes(a.lastRun.status));
  if (ct.status === 'paused') { state = 'paused'; summary = 'Paused: its automations do not run until you resume it.'; }
  else if (broken) { state = 'failing'; summary = broken.status === 'missing' ? `${broken.name} is not connected: connect it so the automations can run.` : `${broken.name} needs attention: ${broken.lastError ?? 'the last call to it failed'}.`; }
  else if (failedRun) { state = 'failing'; summary = `The last ${failedRun.automation} run failed ${ago(failedRun.lastRun!.startedAt)}: ${failedRun.lastRun!.error ?? 'see the recent runs'}.`; }
  else if (lastSync && lastSync.status === 'failed') { state = 'failing'; summary = `The last contact sync failed ${ago(lastSync.startedAt)}: ${lastSync.error ?? 'see the sync'}.`; }
  else {
    const lastSeen = (a: AutomationHealth) => [a.lastRun?.startedAt, a.lastActivity?.minute].filter((x): x is string => !!x).sort().pop() ?? null;
    const newest = automationHealth.filter((a) => lastSeen(a)).sort((a, b) => lastSeen(b)!.localeCompare(lastSeen(a)!))[0];
    state = newest || lastSync ? 'ok' : 'idle';
    const parts = [
      newest ? `${newest.automation} ran ${ago(lastSeen(newest)!)}` : null,
      lastSync ? `the last contact sync ${lastSync.status === 'succeeded' ? `copied ${lastSync.written} contacts` : `is ${lastSync.status}`} (${ago(lastSync.startedAt)})` : null,
    ].filter(Boolean);
    summary = parts.length ? `Working: ${parts.join('; ')}.` : 'Enabled: nothing has run yet.';
  }
  return {
    state, summary, automations: automationHealth, connections, lastSync,
    recentRuns: recent.map((r) => ({ id: r.id, automation: r.automation, status: r.status, startedAt: new Date(r.started_at).toISOString(), durationMs: r.duration_ms, error: errText(r.error) })),
  };
}
