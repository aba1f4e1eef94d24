// The fields a two-way sync keeps equal on both sides (first and last name, e-mail, the first two numbers in
// E.164), read from either side into one shape, hashed for the echo check and merged by the conflict rules. Only
// these travel from the phonebook to the CRM: every CRM of the contract can write and read them back unchanged, so
// the sync's own write, when it comes back, hashes the same and is recognised as an echo. Company, CRM link and custom
// data stay CRM → phonebook only (Salesforce and Pipedrive keep the company as a linked record, not a text field).
import { createHash } from 'node:crypto';
import type { CrmContact, PhonebookContact } from '@/engine/connectors';
import { normalizePhone, type UnifiedContact } from '@/engine';
import type { ConflictRule } from '../sync-config';

export interface SharedFields {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** E.164, at most two (the CRMs' phone and mobile), in the side's own order. */
  phones: string[];
}

export const SHARED_KEYS = ['firstName', 'lastName', 'email', 'phones'] as const;
type SharedKey = (typeof SHARED_KEYS)[number];

const text = (s: string | null | undefined): string | null => {
  const t = s?.trim();
  return t ? t : null;
};

function firstTwo(numbers: (string | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const n of numbers) {
    if (n && !out.includes(n)) out.push(n);
    if (out.length === 2) break;
  }
  return out;
}

export function sharedFromCrm(c: UnifiedContact, defaultCountry: string | null): SharedFields {
  return {
    firstName: text(c.firstName), lastName: text(c.lastName), email: text(c.email)?.toLowerCase() ?? null,
    phones: firstTwo((c.phones ?? []).map((raw) => normalizePhone(raw, c.country ?? defaultCountry).e164)),
  };
}

export function sharedFromCrmContact(c: CrmContact): SharedFields {
  return {
    firstName: text(c.firstName), lastName: text(c.lastName), email: text(c.emails[0])?.toLowerCase() ?? null,
    phones: firstTwo(c.phones.map((p) => p.e164)),
  };
}

export function sharedFromPhonebook(pb: PhonebookContact): SharedFields {
  return {
    firstName: text(pb.firstName), lastName: text(pb.lastName), email: text(pb.email)?.toLowerCase() ?? null,
    phones: firstTwo(pb.phones.map((p) => normalizePhone(p.number, null).e164 ?? (p.number.startsWith('+') ? p.number : null))),
  };
}

/** The order of the two numbers does not count (a CRM may list mobile first). */
const comparable = (f: SharedFields) => [f.firstName, f.lastName, f.email, [...f.phones].sort()];

export function hashShared(f: SharedFields): string {
  return createHash('sha1').update(JSON.stringify(comparable(f))).digest('base64url');
}

function sameField(a: SharedFields, b: SharedFields, k: SharedKey): boolean {
  if (k === 'phones') return JSON.stringify([...a.phones].sort()) === JSON.stringify([...b.phones].sort());
  return a[k] === b[k];
}

export function sameShared(a: SharedFields, b: SharedFields): boolean {
  return SHARED_KEYS.every((k) => sameField(a, b, k));
}

/** Which side is newer by each side's own clock; a side without a time loses, a tie goes to the CRM. */
export function newerSide(crmAt: string | null, phonebookAt: string | null): 'crm' | 'phonebook' {
  const c = crmAt ? Date.parse(crmAt) : NaN, p = phonebookAt ? Date.parse(phonebookAt) : NaN;
  if (Number.isNaN(p)) return 'crm';
  if (Number.isNaN(c)) return 'phonebook';
  return p > c ? 'phonebook' : 'crm';
}

export interface Resolution {
  result: SharedFields;
  winner: 'crm' | 'phonebook' | 'merged';
  /** field_by_field: which side each field came from. */
  fields?: Record<SharedKey, 'crm' | 'phonebook' | 'both'>;
}

/** Both sides edited the record since `base` (the last agreed state; null when never agreed): the rule's answer. */
export function resolveEdits(rule: ConflictRule, o: { base: SharedFields | null; crm: SharedFields; phonebook: SharedFields; crmAt: string | null; phonebookAt: string | null }): Resolution {
  const newest = newerSide(o.crmAt, o.phonebookAt);
  if (rule === 'crm_wins') return { result: o.crm, winner: 'crm' };
  if (rule === 'phone_wins') return { result: o.phonebook, winner: 'phonebook' };
  if (rule === 'newest' || !o.base) return { result: newest === 'crm' ? o.crm : o.phonebook, winner: newest };
  const base = o.base;
  const result = { ...base, phones: [...base.phones] };
  const fields = {} as Record<SharedKey, 'crm' | 'phonebook' | 'both'>;
  for (const k of SHARED_KEYS) {
    const crmEdited = !sameField(o.crm, base, k), pbEdited = !sameField(o.phonebook, base, k);
    const from = crmEdited && pbEdited ? (sameField(o.crm, o.phonebook, k) ? 'both' : newest) : pbEdited ? 'phonebook' : crmEdited ? 'crm' : 'both';
    const src = from === 'phonebook' ? o.phonebook : o.crm;
    (result as Record<SharedKey, unknown>)[k] = k === 'phones' ? [...src.phones] : src[k];
    fields[k] = from;
  }
  const used = new Set(Object.values(fields).filter((v) => v !== 'both'));
  return { result, winner: used.size === 2 ? 'merged' : used.has('phonebook') ? 'phonebook' : 'crm', fields };
}

/**
 * Deleted on one side, edited on the other: keep (the edit wins, the record is made again where it was deleted) or
 * delete (the delete wins, the edited copy goes too). field_by_field has nothing to merge a delete with: the edit wins.
 */
export function resolveDeleteEdit(rule: ConflictRule, o: { deletedOn: 'crm' | 'phonebook'; editedAt: string | null; deletedAt: string | null }): 'keep' | 'delete' {
  const editedOn = o.deletedOn === 'crm' ? 'phonebook' : 'crm';
  if (rule === 'crm_wins') return editedOn === 'crm' ? 'keep' : 'delete';
  if (rule === 'phone_wins') return editedOn === 'phonebook' ? 'keep' : 'delete';
  if (rule === 'field_by_field') return 'keep';
  // newest: a delete without a time (a CRM's deletes are seen, not dated) loses to the dated edit.
  const e = o.editedAt ? Date.parse(o.editedAt) : NaN, d = o.deletedAt ? Date.parse(o.deletedAt) : NaN;
  if (Number.isNaN(d)) return 'keep';
  if (Number.isNaN(e)) return 'delete';
  return d > e ? 'delete' : 'keep';
}

/** The contract's changes that make the CRM hold `f` (every shared field, so the CRM ends up exactly there). */
export function crmChangesOf(f: SharedFields) {
  return { firstName: f.firstName, lastName: f.lastName, email: f.email, phone: f.phones[0] ?? null, mobile: f.phones[1] ?? null };
}
