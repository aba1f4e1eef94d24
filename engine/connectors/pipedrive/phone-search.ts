// Finding Pipedrive records by phone number with Pipedrive's own search.
//
// Pipedrive's search (/api/v2/persons/search, /api/v2/organizations/search, both wrappers of itemSearch) matches
// phone numbers on their digits: spaces, brackets, dashes, dots and the "+" are ignored on both sides, and without
// `exact_match` a term matches any number whose digits contain it. A number stored as the user typed it —
// "+44 20 7946 0000", "020 7946 0000", "0044 20 7946 0000" — therefore always contains its national significant
// number ("2079460000"), whereas the E.164 digits ("442079460000") or the national form with a trunk prefix
// ("02079460000") each miss some of those spellings. So one search with the national significant number finds
// every spelling (the approach telephony integrations in Pipedrive's marketplace use), and every candidate is then
// verified by normalising its stored numbers to E.164, so that "…2079460000" inside a longer or foreign number is
// not taken for a match. The emulator implements the same digit semantics.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizePhone } from '../../core/phone';
import type { PipedriveClient } from './client';

export interface PhoneQuery {
  /** The number in E.164, when it could be parsed. */
  e164: string | null;
  /** Country the number belongs to; stored numbers without a country code are read in this country. */
  country: string | null;
  /** What is sent as the search term. */
  term: string;
  /** Digits of the input, for numbers that cannot be parsed (verified by exact digit equality). */
  digits: string;
}

export function phoneQuery(raw: string, defaultCountry?: string | null): PhoneQuery | null {
  const digits = String(raw ?? '').replace(/\D/g, '');
  const n = normalizePhone(raw, defaultCountry);
  if (n.e164) {
    const parsed = parsePhoneNumberFromString(n.e164);
    if (parsed) return { e164: n.e164, country: parsed.country ?? n.country ?? defaultCountry ?? null, term: String(parsed.nationalNumber), digits };
  }
  // Unparseable (short codes, extensions, foreign numbers without a country): search the digits as given.
  if (digits.length < 3) return null;
  return { e164: null, country: defaultCountry ?? null, term: digits, digits };
}

export function phoneMatches(stored: string, q: PhoneQuery): boolean {
  if (!stored) return false;
  if (q.e164) {
    const n = normalizePhone(stored, q.country);
    if (n.e164) return n.e164 === q.e164;
  }
  const d = stored.replace(/\D/g, '');
  return d !== '' && (d === q.digits || (q.e164 !== null && d === q.e164.slice(1)));
}

export interface PersonSearchItem {
  id: number;
  type?: string;
  name: string;
  phones?: string[];
  emails?: string[];
  visible_to?: number;
  owner?: { id: number } | null;
  organization?: { id: number; name: string; address?: string | null } | null;
  custom_fields?: string[];
  notes?: string[];
}

export interface OrganizationSearchItem {
  id: number;
  type?: string;
  name: string;
  address?: string | null;
  visible_to?: number;
  owner?: { id: number } | null;
  custom_fields?: string[];
  notes?: string[];
}

interface SearchData<T> {
  items: { result_score: number; item: T }[];
}

const SEARCH_LIMIT = 100;

/** Persons whose phone numbers really are this number, in Pipedrive's relevance order. */
export async function searchPersonsByPhone(client: PipedriveClient, q: PhoneQuery): Promise<PersonSearchItem[]> {
  const data = await client.get<SearchData<PersonSearchItem>>('/api/v2/persons/search', { term: q.term, fields: 'phone', limit: SEARCH_LIMIT });
  return (data?.items ?? []).map((x) => x.item).filter((item) => (item.phones ?? []).some((p) => phoneMatches(p, q)));
}

/**
 * Organizations with this number in one of their searchable custom fields (the `phone` custom field type);
 * the search answers the matching custom field values, which are verified like person phones.
 */
export async function searchOrganizationsByPhone(client: PipedriveClient, q: PhoneQuery): Promise<OrganizationSearchItem[]> {
  const data = await client.get<SearchData<OrganizationSearchItem>>('/api/v2/organizations/search', { term: q.term, fields: 'custom_fields', limit: SEARCH_LIMIT });
  return (data?.items ?? []).map((x) => x.item).filter((item) => (item.custom_fields ?? []).some((v) => typeof v === 'string' && phoneMatches(v, q)));
}
