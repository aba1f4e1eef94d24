// What "New flow" starts from: a flow holding only its webhook trigger. Pure, for the UI and the API alike.
import type { FlowInput } from '@/engine';

export const KNOWN_AUTOMATIONS = ['caller_lookup', 'call_logging', 'contact_sync', 'call_routing'] as const;

export function newFlowDefinition(p: { name: string; automation: string; description?: string }): FlowInput {
  return {
    schemaVersion: 1,
    name: p.name,
    automation: p.automation,
    ...(p.description ? { description: p.description } : {}),
    nodes: [{
      id: 'trigger',
      type: 'trigger.webhook',
      params: { fields: [], example: { phone: '+12025550123' } },
      position: { x: 0, y: 120 },
    }],
    edges: [],
    options: {},
  };
}
