// The audit log: who changed what. Call `recordAudit` after (or, better, inside the same transaction as) a change
// to a flow, template, rollout, API key, connection or integration:
//
//   await recordAudit(sql, { vendorId, customerId, actor: staffActor(staff), action: 'flow.publish',
//     target: { kind: 'flow', id: flowId, label: 'Caller lookup' }, details: { version: 3 } });
//
// `sql` may be a transaction (`sql.begin(async (tx) => … recordAudit(tx, …))`): then the entry commits or rolls
// back with the change. Rows are scoped by vendor (and customer); `listAudit` reads one vendor's, newest first.
import type postgres from 'postgres';
import { z } from 'zod';
import type { StaffPrincipal } from '../auth/staff-users';
import type { KeyPrincipal } from '../tenancy/api-keys';

/** What was changed. New kinds are fine (plain text); these are the ones the staff page filters by. */
export const AUDIT_TARGET_KINDS = ['flow', 'template', 'rollout', 'api_key', 'connection', 'integration', 'customer', 'vendor', 'staff_user', 'embed_settings'] as const;
export type AuditTargetKind = (typeof AUDIT_TARGET_KINDS)[number];

export type AuditActor =
  | { kind: 'staff'; id: string; label: string }
  | { kind: 'api_key'; id: string; label: string }
  | { kind: 'portal'; id: string; label: string }
  | { kind: 'operator'; label: string }
  | { kind: 'system'; label: string };

export interface AuditEntry {
  vendorId: string;
  /** The customer the change concerns (its internal uuid), if any. */
  customerId?: string | null;
  actor: AuditActor;
  /** `<target kind>.<verb>`, e.g. `flow.publish`, `api_key.rotate`, `connection.disconnect`, `template.rollout`. */
  action: string;
  target: { kind: AuditTargetKind | (string & {}); id?: string | null; label?: string | null };
  /** Small JSON with what changed (a version, a share, a key prefix). Never a secret. */
  details?: Record<string, unknown> | null;
}

export const staffActor = (s: Pick<StaffPrincipal, 'userId' | 'email'>): AuditActor => ({ kind: 'staff', id: s.userId, label: s.email });
export const keyActor = (p: KeyPrincipal): AuditActor => ({ kind: 'api_key', id: p.keyId, label: p.customerId ? 'customer API key' : 'vendor API key' });
export const portalActor = (c: { id: string; externalId: string }): AuditActor => ({ kind: 'portal', id: c.id, label: `customer ${c.externalId} (portal)` });
export const operatorActor = (label = 'operator (command line)'): AuditActor => ({ kind: 'operator', label });

const ACTION = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

/** Writes one audit row. Throws on a malformed action (a programming error), never on content. */
export async function recordAudit(sql: postgres.Sql | postgres.TransactionSql, e: AuditEntry): Promise<void> {
  if (!ACTION.test(e.action)) throw new Error(`audit action must look like "flow.publish", got "${e.action}"`);
  const actorId = 'id' in e.actor ? e.actor.id : null;
  const q = sql as postgres.Sql;
  await q`
    insert into audit_log (vendor_id, customer_id, actor_kind, actor_id, actor_label, action, target_kind, target_id, target_label, details)
    values (${e.vendorId}, ${e.customerId ?? null}, ${e.actor.kind}, ${actorId}, ${e.actor.label.slice(0, 300)}, ${e.action},
            ${e.target.kind}, ${e.target.id ?? null}, ${e.target.label?.slice(0, 300) ?? null}, ${e.details ? q.json(e.details as postgres.JSONValue) : null})`;
}

export const auditEntrySchema = z.object({
  id: z.string().describe('Increasing; pass the last one as `before` for the next page'),
  at: z.string().describe('ISO 8601'),
  actor: z.object({ kind: z.string(), id: z.string().nullable(), label: z.string() }),
  action: z.string(),
  target: z.object({ kind: z.string(), id: z.string().nullable(), label: z.string().nullable() }),
  customer: z.string().nullable().describe("The vendor's own id of the customer concerned"),
  details: z.unknown(),
});
export type AuditEntryWire = z.infer<typeof auditEntrySchema>;

interface Row { id: string; at: string; actor_kind: string; actor_id: string | null; actor_label: string; action: string; target_kind: string; target_id: string | null; target_label: string | null; customer: string | null; details: unknown }

/** One vendor's audit entries, newest first; `before` (an entry id) pages back. */
export async function listAudit(sql: postgres.Sql, vendorId: string, o: { targetKind?: string; targetId?: string; customerId?: string; before?: string; limit?: number } = {}): Promise<{ entries: AuditEntryWire[]; nextBefore: string | null }> {
  const limit = Math.min(Math.max(o.limit ?? 50, 1), 200);
  const rows = await sql<Row[]>`
    select a.id::text as id, a.at, a.actor_kind, a.actor_id, a.actor_label, a.action, a.target_kind, a.target_id, a.target_label, a.details, c.external_id as customer
    from audit_log a left join customers c on c.id = a.customer_id and c.vendor_id = a.vendor_id
    where a.vendor_id = ${vendorId}
      ${o.targetKind ? sql`and a.target_kind = ${o.targetKind}` : sql``}
      ${o.targetId ? sql`and a.target_id = ${o.targetId}` : sql``}
      ${o.customerId ? sql`and a.customer_id = ${o.customerId}` : sql``}
      ${o.before ? sql`and a.id < ${o.before}` : sql``}
    order by a.id desc limit ${limit + 1}`;
  const entries = rows.slice(0, limit).map((r) => ({
    id: r.id, at: new Date(r.at).toISOString(), actor: { kind: r.actor_kind, id: r.actor_id, label: r.actor_label }, action: r.action,
    target: { kind: r.target_kind, id: r.target_id, label: r.target_label }, customer: r.customer, details: r.details ?? null,
  }));
  return { entries, nextBefore: rows.length > limit ? entries[entries.length - 1].id : null };
}
