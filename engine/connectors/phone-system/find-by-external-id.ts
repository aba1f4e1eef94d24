// Finds the phonebook entry that mirrors a source record (a CRM contact) by that record's id. When a
// source is given, entries of other sources with the same id are not a match.
import { z } from 'zod';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import { HttpError } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { createPhonebookClient, recordsAt, type PhonebookClient } from './client';
import { phonebookContactSchema, readWireContact, type PhonebookContact } from './map-contact';
import { callOf } from '../kit/contact-source';

export async function searchByExternalId(client: PhonebookClient, externalId: string, source?: string | null): Promise<PhonebookContact[]> {
  try {
    const res = await client.call('findByExternalId', { externalId });
    const hits = recordsAt(res.body, client.config.operations.findByExternalId.resultPath).map((r) => readWireContact(r, client.config.fields));
    // The id must match exactly; the source only where the phone system stores it.
    return hits.filter((h) => (!client.config.fields.externalId || h.externalId === externalId) && (!source || !h.source || h.source === source));
  } catch (err) {
    if (err instanceof HttpError && err.kind === 'not_found') return [];
    throw err;
  }
}

export async function findPhonebookContactByExternalId(call: ConnectorCall, args: { externalId: string; source?: string | null }): Promise<{ found: boolean; contact: PhonebookContact | null }> {
  const hits = await searchByExternalId(createPhonebookClient(call), args.externalId, args.source);
  return hits.length ? { found: true, contact: hits[0] } : { found: false, contact: null };
}

export const findByExternalIdBlock = defineBlock({
  id: 'phonesystem.findByExternalId',
  version: 1,
  title: 'Phone system: find phonebook entry by external id',
  description: 'Finds the phonebook entry created for a CRM record, by that record’s id.',
  category: 'Phone system',
  icon: 'search',
  connector: 'phonesystem',
  params: z.object({
    externalId: z.string().min(1).max(256).describe('Id of the record in its source (the CRM contact id)'),
    source: z.string().max(64).optional().describe('Source system (hubspot, salesforce …); empty: any'),
  }),
  output: z.object({ found: z.boolean(), contact: phonebookContactSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `by external id ${String(p.externalId ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('phonesystem');
    const out = await findPhonebookContactByExternalId(callOf(ctx, conn), params);
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
