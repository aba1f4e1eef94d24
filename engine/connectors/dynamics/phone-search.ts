// Phone lookups on Dataverse: columns such as telephone1 hold numbers as typed and $filter has no phone
// semantics (it compares text), so one query ORs the common ways a number is typed — E.164, international and
// national formats, digits only, and for NANP numbers the dashed, dotted and bracketed forms — across the phone
// columns. Every hit is then checked: one of its numbers, read with the record's country, must be the number
// searched for. A number typed some other way is still found by contact sync, which normalises every number.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { countryToIso2 } from '../../core/country';
import { normalizePhone } from '../../core/phone';
import { odataString } from './client';
import type { DataverseRow } from './map-contact';

/** The spellings a CRM user may have typed `phone` in (empty when it is not a valid number). */
export function phoneFormats(phone: string, defaultCountry?: string | null): string[] {
  const out = new Set<string>();
  const n = normalizePhone(phone, defaultCountry);
  const raw = phone.trim();
  if (raw) out.add(raw);
  if (!n.e164) return [...out];
  const p = parsePhoneNumberFromString(n.e164)!;
  const national = p.formatNational();
  const digits = String(p.nationalNumber);
  const cc = p.countryCallingCode;
  for (const f of [n.e164, p.formatInternational(), national, national.replace(/\D/g, ''), n.e164.slice(1), `00${n.e164.slice(1)}`, digits, `+${cc} ${national.replace(/^0/, '')}`, `+${cc} (0)${national.replace(/^0/, '')}`]) out.add(f);
  if (cc === '1' && digits.length === 10) {
    const [a, e, s] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
    for (const f of [`${a}-${e}-${s}`, `${a}.${e}.${s}`, `${a} ${e} ${s}`, `(${a}) ${e}-${s}`, `(${a})${e}-${s}`, `1-${a}-${e}-${s}`, `+1-${a}-${e}-${s}`, `+1 (${a}) ${e}-${s}`, `1 (${a}) ${e}-${s}`, `+1.${a}.${e}.${s}`]) out.add(f);
  }
  return [...out];
}

/** `(telephone1 eq '…' or mobilephone eq '…' …)` for every spelling and phone column. */
export function phoneFilter(fields: string[], formats: string[]): string {
  return '(' + fields.flatMap((f) => formats.map((v) => `${f} eq ${odataString(v)}`)).join(' or ') + ')';
}

export function hasNumber(r: DataverseRow, fields: string[], e164: string, defaultCountry?: string | null): boolean {
  const country = countryToIso2(r.address1_country) ?? defaultCountry;
  return fields.some((f) => typeof r[f] === 'string' && normalizePhone(r[f] as string, country).e164 === e164);
}
