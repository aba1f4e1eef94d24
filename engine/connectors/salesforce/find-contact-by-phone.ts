import { z } from 'zod';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { connectorCall } from './client';
import { mapContact } from './map-contact';
import { searchByPhone } from './search-by-phone';
import { findByPhoneParams } from '../kit/find-by-phone-params';

export interface FindByPhoneArgs {
  phone: string;
  /** Country for numbers typed without a country code (the customer's default). */
  defaultCountry?: string | null;
}

/** The most recently modified Contact with this number in any phone field (SOSL, see search-by-phone.ts). */
export async function findContactByPhone(call: ConnectorCall, args: FindByPhoneArgs): Promise<{ found: boolean; contact: UnifiedContact | null; matchCount: number }> {
  const { records, instanceUrl } = await searchByPhone(call, 'Contact', args.phone, args.defaultCountry);
  const first = records[0];
  return first ? { found: true, contact: mapContact(first, instanceUrl), matchCount: records.length } : { found: false, contact: null, matchCount: 0 };
}

export const salesforceFindContactByPhone = defineBlock({
  id: 'salesforce.findContactByPhone',
  version: 1,
  title: 'Salesforce: find contact by phone',
  description: 'Searches every phone field of Salesforce Contacts (live SOSL search), whatever format the number was typed in.',
  category: 'CRM',
  icon: 'search',
  connector: 'salesforce',
  params: findByPhoneParams,
  output: z.object({ found: z.boolean(), contact: unifiedContactSchema.nullable(), matchCount: z.number().int() }),
  ports: FOUND_PORTS,
  summarize: (p) => `by phone ${String(p.phone ?? '')}`,
  async run(ctx, params) {
    const out = await findContactByPhone(await connectorCall(ctx), { phone: params.phone, defaultCountry: params.defaultCountry ?? ctx.customer.defaultCountry });
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
