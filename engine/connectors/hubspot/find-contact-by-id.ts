// Reads one HubSpot contact (or company) by record id: GET /crm/v3/objects/{type}/{id}.
import { z } from 'zod';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { HttpError } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { createHubspotClient, getPortal, type HubspotRecord } from './client';
import { COMPANY_PROPERTIES, CONTACT_PROPERTIES, mapCompany, mapContact } from './map-contact';
import { callOf } from '../kit/contact-source';

export async function findContactById(call: ConnectorCall, args: { id: string; kind?: 'person' | 'company' }): Promise<{ found: boolean; contact: UnifiedContact | null }> {
  const id = String(args.id).trim();
  // HubSpot record ids are numeric; anything else would only earn a 404 from HubSpot.
  if (!/^\d+$/.test(id)) return { found: false, contact: null };
  const company = args.kind === 'company';
  const http = createHubspotClient(call);
  try {
    const res = await http.request<HubspotRecord>({
      path: `/crm/v3/objects/${company ? 'companies' : 'contacts'}/${id}`,
      query: { properties: (company ? COMPANY_PROPERTIES : CONTACT_PROPERTIES).join(','), archived: false },
    });
    const portal = await getPortal(call, http);
    return { found: true, contact: company ? mapCompany(res.body, portal) : mapContact(res.body, portal) };
  } catch (err) {
    if (err instanceof HttpError && err.kind === 'not_found') return { found: false, contact: null };
    throw err;
  }
}

export const findContactByIdBlock = defineBlock({
  id: 'hubspot.findContactById',
  version: 1,
  title: 'HubSpot: find contact by id',
  description: 'Reads a HubSpot contact (or company) by its record id.',
  category: 'CRM',
  icon: 'user',
  connector: 'hubspot',
  params: z.object({
    id: z.string().min(1).describe('HubSpot record id'),
    kind: z.enum(['person', 'company']).default('person').describe('Contact or company record'),
  }),
  output: z.object({ found: z.boolean(), contact: unifiedContactSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `id ${String(p.id ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('hubspot');
    const out = await findContactById(callOf(ctx, conn), params);
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
