// API keys: shown once, stored as SHA-256. Lookups are cached briefly so the hot path rarely touches the table.
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
    on conflict (key_hash) do update set revoked_at = null returning id`;
  return { id: row.id, key };
}

const TTL_MS = 30_000;
const cache = new Map<string, { principal: KeyPrincipal | null; expires: number }>();

export async function authenticateKey(sql: postgres.Sql, key: string): Promise<KeyPrincipal | null> {
  // Keyed by the presented key itself (kept only in this process's memory, like the request that carried
  // it), so a cached key costs no hashing on the hot path.
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.principal;
  const rows = await sql<{ id: string; vendor_id: string; customer_id: string | null }[]>`
    select id, vendor_id, customer_id from api_keys where key_hash = ${hashKey(key)} and revoked_at is null`;
  const principal = rows.length ? { keyId: rows[0].id, vendorId: rows[0].vendor_id, customerId: rows[0].customer_id } : null;
  if (cache.size > 10_000) cache.clear();
  cache.set(key, { principal, expires: now + (principal ? TTL_MS : 2_000) });
  return principal;
}

export function forgetKeyCache(): void { cache.clear(); }
