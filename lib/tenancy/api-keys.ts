// API keys: shown once, stored as SHA-256. Lookups are cached in the process so the hot path rarely touches the
// table; a revocation reaches every process at once: a trigger on api_keys NOTIFYs `patchbay_api_keys` at commit
// (migration 0010) and each server's listener (watchKeyChanges) empties its cache. The cache is used only while
// that listener is known to be alive: each process pings itself through the channel every 5 s, and one that has
// heard nothing for 15 s (connection lost) asks the database on every request until it listens again.
import { createHash, randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import { recordAudit, type AuditActor } from '../audit/record-audit';

export interface KeyPrincipal { keyId: string; vendorId: string; customerId: string | null }

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export function generateApiKey(): string {
  return `pb_${randomBytes(24).toString('base64url')}`;
}

/** The characters of a key shown in lists to tell keys apart (`pb_` and the first 8 of the random part). */
export const keyPrefix = (key: string) => key.slice(0, 11);

export async function createApiKey(sql: postgres.Sql | postgres.TransactionSql, p: { vendorId: string; customerId?: string | null; name: string; key?: string; createdBy?: string }): Promise<{ id: string; key: string }> {
  const key = p.key ?? generateApiKey();
  const q = sql as postgres.Sql;
  const [row] = await q<{ id: string }[]>`
    insert into api_keys (vendor_id, customer_id, name, prefix, key_hash, created_by) values (${p.vendorId}, ${p.customerId ?? null}, ${p.name}, ${keyPrefix(key)}, ${hashKey(key)}, ${p.createdBy ?? null})
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
export async function revokeApiKey(sql: postgres.Sql, vendorId: string, keyId: string, actor?: AuditActor): Promise<boolean> {
  const done = await sql.begin(async (tx) => {
    const rows = await tx<{ id: string; name: string; prefix: string; customer_id: string | null }[]>`
      update api_keys set revoked_at = now() where id = ${keyId} and vendor_id = ${vendorId} and revoked_at is null returning id, name, prefix, customer_id`;
    if (rows.length && actor) {
      await recordAudit(tx, { vendorId, customerId: rows[0].customer_id, actor, action: 'api_key.revoke', target: { kind: 'api_key', id: keyId, label: `${rows[0].name} (${rows[0].prefix}…)` } });
    }
    return rows.length > 0;
  });
  cache.clear();
  return done;
}

export interface ApiKeyView {
  id: string;
  name: string;
  /** The first characters only: the key itself is shown once, when created or rotated. */
  prefix: string;
  /** The vendor's own id of the customer a scoped key is confined to; null for a vendor key. */
  customer: string | null;
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  replacedBy: string | null;
}

interface KeyRow { id: string; name: string; prefix: string; customer: string | null; created_at: string; created_by: string | null; revoked_at: string | null; replaced_by: string | null }
const keyView = (r: KeyRow): ApiKeyView => ({
  id: r.id, name: r.name, prefix: r.prefix, customer: r.customer, createdAt: new Date(r.created_at).toISOString(), createdBy: r.created_by,
  revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null, replacedBy: r.replaced_by,
});

/** The vendor's keys, newest first (active ones before revoked ones). */
export async function listApiKeys(sql: postgres.Sql, vendorId: string): Promise<ApiKeyView[]> {
  const rows = await sql<KeyRow[]>`
    select k.id, k.name, k.prefix, c.external_id as customer, k.created_at, k.created_by, k.revoked_at, k.replaced_by
    from api_keys k left join customers c on c.id = k.customer_id
    where k.vendor_id = ${vendorId}
    order by (k.revoked_at is null) desc, k.created_at desc, k.id limit 500`;
  return rows.map(keyView);
}

/** Creates a vendor key (or one confined to `customerId`) and records it; the answer holds the key, shown once. */
export async function issueApiKey(sql: postgres.Sql, p: { vendorId: string; customerId?: string | null; customerExternalId?: string; name: string; actor: AuditActor }): Promise<ApiKeyView & { key: string }> {
  return sql.begin(async (tx) => {
    const made = await createApiKey(tx, { vendorId: p.vendorId, customerId: p.customerId, name: p.name, createdBy: p.actor.label });
    await recordAudit(tx, { vendorId: p.vendorId, customerId: p.customerId, actor: p.actor, action: 'api_key.create', target: { kind: 'api_key', id: made.id, label: `${p.name} (${keyPrefix(made.key)}…)` }, details: p.customerExternalId ? { customer: p.customerExternalId } : null });
    const [row] = await tx<KeyRow[]>`select k.id, k.name, k.prefix, c.external_id as customer, k.created_at, k.created_by, k.revoked_at, k.replaced_by from api_keys k left join customers c on c.id = k.customer_id where k.id = ${made.id}`;
    return { ...keyView(row), key: made.key };
  });
}

/**
 * Rotation: a new key with the same name and scope replaces the old one, which is revoked in the same transaction,
 * so it stops working in every process at the commit (NOTIFY, above). null when the vendor has no such active key.
 */
export async function rotateApiKey(sql: postgres.Sql, vendorId: string, keyId: string, actor: AuditActor): Promise<(ApiKeyView & { key: string }) | null> {
  const out = await sql.begin(async (tx) => {
    const [old] = await tx<{ id: string; name: string; prefix: string; customer_id: string | null }[]>`
      select id, name, prefix, customer_id from api_keys where id = ${keyId} and vendor_id = ${vendorId} and revoked_at is null for update`;
    if (!old) return null;
    const made = await createApiKey(tx, { vendorId, customerId: old.customer_id, name: old.name, createdBy: actor.label });
    await tx`update api_keys set revoked_at = now(), replaced_by = ${made.id} where id = ${old.id}`;
    await recordAudit(tx, { vendorId, customerId: old.customer_id, actor, action: 'api_key.rotate', target: { kind: 'api_key', id: old.id, label: `${old.name} (${old.prefix}…)` }, details: { newKeyId: made.id, newPrefix: keyPrefix(made.key) } });
    const [row] = await tx<KeyRow[]>`select k.id, k.name, k.prefix, c.external_id as customer, k.created_at, k.created_by, k.revoked_at, k.replaced_by from api_keys k left join customers c on c.id = k.customer_id where k.id = ${made.id}`;
    return { ...keyView(row), key: made.key };
  });
  cache.clear();
  return out;
}
