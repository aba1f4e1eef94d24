import { z } from 'zod';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { callFromContext, createPipedriveClient } from './client';
import { mapPerson, type PipedrivePerson } from './map-contact';
import { loadOrganizations } from './organizations';
import { phoneQuery, searchPersonsByPhone } from './phone-search';
import { findByPhoneParams } from '../kit/find-by-phone-params';

export interface FindContactByPhoneArgs {
  phone: string;
  /** Country for numbers typed without a country code (the customer's default). */
  defaultCountry?: string | null;
}

export interface FindContactByPhoneResult {
  found: boolean;
  contact: UnifiedContact | null;
  /** How many persons carry this number (the first, most relevant, is returned). */
  matches: number;
}

/** One search on the national significant number, verified in E.164 (see phone-search.ts), then the full person. */
export async function findContactByPhone(call: ConnectorCall, args: FindContactByPhoneArgs): Promise<FindContactByPhoneResult> {
  const q = phoneQuery(args.phone, args.defaultCountry);
  if (!q) return { found: false, contact: null, matches: 0 };
  const client = createPipedriveClient(call);
  const hits = await searchPersonsByPhone(client, q);
  for (const hit of hits) {
    const person = await client.getOrNull<PipedrivePerson>(`/api/v2/persons/${hit.id}`);
    if (!person || person.is_deleted) continue;
    const orgs = await loadOrganizations(client, [person.org_id]);
    const orgName = person.org_id != null ? orgs.get(person.org_id)?.name ?? hit.organization?.name ?? null : null;
    return { found: true, contact: mapPerson(person, { orgName, personUrl: client.personUrl }), matches: hits.length };
  }
  return { found: false, contact: null, matches: 0 };
}

export const findContactByPhoneBlock = defineBlock({
  id: 'pipedrive.findContactByPhone',
  version: 1,
  title: 'Pipedrive: find person by phone',
  description: 'Searches Pipedrive persons by phone number (any format) and returns the matching person.',
  category: 'CRM',
  icon: 'search',
  connector: 'pipedrive',
  params: findByPhoneParams,
  output: z.object({ found: z.boolean(), contact: unifiedContactSchema.nullable(), matches: z.number() }),
  ports: FOUND_PORTS,
  summarize: (p) => `by phone ${String(p.phone ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('pipedrive');
    const out = await findContactByPhone(callFromContext(ctx, conn), { phone: params.phone, defaultCountry: params.defaultCountry ?? ctx.customer.defaultCountry });
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
