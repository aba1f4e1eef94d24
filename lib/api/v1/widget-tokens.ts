// A short-lived token for the agent widget, for the vendor's backend to hand its agent desktop.
import { z } from 'zod';
import { portalSecret } from '../../portal/portal-tokens';
import { mintWidgetToken, WIDGET_TTL_DEFAULT_SEC, WIDGET_TTL_MAX_SEC, WIDGET_TTL_MIN_SEC } from '../../widget/widget-tokens';
import { defineRoute } from '../route';

export const createWidgetTokenRoute = defineRoute({
  operationId: 'createWidgetToken',
  method: 'POST',
  path: '/api/v1/customers/:customerId/widget-tokens',
  tag: 'Agent widget',
  summary: 'Mint a widget token for one customer (short-lived; give it to the agent desktop, never your API key)',
  description: 'The token authenticates the agent widget (GET /api/widget/v1/widget.js) for this customer only, until it expires. '
    + 'It is signed, not stored: keep it short and mint a new one when the widget asks (its getToken option).',
  // Vendor keys only, deliberately: a widget token reads the customer's caller card (their CDP contacts) and runs
  // widget actions, more than a key confined to one customer may do (run automations, read runs). Such a key is
  // refused with 403 customer_key_not_allowed (tests/api/widgets.test.ts).
  auth: { kind: 'apiKey', customerKeys: false },
  body: z.object({
    expiresInSeconds: z.number().int().min(WIDGET_TTL_MIN_SEC, `at least ${WIDGET_TTL_MIN_SEC} seconds`).max(WIDGET_TTL_MAX_SEC, `at most ${WIDGET_TTL_MAX_SEC} seconds`).default(WIDGET_TTL_DEFAULT_SEC),
  }),
  bodyOptional: true,
  bodyLimit: 16 * 1024,
  responses: { 201: { description: 'The token', schema: z.object({ token: z.string().describe('pbw_…: send as Authorization: Bearer'), customerId: z.string(), expiresAt: z.string() }) } },
  async handler({ body, customer }) {
    const minted = mintWidgetToken(portalSecret(), { id: customer.id, vendorId: customer.vendorId, externalId: customer.externalId }, body.expiresInSeconds);
    return { status: 201, body: { token: minted.token, customerId: customer.externalId, expiresAt: minted.expiresAt } };
  },
});
