// Staff API: the vendor's recent calls (call sessions): events, runs started, CRM records, stored recording.
import { z } from 'zod';
import { listCalls } from '../../calls/list-calls';
import { customerParam } from '../../staff-api/parse-input';
import { defineRoute } from '../route';

export const listCallsRoute = defineRoute({
  operationId: 'staffListCalls', method: 'GET', path: '/api/staff/calls', tag: 'Staff: calls and syncs',
  summary: 'Recent calls with their events in order, the runs they started and the records written for them',
  auth: { kind: 'staffSession', role: 'viewer' },
  query: z.object({ customer: customerParam.optional().describe('Only this customer\'s calls') }),
  responses: { 200: { description: 'Calls, newest first', schema: z.array(z.looseObject({ customer: z.object({ externalId: z.string(), name: z.string() }), callId: z.string(), state: z.string(), events: z.array(z.unknown()), runs: z.array(z.unknown()), updatedAt: z.string() })) } },
  async handler({ query, deps, staff }) {
    return { status: 200, body: await listCalls(deps.sql, staff.vendorId, { customer: query.customer ?? null }) };
  },
});
