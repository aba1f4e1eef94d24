import { z } from 'zod';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { defineBlock } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { callFromContext, createPipedriveClient, toPipedriveId } from './client';
import { mapPerson, type PipedrivePerson } from './map-contact';
import { loadOrganizations } from './organizations';

export interface CreateContactArgs {
  firstName?: string | null;
  lastName?: string | null;
  /** Full name; defaults to first + last, else the phone number (Pipedrive requires a name). */
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  mobile?: string | null;
  orgId?: string | null;
  ownerId?: string | null;
}

/** POST /api/v2/persons; the number is stored as given (as a user would type it). */
export async function createContact(call: ConnectorCall, args: CreateContactArgs): Promise<{ id: string; contact: UnifiedContact }> {
  const client = createPipedriveClient(call);
  const name = args.name?.trim() || [args.firstName, args.lastName].filter(Boolean).join(' ').trim() || args.phone || args.email;
  if (!name) throw new PatchbayError('invalid_params', 'A Pipedrive person needs a name, a phone number or an email');
  const phones = [
    ...(args.phone ? [{ value: args.phone, primary: true, label: 'work' }] : []),
    ...(args.mobile ? [{ value: args.mobile, primary: !args.phone, label: 'mobile' }] : []),
  ];
  const person = await client.send<PipedrivePerson>('POST', '/api/v2/persons', {
    name,
    owner_id: toPipedriveId(args.ownerId, 'ownerId'),
    org_id: toPipedriveId(args.orgId, 'orgId'),
    ...(args.email ? { emails: [{ value: args.email, primary: true, label: 'work' }] } : {}),
    ...(phones.length ? { phones } : {}),
  });
  const orgs = await loadOrganizations(client, [person.org_id]);
  const contact = mapPerson(person, { orgName: person.org_id != null ? orgs.get(person.org_id)?.name ?? null : null, personUrl: client.personUrl });
  // v2 takes only `name`; keep the parts the caller gave when Pipedrive split the name differently.
  if (args.firstName || args.lastName) { contact.firstName = args.firstName ?? contact.firstName; contact.lastName = args.lastName ?? contact.lastName; }
  return { id: String(person.id), contact };
}

export const createContactBlock = defineBlock({
  id: 'pipedrive.createContact',
  effect: { what: 'Create a person in Pipedrive' },
  version: 1,
  title: 'Pipedrive: create person',
  description: 'Creates a Pipedrive person (e.g. for an unknown caller).',
  category: 'CRM',
  icon: 'user-plus',
  connector: 'pipedrive',
  params: z.object({
    firstName: z.string().max(255).nullish(),
    lastName: z.string().max(255).nullish(),
    name: z.string().max(255).nullish(),
    email: z.string().max(255).nullish(),
    phone: z.string().max(64).nullish(),
    mobile: z.string().max(64).nullish(),
    orgId: z.union([z.string(), z.number()]).transform(String).nullish(),
    ownerId: z.union([z.string(), z.number()]).transform(String).nullish(),
  }),
  output: z.object({ id: z.string(), contact: unifiedContactSchema }),
  ports: [{ id: 'out', label: 'next' }],
  summarize: (p) => String(p.name ?? p.phone ?? ''),
  async run(ctx, params) {
    const conn = await ctx.connections.get('pipedrive');
    return { output: await createContact(callFromContext(ctx, conn), params) };
  },
});
