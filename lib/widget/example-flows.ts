// Two small automations of the kind a vendor puts behind widget buttons, used by the widget's tests and the
// README's walk-through: "Resend last invoice" (looks the caller up in the CDP and answers in words) and
// "Create ticket" (answers with the call it was made for). A real one would call the billing system or the
// helpdesk; these answer from the CDP only, so they run anywhere.
const trigger = (automation: string) => ({
  id: 'trigger',
  type: 'trigger.webhook',
  params: {
    fields: [
      { path: 'phone', type: 'string', required: false, description: 'The caller\'s number (from the widget)' },
      { path: 'callId', type: 'string', required: false, description: 'The phone system\'s call id (from the widget)' },
    ],
    example: { phone: '+14155550123', callId: 'c-1', action: automation, source: 'widget' },
  },
  position: { x: 0, y: 120 },
});

export function resendInvoiceFlow(automation = 'resend_last_invoice') {
  return {
    schemaVersion: 1,
    name: 'Resend last invoice',
    automation,
    description: 'Widget action: resends the caller\'s last invoice (answers who it went to).',
    nodes: [
      trigger(automation),
      { id: 'normalize', type: 'phone.normalize', params: { phone: '=trigger.phone' }, position: { x: 260, y: 120 } },
      { id: 'lookup', type: 'cdp.lookup', params: { phone: '=steps.normalize.e164' }, position: { x: 520, y: 120 } },
      {
        id: 'sent', type: 'respond.json', position: { x: 800, y: 40 },
        params: { status: 200, body: { sent: true, message: 'Last invoice resent to {{ steps.lookup.contact.displayName }} <{{ steps.lookup.contact.email }}>' } },
      },
      { id: 'unknown', type: 'respond.json', position: { x: 800, y: 220 }, params: { status: 200, body: { sent: false, message: 'No customer record for this caller: nothing was sent' } } },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourcePort: 'out', target: 'normalize' },
      { id: 'e2', source: 'normalize', sourcePort: 'valid', target: 'lookup' },
      { id: 'e3', source: 'lookup', sourcePort: 'found', target: 'sent' },
      { id: 'e4', source: 'lookup', sourcePort: 'notFound', target: 'unknown' },
      { id: 'e5', source: 'normalize', sourcePort: 'invalid', target: 'unknown' },
    ],
    options: {},
  };
}

export function createTicketFlow(automation = 'create_ticket') {
  return {
    schemaVersion: 1,
    name: 'Create ticket',
    automation,
    description: 'Widget action: opens a ticket for the current call.',
    nodes: [
      trigger(automation),
      { id: 'done', type: 'respond.json', position: { x: 300, y: 120 }, params: { status: 200, body: { message: 'Ticket created for call {{ trigger.callId }} from {{ trigger.phone }}' } } },
    ],
    edges: [{ id: 'e1', source: 'trigger', sourcePort: 'out', target: 'done' }],
    options: {},
  };
}
