// Customers are addressed by the vendor's own id; resolving one is cached for the hot path.
import type postgres from 'postgres';

/** What a customer's own id (and a vendor's slug) may be: it is used in URLs. Anything else names nobody. */
export const URL_ID = /^[A-Za-z0-9._~-]{1,200}$/;

export interface CustomerRef { id: string; vendorId: string; externalId: string; name: string; defaultCountry: string }

interface Row { id: string; vendor_id: string; external_id: string; name: string; default_country: string }
const toRef = (r: Row): CustomerRef => ({ id: r.id, vendorId: r.vendor_id, externalId: r.external_id, name: r.name, defaultCountry: r.default_country.trim() });

const TTL_MS = 10_000;
const cache = new Map<string, { ref: CustomerRef | null; expires: number }>();

export async function resolveCustomer(sql: postgres.Sql, vendorId: string, externalId: string): Promise<CustomerRef | null> {
  // An id no customer can have names nobody (and a NUL in it would not even reach PostgreSQL as a query).
  if (!URL_ID.test(externalId)) return null;
  const k = `${vendorId}|${externalId}`;
  const now = Date.now();
  const hit = cache.get(k);
  if (hit && hit.expires > now) return hit.ref;
  const rows = await sql<Row[]>`select id, vendor_id, external_id, name, default_country from customers where vendor_id = ${vendorId} and external_id = ${externalId}`;
  const ref = rows.length ? toRef(rows[0]) : null;
  if (cache.size > 50_000) cache.clear();
  cache.set(k, { ref, expires: now + (ref ? TTL_MS : 1_000) });
  return ref;
}

export async function createCustomer(sql: postgres.Sql, p: { vendorId: string; externalId: string; name: string; defaultCountry: string }): Promise<{ ref: CustomerRef; created: boolean }> {
  const rows = await sql<Row[]>`
    insert into customers (vendor_id, external_id, name, default_country) values (${p.vendorId}, ${p.externalId}, ${p.name}, ${p.defaultCountry.toUpperCase()})
    on conflict (vendor_id, external_id) do nothing returning id, vendor_id, external_id, name, default_country`;
  if (rows.length) { cache.delete(`${p.vendorId}|${p.externalId}`); return { ref: toRef(rows[0]), created: true }; }
  const existing = await resolveCustomer(sql, p.vendorId, p.externalId);
  return { ref: existing!, created: false };
}

export async function listCustomers(sql: postgres.Sql, vendorId: string): Promise<CustomerRef[]> {
  const rows = await sql<Row[]>`select id, vendor_id, external_id, name, default_country from customers where vendor_id = ${vendorId} order by name`;
  return rows.map(toRef);
}
