// Call sessions in PostgreSQL: one row per (customer, call id), changed only under its row lock, so events
// arriving at once, a run registering a wait and a run storing a record never overwrite each other.
import type postgres from 'postgres';
import { storableJson } from '../engine-host/run-recorder';
import { applyCallEvent, waitSatisfied, type CallEventBody, type CallSessionPort, type CallSessionView, type CallWaitUntil } from '@/engine';

interface SessionRow { id: string; call_id: string; state: CallSessionView['state']; call: CallSessionView['call']; events: CallSessionView['events']; records: Record<string, unknown> }

const toView = (r: SessionRow): CallSessionView => ({ callId: r.call_id, state: r.state, call: r.call, events: r.events, records: r.records });

/**
 * Folds a webhook's event into the customer's session for that call (creating it), notes the run the delivery
 * started, and takes the waits the event satisfies: the caller wakes those runs once the transaction committed.
 */
export async function recordCallEvent(sql: postgres.Sql, customerId: string, ev: CallEventBody, deliveryId: string, runId: string | null): Promise<{ session: CallSessionView; changed: boolean; wake: string[] }> {
  return sql.begin(async (tx) => {
    await tx`insert into call_sessions (customer_id, call_id, state) values (${customerId}, ${ev.callId}, 'ringing') on conflict (customer_id, call_id) do nothing`;
    const [row] = await tx<SessionRow[]>`select id, call_id, state, call, events, records from call_sessions where customer_id = ${customerId} and call_id = ${ev.callId} for update`;
    const fresh = row.events.length === 0;
    const { session, changed } = applyCallEvent(fresh ? null : toView(row), ev, deliveryId, new Date());
    if (!changed) return { session, changed, wake: [] };
    await tx`update call_sessions set state = ${session.state}, call = ${storableJson(JSON.stringify(session.call))}::text::jsonb, events = ${storableJson(JSON.stringify(session.events))}::text::jsonb,
      run_ids = case when ${runId}::uuid is null then run_ids else run_ids || jsonb_build_array(${runId}::text) end, updated_at = now()
      where id = ${row.id}`;
    const waits = await tx<{ run_id: string; until: CallWaitUntil }[]>`select run_id, until from call_session_waits where session_id = ${row.id}`;
    const wake = waits.filter((w) => waitSatisfied(session, w.until)).map((w) => w.run_id);
    if (wake.length) await tx`delete from call_session_waits where run_id in ${tx(wake)}`;
    return { session, changed, wake };
  });
}

export async function readCallSession(sql: postgres.Sql, customerId: string, callId: string): Promise<CallSessionView | null> {
  const [row] = await sql<SessionRow[]>`select id, call_id, state, call, events, records from call_sessions where customer_id = ${customerId} and call_id = ${callId}`;
  return row ? toView(row) : null;
}

/** ctx.calls of one run. */
export function createCallSessionPort(sql: postgres.Sql, customerId: string, runId: string): CallSessionPort {
  return {
    get: (callId) => readCallSession(sql, customerId, callId),
    async waitFor(callId, until, resumeAt) {
      return sql.begin(async (tx) => {
        const [row] = await tx<SessionRow[]>`select id, call_id, state, call, events, records from call_sessions where customer_id = ${customerId} and call_id = ${callId} for update`;
        if (!row) return { satisfied: false, session: null };
        const session = toView(row);
        if (waitSatisfied(session, until)) return { satisfied: true, session };
        await tx`insert into call_session_waits (run_id, session_id, until, resume_at) values (${runId}, ${row.id}, ${until}, ${resumeAt.toISOString()}::timestamptz)
          on conflict (run_id) do update set session_id = excluded.session_id, until = excluded.until, resume_at = excluded.resume_at`;
        return { satisfied: false, session };
      });
    },
    async claimRecord(callId, role, record) {
      const json = storableJson(JSON.stringify(record));
      await sql`insert into call_sessions (customer_id, call_id, state) values (${customerId}, ${callId}, 'ringing') on conflict (customer_id, call_id) do nothing`;
      const won = await sql`update call_sessions set records = records || jsonb_build_object(${role}::text, ${json}::text::jsonb), updated_at = now()
        where customer_id = ${customerId} and call_id = ${callId} and not (records ? ${role}::text) returning id`;
      if (won.length) return { claimed: true, current: record };
      const [row] = await sql<{ current: unknown }[]>`select records -> ${role}::text as current from call_sessions where customer_id = ${customerId} and call_id = ${callId}`;
      return { claimed: false, current: row?.current ?? null };
    },
    async saveRecord(callId, role, record) {
      const n = await sql`update call_sessions set records = records || jsonb_build_object(${role}::text, ${storableJson(JSON.stringify(record))}::text::jsonb), updated_at = now()
        where customer_id = ${customerId} and call_id = ${callId}`;
      if (!n.count) {
        // A run for a call the phone system never reported (a test run): keep the record all the same.
        await sql`insert into call_sessions (customer_id, call_id, state, records) values (${customerId}, ${callId}, 'ringing', jsonb_build_object(${role}::text, ${storableJson(JSON.stringify(record))}::text::jsonb))
          on conflict (customer_id, call_id) do update set records = call_sessions.records || excluded.records, updated_at = now()`;
      }
    },
  };
}

/** A run resumed at its deadline no longer waits on its call. */
export async function dropCallWait(sql: postgres.Sql, runId: string): Promise<void> {
  await sql`delete from call_session_waits where run_id = ${runId}`;
}
