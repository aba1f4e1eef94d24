// Finds a HubSpot contact by phone number with the CRM search API.
//
// What HubSpot matches: `phone` and `mobilephone` hold the number exactly as the user typed it, and an
// EQ/IN filter on them compares that stored string (case-insensitively), so "+12025550143" does not find
// "(202) 555-0143". HubSpot also keeps calculated, read-only copies: `hs_searchable_calculated_phone_number`
// and `hs_searchable_calculated_mobile_number` hold the national significant number as digits, without
// country code or trunk prefix ("2025550143", "2079460000" for "020 7946 0000"). So one search asks for
// either calculated property equal to the national digits, or a stored string equal to one of the usual
// written forms (as received, E.164, national, international). Digits without a country code can belong to
// several countries, so every hit is verified by normalising its numbers with its own country.
import { z } from 'zod';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { normalizePhone } from '../../core/phone';
import type { ConnectorCall } from '../kit/contact-source';
import { createHubspotClient, getPortal, searchObjects, type HubspotRecord, type HubspotSearchRequest } from './client';
import { countryToIso2 } from '../../core/country';
import { CONTACT_PROPERTIES, mapContact } from './map-contact';
import { findByPhoneParams } from '../kit/find-by-phone-params';
import { callOf } from '../kit/contact-source';

export interface PhoneForms {
  /** E.164 when the number parses, else null. */
  e164: string | null;
  /** National significant number (digits, no country code, no trunk 0). */
  nationalDigits: string | null;
  /** Written forms a user may have typed into a phone field, to match the stored string. */
  strings: string[];
}

export function phoneForms(raw: string, defaultCountry?: string | null): PhoneForms {
  const input = String(raw ?? '').trim();
  const n = normalizePhone(input, defaultCountry);
  const strings = new Set<string>();
  if (input) strings.add(input);
  if (!n.e164) {
    const digits = input.replace(/\D/g, '');
    if (digits) strings.add(digits);
    return { e164: null, nationalDigits: null, strings: [...strings] };
  }
  const parsed = parsePhoneNumberFromString(n.e164);
  strings.add(n.e164);
  if (parsed) {
    const national = parsed.formatNational();
    strings.add(national);
    strings.add(parsed.formatInternational());
    strings.add(national.replace(/\D/g, ''));
  }
  return { e164: n.e164, nationalDigits: parsed?.nationalNumber ?? null, strings: [...strings] };
}

/** True when one of `numbers`, read with the record's country (else the default), is the wanted E.164. */
export function numbersMatch(numbers: (string | null | undefined)[], country: string | null, defaultCountry: string | null | undefined, forms: PhoneForms): boolean {
  for (const num of numbers) {
    if (!num) continue;
    if (!forms.e164) {
      if (forms.strings.includes(num.trim())) return true;
      continue;
    }
    const n = normalizePhone(num, country ?? defaultCountry);
    if (n.e164 === forms.e164) return true;
    // A number HubSpot could not place in any country: trust its digits.
    if (!n.e164 && forms.nationalDigits && num.replace(/\D/g, '').endsWith(forms.nationalDigits)) return true;
  }
  return false;
}

export function contactPhoneSearch(forms: PhoneForms): HubspotSearchRequest['filterGroups'] {
  const groups: NonNullable<HubspotSearchRequest['filterGroups']> = [];
  if (forms.nationalDigits) {
    groups.push({ filters: [{ propertyName: 'hs_searchable_calculated_phone_number', operator: 'EQ', value: forms.nationalDigits }] });
    groups.push({ filters: [{ propertyName: 'hs_searchable_calculated_mobile_number', operator: 'EQ', value: forms.nationalDigits }] });
  }
  groups.push({ filters: [{ propertyName: 'phone', operator: 'IN', values: forms.strings }] });
  groups.push({ filters: [{ propertyName: 'mobilephone', operator: 'IN', values: forms.strings }] });
  return groups;
}

export async function findContactByPhone(call: ConnectorCall, args: { phone: string; defaultCountry?: string | null }): Promise<{ found: boolean; contact: UnifiedContact | null }> {
  const forms = phoneForms(args.phone, args.defaultCountry);
  if (!forms.strings.length) return { found: false, contact: null };
  const http = createHubspotClient(call);
  const res = await searchObjects(http, 'contacts', {
    filterGroups: contactPhoneSearch(forms),
    sorts: [{ propertyName: 'lastmodifieddate', direction: 'DESCENDING' }],
    properties: CONTACT_PROPERTIES,
    limit: 20,
  });
  const hit = res.results.find((r: HubspotRecord) => {
    const country = countryToIso2(r.properties.country) ?? countryToIso2(r.properties.hs_calculated_phone_number_country_code);
    return numbersMatch([r.properties.phone, r.properties.mobilephone], country, args.defaultCountry, forms);
  });
  if (!hit) return { found: false, contact: null };
  const portal = await getPortal(call, http);
  return { found: true, contact: mapContact(hit, portal) };
}

export const findContactByPhoneBlock = defineBlock({
  id: 'hubspot.findContactByPhone',
  version: 1,
  title: 'HubSpot: find contact by phone',
  description: 'Searches HubSpot contacts for a phone or mobile number, whatever format it was typed in.',
  category: 'CRM',
  icon: 'search',
  connector: 'hubspot',
  params: findByPhoneParams,
  output: z.object({ found: z.boolean(), contact: unifiedContactSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `by phone ${String(p.phone ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('hubspot');
    const out = await findContactByPhone(callOf(ctx, conn), { phone: params.phone, defaultCountry: params.defaultCountry ?? ctx.customer.defaultCountry });
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
