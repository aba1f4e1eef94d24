// API keys: shown once, stored as SHA-256. Lookups are cached in the process so the hot path rarely touches the
// table; a revocation reaches every process at once: a trigger on api_keys NOTIFYs `patchbay_api_keys` at commit
// (migration 0010) and each server's listener (watchKeyChanges) empties its cache. The cache is used only while
// that listener is known to be alive: each process pings itself through the channel every 5 s, and one that has
// heard nothing for 15 s (connection lost) asks the database on every request until it listens again.
import { createHash, randomBytes } from 'node:crypto';
import type postgres from 'postgres';

export interface KeyPrincipal { keyId: string; vendorId: string; customerId: string | null }

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export function generateApiKey(): string {
  return `pb_${randomBytes(24).toString('base64url')}`;
}

export async function createApiKey(sql: postgres.Sql, p: { vendorId: string; customerId?: string | null; name: string; key?: string }): Promise<{ id: string; key: string }> {
  const key = p.key ?? generateApiKey();
  const [row] = await sql<{ id: string }[]>`
    insert into api_keys (vendor_id, customer_id, name, prefix, key_hash) values (${p.vendorId}, ${p.customerId ?? null}, ${p.name}, ${key.slice(0, 7)}, ${hashKey(key)})
    on conflict (key_hash) do update set key_hash = excluded.key_hash returning id`;
  // (An existing key keeps its state: a revoked key is never re-activated by creating it again.)
  return { id: row.id, key };
}

const TTL_MS = 30_000;
const cache = new Map<string, { principal: KeyPrincipal | null; expires: number }>();
const CHANNEL = 'patchbay_api_keys';
const PING_MS = 5_000;
const LIVE_MS = 15_000;
/** When the change listener last proved alive (a notification or a (re)subscription); 0: not listening. */
let heardAt = 0;

/**
 * Listens for changes to api_keys (one connection of `sql`'s); until it runs, and whenever it has been silent
 * too long, authenticateKey does not cache. Returns the function that stops it.
 */
export async function watchKeyChanges(sql: postgres.Sql): Promise<() => Promise<void>> {
  const ping = `ping:${process.pid}:${randomBytes(6).toString('hex')}`;
  const alive = () => { heardAt = Date.now(); };
  const subscribe = () => sql.listen(CHANNEL, (payload) => {
    if (payload === ping) alive();
    else if (!payload.startsWith('ping:')) { cache.clear(); alive(); }
  }, () => { cache.clear(); alive(); });
  let sub = await subscribe();
  let stopped = false;
  const timer = setInterval(() => {
    if (Date.now() - heardAt > LIVE_MS) {
      // Not even our own pings arrive: subscribe again (postgres.js gives up re-listening after a failed reconnect).
      void sub.unlisten().catch(() => {}).then(subscribe).then((s) => { if (stopped) void s.unlisten(); else sub = s; }, () => {});
    }
    void sql`select pg_notify(${CHANNEL}, ${ping})`.catch(() => {});
  }, PING_MS);
  timer.unref();
  return async () => { stopped = true; clearInterval(timer); heardAt = 0; cache.clear(); await sub.unlisten().catch(() => {}); };
}

export async function authenticateKey(sql: postgres.Sql, key: string): Promise<KeyPrincipal | null> {
  // Keyed by the presented key itself (kept only in this process's memory, like the request that carried
  // it), so a cached key costs no hashing on the hot path.
  const now = Date.now();
  const cacheable = now - heardAt < LIVE_MS;
  const hit = cacheable ? cache.get(key) : undefined;
  if (hit && hit.expires > now) return hit.principal;
  const rows = await sql<{ id: string; vendor_id: string; customer_id: string | null }[]>`
    select id, vendor_id, customer_id from api_keys where key_hash = ${hashKey(key)} and revoked_at is null`;
  const principal = rows.length ? { keyId: rows[0].id, vendorId: rows[0].vendor_id, customerId: rows[0].customer_id } : null;
  if (!cacheable) return principal;
  if (cache.size > 10_000) cache.clear();
  cache.set(key, { principal, expires: now + (principal ? TTL_MS : 2_000) });
  return principal;
}

export function forgetKeyCache(): void { cache.clear(); }

/** Revokes a key of the vendor (every process stops accepting it at the commit); false when there is none. */
export async function revokeApiKey(sql: postgres.Sql, vendorId: string, keyId: string): Promise<boolean> {
  const rows = await sql`update api_keys set revoked_at = now() where id = ${keyId} and vendor_id = ${vendorId} and revoked_at is null returning id`;
  cache.clear();
  return rows.length > 0;
}
