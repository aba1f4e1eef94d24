// Creates a HubSpot contact: POST /crm/v3/objects/contacts. HubSpot deduplicates contacts by email and
// answers 409 "Contact already exists. Existing ID: …"; that is returned as the existing contact's id.
import { z } from 'zod';
import { defineBlock } from '../../core/define-block';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { HttpError } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { createHubspotClient, getPortal, type HubspotRecord } from './client';
import { mapContact } from './map-contact';
import { callOf } from '../kit/contact-source';

export const createContactParams = z.object({
  firstName: z.string().max(256).optional(),
  lastName: z.string().max(256).optional(),
  email: z.string().max(512).optional(),
  phone: z.string().max(64).optional().describe('Stored as given'),
  mobilePhone: z.string().max(64).optional(),
  company: z.string().max(512).optional(),
  country: z.string().max(128).optional(),
  ownerId: z.string().max(64).optional().describe('HubSpot owner id'),
  properties: z.record(z.string(), z.string()).optional().describe('Further HubSpot properties by internal name'),
});

export type CreateContactArgs = z.infer<typeof createContactParams>;

export async function createContact(call: ConnectorCall, args: CreateContactArgs): Promise<{ id: string; created: boolean; contact: UnifiedContact | null }> {
  const properties: Record<string, string> = { ...args.properties };
  const set = (k: string, v: string | undefined) => { if (v !== undefined && v !== '') properties[k] = v; };
  set('firstname', args.firstName);
  set('lastname', args.lastName);
  set('email', args.email);
  set('phone', args.phone);
  set('mobilephone', args.mobilePhone);
  set('company', args.company);
  set('country', args.country);
  set('hubspot_owner_id', args.ownerId);
  const http = createHubspotClient(call);
  try {
    const res = await http.request<HubspotRecord>({ method: 'POST', path: '/crm/v3/objects/contacts', body: { properties } });
    const portal = await getPortal(call, http);
    return { id: String(res.body.id), created: true, contact: mapContact(res.body, portal) };
  } catch (err) {
    if (err instanceof HttpError && err.kind === 'conflict') {
      const m = /Existing ID:\s*(\d+)/i.exec(String((err.body as { message?: unknown } | null)?.message ?? ''));
      if (m) return { id: m[1], created: false, contact: null };
    }
    throw err;
  }
}

export const createContactBlock = defineBlock({
  id: 'hubspot.createContact',
  effect: { what: 'Create a contact in HubSpot' },
  version: 1,
  title: 'HubSpot: create contact',
  description: 'Creates a contact in HubSpot (or returns the existing one with the same email).',
  category: 'CRM',
  icon: 'user-plus',
  connector: 'hubspot',
  params: createContactParams,
  output: z.object({ id: z.string(), created: z.boolean(), contact: unifiedContactSchema.nullable() }),
  ports: [
    { id: 'created', label: 'created' },
    { id: 'exists', label: 'already exists' },
  ],
  summarize: (p) => [p.firstName, p.lastName].filter(Boolean).join(' ') || String(p.phone ?? p.email ?? ''),
  async run(ctx, params) {
    const conn = await ctx.connections.get('hubspot');
    const out = await createContact(callOf(ctx, conn), params);
    return { output: out, port: out.created ? 'created' : 'exists' };
  },
});
