// The CDP on Postgres: Patchbay's shadow copy of CRM contacts, read by caller_lookup in one index probe.
import { createHash } from 'node:crypto';
import type postgres from 'postgres';
import { displayNameOf, normalizePhone, PatchbayError, type CdpContact, type CdpLookupHit, type CdpPort, type UnifiedContact } from '@/engine';
import { clientMessage, isDatabaseError } from '../db/database-error';
import { forgetCustomerLookups, type PhoneCache } from './phone-cache';

export interface PreparedContact {
  source: string;
  externalId: string;
  kind: string;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  email: string | null;
  phones: string[];
  rawPhones: string[];
  country: string | null;
  crmUrl: string | null;
  ownerId: string | null;
  custom: Record<string, unknown>;
  sourceUpdatedAt: string | null;
  contentHash: string;
}

export interface PhoneProblem { externalId: string; source: string; phone: string; reason: string; /** Position in the upserted list. */ index?: number }

/** Normalises numbers (contact country, else the customer's) and fingerprints the content. */
export function prepareContact(c: UnifiedContact, defaultCountry: string): { contact: PreparedContact; problems: PhoneProblem[] } {
  const phones: string[] = [];
  const problems: PhoneProblem[] = [];
  const country = c.country ? c.country.toUpperCase() : null;
  for (const raw of c.phones) {
    const n = normalizePhone(raw, country ?? defaultCountry);
    if (n.e164) { if (!phones.includes(n.e164)) phones.push(n.e164); }
    else problems.push({ externalId: c.externalId, source: c.source, phone: raw, reason: n.reason ?? 'invalid' });
  }
  const body = {
    kind: c.kind ?? 'person', firstName: c.firstName ?? null, lastName: c.lastName ?? null, company: c.company ?? null,
    email: c.email ?? null, phones, rawPhones: c.phones, country, crmUrl: c.crmUrl ?? null, ownerId: c.ownerId ?? null,
    custom: c.custom ?? {}, sourceUpdatedAt: c.updatedAt ?? null,
  };
  const contentHash = createHash('sha1').update(JSON.stringify(body)).digest('base64url');
  return { contact: { source: c.source, externalId: c.externalId, ...body, contentHash }, problems };
}

const COLUMNS = 'source, external_id, kind, first_name, last_name, company, email, phones, country, crm_url, owner_id, custom, source_updated_at';

interface Row {
  source: string; external_id: string; kind: string; first_name: string | null; last_name: string | null; company: string | null;
  email: string | null; phones: string[]; country: string | null; crm_url: string | null; owner_id: string | null;
  custom: Record<string, string | number | boolean | null>; source_updated_at: Date | null;
}

function toContact(r: Row): CdpContact {
  return {
    source: r.source, externalId: r.external_id, kind: r.kind === 'company' ? 'company' : 'person',
    firstName: r.first_name, lastName: r.last_name, displayName: displayNameOf({ firstName: r.first_name, lastName: r.last_name, company: r.company }),
    company: r.company, email: r.email, phones: r.phones, country: r.country?.trim() ?? null, crmUrl: r.crm_url, ownerId: r.owner_id,
    custom: r.custom ?? {}, updatedAt: r.source_updated_at ? new Date(r.source_updated_at).toISOString() : null,
  };
}

export const phoneKey = (customerId: string, e164: string) => `${customerId}|${e164}`;

export interface UpsertResult { inserted: number; updated: number; unchanged: number; rejected: { externalId: string; reason: string }[] }

/**
 * Bulk upsert by (customer, source, external id); rows whose content hash is unchanged are not written.
 * `writtenIds` lists the external ids that were inserted or updated (the sync counts per record).
 */
export async function upsertContacts(sql: postgres.Sql, customerId: string, defaultCountry: string, list: UnifiedContact[]): Promise<UpsertResult & { problems: PhoneProblem[]; writtenIds: string[] }> {
  const problems: PhoneProblem[] = [];
  const byKey = new Map<string, PreparedContact>();
  const positions = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    const p = prepareContact(c, defaultCountry);
    const key = `${c.source}\u0000${c.externalId}`;
    const earlier = positions.get(key);
    if (earlier !== undefined) {
      // The last one wins within a batch; the one it replaced is reported, not dropped silently.
      problems.push({ externalId: c.externalId, source: c.source, phone: '', index: earlier, reason: `duplicate: the contact at index ${i} has the same source and externalId and replaced this one` });
    }
    positions.set(key, i);
    problems.push(...p.problems.map((x) => ({ ...x, index: i })));
    byKey.set(key, p.contact);
  }
  const rows = [...byKey.values()];
  let inserted = 0, updated = 0;
  const writtenIds: string[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const res = await sql<{ inserted: boolean; external_id: string }[]>`
      insert into cdp_contacts (customer_id, source, external_id, kind, first_name, last_name, company, email, phones, raw_phones, phone_keys, country, crm_url, owner_id, custom, content_hash, source_updated_at)
      select ${customerId}::uuid, x.source, x.external_id, x.kind, x.first_name, x.last_name, x.company, x.email,
             coalesce((select array_agg(v) from jsonb_array_elements_text(x.phones) v), '{}'),
             coalesce((select array_agg(v) from jsonb_array_elements_text(x.raw_phones) v), '{}'),
             coalesce((select array_agg(${customerId} || '|' || v) from jsonb_array_elements_text(x.phones) v), '{}'),
             x.country, x.crm_url, x.owner_id, coalesce(x.custom, '{}'::jsonb), x.content_hash, x.source_updated_at
      from jsonb_to_recordset(${JSON.stringify(chunk.map((c) => ({
        source: c.source, external_id: c.externalId, kind: c.kind, first_name: c.firstName, last_name: c.lastName, company: c.company,
        email: c.email, phones: c.phones, raw_phones: c.rawPhones, country: c.country, crm_url: c.crmUrl, owner_id: c.ownerId,
        custom: c.custom, content_hash: c.contentHash, source_updated_at: c.sourceUpdatedAt,
      })))}::text::jsonb) as x(source text, external_id text, kind text, first_name text, last_name text, company text, email text,
             phones jsonb, raw_phones jsonb, country text, crm_url text, owner_id text, custom jsonb, content_hash text, source_updated_at timestamptz)
      on conflict (customer_id, source, external_id) do update set
        kind = excluded.kind, first_name = excluded.first_name, last_name = excluded.last_name, company = excluded.company,
        email = excluded.email, phones = excluded.phones, raw_phones = excluded.raw_phones, phone_keys = excluded.phone_keys,
        country = excluded.country, crm_url = excluded.crm_url, owner_id = excluded.owner_id, custom = excluded.custom,
        content_hash = excluded.content_hash, source_updated_at = excluded.source_updated_at, updated_at = now(), deleted_at = null
      where cdp_contacts.content_hash is distinct from excluded.content_hash or cdp_contacts.deleted_at is not null
      returning (xmax = 0) as inserted, external_id`;
    for (const r of res) { r.inserted ? inserted++ : updated++; writtenIds.push(r.external_id); }
  }
  if (inserted + updated) forgetCustomerLookups(customerId);
  const rejected = problems.map((p) => ({ externalId: p.externalId, reason: `${p.phone}: ${p.reason}` }));
  return { inserted, updated, unchanged: rows.length - inserted - updated, rejected, problems, writtenIds };
}

// The caller_lookup query as one prepared statement text (no fragments to assemble per call). Several contacts
// with the number: CALLER_MATCH_RULE (engine/core/contact.ts) picks one, in the same query (persons first, most
// recently updated in its source, else last written here, then source, then external id); `matches` counts them.
const LOOKUP_SQL = `select ${COLUMNS}, (count(*) over ())::int as matches from cdp_contacts where phone_keys @> array[$1]::text[] and deleted_at is null
  order by (kind = 'person') desc, coalesce(source_updated_at, updated_at) desc, source, external_id limit 1`;

export async function lookupByPhone(sql: postgres.Sql, customerId: string, e164: string): Promise<CdpLookupHit | null> {
  const rows = await sql.unsafe<(Row & { matches: number })[]>(LOOKUP_SQL, [phoneKey(customerId, e164)], { prepare: true });
  if (!rows.length) return null;
  const hit: CdpLookupHit = toContact(rows[0]);
  hit.matches = rows[0].matches;
  return hit;
}

export async function findByExternalId(sql: postgres.Sql, customerId: string, source: string, externalId: string): Promise<CdpContact | null> {
  const rows = await sql<Row[]>`select ${sql.unsafe(COLUMNS)} from cdp_contacts where customer_id = ${customerId} and source = ${source} and external_id = ${externalId} and deleted_at is null`;
  return rows.length ? toContact(rows[0]) : null;
}

/** Soft delete (kept for audit; the phone index ignores deleted rows). */
export async function deleteContacts(sql: postgres.Sql, customerId: string, source: string, externalIds: string[]): Promise<number> {
  if (!externalIds.length) return 0;
  const res = await sql`update cdp_contacts set deleted_at = now(), updated_at = now() where customer_id = ${customerId} and source = ${source} and external_id = any(${externalIds}) and deleted_at is null`;
  if (res.count) forgetCustomerLookups(customerId);
  return res.count;
}

/** A lookup through the process's coherent cache (lib/cdp/phone-cache.ts) when there is one, else the database. */
function cachedLookup(cache: PhoneCache, sql: postgres.Sql, customerId: string, e164: string): Promise<CdpContact | null> {
  const hit = cache.get(customerId, e164);
  if (hit !== undefined) return Promise.resolve(hit);
  const generation = cache.generationOf(customerId);
  return lookupByPhone(sql, customerId, e164).then((c) => { cache.set(customerId, e164, c, generation); return c; });
}

/** `readSql` serves the hot-path lookups (lib/db/pipelined-pool.ts); everything else uses `sql`. */
export function createPgCdp(sql: postgres.Sql, customer: { id: string; defaultCountry: string }, readSql: () => postgres.Sql = () => sql, cache?: PhoneCache): CdpPort {
  // A step's error reaches the caller of the automation: the database's own text stays in the log.
  const guard = <A extends unknown[], R>(what: string, f: (...a: A) => Promise<R>) => (...a: A): Promise<R> => f(...a).catch((err: unknown) => {
    if (isDatabaseError(err)) throw new PatchbayError('block_failed', `The CDP could not ${what}: ${clientMessage(err, `CDP ${what}`)}`);
    throw err;
  });
  return {
    // Unwrapped: the hot path, and its only input is an E.164 number.
    lookupByPhone: cache ? (e164) => cachedLookup(cache, readSql(), customer.id, e164) : (e164) => lookupByPhone(readSql(), customer.id, e164),
    findByExternalId: guard('find the contact', (source: string, id: string) => findByExternalId(sql, customer.id, source, id)),
    upsert: guard('store the contacts', async (list: UnifiedContact[]) => { const { problems: _p, writtenIds: _w, ...r } = await upsertContacts(sql, customer.id, customer.defaultCountry, list); return r; }),
    delete: guard('delete the contacts', (source: string, ids: string[]) => deleteContacts(sql, customer.id, source, ids)),
  };
}
