// Changes and deletes a HubSpot contact for the two-way sync: PATCH /crm/v3/objects/contacts/{id} with the changed
// properties (an empty string clears one, as HubSpot takes it), DELETE /crm/v3/objects/contacts/{id} (archive;
// HubSpot answers 204 for a contact already gone too).
import type { ContactChanges, ContactUpdateResult } from '../kit/crm-contract';
import type { ConnectorCall } from '../kit/contact-source';
import { createHubspotClient } from './client';

const PROPERTY: Record<keyof ContactChanges, string> = { firstName: 'firstname', lastName: 'lastname', email: 'email', phone: 'phone', mobile: 'mobilephone' };

function propertiesOf(changes: ContactChanges): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(changes) as [keyof ContactChanges, string | null | undefined][]) {
    if (v !== undefined) properties[PROPERTY[k]] = v ?? '';
  }
  return properties;
}

/** POST /crm/v3/objects/contacts/batch/update, 100 at a time; a 207 names the ids that no longer exist. */
export async function updateContacts(call: ConnectorCall, items: { id: string; changes: ContactChanges }[]): Promise<ContactUpdateResult[]> {
  const http = createHubspotClient(call);
  const out: ContactUpdateResult[] = [];
  for (let i = 0; i < items.length; i += 100) {
    const chunk = items.slice(i, i + 100);
    const res = await http.request<{ errors?: { category?: string; message?: string; context?: { ids?: string[] } }[] }>({
      method: 'POST', path: '/crm/v3/objects/contacts/batch/update', body: { inputs: chunk.map((it) => ({ id: it.id, properties: propertiesOf(it.changes) })) },
    });
    const gone = new Set<string>();
    const failed = new Map<string, string>();
    for (const e of res.body?.errors ?? []) {
      for (const id of e.context?.ids ?? []) (e.category === 'OBJECT_NOT_FOUND' ? gone.add(id) : failed.set(id, e.message ?? 'refused by HubSpot'));
    }
    for (const it of chunk) out.push(gone.has(it.id) ? { id: it.id, outcome: 'not_found' } : failed.has(it.id) ? { id: it.id, outcome: 'failed', error: failed.get(it.id) } : { id: it.id, outcome: 'updated' });
  }
  return out;
}

export async function updateContact(call: ConnectorCall, args: { id: string; changes: ContactChanges }): Promise<void> {
  const properties = propertiesOf(args.changes);
  await createHubspotClient(call).request({ method: 'PATCH', path: `/crm/v3/objects/contacts/${encodeURIComponent(args.id)}`, body: { properties } });
}

export async function deleteContact(call: ConnectorCall, args: { id: string }): Promise<{ deleted: boolean }> {
  await createHubspotClient(call).request({ method: 'DELETE', path: `/crm/v3/objects/contacts/${encodeURIComponent(args.id)}` });
  return { deleted: true };
}
