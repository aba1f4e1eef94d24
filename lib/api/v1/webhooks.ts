// A CRM's delete webhook relayed by the vendor's backend (API key): the records leave the customer's CDP
// and, when its sync writes there, the phone system's phonebook at once.
import { z } from 'zod';
import { createGuardedFetch } from '../../engine-host/guarded-fetch';
import { deleteFromWebhook } from '../../sync/delete-webhook';
import { isSyncSource, notASyncSource } from '../../sync/start-sync';
import { defineRoute } from '../route';

export const contactsDeleted = defineRoute({
  operationId: 'contactsDeleted',
  method: 'POST',
  path: '/api/v1/customers/:customerId/webhooks/:system/contacts-deleted',
  tag: 'Webhooks',
  summary: 'Records deleted in the CRM: remove them from the CDP and the phonebook now',
  auth: { kind: 'apiKey' },
  params: z.object({ customerId: z.string(), system: z.string().refine(isSyncSource, { error: (iss) => notASyncSource(String(iss.input)) }).describe('A sync source: hubspot, salesforce, pipedrive …') }),
  paramsNotFound: 'unknown_system',
  body: z.object({
    ids: z.array(z.union([z.string().min(1).max(256), z.number().int().nonnegative()])).min(1, 'send at least one id').max(1000, 'at most 1000 ids per call'),
    kind: z.enum(['person', 'company']).default('person'),
  }),
  responses: {
    200: {
      description: 'What was deleted where, recorded as a webhook run in the sync history',
      schema: z.object({ syncRunId: z.string(), received: z.number().int(), deleted: z.record(z.string(), z.number().int()), problems: z.array(z.object({ destination: z.string(), message: z.string() })) }),
    },
  },
  errors: { 404: 'unknown_system (path system) / customer_not_found' },
  async handler({ params, body, customer, deps }) {
    const out = await deleteFromWebhook(
      { sql: deps.sql, encryptionKey: deps.host.opts.encryptionKey, fetch: createGuardedFetch(deps.host.opts.allowPrivateHosts) },
      { id: customer.id, defaultCountry: customer.defaultCountry },
      params.system,
      body.ids.map((id) => ({ id: String(id), kind: body.kind })),
    );
    return { status: 200, body: out };
  },
});
