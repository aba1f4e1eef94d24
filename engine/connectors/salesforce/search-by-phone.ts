// Phone lookups with SOSL: FIND {…} IN PHONE FIELDS searches every phone field of the object (Contact:
// Phone, MobilePhone, HomePhone, OtherPhone, AssistantPhone, Fax; Account: Phone, Fax). Salesforce keeps
// numbers as typed and its phone search ignores formatting characters, but not a country code or trunk
// prefix that one side has and the other lacks. So one search ORs every digit form the number may have
// been typed in: E.164 digits (12025550143), national with trunk prefix (02079460000), the national
// significant number (2079460000) and country code + trunk prefix (4402079460000, from "+44 (0)20 …").
// The national forms can hit another country's number with the same digits (London 020 7946 0123 vs
// Maine (207) 946-0123), so every hit is checked: one of its numbers, read with the record's country,
// must be the number searched for.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizePhone } from '../../core/phone';
import type { ConnectorCall } from '../kit/contact-source';
import { createSalesforceClient } from './client';
import { countryToIso2 } from '../../core/country';
import type { SalesforceRecord } from './map-contact';
import { ACCOUNT_FIELDS, API_BASE, CONTACT_FIELDS } from './soql';

/** The digit strings to search for `phone` (empty when it has too few digits to search). */
export function phoneSearchTerms(phone: string, defaultCountry?: string | null): string[] {
  const terms = new Set<string>();
  const n = normalizePhone(phone, defaultCountry);
  if (n.e164) {
    const parsed = parsePhoneNumberFromString(n.e164);
    const e164Digits = n.e164.slice(1);
    terms.add(e164Digits);
    if (parsed) {
      terms.add(String(parsed.nationalNumber));
      const nationalDigits = (n.national ?? '').replace(/\D/g, '');
      if (nationalDigits) {
        terms.add(nationalDigits);
        if (nationalDigits.startsWith('0')) terms.add(parsed.countryCallingCode + nationalDigits);
      }
    }
  }
  const raw = phone.replace(/\D/g, '');
  if (raw.length >= 5) terms.add(raw);
  return [...terms].filter((t) => t.length >= 5);
}

const PHONE_FIELDS = { Contact: ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone', 'AssistantPhone'], Account: ['Phone'] };

function hasNumber(r: SalesforceRecord, sobject: 'Contact' | 'Account', e164: string, defaultCountry?: string | null): boolean {
  const country = countryToIso2(sobject === 'Contact' ? r.MailingCountry : r.BillingCountry) ?? defaultCountry;
  return PHONE_FIELDS[sobject].some((f) => typeof r[f] === 'string' && normalizePhone(r[f] as string, country).e164 === e164);
}

export async function searchByPhone(call: ConnectorCall, sobject: 'Contact' | 'Account', phone: string, defaultCountry?: string | null, limit = 10) {
  const sf = createSalesforceClient(call);
  const terms = phoneSearchTerms(phone, defaultCountry);
  if (!terms.length) return { records: [] as SalesforceRecord[], instanceUrl: sf.instanceUrl, terms };
  const fields = sobject === 'Contact' ? CONTACT_FIELDS : ACCOUNT_FIELDS;
  // Digits need no SOSL escaping; the most recently changed record comes first.
  const sosl = `FIND {${terms.join(' OR ')}} IN PHONE FIELDS RETURNING ${sobject}(${fields.join(', ')} ORDER BY LastModifiedDate DESC LIMIT ${limit})`;
  const res = await sf.request<{ searchRecords: SalesforceRecord[] }>({ path: `${API_BASE}/search`, query: { q: sosl } });
  const e164 = normalizePhone(phone, defaultCountry).e164;
  const records = (res.body?.searchRecords ?? []).filter((r) => r.attributes?.type === sobject && (!e164 || hasNumber(r, sobject, e164, defaultCountry)));
  return { records, instanceUrl: sf.instanceUrl, terms };
}
