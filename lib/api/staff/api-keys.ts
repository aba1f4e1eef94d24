// Staff API: the vendor's API keys — listed by prefix only, created and rotated (the key is in that one answer
// and never again), revoked. A key may be confined to one customer: it can run only that customer's automations
// and read their runs. Owners only: a key acts for the whole vendor.
import { z } from 'zod';
import { staffActor } from '../../audit/record-audit';
import { NotFound } from '../../errors';
import { issueApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../../tenancy/api-keys';
import { resolveCustomer, URL_ID } from '../../tenancy/customers';
import { printable } from '../auth';
import { defineRoute } from '../route';
import { instant } from './shapes';

const keyView = z.object({
  id: z.string(), name: z.string(), prefix: z.string().describe('The first characters, to tell keys apart'),
  customer: z.string().nullable().describe("The customer a scoped key is confined to (the vendor's own id); null: a vendor key"),
  createdAt: instant, createdBy: z.string().nullable(), revokedAt: instant.nullable(), replacedBy: z.string().nullable(),
});
const withKey = keyView.extend({ key: z.string().describe('The key itself: shown in this answer only') });
const keyParams = z.object({ id: z.uuid('a key id (uuid)') });

export const listKeysRoute = defineRoute({
  operationId: 'staffListApiKeys', method: 'GET', path: '/api/staff/api-keys', tag: 'Staff: API keys and audit',
  summary: 'The vendor\'s API keys (prefix only), active ones first',
  auth: { kind: 'staffSession', role: 'owner' },
  responses: { 200: { description: 'The keys', schema: z.array(keyView) } },
  async handler({ deps, staff }) {
    return { status: 200, body: await listApiKeys(deps.sql, staff.vendorId) };
  },
});

export const createKeyRoute = defineRoute({
  operationId: 'staffCreateApiKey', method: 'POST', path: '/api/staff/api-keys', tag: 'Staff: API keys and audit',
  summary: 'Create a key (for the whole vendor, or confined to one customer); the answer holds the key, shown once',
  auth: { kind: 'staffSession', role: 'owner' },
  body: z.object({
    name: z.string().trim().min(1, 'give the key a name (what uses it)').max(100),
    customer: z.string().regex(URL_ID, "a customer's own id").optional().describe('Confine the key to this customer: it can run only their automations'),
  }),
  responses: { 201: { description: 'Created', schema: withKey } },
  errors: { 404: 'customer_not_found' },
  async handler({ body, deps, staff }) {
    let customerId: string | null = null;
    if (body.customer !== undefined) {
      const c = await resolveCustomer(deps.sql, staff.vendorId, body.customer);
      if (!c) throw new NotFound('customer_not_found', `No customer "${printable(body.customer)}"`, { path: ['customer'] });
      customerId = c.id;
    }
    const made = await issueApiKey(deps.sql, { vendorId: staff.vendorId, customerId, customerExternalId: body.customer, name: body.name, actor: staffActor(staff) });
    return { status: 201, body: made };
  },
});

export const rotateKeyRoute = defineRoute({
  operationId: 'staffRotateApiKey', method: 'POST', path: '/api/staff/api-keys/:id/rotate', tag: 'Staff: API keys and audit',
  summary: 'Replace a key by a new one with the same name and scope; the old key stops working at once, in every process',
  auth: { kind: 'staffSession', role: 'owner' },
  params: keyParams, paramsNotFound: 'api_key_not_found',
  responses: { 201: { description: 'The new key, shown once', schema: withKey } },
  errors: { 404: 'api_key_not_found (also a revoked key, or another vendor\'s)' },
  async handler({ params, deps, staff }) {
    const made = await rotateApiKey(deps.sql, staff.vendorId, params.id, staffActor(staff));
    if (!made) throw new NotFound('api_key_not_found', `No active API key "${params.id}"`);
    return { status: 201, body: made };
  },
});

export const revokeKeyRoute = defineRoute({
  operationId: 'staffRevokeApiKey', method: 'DELETE', path: '/api/staff/api-keys/:id', tag: 'Staff: API keys and audit',
  summary: 'Revoke a key: every process refuses it at once',
  auth: { kind: 'staffSession', role: 'owner' },
  params: keyParams, paramsNotFound: 'api_key_not_found',
  responses: { 204: { description: 'Revoked' } },
  errors: { 404: 'api_key_not_found (also a key revoked already, or another vendor\'s)' },
  async handler({ params, deps, staff }) {
    if (!(await revokeApiKey(deps.sql, staff.vendorId, params.id, staffActor(staff)))) throw new NotFound('api_key_not_found', `No active API key "${params.id}"`);
    return { status: 204 };
  },
});
