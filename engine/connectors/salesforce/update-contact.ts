// Changes and deletes a Salesforce Contact for the two-way sync: PATCH and DELETE /sobjects/Contact/{id} (204 each;
// null clears a field; LastName is required, so a cleared last name becomes "Unknown caller" as on create).
import { HttpError } from '../../core/http-client';
import type { ContactChanges } from '../kit/crm-contract';
import type { ConnectorCall } from '../kit/contact-source';
import { createSalesforceClient } from './client';
import { API_BASE } from './soql';

const FIELD: Record<keyof ContactChanges, string> = { firstName: 'FirstName', lastName: 'LastName', email: 'Email', phone: 'Phone', mobile: 'MobilePhone' };

export async function updateContact(call: ConnectorCall, args: { id: string; changes: ContactChanges }): Promise<void> {
  const body: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(args.changes) as [keyof ContactChanges, string | null | undefined][]) {
    if (v !== undefined) body[FIELD[k]] = v;
  }
  if ('LastName' in body && !body.LastName?.trim()) body.LastName = 'Unknown caller';
  await createSalesforceClient(call).request({ method: 'PATCH', path: `${API_BASE}/sobjects/Contact/${encodeURIComponent(args.id)}`, body });
}

export async function deleteContact(call: ConnectorCall, args: { id: string }): Promise<{ deleted: boolean }> {
  try {
    await createSalesforceClient(call).request({ method: 'DELETE', path: `${API_BASE}/sobjects/Contact/${encodeURIComponent(args.id)}` });
    return { deleted: true };
  } catch (err) {
    if (err instanceof HttpError && err.kind === 'not_found') return { deleted: false };
    throw err;
  }
}
