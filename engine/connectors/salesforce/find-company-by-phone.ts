import { z } from 'zod';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { connectorCall } from './client';
import type { FindByPhoneArgs } from './find-contact-by-phone';
import { mapAccount } from './map-contact';
import { searchByPhone } from './search-by-phone';
import { findByPhoneParams } from '../kit/find-by-phone-params';

/** The most recently modified Account with this number in its Phone or Fax field. */
export async function findCompanyByPhone(call: ConnectorCall, args: FindByPhoneArgs): Promise<{ found: boolean; company: UnifiedContact | null; matchCount: number }> {
  const { records, instanceUrl } = await searchByPhone(call, 'Account', args.phone, args.defaultCountry);
  const first = records[0];
  return first ? { found: true, company: mapAccount(first, instanceUrl), matchCount: records.length } : { found: false, company: null, matchCount: 0 };
}

export const salesforceFindCompanyByPhone = defineBlock({
  id: 'salesforce.findCompanyByPhone',
  version: 1,
  title: 'Salesforce: find account by phone',
  description: 'Searches the phone fields of Salesforce Accounts (live SOSL search), whatever format the number was typed in.',
  category: 'CRM',
  icon: 'building',
  connector: 'salesforce',
  params: findByPhoneParams,
  output: z.object({ found: z.boolean(), company: unifiedContactSchema.nullable(), matchCount: z.number().int() }),
  ports: FOUND_PORTS,
  summarize: (p) => `by phone ${String(p.phone ?? '')}`,
  async run(ctx, params) {
    const out = await findCompanyByPhone(await connectorCall(ctx), { phone: params.phone, defaultCountry: params.defaultCountry ?? ctx.customer.defaultCountry });
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
