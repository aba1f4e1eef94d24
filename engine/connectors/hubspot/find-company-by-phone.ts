// Finds a HubSpot company by phone number. Company `phone` is the string as typed, and an EQ/IN filter
// compares that string, so the search asks for the usual written forms of the number (as received,
// E.164, national, international, national digits) and verifies hits by normalising them.
import { z } from 'zod';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import type { ConnectorCall } from '../kit/contact-source';
import { createHubspotClient, getPortal, searchObjects } from './client';
import { countryToIso2 } from '../../core/country';
import { COMPANY_PROPERTIES, mapCompany } from './map-contact';
import { numbersMatch, phoneForms } from './find-contact-by-phone';
import { findByPhoneParams } from '../kit/find-by-phone-params';
import { callOf } from '../kit/contact-source';

export async function findCompanyByPhone(call: ConnectorCall, args: { phone: string; defaultCountry?: string | null }): Promise<{ found: boolean; company: UnifiedContact | null }> {
  const forms = phoneForms(args.phone, args.defaultCountry);
  if (!forms.strings.length) return { found: false, company: null };
  const http = createHubspotClient(call);
  const res = await searchObjects(http, 'companies', {
    filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'IN', values: forms.strings }] }],
    sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'DESCENDING' }],
    properties: COMPANY_PROPERTIES,
    limit: 20,
  });
  const hit = res.results.find((r) => numbersMatch([r.properties.phone], countryToIso2(r.properties.country), args.defaultCountry, forms));
  if (!hit) return { found: false, company: null };
  const portal = await getPortal(call, http);
  return { found: true, company: mapCompany(hit, portal) };
}

export const findCompanyByPhoneBlock = defineBlock({
  id: 'hubspot.findCompanyByPhone',
  version: 1,
  title: 'HubSpot: find company by phone',
  description: 'Searches HubSpot companies for a phone number.',
  category: 'CRM',
  icon: 'building',
  connector: 'hubspot',
  params: findByPhoneParams,
  output: z.object({ found: z.boolean(), company: unifiedContactSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `by phone ${String(p.phone ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('hubspot');
    const out = await findCompanyByPhone(callOf(ctx, conn), { phone: params.phone, defaultCountry: params.defaultCountry ?? ctx.customer.defaultCountry });
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
