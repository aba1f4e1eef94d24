// A customer's integrations: an automation pointed at a flow of the vendor.
import { z } from 'zod';
import { CALL_EVENTS, DEADLINE_MAX_MS, DEADLINE_MIN_MS } from '@/engine';
import { enableIntegration } from '../../flows/flows';
import { defineRoute } from '../route';

export const enableIntegrationRoute = defineRoute({
  operationId: 'enableIntegration',
  method: 'POST',
  path: '/api/v1/customers/:customerId/integrations',
  tag: 'Integrations',
  summary: 'Enable an automation for the customer (follows the flow\'s published version unless flowVersion is given)',
  auth: { kind: 'apiKey' },
  body: z.object({
    flowId: z.string().uuid('a flow id (uuid)'),
    flowVersion: z.number().int().positive().max(2_147_483_647, 'no flow has that many versions').nullish(),
    options: z.record(z.string(), z.unknown()).default({}),
    deadlineMs: z.number().int().min(DEADLINE_MIN_MS, `at least ${DEADLINE_MIN_MS} ms`).max(DEADLINE_MAX_MS, `at most ${DEADLINE_MAX_MS} ms`).nullish()
      .describe('Overrides the flow\'s deadline for this customer: past it a synchronous call gets the flow\'s fallback answer'),
    answerEvents: z.array(z.enum(CALL_EVENTS, { error: `one of ${CALL_EVENTS.join(', ')}` })).max(CALL_EVENTS.length).default([])
      .describe('Phone-system events whose webhook this automation answers synchronously with its JSON, e.g. ["call.ringing"] for call_routing'),
  }),
  responses: { 200: { description: 'Enabled', schema: z.object({ id: z.string(), automation: z.string(), enabled: z.literal(true) }) } },
  errors: { 400: 'version_not_found (path flowVersion): the flow has no such version', 404: 'flow_not_found (path flowId)' },
  async handler({ body, principal, customer, deps }) {
    const r = await enableIntegration(deps.sql, { vendorId: principal.vendorId, customerId: customer.id, ...body });
    return { status: 200, body: { id: r.id, automation: r.automation, enabled: true } };
  },
});
