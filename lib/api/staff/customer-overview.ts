// Staff API for the Customers page: every customer with a health word (search, filter), and one customer's
// templates, integrations and their versions, connections' health, runs and syncs.
import { z } from 'zod';
import { NotFound } from '../../errors';
import { CUSTOMER_HEALTH, staffCustomerDetail, staffCustomerList } from '../../templates/staff-views';
import { defineRoute } from '../route';

const tag = 'Staff: customers';
const item = z.object({ id: z.string(), externalId: z.string(), name: z.string(), health: z.enum(CUSTOMER_HEALTH), healthReason: z.string().nullable() }).loose();

export const customersOverviewRoute = defineRoute({
  operationId: 'staffCustomersOverview', method: 'GET', path: '/api/staff/customers/overview', tag,
  summary: 'Every customer with its integrations count and a health word (failing, paused, idle, ok); search by id or name, filter by health',
  auth: { kind: 'staffSession', role: 'viewer' },
  query: z.object({ search: z.string().trim().max(200).optional(), health: z.enum(CUSTOMER_HEALTH).optional() }),
  responses: { 200: { description: 'Customers', schema: z.array(item) } },
  async handler({ query, deps, staff }) {
    return { status: 200, body: await staffCustomerList(deps.sql, staff.vendorId, { search: query.search || undefined, health: query.health }) };
  },
});

export const customerDetailRoute = defineRoute({
  operationId: 'staffCustomerDetail', method: 'GET', path: '/api/staff/customers/:id/detail', tag,
  summary: 'One customer: templates (version, pinned, health), integrations and the flow versions they run, connections, runs, syncs',
  auth: { kind: 'staffSession', role: 'viewer' },
  params: z.object({ id: z.string().min(1).max(200) }), paramsNotFound: 'customer_not_found',
  responses: { 200: { description: 'The customer', schema: z.object({ customer: item, integrations: z.array(z.object({ automation: z.string() }).loose()), templates: z.array(z.object({ templateId: z.string() }).loose()), connections: z.array(z.object({ system: z.string() }).loose()), runs: z.array(z.object({ id: z.string() }).loose()), syncs: z.array(z.object({ syncKey: z.string() }).loose()) }) } },
  errors: { 404: 'customer_not_found' },
  async handler({ params, deps, staff }) {
    const d = await staffCustomerDetail(deps.sql, staff.vendorId, params.id);
    if (!d) throw new NotFound('customer_not_found', `No customer "${params.id.slice(0, 200)}"`);
    return { status: 200, body: d };
  },
});
