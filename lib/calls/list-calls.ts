// The staff Calls page's read: the vendor's most recent calls (newest activity first), each with its events, the
// runs it started (status, automation) and the records written for it (CRM log or task, stored recording).
import type postgres from 'postgres';

export interface CallWire {
  customer: { externalId: string; name: string };
  callId: string;
  state: string;
  call: Record<string, unknown>;
  events: { event: string; deliveryId: string; occurredAt: string | null; receivedAt: string }[];
  records: Record<string, unknown>;
  runs: { id: string; automation: string; status: string; startedAt: string }[];
  updatedAt: string;
}

export async function listCalls(sql: postgres.Sql, vendorId: string, o: { customer?: string | null; limit?: number } = {}): Promise<CallWire[]> {
  const limit = Math.min(200, Math.max(1, o.limit ?? 50));
  const rows = await sql<{ external_id: string; name: string; call_id: string; state: string; call: Record<string, unknown>; events: CallWire['events']; records: Record<string, unknown>; run_ids: string[]; updated_at: string | Date }[]>`
    select c.external_id, c.name, s.call_id, s.state, s.call, s.events, s.records, s.run_ids, s.updated_at
    from call_sessions s join customers c on c.id = s.customer_id and c.vendor_id = ${vendorId}
    where ${o.customer ?? null}::text is null or c.external_id = ${o.customer ?? null}
    order by s.updated_at desc limit ${limit}`;
  const runIds = rows.flatMap((r) => r.run_ids);
  const runs = runIds.length
    ? await sql<{ id: string; automation: string; status: string; started_at: string | Date }[]>`select id, automation, status, started_at from runs where id = any(${runIds}::uuid[]) and vendor_id = ${vendorId}`
    : [];
  const byId = new Map(runs.map((r) => [r.id, { id: r.id, automation: r.automation, status: r.status, startedAt: new Date(r.started_at).toISOString() }]));
  return rows.map((r) => ({
    customer: { externalId: r.external_id, name: r.name },
    callId: r.call_id,
    state: r.state,
    call: r.call,
    events: r.events,
    records: r.records,
    runs: r.run_ids.map((id) => byId.get(id)).filter((x): x is NonNullable<typeof x> => !!x),
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}
