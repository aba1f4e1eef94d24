// Changes and deletes a Salesforce Contact for the two-way sync: PATCH and DELETE /sobjects/Contact/{id} (204 each;
// null clears a field; LastName is required, so a cleared last name becomes "Unknown caller" as on create).
import { HttpError } from '../../core/http-client';
import type { ContactChanges, ContactUpdateResult } from '../kit/crm-contract';
import type { ConnectorCall } from '../kit/contact-source';
import { createSalesforceClient } from './client';
import { API_BASE } from './soql';

const FIELD: Record<keyof ContactChanges, string> = { firstName: 'FirstName', lastName: 'LastName', email: 'Email', phone: 'Phone', mobile: 'MobilePhone' };

function fieldsOf(changes: ContactChanges): Record<string, string | null> {
  const body: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(changes) as [keyof ContactChanges, string | null | undefined][]) {
    if (v !== undefined) body[FIELD[k]] = v;
  }
  if ('LastName' in body && !body.LastName?.trim()) body.LastName = 'Unknown caller';
  return body;
}

const GONE = new Set(['ENTITY_IS_DELETED', 'NOT_FOUND', 'INVALID_CROSS_REFERENCE_KEY', 'INVALID_ID_FIELD']);

/** sObject Collections (PATCH /composite/sobjects, allOrNone false), 200 records a request, answered in order. */
export async function updateContacts(call: ConnectorCall, items: { id: string; changes: ContactChanges }[]): Promise<ContactUpdateResult[]> {
  const sf = createSalesforceClient(call);
  const out: ContactUpdateResult[] = [];
  for (let i = 0; i < items.length; i += 200) {
    const chunk = items.slice(i, i + 200);
    const res = await sf.request<{ id: string | null; success: boolean; errors: { statusCode: string; message: string }[] }[]>({
      method: 'PATCH', path: `${API_BASE}/composite/sobjects`,
      body: { allOrNone: false, records: chunk.map((it) => ({ attributes: { type: 'Contact' }, id: it.id, ...fieldsOf(it.changes) })) },
    });
    chunk.forEach((it, j) => {
      const r = res.body?.[j];
      if (r?.success) out.push({ id: it.id, outcome: 'updated' });
      else if (r?.errors?.some((e) => GONE.has(e.statusCode))) out.push({ id: it.id, outcome: 'not_found' });
      else out.push({ id: it.id, outcome: 'failed', error: r?.errors?.map((e) => `${e.statusCode}: ${e.message}`).join('; ') || 'refused by Salesforce' });
    });
  }
  return out;
}

export async function updateContact(call: ConnectorCall, args: { id: string; changes: ContactChanges }): Promise<void> {
  const body = fieldsOf(args.changes);
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
