// A signed, short-lived, single-use link to the customer portal, for the vendor's backend to hand its user.
import { z } from 'zod';
import { createPortalLink, LINK_TTL_DEFAULT_SEC, LINK_TTL_MAX_SEC } from '../../portal/portal-session';
import { portalSecret } from '../../portal/portal-tokens';
import { defineRoute } from '../route';

export const createPortalLinkRoute = defineRoute({
  operationId: 'createPortalLink',
  method: 'POST',
  path: '/api/v1/customers/:customerId/portal-links',
  tag: 'Portal links',
  summary: 'Create a portal link (opens once; relative URL)',
  auth: { kind: 'apiKey' },
  body: z.object({
    expiresInSeconds: z.number().int().min(60, 'at least 60 seconds').max(LINK_TTL_MAX_SEC, `at most ${LINK_TTL_MAX_SEC} seconds`).default(LINK_TTL_DEFAULT_SEC),
    embed: z.boolean({ error: 'true or false' }).default(false)
      .describe('true: for an iframe in your product (its session cookie is SameSite=None; Secure; Partitioned; your origin must be in the allowed origins of the Embed page)'),
  }),
  bodyOptional: true,
  bodyLimit: 16 * 1024,
  responses: { 201: { description: 'The link', schema: z.object({ url: z.string().describe('Relative to Patchbay\'s address: /portal/{customerId}?token=…'), expiresAt: z.string() }) } },
  async handler({ body, customer }) {
    const link = createPortalLink(portalSecret(), { id: customer.id, vendorId: customer.vendorId, externalId: customer.externalId }, body.expiresInSeconds, Date.now(), { embed: body.embed });
    return { status: 201, body: link };
  },
});
