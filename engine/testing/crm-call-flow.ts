// The lookup → log call → respond flow built only with the generic crm.* blocks: the CRM tests run it unchanged
// for a customer on each CRM (options.crm says which), so it is declared here once.
export const crmCallLoggingFlow = {
  name: 'Log every call in the CRM', automation: 'call_ended',
  nodes: [
    { id: 'trigger', type: 'trigger.webhook' },
    { id: 'lookup', type: 'crm.findContactByPhone', params: { crm: '=options.crm', phone: '=trigger.from' } },
    {
      id: 'log', type: 'crm.logCall',
      params: {
        crm: '=options.crm', callId: '=trigger.callId', direction: 'inbound', status: '=trigger.status', startedAt: '=trigger.startedAt', endedAt: '=trigger.endedAt',
        from: '=trigger.from', to: '=trigger.to', agent: '=trigger.agentEmail', contactId: '=steps.lookup.contact.id', notes: '=trigger.notes',
      },
    },
    { id: 'done', type: 'respond.json', params: { body: { logged: '=steps.log.ref', contact: '=steps.lookup.contact.displayName' } } },
    { id: 'unknown', type: 'respond.json', params: { body: { logged: null } } },
  ],
  edges: [
    { id: 'a', source: 'trigger', target: 'lookup' },
    { id: 'b', source: 'lookup', sourcePort: 'found', target: 'log' },
    { id: 'c', source: 'log', target: 'done' },
    { id: 'd', source: 'lookup', sourcePort: 'notFound', target: 'unknown' },
  ],
};
