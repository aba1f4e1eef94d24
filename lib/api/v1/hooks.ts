// Webhooks other systems send straight to Patchbay, authenticated by a signature over the raw body:
// the phone system's call events and the vendor's HubSpot app's deletion events.
import { z } from 'zod';
import { HUBSPOT_SIGNATURE_HEADER, SIGNATURE_HEADER } from '@/engine/connectors';
import { handleHubspotWebhook } from '../crm-webhooks';
import { handlePhoneWebhook } from '../phone-webhooks';
import { defineRoute } from '../route';

export const phoneSystemHook = defineRoute({
  operationId: 'phoneSystemWebhook',
  method: 'POST',
  path: '/api/v1/hooks/:vendorSlug/:customerId/phone-system',
  tag: 'Webhooks',
  summary: 'Call events from the phone system (signed; run as a durable queued run, or answered at once by the automation configured to answer the event)',
  description: `Signed \`${SIGNATURE_HEADER}: sha256=<HMAC-SHA256 of the raw body>\` with the webhookSecret of the customer's phone-system connection; `
    + 'carries x-phonesystem-event and x-phonesystem-delivery. A re-delivery (same delivery id) answers 200 {"duplicate":true} and runs nothing twice. '
    + 'An event an integration answers (its answerEvents, e.g. call.ringing for call_routing) runs that automation at once and answers with its JSON, '
    + 'e.g. {"action":"route","target":"vip-queue","targetType":"queue"}, or the flow\'s fallback (x-patchbay-fallback: failed | deadline) before the deadline; '
    + 'a re-delivery of it gets the same answer (x-patchbay-duplicate: true) without a second run.',
  auth: { kind: 'webhookSignature', header: SIGNATURE_HEADER },
  rawBody: true,
  body: z.looseObject({ event: z.string().optional(), deliveryId: z.string().optional() }).describe('The call event (call.ringing, call.answered, call.ended, recording.ready)'),
  responses: {
    202: { description: 'Accepted (runId null when no automation handles the event)', schema: z.object({ accepted: z.literal(true), deliveryId: z.string(), runId: z.string().nullable(), note: z.string().optional() }) },
    200: {
      description: 'A re-delivery: nothing runs twice ({duplicate, deliveryId, runId}); or, for an event an integration answers, the automation\'s JSON (the same for every delivery of the event)',
      schema: z.union([z.object({ duplicate: z.literal(true), deliveryId: z.string(), runId: z.string().nullable() }), z.unknown()]),
      headers: { 'x-patchbay-run-id': 'The run that answered', 'x-patchbay-fallback': 'failed | deadline | unanswered: the answer is the flow\'s fallback', 'x-patchbay-duplicate': 'true on a re-delivery' },
    },
  },
  errors: { 400: 'invalid_json / invalid_input (event, deliveryId)', 502: 'run_failed: an answered event\'s flow failed without a fallback', 504: 'timeout: an answered event\'s flow passed its deadline without a fallback', 401: 'bad_signature / webhook_not_configured (also for an unknown vendor or customer: the hook tells nobody which customers exist)', 413: 'body_too_large' },
  async handler({ req, res, params, deps }) {
    await handlePhoneWebhook(req, res, [params.vendorSlug, params.customerId], deps);
  },
});

export const hubspotHook = defineRoute({
  operationId: 'hubspotWebhook',
  method: 'POST',
  path: '/api/v1/hooks/:vendorSlug/hubspot',
  tag: 'Webhooks',
  summary: 'The vendor\'s HubSpot app\'s webhook: contact and company deletions',
  description: `Signed v3 (\`${HUBSPOT_SIGNATURE_HEADER}\` + X-HubSpot-Request-Timestamp at most 5 minutes off) with the app's client secret.`,
  auth: { kind: 'webhookSignature', header: HUBSPOT_SIGNATURE_HEADER },
  rawBody: true,
  body: z.array(z.looseObject({ portalId: z.number().int(), objectId: z.number().int(), subscriptionType: z.string() })),
  responses: {
    200: {
      description: 'What was deleted per HubSpot portal (unknown portals and other events acknowledged and ignored)',
      schema: z.object({ received: z.number().int(), portals: z.array(z.object({ portalId: z.string(), customers: z.array(z.string()), deleted: z.number().int(), problems: z.array(z.string()) })) }),
    },
  },
  errors: { 400: 'invalid_json', 401: 'bad_signature', 413: 'body_too_large', 503: 'webhook_not_configured' },
  async handler({ req, res, params, deps }) {
    await handleHubspotWebhook(req, res, params.vendorSlug, deps);
  },
});
