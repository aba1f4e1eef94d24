// The customer's phone-system connection, provisioned by the vendor (the phone system is the vendor's own
// product; the customer portal does not offer it): base URL, API credentials and the webhook secret that
// signs call events. Credentials go in and never come back out.
import { z } from 'zod';
import { phoneSystemConnectionSchema, provisionPhoneSystem, readPhoneSystemConnection } from '../../connections/phone-system-connection';
import { keyActor, recordAudit } from '../../audit/record-audit';
import { NotFound } from '../../errors';
import { defineRoute } from '../route';

export const phoneSystemView = z.object({
  authKind: z.string(), baseUrl: z.string(), status: z.enum(['unknown', 'ok', 'error']),
  lastSuccessAt: z.string().nullable(), lastErrorAt: z.string().nullable(), lastError: z.string().nullable(), updatedAt: z.string(),
  webhookSecretSet: z.boolean(),
});

export const putPhoneSystemConnection = defineRoute({
  operationId: 'putPhoneSystemConnection',
  method: 'PUT',
  path: '/api/v1/customers/:customerId/connections/phonesystem',
  tag: 'Customers',
  summary: 'Set (replace) the customer\'s phone-system connection: base URL, credentials, webhook secret',
  description: 'credentials: {"token"} or {"username","password"}, each with an optional "config" (the phone system\'s API description as JSON text). '
    + 'webhookSecret signs the phone system\'s call webhooks (x-phonesystem-signature); without it they answer 401.',
  auth: { kind: 'apiKey' },
  body: phoneSystemConnectionSchema,
  bodyLimit: 128 * 1024,
  responses: { 200: { description: 'The connection (never its credentials)', schema: phoneSystemView } },
  errors: { 400: 'invalid_input naming baseUrl, a credential field or webhookSecret' },
  async handler({ body, customer, principal, deps }) {
    const view = await provisionPhoneSystem(deps.sql, deps.encryptionKey, customer.id, body);
    await recordAudit(deps.sql, { vendorId: principal.vendorId, customerId: customer.id, actor: keyActor(principal), action: 'connection.provision', target: { kind: 'connection', id: 'phonesystem', label: `phone system of ${customer.externalId}` }, details: { baseUrl: view.baseUrl } });
    return { status: 200, body: view };
  },
});

export const getPhoneSystemConnection = defineRoute({
  operationId: 'getPhoneSystemConnection',
  method: 'GET',
  path: '/api/v1/customers/:customerId/connections/phonesystem',
  tag: 'Customers',
  summary: 'The customer\'s phone-system connection (never its credentials)',
  auth: { kind: 'apiKey' },
  responses: { 200: { description: 'The connection and whether a webhook secret is set', schema: phoneSystemView } },
  errors: { 404: 'connection_not_found' },
  async handler({ customer, deps }) {
    const v = await readPhoneSystemConnection(deps.sql, deps.encryptionKey, customer.id);
    if (!v) throw new NotFound('connection_not_found', `Customer "${customer.externalId}" has no phone-system connection`);
    return { status: 200, body: v };
  },
});
