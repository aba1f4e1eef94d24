// Server-side sign-out: a signed session (portal cookie, staff JWT) stays valid until it expires unless it is
// listed here; every request checks, so a sign-out takes effect at once, on every process sharing the database.
import { createHash } from 'node:crypto';
import type postgres from 'postgres';

/** The id a portal session token is revoked by (its hash: the token itself is never stored). */
export const portalSessionId = (token: string) => `portal:${createHash('sha256').update(token).digest('base64url')}`;
export const staffSessionId = (sid: string) => `staff:${sid}`;

export async function revokeSession(sql: postgres.Sql, id: string, expiresAt: Date): Promise<void> {
  await sql`insert into session_revocations (id, expires_at) values (${id}, ${expiresAt}) on conflict (id) do nothing`;
  // Entries past their session's expiry guard nothing any more.
  await sql`delete from session_revocations where expires_at < now() - interval '1 hour'`;
}

export async function isSessionRevoked(sql: postgres.Sql, id: string): Promise<boolean> {
  const rows = await sql`select 1 from session_revocations where id = ${id}`;
  return rows.length > 0;
}
