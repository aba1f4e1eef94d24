import { z } from 'zod';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { callFromContext, createPipedriveClient } from './client';
import { mapPerson, type PipedrivePerson } from './map-contact';
import { loadOrganizations } from './organizations';

export interface FindContactByIdArgs {
  id: string;
}

export async function findContactById(call: ConnectorCall, args: FindContactByIdArgs): Promise<{ found: boolean; contact: UnifiedContact | null }> {
  // Pipedrive ids are positive integers; anything else cannot exist (and would be a 400, not a 404).
  if (!/^[1-9]\d{0,15}$/.test(args.id.trim())) return { found: false, contact: null };
  const client = createPipedriveClient(call);
  const person = await client.getOrNull<PipedrivePerson>(`/api/v2/persons/${args.id.trim()}`);
  if (!person || person.is_deleted) return { found: false, contact: null };
  const orgs = await loadOrganizations(client, [person.org_id]);
  const orgName = person.org_id != null ? orgs.get(person.org_id)?.name ?? null : null;
  return { found: true, contact: mapPerson(person, { orgName, personUrl: client.personUrl }) };
}

export const findContactByIdBlock = defineBlock({
  id: 'pipedrive.findContactById',
  version: 1,
  title: 'Pipedrive: get person by id',
  description: 'Reads one Pipedrive person by its id.',
  category: 'CRM',
  icon: 'user',
  connector: 'pipedrive',
  params: z.object({ id: z.union([z.string(), z.number()]).transform(String).describe('Pipedrive person id') }),
  output: z.object({ found: z.boolean(), contact: unifiedContactSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `person ${String(p.id ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('pipedrive');
    const out = await findContactById(callFromContext(ctx, conn), { id: params.id });
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
