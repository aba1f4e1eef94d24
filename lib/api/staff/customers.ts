// Staff API: the vendor's customers.
import { z } from 'zod';
import { listCustomers } from '../../tenancy/customers';
import { defineRoute } from '../route';

export const listCustomersRoute = defineRoute({
  operationId: 'staffListCustomers', method: 'GET', path: '/api/staff/customers', tag: 'Staff: customers',
  summary: 'The vendor\'s customers',
  auth: { kind: 'staffSession', role: 'viewer' },
  responses: { 200: { description: 'Every customer', schema: z.array(z.object({ id: z.string(), externalId: z.string(), name: z.string(), defaultCountry: z.string() })) } },
  async handler({ deps, staff }) {
    return { status: 200, body: (await listCustomers(deps.sql, staff.vendorId)).map((c) => ({ id: c.id, externalId: c.externalId, name: c.name, defaultCountry: c.defaultCountry })) };
  },
});
