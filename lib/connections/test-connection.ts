// "Test connection": one cheap authenticated call through the connector's own client (its manifest's
// testConnection), recorded on the connection row as its health: status, last success, last error in words.
import type { KeyInput } from '../crypto/credentials';
import type postgres from 'postgres';
import { PatchbayError } from '@/engine';
import { connectionHandle, type ConnectionRow } from '../engine-host/connections';
import { withAnswerDeadline } from './answer-deadline';
import { describeConnectionError } from './describe-connection-error';
import type { ConnectionTestResult } from '../portal/contract';
import { findConnector, toConnectionView } from './manage-connections';

export async function testConnection(sql: postgres.Sql, key: KeyInput, fetchImpl: typeof fetch, customerId: string, system: string): Promise<ConnectionTestResult | null> {
  const def = findConnector(system);
  const rows = await sql<ConnectionRow[]>`select * from connections where customer_id = ${customerId} and system = ${system}`;
  if (!rows.length) return null;
  const row = rows[0];
  if (!def.testConnection) throw new PatchbayError('invalid_params', `${def.name} has no connection test`);
  let account: string | null = null;
  let error: string | null = null;
  try {
    const conn = connectionHandle(sql, key, row);
    const r = await withAnswerDeadline(def.name, fetchImpl, (f) => def.testConnection!(conn, f));
    account = r.account ?? null;
    await sql`update connections set status = 'ok', last_success_at = now(), external_account = coalesce(${r.accountId ?? null}, external_account) where id = ${row.id}`;
  } catch (err) {
    error = describeConnectionError(err, { name: def.name, authKind: row.auth_kind, baseUrl: row.base_url });
    if (!(err instanceof PatchbayError)) console.warn(`[patchbay] ${def.name} connection test failed:`, (err as Error).message);
    await sql`update connections set status = 'error', last_error_at = now(), last_error = ${error} where id = ${row.id}`;
  }
  const [fresh] = await sql<ConnectionRow[]>`select * from connections where id = ${row.id}`;
  return { ok: !error, account, error, connection: toConnectionView(fresh) };
}
