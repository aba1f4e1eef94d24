import { z } from 'zod';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { connectorCall, createSalesforceClient } from './client';
import { mapContact, type SalesforceRecord } from './map-contact';
import { API_BASE, CONTACT_FIELDS, isSalesforceId, soqlString } from './soql';

/** A Contact by its 15- or 18-character id (SOQL, so the Account name comes along). */
export async function findContactById(call: ConnectorCall, args: { id: string }): Promise<{ found: boolean; contact: UnifiedContact | null }> {
  const id = args.id.trim();
  if (!isSalesforceId(id) || !id.startsWith('003')) return { found: false, contact: null };
  const sf = createSalesforceClient(call);
  const q = `SELECT ${CONTACT_FIELDS.join(', ')} FROM Contact WHERE Id = ${soqlString(id)} LIMIT 1`;
  const res = await sf.request<{ records: SalesforceRecord[] }>({ path: `${API_BASE}/query`, query: { q } });
  const rec = res.body.records[0];
  return rec ? { found: true, contact: mapContact(rec, sf.instanceUrl) } : { found: false, contact: null };
}

export const salesforceFindContactById = defineBlock({
  id: 'salesforce.findContactById',
  version: 1,
  title: 'Salesforce: get contact',
  description: 'Reads one Salesforce Contact by its id (003…).',
  category: 'CRM',
  icon: 'user',
  connector: 'salesforce',
  params: z.object({ id: z.string().min(1).describe('Contact id, 15 or 18 characters') }),
  output: z.object({ found: z.boolean(), contact: unifiedContactSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `id ${String(p.id ?? '')}`,
  async run(ctx, params) {
    const out = await findContactById(await connectorCall(ctx), params);
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
