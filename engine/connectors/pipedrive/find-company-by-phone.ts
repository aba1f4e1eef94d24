import { z } from 'zod';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { callFromContext, createPipedriveClient, type PipedriveClient } from './client';
import { mapOrganization, type PipedriveOrganization } from './map-contact';
import { organizationPhoneFieldKeys } from './organizations';
import { phoneQuery, searchOrganizationsByPhone, searchPersonsByPhone } from './phone-search';
import { findByPhoneParams } from '../kit/find-by-phone-params';

export interface FindCompanyByPhoneArgs {
  phone: string;
  defaultCountry?: string | null;
  /** When no organization carries the number, return the organization of a person who does (default true). */
  viaPersons?: boolean;
}

export interface FindCompanyByPhoneResult {
  found: boolean;
  company: UnifiedContact | null;
  /** `organization`: the number is in one of the organization's phone fields; `person`: it is a person's number at that organization. */
  matchedVia: 'organization' | 'person' | null;
  personId: string | null;
}

async function mapOrg(client: PipedriveClient, org: PipedriveOrganization): Promise<UnifiedContact> {
  const keys = await organizationPhoneFieldKeys(client);
  return mapOrganization(org, { phoneFieldKeys: keys, organizationUrl: client.organizationUrl });
}

/**
 * Pipedrive organizations have no built-in phone field: a company's numbers live in custom fields of type
 * `phone`, which the organization search covers (fields=custom_fields). Failing that, a person with the number
 * who belongs to an organization identifies the company.
 */
export async function findCompanyByPhone(call: ConnectorCall, args: FindCompanyByPhoneArgs): Promise<FindCompanyByPhoneResult> {
  const none: FindCompanyByPhoneResult = { found: false, company: null, matchedVia: null, personId: null };
  const q = phoneQuery(args.phone, args.defaultCountry);
  if (!q) return none;
  const client = createPipedriveClient(call);
  for (const hit of await searchOrganizationsByPhone(client, q)) {
    const org = await client.getOrNull<PipedriveOrganization>(`/api/v2/organizations/${hit.id}`);
    if (org && !org.is_deleted) return { found: true, company: await mapOrg(client, org), matchedVia: 'organization', personId: null };
  }
  if (args.viaPersons === false) return none;
  for (const hit of await searchPersonsByPhone(client, q)) {
    if (!hit.organization?.id) continue;
    const org = await client.getOrNull<PipedriveOrganization>(`/api/v2/organizations/${hit.organization.id}`);
    if (org && !org.is_deleted) return { found: true, company: await mapOrg(client, org), matchedVia: 'person', personId: String(hit.id) };
  }
  return none;
}

export const findCompanyByPhoneBlock = defineBlock({
  id: 'pipedrive.findCompanyByPhone',
  version: 1,
  title: 'Pipedrive: find organization by phone',
  description: 'Finds the Pipedrive organization with this phone number (in its phone fields, or through one of its people).',
  category: 'CRM',
  icon: 'building',
  connector: 'pipedrive',
  params: findByPhoneParams.extend({
    viaPersons: z.boolean().default(true).describe('Fall back to the organization of a person with this number'),
  }),
  output: z.object({ found: z.boolean(), company: unifiedContactSchema.nullable(), matchedVia: z.enum(['organization', 'person']).nullable(), personId: z.string().nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `by phone ${String(p.phone ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('pipedrive');
    const out = await findCompanyByPhone(callFromContext(ctx, conn), { phone: params.phone, defaultCountry: params.defaultCountry ?? ctx.customer.defaultCountry, viaPersons: params.viaPersons });
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
