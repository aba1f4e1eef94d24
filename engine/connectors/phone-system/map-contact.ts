// Phonebook contacts: Patchbay's UnifiedContact ↔ the phonebook shape ↔ the vendor's wire record.
// All pure: the field names of the wire record come from the connection's config.
import { z } from 'zod';
import { customValueSchema, type UnifiedContact } from '../../core/contact';
import { normalizePhone } from '../../core/phone';
import type { PhonebookFields } from './config';

export const phonebookPhoneSchema = z.object({
  /** E.164. */
  number: z.string(),
  type: z.string().nullable(),
});

/** A phonebook entry, with Patchbay's names whatever the vendor calls the fields. */
export const phonebookContactSchema = z.object({
  /** The phone system's id; null before it is added. */
  id: z.string().nullable(),
  /** The id of the record in its source (the CRM's contact id). */
  externalId: z.string().nullable(),
  /** The system the record came from: hubspot, salesforce … */
  source: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  company: z.string().nullable(),
  isCompany: z.boolean(),
  phones: z.array(phonebookPhoneSchema),
  email: z.string().nullable(),
  crmUrl: z.string().nullable(),
  customData: z.record(z.string(), customValueSchema),
});

export type PhonebookContact = z.infer<typeof phonebookContactSchema>;
export type PhonebookPhone = z.infer<typeof phonebookPhoneSchema>;

export function getPath(obj: unknown, path: string): unknown {
  if (!path) return obj;
  let v: unknown = obj;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = obj;
  for (const part of parts.slice(0, -1)) {
    const next = o[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) o[part] = {};
    o = o[part] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]] = value;
}

function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return null;
  const t = String(v).trim();
  return t ? t : null;
}

function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === 1 || v === '1';
}

function scalars(v: unknown): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = x;
  }
  return out;
}

/**
 * A CRM contact as a phonebook entry. Numbers are normalised to E.164 with the contact's country, else
 * `defaultCountry`; numbers that do not parse are left out (a phonebook matches callers by E.164) and
 * duplicates are dropped. Numbers get `phoneTypes` in order (the CRM sends its main number first).
 */
export function toPhonebookContact(c: UnifiedContact, o: { defaultCountry?: string | null; phoneTypes?: string[] } = {}): PhonebookContact {
  const types = o.phoneTypes?.length ? o.phoneTypes : ['work', 'mobile', 'other'];
  const phones: PhonebookPhone[] = [];
  for (const raw of c.phones ?? []) {
    const e164 = normalizePhone(raw, c.country ?? o.defaultCountry).e164;
    if (!e164 || phones.some((p) => p.number === e164)) continue;
    phones.push({ number: e164, type: types[Math.min(phones.length, types.length - 1)] });
  }
  const customData: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(c.custom ?? {})) if (v !== null && v !== '') customData[k] = v;
  return {
    id: null,
    externalId: c.externalId,
    source: c.source,
    firstName: c.firstName ?? null,
    lastName: c.lastName ?? null,
    company: c.company ?? null,
    isCompany: c.kind === 'company',
    phones,
    email: c.email ?? null,
    crmUrl: c.crmUrl ?? null,
    customData,
  };
}

/** A phonebook entry as a UnifiedContact (for entries that did not come from a CRM, or to show one). */
export function fromPhonebookContact(pb: PhonebookContact): UnifiedContact {
  return {
    source: pb.source ?? 'phonesystem',
    externalId: pb.externalId ?? pb.id ?? '',
    kind: pb.isCompany ? 'company' : 'person',
    firstName: pb.firstName,
    lastName: pb.lastName,
    company: pb.company,
    email: pb.email,
    phones: pb.phones.map((p) => p.number),
    country: null,
    crmUrl: pb.crmUrl,
    ownerId: null,
    custom: { ...pb.customData, ...(pb.id ? { phonebookId: pb.id } : {}) },
    updatedAt: null,
  };
}

/** The vendor's record → phonebook entry, with the configured field names. */
export function readWireContact(raw: unknown, f: PhonebookFields): PhonebookContact {
  const get = (path: string) => (path ? getPath(raw, path) : undefined);
  const list = get(f.phones);
  const phones: PhonebookPhone[] = [];
  if (Array.isArray(list)) {
    for (const item of list) {
      // Some APIs keep numbers as plain strings.
      const number = str(typeof item === 'object' && item !== null ? getPath(item, f.phoneNumber) : item);
      if (number) phones.push({ number, type: f.phoneType && typeof item === 'object' ? str(getPath(item, f.phoneType)) : null });
    }
  }
  return {
    id: str(get(f.id)),
    externalId: str(get(f.externalId)),
    source: str(get(f.source)),
    firstName: str(get(f.firstName)),
    lastName: str(get(f.lastName)),
    company: str(get(f.company)),
    isCompany: bool(get(f.isCompany)),
    phones,
    email: str(get(f.email)),
    crmUrl: str(get(f.crmUrl)),
    customData: scalars(get(f.customData)),
  };
}

/** Phonebook entry → the vendor's record (without the id, which travels in the path). Unmapped fields are left out. */
export function writeWireContact(pb: PhonebookContact, f: PhonebookFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (path: string, v: unknown) => { if (path) setPath(out, path, v); };
  put(f.externalId, pb.externalId);
  put(f.source, pb.source);
  put(f.firstName, pb.firstName);
  put(f.lastName, pb.lastName);
  put(f.company, pb.company);
  put(f.isCompany, pb.isCompany);
  put(f.email, pb.email);
  put(f.crmUrl, pb.crmUrl);
  put(f.customData, pb.customData);
  put(f.phones, pb.phones.map((p) => {
    const item: Record<string, unknown> = {};
    setPath(item, f.phoneNumber, p.number);
    if (f.phoneType) setPath(item, f.phoneType, p.type);
    return item;
  }));
  return out;
}

/**
 * Canonical form of what Patchbay writes, for "compare before update": only the fields the config maps,
 * empty values dropped, numbers in any order, custom values compared as text (APIs often stringify them).
 */
function canonical(pb: PhonebookContact, f: PhonebookFields): string {
  const keep = (path: string, v: unknown) => (path && v !== null && v !== undefined && v !== '' ? v : undefined);
  const custom = f.customData
    ? Object.entries(pb.customData).filter(([, v]) => v !== null && v !== '').map(([k, v]) => [k, String(v)]).sort(([a], [b]) => a.localeCompare(b))
    : [];
  return JSON.stringify({
    externalId: keep(f.externalId, pb.externalId),
    source: keep(f.source, pb.source),
    firstName: keep(f.firstName, pb.firstName),
    lastName: keep(f.lastName, pb.lastName),
    company: keep(f.company, pb.company),
    isCompany: f.isCompany ? pb.isCompany : undefined,
    email: keep(f.email, pb.email?.toLowerCase()),
    crmUrl: keep(f.crmUrl, pb.crmUrl),
    custom,
    phones: pb.phones.map((p) => `${p.number}|${f.phoneType ? p.type ?? '' : ''}`).sort(),
  });
}

/** True when writing `desired` over `existing` would change nothing the phone system stores. */
export function samePhonebookContent(existing: PhonebookContact, desired: PhonebookContact, f: PhonebookFields): boolean {
  return canonical(existing, f) === canonical(desired, f);
}
