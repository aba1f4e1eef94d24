// Slows password guessing without letting an attacker lock a staff member out. Failed sign-ins are counted
// in PostgreSQL (shared by every web process) under three keys:
//   ip:<address>            — one source trying many accounts (password spraying): blocked after ADDRESS_LIMIT
//   pair:<account>|<address> — one source guessing one account: blocked after PAIR_LIMIT
//   acct:<account>           — everyone guessing one account: never blocks; past ACCOUNT_SLOW_AFTER each
//                              try waits ACCOUNT_DELAY_MS first, so a spread-out attack is slowed too
// The real user, from their own address, is never refused because of someone else's failures.
import type postgres from 'postgres';

export const WINDOW_MS = 15 * 60_000;
export const ADDRESS_LIMIT = 20;
export const PAIR_LIMIT = 5;
export const ACCOUNT_SLOW_AFTER = 10;
export const ACCOUNT_DELAY_MS = 1000;

const norm = (email: string) => email.trim().toLowerCase();
const keys = (email: string, address: string) => ({ ip: `ip:${address}`, pair: `pair:${norm(email)}|${address}`, acct: `acct:${norm(email)}` });

export type LoginGate = { allowed: true; delayMs: number } | { allowed: false; retryAfterSec: number; reason: string };

/** Whether a sign-in for `email` from `address` may be tried now (and how long to wait first). */
export async function checkLogin(sql: postgres.Sql, email: string, address: string): Promise<LoginGate> {
  const k = keys(email, address);
  const rows = await sql<{ key: string; failures: number; blocked_for_ms: number | null; fresh: boolean }[]>`
    select key, failures,
           extract(epoch from (blocked_until - now())) * 1000 as blocked_for_ms,
           window_start > now() - ${WINDOW_MS / 1000} * interval '1 second' as fresh
    from login_throttle where key in (${k.ip}, ${k.pair}, ${k.acct})`;
  for (const r of rows) {
    const ms = Number(r.blocked_for_ms ?? 0);
    if ((r.key === k.ip || r.key === k.pair) && ms > 0) {
      return {
        allowed: false, retryAfterSec: Math.ceil(ms / 1000),
        reason: r.key === k.ip
          ? `Too many failed sign-ins from your network: try again in ${Math.ceil(ms / 60_000)} minutes.`
          : `Too many failed sign-ins for this email from your network: try again in ${Math.ceil(ms / 60_000)} minutes.`,
      };
    }
  }
  const acct = rows.find((r) => r.key === k.acct);
  return { allowed: true, delayMs: acct && acct.fresh && acct.failures >= ACCOUNT_SLOW_AFTER ? ACCOUNT_DELAY_MS : 0 };
}

async function bump(sql: postgres.Sql, key: string, limit: number | null): Promise<void> {
  const win = WINDOW_MS / 1000;
  await sql`
    insert into login_throttle as t (key, failures, window_start, blocked_until)
    values (${key}, 1, now(), ${limit !== null && limit <= 1 ? sql`now() + ${win} * interval '1 second'` : null})
    on conflict (key) do update set
      failures = case when t.window_start <= now() - ${win} * interval '1 second' then 1 else t.failures + 1 end,
      window_start = case when t.window_start <= now() - ${win} * interval '1 second' then now() else t.window_start end,
      blocked_until = case
        when ${limit}::int is not null and (case when t.window_start <= now() - ${win} * interval '1 second' then 1 else t.failures + 1 end) >= ${limit}::int
          then now() + ${win} * interval '1 second'
        else t.blocked_until end`;
}

/** Records the outcome of a sign-in attempt. */
export async function noteLoginResult(sql: postgres.Sql, email: string, address: string, ok: boolean): Promise<void> {
  const k = keys(email, address);
  if (ok) {
    // The address's count stays: one known password must not reset a sprayer's budget.
    await sql`delete from login_throttle where key in (${k.pair}, ${k.acct})`;
    return;
  }
  await bump(sql, k.ip, ADDRESS_LIMIT);
  await bump(sql, k.pair, PAIR_LIMIT);
  await bump(sql, k.acct, null);
  if (Math.random() < 0.01) await sql`delete from login_throttle where window_start < now() - interval '1 day' and (blocked_until is null or blocked_until < now())`;
}
