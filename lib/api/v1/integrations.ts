// A customer's integrations: an automation pointed at a flow of the vendor.
import { z } from 'zod';
import { keyActor, recordAudit } from '../../audit/record-audit';
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
  }),
  responses: { 200: { description: 'Enabled', schema: z.object({ id: z.string(), automation: z.string(), enabled: z.literal(true) }) } },
  errors: { 400: 'version_not_found (path flowVersion): the flow has no such version', 404: 'flow_not_found (path flowId)' },
  async handler({ body, principal, customer, deps }) {
    const r = await enableIntegration(deps.sql, { vendorId: principal.vendorId, customerId: customer.id, ...body });
    await recordAudit(deps.sql, { vendorId: principal.vendorId, customerId: customer.id, actor: keyActor(principal), action: 'integration.enable', target: { kind: 'integration', id: r.id, label: `${r.automation} for ${customer.externalId}` }, details: { flowId: body.flowId, flowVersion: body.flowVersion ?? null } });
    return { status: 200, body: { id: r.id, automation: r.automation, enabled: true } };
  },
});
