// Connections: a customer's credentials for one external system, encrypted at rest.
import type postgres from 'postgres';
import { PatchbayError, type ConnectionHandle } from '@/engine';
import { decryptJson, encryptJson, type KeyInput } from '../crypto/credentials';

export interface ConnectionRow {
  id: string; customer_id: string; system: string; name: string; auth_kind: string; base_url: string; credentials_enc: string;
  status: string; last_success_at: Date | null; last_error_at: Date | null; last_error: string | null; updated_at: Date;
}

/** The advisory lock a connection's credentials are written under (renewals, reconnects), one at a time. */
const lockCredentials = (tx: postgres.TransactionSql, connectionId: string) =>
  tx`select pg_advisory_xact_lock(hashtextextended(${'patchbay:credentials:' + connectionId}, 0))`;

export async function saveConnection(sql: postgres.Sql, key: KeyInput, p: { customerId: string; system: string; name: string; authKind: string; baseUrl: string; credentials: Record<string, unknown> }): Promise<string> {
  // A reconnect waits for a token renewal in flight on the old credentials, so that renewal cannot write over it.
  return sql.begin(async (tx) => {
    const [existing] = await tx<{ id: string }[]>`select id from connections where customer_id = ${p.customerId} and system = ${p.system}`;
    if (existing) await lockCredentials(tx, existing.id);
    const [row] = await tx<{ id: string }[]>`
      insert into connections (customer_id, system, name, auth_kind, base_url, credentials_enc, status)
      values (${p.customerId}, ${p.system}, ${p.name}, ${p.authKind}, ${p.baseUrl}, ${encryptJson(key, p.credentials)}, 'unknown')
      on conflict (customer_id, system) do update set name = excluded.name, auth_kind = excluded.auth_kind, base_url = excluded.base_url,
        credentials_enc = excluded.credentials_enc, status = 'unknown', last_error = null, updated_at = now()
      returning id`;
    return row.id;
  });
}

export function connectionHandle(sql: postgres.Sql, key: KeyInput, row: ConnectionRow): ConnectionHandle {
  const credentials = decryptJson<Record<string, unknown>>(key, row.credentials_enc);
  return {
    id: row.id,
    system: row.system,
    baseUrl: row.base_url,
    credentials,
    async saveCredentials(next) {
      await sql`update connections set credentials_enc = ${encryptJson(key, next)}, updated_at = now() where id = ${row.id}`;
    },
    async renewCredentials(renew) {
      // One renewal at a time per connection across every process: the lock is taken, the row read again (another
      // process may have renewed meanwhile) and written back in one transaction. The token request runs inside it,
      // bounded by that request's own timeout, so a second caller waits and then finds the new tokens.
      return sql.begin(async (tx) => {
        await lockCredentials(tx, row.id);
        const [current] = await tx<{ credentials_enc: string }[]>`select credentials_enc from connections where id = ${row.id}`;
        if (!current) throw new PatchbayError('connection_missing', `The ${row.system} connection was removed: connect ${row.system} again`);
        const latest = decryptJson<Record<string, unknown>>(key, current.credentials_enc);
        const next = await renew(latest);
        if (!next) return latest;
        const enc = encryptJson(key, next);
        await tx`update connections set credentials_enc = ${enc}, updated_at = now() where id = ${row.id}`;
        // What a later load reads (fields left undefined are not stored).
        return decryptJson<Record<string, unknown>>(key, enc);
      });
    },
    async reportHealth(ok, message) {
      // Busy connections report success on every run: write at most every 30 s while nothing changes.
      if (ok) await sql`update connections set status = 'ok', last_success_at = now() where id = ${row.id} and (status <> 'ok' or last_success_at is null or last_success_at < now() - interval '30 seconds')`;
      else await sql`update connections set status = 'error', last_error_at = now(), last_error = ${message ?? 'unknown error'} where id = ${row.id}`;
    },
  };
}

export async function loadConnection(sql: postgres.Sql, key: KeyInput, customerId: string, system: string): Promise<ConnectionHandle> {
  const rows = await sql<ConnectionRow[]>`select * from connections where customer_id = ${customerId} and system = ${system}`;
  if (!rows.length) throw new PatchbayError('connection_missing', `No ${system} connection for this customer: connect ${system} first`);
  return connectionHandle(sql, key, rows[0]);
}
