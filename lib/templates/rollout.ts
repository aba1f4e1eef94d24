// Roll-outs: a published template version goes to every customer who enabled the template, to a canary share or
// to a list of customers; pinned customers never move. Each roll-out records who moved from which version, so
// one rollback returns exactly those customers (the ones still on the rolled-out version) to where they were.
import { createHash } from 'node:crypto';
import type postgres from 'postgres';
import { Conflict, InvalidInput, NotFound } from '../errors';
import { invalidateAutomations } from '../engine-host/automation-cache';
import { bindVersion, toCustomerTemplate } from './customer-templates';
import type { TemplateDefinition } from './template-definition';
import { getTemplate, getTemplateVersion, templateNotFound } from './templates';

export type RolloutTarget =
  | { kind: 'all' }
  | { kind: 'percent'; percent: number }
  /** The vendor's own customer ids. */
  | { kind: 'customers'; customers: string[] };

export interface RolloutMove { customerTemplateId: string; customerId: string; externalId: string; fromVersion: number }
export interface RolloutView {
  id: string; templateId: string; toVersion: number; target: RolloutTarget; moved: RolloutMove[];
  status: 'applied' | 'rolled_back'; createdAt: string; rolledBackAt: string | null;
}

/**
 * The canary order of a template's customers: by a hash of (template, customer), so a share is the same
 * customers every time (30 % and later 50 % keep the first 30 % inside) and differs between templates.
 */
export function canaryRank(templateId: string, customerId: string): string {
  return createHash('sha256').update(`${templateId}|${customerId}`).digest('hex');
}

/** How many of `n` customers a share reaches: 30 % of 10 is exactly 3 (rounded to the nearest, at least 1 when > 0 %). */
export function canaryCount(n: number, percent: number): number {
  if (percent <= 0 || n === 0) return 0;
  return Math.min(n, Math.max(1, Math.round((n * percent) / 100)));
}

interface Candidate { id: string; customer_id: string; external_id: string; version: number; pinned: boolean }

export async function rolloutTemplate(sql: postgres.Sql, p: { vendorId: string; templateId: string; version: number; target: RolloutTarget; userId?: string | null }): Promise<RolloutView & { pinnedSkipped: number }> {
  const t = await getTemplate(sql, p.vendorId, p.templateId);
  if (!t) throw templateNotFound(p.templateId);
  const v = await getTemplateVersion(sql, p.vendorId, p.templateId, p.version);
  if (!v) throw new InvalidInput(`The template has no version ${p.version}`, ['version'], {}, 'version_not_found');
  if (!v.publishedAt) throw new Conflict('version_not_published', `Publish version ${p.version} before rolling it out`, { path: ['version'] });
  if (p.target.kind === 'percent' && !(p.target.percent > 0 && p.target.percent <= 100)) throw new InvalidInput('A share between 1 and 100 percent', ['target', 'percent']);
  const out = await sql.begin(async (tx) => {
    // One roll-out of a template at a time: two at once could both move (and record) the same customer.
    await tx`select pg_advisory_xact_lock(hashtext(${`template-rollout:${p.templateId}`}))`;
    const all = await tx<Candidate[]>`
      select ct.id, ct.customer_id, c.external_id, ct.version, ct.pinned from customer_templates ct join customers c on c.id = ct.customer_id
      where ct.template_id = ${p.templateId} and c.vendor_id = ${p.vendorId} for update of ct`;
    const pinnedSkipped = all.filter((c) => c.pinned && c.version !== p.version).length;
    const movable = all.filter((c) => !c.pinned);
    let chosen: Candidate[];
    if (p.target.kind === 'all') chosen = movable;
    else if (p.target.kind === 'percent') {
      const ranked = [...movable].sort((a, b) => canaryRank(p.templateId, a.customer_id).localeCompare(canaryRank(p.templateId, b.customer_id)));
      chosen = ranked.slice(0, canaryCount(movable.length, p.target.percent));
    } else {
      const wanted = new Set(p.target.customers);
      const unknown = p.target.customers.filter((id) => !all.some((c) => c.external_id === id));
      if (unknown.length) throw new InvalidInput(`Customer "${unknown[0]}" has not enabled this template`, ['target', 'customers', p.target.customers.indexOf(unknown[0])], {}, 'customer_not_enabled');
      const pinned = all.find((c) => wanted.has(c.external_id) && c.pinned);
      if (pinned) throw new Conflict('customer_pinned', `Customer "${pinned.external_id}" is pinned to version ${pinned.version}: unpin it first`, { path: ['target', 'customers'] });
      chosen = movable.filter((c) => wanted.has(c.external_id));
    }
    const moving = chosen.filter((c) => c.version !== p.version);
    const moved: RolloutMove[] = moving.map((c) => ({ customerTemplateId: c.id, customerId: c.customer_id, externalId: c.external_id, fromVersion: c.version }));
    for (const c of moving) {
      const [row] = await tx`update customer_templates set previous_version = version, version = ${p.version}, updated_at = now() where id = ${c.id} returning *`;
      const ct = toCustomerTemplate(row as never);
      await bindVersion(tx, ct, v.definition);
    }
    const [r] = await tx<{ id: string; created_at: Date | string }[]>`
      insert into template_rollouts (template_id, to_version, target, moved, created_by)
      values (${p.templateId}, ${p.version}, ${JSON.stringify(p.target)}::text::jsonb, ${JSON.stringify(moved)}::text::jsonb, ${p.userId ?? null}) returning id, created_at`;
    return { id: r.id, templateId: p.templateId, toVersion: p.version, target: p.target, moved, status: 'applied' as const, createdAt: new Date(r.created_at).toISOString(), rolledBackAt: null, pinnedSkipped };
  });
  invalidateAutomations();
  return out;
}

/**
 * Returns the customers a roll-out moved to their previous version, those still on the rolled-out version (a
 * customer moved on since, or pinned elsewhere by staff, is left where it is). Rolling back twice is a 409.
 */
export async function rollbackRollout(sql: postgres.Sql, p: { vendorId: string; templateId: string; rolloutId: string }): Promise<{ restored: { externalId: string; version: number }[]; left: { externalId: string; version: number }[] }> {
  if (!(await getTemplate(sql, p.vendorId, p.templateId))) throw templateNotFound(p.templateId);
  if (!/^[0-9a-f-]{36}$/i.test(p.rolloutId)) throw new NotFound('rollout_not_found', `No roll-out "${p.rolloutId}"`);
  const defs = new Map<number, TemplateDefinition>();
  const out = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${`template-rollout:${p.templateId}`}))`;
    const [r] = await tx<{ id: string; to_version: number; moved: RolloutMove[]; status: string }[]>`
      select id, to_version, moved, status from template_rollouts where id = ${p.rolloutId} and template_id = ${p.templateId} for update`;
    if (!r) throw new NotFound('rollout_not_found', `No roll-out "${p.rolloutId}"`);
    if (r.status === 'rolled_back') throw new Conflict('already_rolled_back', 'This roll-out was rolled back already');
    const restored: { externalId: string; version: number }[] = [];
    const left: { externalId: string; version: number }[] = [];
    for (const m of r.moved) {
      const [row] = await tx`
        update customer_templates set version = ${m.fromVersion}, previous_version = ${r.to_version}, updated_at = now()
        where id = ${m.customerTemplateId} and version = ${r.to_version} returning *`;
      if (!row) {
        const [now] = await tx<{ version: number }[]>`select version from customer_templates where id = ${m.customerTemplateId}`;
        if (now) left.push({ externalId: m.externalId, version: now.version });
        continue;
      }
      let def = defs.get(m.fromVersion);
      if (!def) {
        const v = await getTemplateVersion(tx as unknown as postgres.Sql, p.vendorId, p.templateId, m.fromVersion);
        if (!v) throw new Conflict('version_missing', `Version ${m.fromVersion} is gone`);
        def = v.definition;
        defs.set(m.fromVersion, def);
      }
      await bindVersion(tx, toCustomerTemplate(row as never), def);
      restored.push({ externalId: m.externalId, version: m.fromVersion });
    }
    await tx`update template_rollouts set status = 'rolled_back', rolled_back_at = now() where id = ${r.id}`;
    return { restored, left };
  });
  invalidateAutomations();
  return out;
}

export async function listRollouts(sql: postgres.Sql, vendorId: string, templateId: string): Promise<RolloutView[]> {
  if (!(await getTemplate(sql, vendorId, templateId))) throw templateNotFound(templateId);
  const rows = await sql<{ id: string; template_id: string; to_version: number; target: RolloutTarget; moved: RolloutMove[]; status: 'applied' | 'rolled_back'; created_at: Date | string; rolled_back_at: Date | string | null }[]>`
    select r.* from template_rollouts r join templates t on t.id = r.template_id where t.id = ${templateId} and t.vendor_id = ${vendorId} order by r.created_at desc limit 50`;
  return rows.map((r) => ({ id: r.id, templateId: r.template_id, toVersion: r.to_version, target: r.target, moved: r.moved, status: r.status, createdAt: new Date(r.created_at).toISOString(), rolledBackAt: r.rolled_back_at ? new Date(r.rolled_back_at).toISOString() : null }));
}
