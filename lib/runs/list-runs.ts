// The runs list: newest first, keyset-paged on (started_at desc, id desc). Each filter combination rides
// one of the runs indexes (vendor / vendor+status / customer / flow, each with started_at), so a page
// costs the same on the first screen and the thousandth, whatever the table holds.
import type postgres from 'postgres';
import { parseIsoInstant } from '@/engine';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'waiting', 'timeout'] as const;
export type RunStatusName = (typeof RUN_STATUSES)[number];

export interface RunCursor { startedAt: string; id: string }

export interface RunListQuery {
  automation?: string;
  /** The vendor's own customer id (`demo`), not the internal uuid. */
  customer?: string;
  status?: RunStatusName;
  mode?: 'live' | 'test';
  flowId?: string;
  from?: Date;
  to?: Date;
  cursor?: RunCursor | null;
  limit: number;
}

export interface RunListRow {
  id: string; automation: string; customer: string | null; status: RunStatusName; mode: string; startedAt: Date;
  durationMs: number | null; flowId: string | null; flowVersion: number | null; flowName: string | null;
}

const CURSOR_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to clients. Carries started_at to the microsecond, so rows sharing a millisecond are neither skipped nor repeated. */
export function encodeRunCursor(c: RunCursor): string {
  return Buffer.from(`${c.startedAt}|${c.id}`, 'utf8').toString('base64url');
}

export function decodeRunCursor(s: string): RunCursor | null {
  const [startedAt, id, extra] = Buffer.from(s, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !CURSOR_TS.test(startedAt ?? '') || !UUID.test(id ?? '') || !parseIsoInstant(startedAt)) return null;
  return { startedAt, id };
}

interface Row {
  id: string; automation: string; customer_external_id: string | null; status: RunStatusName; mode: string; started_at: Date | string;
  cursor_ts: string; duration_ms: number | null; flow_id: string | null; flow_version: number | null; flow_name: string | null;
}

/** The page query, unexecuted (awaiting it runs it; tests EXPLAIN it). Fetches one row more than asked, to know if a next page exists. */
export function runListQuery(sql: postgres.Sql, vendorId: string, q: RunListQuery): postgres.PendingQuery<Row[]> {
  const conds: postgres.PendingQuery<postgres.Row[]>[] = [sql`r.vendor_id = ${vendorId}`];
  if (q.customer !== undefined) conds.push(sql`r.customer_id = (select c.id from customers c where c.vendor_id = ${vendorId} and c.external_id = ${q.customer})`);
  if (q.flowId) conds.push(sql`r.flow_id = ${q.flowId}`);
  if (q.status) conds.push(sql`r.status = ${q.status}`);
  if (q.automation) conds.push(sql`r.automation = ${q.automation}`);
  if (q.mode) conds.push(sql`r.mode = ${q.mode}`);
  if (q.from) conds.push(sql`r.started_at >= ${q.from.toISOString()}::timestamptz`);
  if (q.to) conds.push(sql`r.started_at < ${q.to.toISOString()}::timestamptz`);
  if (q.cursor) {
    // The plain `<=` is what the index range scan starts from; the OR settles ties on started_at.
    const ts = q.cursor.startedAt;
    conds.push(sql`r.started_at <= ${ts}::timestamptz and (r.started_at < ${ts}::timestamptz or r.id < ${q.cursor.id}::uuid)`);
  }
  const where = conds.reduce((a, c) => sql`${a} and ${c}`);
  return sql<Row[]>`
    select r.id, r.automation, c.external_id as customer_external_id, r.status, r.mode, r.started_at,
      to_char(r.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_ts,
      r.duration_ms, r.flow_id, r.flow_version, f.name as flow_name
    from (select * from runs r where ${where} order by r.started_at desc, r.id desc limit ${q.limit + 1}) r
    left join customers c on c.id = r.customer_id
    left join flows f on f.id = r.flow_id
    order by r.started_at desc, r.id desc`;
}

export async function listRuns(sql: postgres.Sql, vendorId: string, q: RunListQuery): Promise<{ runs: RunListRow[]; nextCursor: string | null }> {
  const rows = await runListQuery(sql, vendorId, q);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    runs: page.map((r) => ({
      id: r.id, automation: r.automation, customer: r.customer_external_id, status: r.status, mode: r.mode, startedAt: new Date(r.started_at),
      durationMs: r.duration_ms, flowId: r.flow_id, flowVersion: r.flow_version, flowName: r.flow_name,
    })),
    nextCursor: rows.length > q.limit && last ? encodeRunCursor({ startedAt: last.cursor_ts, id: last.id }) : null,
  };
}
