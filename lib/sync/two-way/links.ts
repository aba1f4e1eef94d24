// The two-way sync's bookkeeping in phonebook_links (one row per linked person: CRM id ⇄ phonebook entry id), the
// conflicts it reports, and the phonebook writes it makes by entry id.
import { createHash } from 'node:crypto';
import type postgres from 'postgres';
import { HttpError } from '@/engine';
import { upsertPhonebookEntry, writeWireContact, type PhonebookClient, type PhonebookContact } from '@/engine/connectors';
import type { ConflictRule } from '../sync-config';
import { hashShared, sharedFromPhonebook, type SharedFields } from './shared-fields';

export interface TwoWayLink {
  external_id: string;
  phonebook_id: string;
  content_hash: string;
  base: SharedFields | null;
  crm_hash: string | null;
  phonebook_hash: string | null;
  extra_hash: string | null;
  crm_updated_at: string | null;
  phonebook_updated_at: string | null;
}

/** A link as it stands once both sides hold `base`. */
export interface LinkWrite {
  externalId: string;
  phonebookId: string;
  base: SharedFields;
  crmHash: string;
  phonebookHash: string;
  /** null keeps the stored one. */
  extraHash: string | null;
  contentHash: string | null;
  crmUpdatedAt: string | null;
  phonebookUpdatedAt: string | null;
}

export interface LinkScope { customerId: string; source: string }

export async function linksByExternalId(sql: postgres.Sql, s: LinkScope, ids: string[]): Promise<Map<string, TwoWayLink>> {
  if (!ids.length) return new Map();
  const rows = await sql<TwoWayLink[]>`
    select external_id, phonebook_id, content_hash, base, crm_hash, phonebook_hash, extra_hash, crm_updated_at, phonebook_updated_at
    from phonebook_links where customer_id = ${s.customerId} and source = ${s.source} and external_id = any(${ids})`;
  return new Map(rows.map((r) => [r.external_id, r]));
}

export async function linksByPhonebookId(sql: postgres.Sql, s: LinkScope, ids: string[]): Promise<Map<string, TwoWayLink>> {
  if (!ids.length) return new Map();
  const rows = await sql<TwoWayLink[]>`
    select external_id, phonebook_id, content_hash, base, crm_hash, phonebook_hash, extra_hash, crm_updated_at, phonebook_updated_at
    from phonebook_links where customer_id = ${s.customerId} and source = ${s.source} and phonebook_id = any(${ids})`;
  return new Map(rows.map((r) => [r.phonebook_id, r]));
}

/** Upserts links in one statement (a link moving to another entry or record replaces the old one). */
export async function writeLinks(tx: postgres.Sql, s: LinkScope, rows: LinkWrite[]): Promise<void> {
  if (!rows.length) return;
  // One row per phonebook entry: a link that moved to another CRM id (a record made again) drops the old one.
  await tx`delete from phonebook_links where customer_id = ${s.customerId} and source = ${s.source}
    and phonebook_id = any(${rows.map((r) => r.phonebookId)}) and not (external_id = any(${rows.map((r) => r.externalId)}))`;
  const data = rows.map((r) => ({
    external_id: r.externalId, phonebook_id: r.phonebookId, base: r.base, crm_hash: r.crmHash, phonebook_hash: r.phonebookHash,
    extra_hash: r.extraHash, content_hash: r.contentHash, crm_updated_at: r.crmUpdatedAt, phonebook_updated_at: r.phonebookUpdatedAt,
  }));
  await tx`
    insert into phonebook_links (customer_id, source, external_id, phonebook_id, content_hash, base, crm_hash, phonebook_hash, extra_hash, crm_updated_at, phonebook_updated_at)
    select ${s.customerId}::uuid, ${s.source}, x.external_id, x.phonebook_id, coalesce(x.content_hash, ''), x.base, x.crm_hash, x.phonebook_hash, x.extra_hash, x.crm_updated_at, x.phonebook_updated_at
    from jsonb_to_recordset(${JSON.stringify(data)}::text::jsonb)
      as x(external_id text, phonebook_id text, base jsonb, crm_hash text, phonebook_hash text, extra_hash text, content_hash text, crm_updated_at text, phonebook_updated_at text)
    on conflict (customer_id, source, external_id) do update set
      phonebook_id = excluded.phonebook_id, base = excluded.base, crm_hash = excluded.crm_hash, phonebook_hash = excluded.phonebook_hash,
      extra_hash = coalesce(excluded.extra_hash, phonebook_links.extra_hash),
      content_hash = case when excluded.content_hash = '' then phonebook_links.content_hash else excluded.content_hash end,
      crm_updated_at = coalesce(excluded.crm_updated_at, phonebook_links.crm_updated_at),
      phonebook_updated_at = coalesce(excluded.phonebook_updated_at, phonebook_links.phonebook_updated_at),
      updated_at = now()`;
}

export async function removeLinks(tx: postgres.Sql, s: LinkScope, externalIds: string[]): Promise<void> {
  if (externalIds.length) await tx`delete from phonebook_links where customer_id = ${s.customerId} and source = ${s.source} and external_id = any(${externalIds})`;
}

export async function dropPending(tx: postgres.Sql, s: LinkScope, phonebookIds: string[]): Promise<void> {
  if (phonebookIds.length) await tx`delete from sync_pending_changes where customer_id = ${s.customerId} and source = ${s.source} and phonebook_id = any(${phonebookIds})`;
}

/** One contact edited on both sides (or deleted on one and edited on the other), as the run reports it. */
export interface SyncConflict {
  type: 'edited_both' | 'deleted_in_phonebook_edited_in_crm' | 'deleted_in_crm_edited_in_phonebook';
  externalId: string;
  phonebookId: string;
  rule: ConflictRule;
  /** crm / phonebook: that side's version won; merged: field by field; keep / delete for a delete against an edit. */
  outcome: 'crm' | 'phonebook' | 'merged' | 'kept' | 'deleted';
  crm: (SharedFields & { updatedAt: string | null }) | { deleted: true };
  phonebook: (SharedFields & { updatedAt: string | null }) | { deleted: true; deletedAt: string | null };
  /** What both sides hold now (null when the contact was deleted on both). */
  result: SharedFields | null;
  fields?: Record<string, string>;
  at: string;
}

/** The phonebook's fields that only the CRM feeds: a change of these alone is written to the phonebook, an echo is not. */
export function extraHashOf(d: PhonebookContact): string {
  return createHash('sha1').update(JSON.stringify([d.company, d.isCompany, d.crmUrl, d.customData, d.source, d.externalId])).digest('base64url');
}

export function contentHashOf(d: PhonebookContact): string {
  return createHash('sha1').update(JSON.stringify(d)).digest('base64url');
}

export function phonebookHashOf(d: PhonebookContact): string {
  return hashShared(sharedFromPhonebook(d));
}

/** The CRM's phonebook entry with the shared fields set to `f` (numbers beyond the first two are kept). */
export function withShared(d: PhonebookContact, f: SharedFields, phoneTypes: string[]): PhonebookContact {
  const types = phoneTypes.length ? phoneTypes : ['work', 'mobile', 'other'];
  const phones: PhonebookContact['phones'] = f.phones.map((number, i) => ({ number, type: types[Math.min(i, types.length - 1)] }));
  for (const p of d.phones.slice(2)) if (!phones.some((x) => x.number === p.number)) phones.push(p);
  return { ...d, firstName: f.firstName, lastName: f.lastName, email: f.email, phones };
}

/** Writes an entry by its id (PUT, every field); an entry gone meanwhile is added again (found by external id first). */
export async function writePhonebookEntry(client: PhonebookClient, id: string | null, desired: PhonebookContact): Promise<{ id: string; action: 'added' | 'updated' | 'unchanged' }> {
  if (id) {
    try {
      await client.call('updateContact', { id, externalId: desired.externalId ?? undefined }, { body: writeWireContact(desired, client.config.fields) });
      return { id, action: 'updated' };
    } catch (err) {
      if (!(err instanceof HttpError && err.kind === 'not_found')) throw err;
    }
  }
  return upsertPhonebookEntry(client, desired);
}
