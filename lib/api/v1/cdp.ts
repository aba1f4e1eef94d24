// The customer's CDP (what caller_lookup reads): bulk upsert and delete of contacts.
import { z } from 'zod';
import { unifiedContactSchema } from '@/engine';
import { deleteContacts, upsertContacts } from '../../cdp/pg-cdp';
import { NotFound } from '../../errors';
import { assertStorableText } from '../input-guard';
import { defineRoute } from '../route';

export const upsertCdpContacts = defineRoute({
  operationId: 'upsertCdpContacts',
  method: 'POST',
  path: '/api/v1/customers/:customerId/cdp/contacts',
  tag: 'CDP',
  summary: 'Bulk upsert contacts (by source + externalId; numbers normalised to E.164)',
  description: 'An upsert whose content did not change writes nothing. Numbers that cannot be normalised, and a record replaced by a later one with the same source and externalId, are listed per record in `problems`.',
  auth: { kind: 'apiKey' },
  body: z.object({ contacts: z.array(unifiedContactSchema).min(1, 'send at least one contact').max(5000, 'at most 5000 contacts per call') }),
  responses: {
    200: {
      description: 'Counts and the numbers that could not be read',
      schema: z.object({
        received: z.number().int(), inserted: z.number().int(), updated: z.number().int(), unchanged: z.number().int(),
        problems: z.array(z.object({ index: z.number().int().optional(), source: z.string(), externalId: z.string(), phone: z.string(), reason: z.string() })),
      }),
    },
  },
  async handler({ body, customer, deps }) {
    const contacts = body.contacts;
    const r = await upsertContacts(deps.sql, customer.id, customer.defaultCountry, contacts);
    const index = new Map(contacts.map((c, i) => [`${c.source}\u0000${c.externalId}`, i]));
    return {
      status: 200,
      body: {
        received: contacts.length, inserted: r.inserted, updated: r.updated, unchanged: r.unchanged,
        problems: r.problems.map((p) => ({ index: p.index ?? index.get(`${p.source}\u0000${p.externalId}`), source: p.source, externalId: p.externalId, phone: p.phone, reason: p.reason })),
      },
    };
  },
});

export const deleteCdpContact = defineRoute({
  operationId: 'deleteCdpContact',
  method: 'DELETE',
  path: '/api/v1/customers/:customerId/cdp/contacts/:source/:externalId',
  tag: 'CDP',
  summary: 'Delete one contact',
  auth: { kind: 'apiKey' },
  responses: { 200: { description: 'Deleted', schema: z.object({ deleted: z.number().int() }) } },
  errors: { 404: 'contact_not_found' },
  async handler({ params, customer, deps }) {
    const n = await deleteContacts(deps.sql, customer.id, assertStorableText(params.source, ['source']), [assertStorableText(params.externalId, ['externalId'])]);
    if (!n) throw new NotFound('contact_not_found', `No contact ${params.source}/${params.externalId}`);
    return { status: 200, body: { deleted: n } };
  },
});
