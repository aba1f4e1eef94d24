// Staff API: a customer's phone-system connection (the vendor's own product: set here or through the public API,
// never in the customer's portal; credentials go in and never come back).
import { z } from 'zod';
import { recordAudit, staffActor } from '../../audit/record-audit';
import { phoneSystemConnectionSchema, provisionPhoneSystem, readPhoneSystemConnection } from '../../connections/phone-system-connection';
import { NotFound } from '../../errors';
import { resolveCustomer, URL_ID } from '../../tenancy/customers';
import { printable } from '../auth';
import { defineRoute } from '../route';
import { phoneSystemView } from '../v1/phone-system';

const customerParams = z.object({ id: z.string().regex(URL_ID, "a customer's own id").describe("The vendor's own id of the customer") });

async function customerOf(sql: Parameters<typeof resolveCustomer>[0], vendorId: string, id: string) {
  const c = await resolveCustomer(sql, vendorId, id);
  if (!c) throw new NotFound('customer_not_found', `No customer "${printable(id)}"`);
  return c;
}

const answer = z.object({ customer: z.string(), connection: phoneSystemView.nullable() });

export const getCustomerPhoneSystemRoute = defineRoute({
  operationId: 'staffGetPhoneSystem', method: 'GET', path: '/api/staff/customers/:id/phone-system', tag: 'Staff: customers',
  summary: 'A customer\'s phone-system connection (null when none; never its credentials)',
  auth: { kind: 'staffSession', role: 'viewer' },
  params: customerParams, paramsNotFound: 'customer_not_found',
  responses: { 200: { description: 'The connection', schema: answer } },
  errors: { 404: 'customer_not_found' },
  async handler({ params, deps, staff }) {
    const c = await customerOf(deps.sql, staff.vendorId, params.id);
    return { status: 200, body: { customer: c.externalId, connection: await readPhoneSystemConnection(deps.sql, deps.encryptionKey, c.id) } };
  },
});

export const putCustomerPhoneSystemRoute = defineRoute({
  operationId: 'staffPutPhoneSystem', method: 'PUT', path: '/api/staff/customers/:id/phone-system', tag: 'Staff: customers',
  summary: 'Set (replace) a customer\'s phone-system connection',
  auth: { kind: 'staffSession', role: 'editor' },
  params: customerParams, paramsNotFound: 'customer_not_found',
  body: phoneSystemConnectionSchema, bodyLimit: 128 * 1024,
  responses: { 200: { description: 'The connection', schema: answer } },
  errors: { 404: 'customer_not_found' },
  async handler({ params, body, deps, staff }) {
    const c = await customerOf(deps.sql, staff.vendorId, params.id);
    const connection = await provisionPhoneSystem(deps.sql, deps.encryptionKey, c.id, body);
    await recordAudit(deps.sql, { vendorId: staff.vendorId, customerId: c.id, actor: staffActor(staff), action: 'connection.provision', target: { kind: 'connection', id: 'phonesystem', label: `phone system of ${c.externalId}` }, details: { baseUrl: connection.baseUrl } });
    return { status: 200, body: { customer: c.externalId, connection } };
  },
});
