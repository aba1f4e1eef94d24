// Phone numbers are normalised to E.164 at every edge. The `max` metadata checks real number patterns,
// so "valid" means the number can exist, not only that it has the right length.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export interface NormalizedPhone {
  raw: string;
  valid: boolean;
  e164: string | null;
  country: string | null;
  national: string | null;
  reason?: string;
}

const COUNTRY = /^[A-Z]{2}$/;

export function normalizePhone(raw: string, defaultCountry?: string | null): NormalizedPhone {
  const input = String(raw ?? '').trim();
  if (!input) return { raw: input, valid: false, e164: null, country: null, national: null, reason: 'empty' };
  const country = defaultCountry && COUNTRY.test(defaultCountry.toUpperCase()) ? (defaultCountry.toUpperCase() as CountryCode) : undefined;
  // "00" international prefix is common in European CRMs.
  const cleaned = input.startsWith('00') ? '+' + input.slice(2) : input;
  const parsed = parsePhoneNumberFromString(cleaned, country ? { defaultCountry: country } : undefined);
  if (!parsed) return { raw: input, valid: false, e164: null, country: null, national: null, reason: country ? 'unparseable' : 'no country code and no default country' };
  if (!parsed.isValid()) return { raw: input, valid: false, e164: null, country: parsed.country ?? null, national: null, reason: 'not a valid number' };
  return { raw: input, valid: true, e164: parsed.number, country: parsed.country ?? null, national: parsed.formatNational() };
}

/** Fast path for lookups: already E.164-looking input skips the full parse when it is valid. */
export function toE164(raw: string, defaultCountry?: string | null): string | null {
  return normalizePhone(raw, defaultCountry).e164;
}
