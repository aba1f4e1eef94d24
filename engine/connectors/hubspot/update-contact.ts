// Changes and deletes a HubSpot contact for the two-way sync: PATCH /crm/v3/objects/contacts/{id} with the changed
// properties (an empty string clears one, as HubSpot takes it), DELETE /crm/v3/objects/contacts/{id} (archive;
// HubSpot answers 204 for a contact already gone too).
import type { ContactChanges } from '../kit/crm-contract';
import type { ConnectorCall } from '../kit/contact-source';
import { createHubspotClient } from './client';

const PROPERTY: Record<keyof ContactChanges, string> = { firstName: 'firstname', lastName: 'lastname', email: 'email', phone: 'phone', mobile: 'mobilephone' };

export async function updateContact(call: ConnectorCall, args: { id: string; changes: ContactChanges }): Promise<void> {
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(args.changes) as [keyof ContactChanges, string | null | undefined][]) {
    if (v !== undefined) properties[PROPERTY[k]] = v ?? '';
  }
  await createHubspotClient(call).request({ method: 'PATCH', path: `/crm/v3/objects/contacts/${encodeURIComponent(args.id)}`, body: { properties } });
}

export async function deleteContact(call: ConnectorCall, args: { id: string }): Promise<{ deleted: boolean }> {
  await createHubspotClient(call).request({ method: 'DELETE', path: `/crm/v3/objects/contacts/${encodeURIComponent(args.id)}` });
  return { deleted: true };
}
