// Staff API: the vendor's audit log, newest first.
import { z } from 'zod';
import { auditEntrySchema, listAudit } from '../../audit/record-audit';
import { NotFound } from '../../errors';
import { blankIsUnset, customerParam } from '../../staff-api/parse-input';
import { resolveCustomer } from '../../tenancy/customers';
import { defineRoute } from '../route';

export const listAuditRoute = defineRoute({
  operationId: 'staffListAudit', method: 'GET', path: '/api/staff/audit', tag: 'Staff: API keys and audit',
  summary: 'Who changed what: flows, templates, rollouts, API keys, connections, integrations; newest first',
  auth: { kind: 'staffSession', role: 'viewer' },
  query: z.object({
    target: blankIsUnset(z.string().regex(/^[a-z_]{1,40}$/, 'a kind such as flow, api_key, connection')).describe('Only changes to this kind of thing'),
    targetId: blankIsUnset(z.string().max(200)),
    customer: blankIsUnset(customerParam),
    before: blankIsUnset(z.string().regex(/^[1-9]\d{0,18}$/, 'an entry id from this API (nextBefore)')),
    limit: blankIsUnset(z.coerce.number().int().min(1).max(200)),
  }),
  responses: { 200: { description: 'A page of entries', schema: z.object({ entries: z.array(auditEntrySchema), nextBefore: z.string().nullable() }) } },
  errors: { 404: 'customer_not_found' },
  async handler({ query, deps, staff }) {
    let customerId: string | undefined;
    if (query.customer) {
      const c = await resolveCustomer(deps.sql, staff.vendorId, query.customer);
      if (!c) throw new NotFound('customer_not_found', `No customer "${query.customer}"`, { path: ['customer'] });
      customerId = c.id;
    }
    return { status: 200, body: await listAudit(deps.sql, staff.vendorId, { targetKind: query.target, targetId: query.targetId, customerId, before: query.before, limit: query.limit }) };
  },
});
