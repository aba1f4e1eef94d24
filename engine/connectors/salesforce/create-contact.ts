import { z } from 'zod';
import { customValueSchema, unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { connectorCall, createSalesforceClient } from './client';
import { findContactById } from './find-contact-by-id';
import { recordUrl } from './map-contact';
import { API_BASE } from './soql';

export const createContactParams = z.object({
  firstName: z.string().max(40).nullish(),
  /** Salesforce requires a last name; an unknown caller gets "Unknown caller". */
  lastName: z.string().max(80).nullish(),
  email: z.string().max(80).nullish(),
  phone: z.string().max(40).nullish().describe('Stored as given'),
  mobilePhone: z.string().max(40).nullish(),
  title: z.string().max(128).nullish(),
  accountId: z.string().nullish().describe('Account (001…) the contact works for'),
  ownerId: z.string().nullish().describe('Owning user (005…); default: the connected user'),
  country: z.string().max(80).nullish().describe('Mailing country'),
  description: z.string().max(32000).nullish(),
  /** Any other Contact fields by API name, custom ones included (Languages__c …). */
  fields: z.record(z.string(), customValueSchema).default({}),
});

export type CreateContactArgs = z.input<typeof createContactParams>;

export async function createContact(call: ConnectorCall, args: CreateContactArgs): Promise<{ id: string; crmUrl: string; contact: UnifiedContact | null }> {
  const p = createContactParams.parse(args);
  const body: Record<string, unknown> = {
    ...p.fields,
    FirstName: p.firstName ?? undefined,
    LastName: p.lastName?.trim() || 'Unknown caller',
    Email: p.email ?? undefined,
    Phone: p.phone ?? undefined,
    MobilePhone: p.mobilePhone ?? undefined,
    Title: p.title ?? undefined,
    AccountId: p.accountId ?? undefined,
    OwnerId: p.ownerId ?? undefined,
    MailingCountry: p.country ?? undefined,
    Description: p.description ?? undefined,
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  const sf = createSalesforceClient(call);
  const res = await sf.request<{ id: string; success: boolean }>({ method: 'POST', path: `${API_BASE}/sobjects/Contact`, body });
  const id = res.body.id;
  const read = await findContactById(call, { id });
  return { id, crmUrl: recordUrl(sf.instanceUrl, 'Contact', id), contact: read.contact };
}

export const salesforceCreateContact = defineBlock({
  id: 'salesforce.createContact',
  effect: { what: 'Create a contact in Salesforce' },
  version: 1,
  title: 'Salesforce: create contact',
  description: 'Creates a Salesforce Contact (e.g. for an unknown caller) and returns it.',
  category: 'CRM',
  icon: 'user-plus',
  connector: 'salesforce',
  params: createContactParams,
  output: z.object({ id: z.string(), crmUrl: z.string(), contact: unifiedContactSchema.nullable() }),
  ports: OUT_PORT,
  summarize: (p) => [p.firstName, p.lastName].filter(Boolean).join(' ') || String(p.phone ?? ''),
  async run(ctx, params) {
    return { output: await createContact(await connectorCall(ctx), params) };
  },
});
