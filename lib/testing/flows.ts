// Small compiled flows that lib tests run through the engine host.
import { compileFlow, registry } from '@/engine';

/** Webhook with a phone → HubSpot's find-contact-by-phone: one request to the customer's HubSpot per run. */
export function hubspotLookupFlow(automation = 'hubspot_lookup') {
  return compileFlow({
    schemaVersion: 1, name: 'HubSpot lookup', automation,
    nodes: [
      { id: 'trigger', type: 'trigger.webhook', params: { fields: [{ path: 'phone', type: 'string', required: true }] }, position: { x: 0, y: 0 } },
      { id: 'find', type: 'hubspot.findContactByPhone', params: { phone: '=trigger.phone' }, position: { x: 200, y: 0 } },
    ],
    edges: [{ id: 'e1', source: 'trigger', sourcePort: 'out', target: 'find' }],
    options: {},
  }, registry);
}
