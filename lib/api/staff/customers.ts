// Staff API: the vendor's customers (list; create one by hand — the vendor's backend uses POST /api/v1/customers).
import { z } from 'zod';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { recordAudit, staffActor } from '../../audit/record-audit';
import { Conflict } from '../../errors';
import { createCustomer, listCustomers, URL_ID } from '../../tenancy/customers';
import { customerHealth } from '../../runs/customer-health';
import { defineRoute } from '../route';

const customerItem = z.object({ id: z.string(), externalId: z.string(), name: z.string(), defaultCountry: z.string() });

export const listCustomersRoute = defineRoute({
  operationId: 'staffListCustomers', method: 'GET', path: '/api/staff/customers', tag: 'Staff: customers',
  summary: 'The vendor\'s customers',
  auth: { kind: 'staffSession', role: 'viewer' },
  responses: { 200: { description: 'Every customer, with its health over the last 24 hours (from the run aggregates: every run counted)', schema: z.array(customerItem.extend({
    health: z.object({ runs: z.number().int(), failed: z.number().int(), fallbacks: z.number().int(), p95Ms: z.number().nullable() }),
  })) } },
  async handler({ deps, staff }) {
    await deps.host.aggregates.flush();
    const [customers, health] = await Promise.all([listCustomers(deps.sql, staff.vendorId), customerHealth(deps.sql, staff.vendorId, new Date(Date.now() - 86_400_000))]);
    return {
      status: 200,
      body: customers.map((c) => ({ id: c.id, externalId: c.externalId, name: c.name, defaultCountry: c.defaultCountry, health: health.get(c.id) ?? { runs: 0, failed: 0, fallbacks: 0, p95Ms: null } })),
    };
  },
});

export const createCustomerRoute = defineRoute({
  operationId: 'staffCreateCustomer', method: 'POST', path: '/api/staff/customers', tag: 'Staff: customers',
  summary: 'Create a customer by hand (409 when the id is taken)',
  auth: { kind: 'staffSession', role: 'editor' },
  body: z.object({
    externalId: z.string().trim().min(1, 'an id').max(200).regex(URL_ID, 'letters, digits and . _ ~ - only (it is used in URLs)'),
    name: z.string().trim().min(1, 'a name').max(200),
    defaultCountry: z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as US').refine((c) => isSupportedCountry(c.toUpperCase()), 'not a country code Patchbay knows').default('US'),
  }),
  responses: { 201: { description: 'Created', schema: customerItem } },
  errors: { 409: 'customer_exists (path externalId)' },
  async handler({ body, deps, staff }) {
    const { ref, created } = await createCustomer(deps.sql, { vendorId: staff.vendorId, ...body });
    if (!created) throw new Conflict('customer_exists', `A customer "${body.externalId}" exists already`, { path: ['externalId'] });
    await recordAudit(deps.sql, { vendorId: staff.vendorId, customerId: ref.id, actor: staffActor(staff), action: 'customer.create', target: { kind: 'customer', id: ref.id, label: `${ref.name} (${ref.externalId})` } });
    return { status: 201, body: { id: ref.id, externalId: ref.externalId, name: ref.name, defaultCountry: ref.defaultCountry } };
  },
});
