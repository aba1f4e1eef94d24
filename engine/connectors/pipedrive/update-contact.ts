// Changes and deletes a Pipedrive person for the two-way sync: PATCH /api/v2/persons/{id} and DELETE
// /api/v2/persons/{id}. Pipedrive keeps one `name` (it splits first and last name from it), and numbers and
// e-mails as labelled lists: a change rewrites the whole list from the person as it is now.
import { HttpError } from '../../core/http-client';
import type { ContactChanges } from '../kit/crm-contract';
import type { ConnectorCall } from '../kit/contact-source';
import { createPipedriveClient, toPipedriveId } from './client';
import type { PipedrivePerson } from './map-contact';

export async function updateContact(call: ConnectorCall, args: { id: string; changes: ContactChanges }): Promise<void> {
  const client = createPipedriveClient(call);
  const id = toPipedriveId(args.id, 'id');
  const c = args.changes;
  const body: Record<string, unknown> = {};
  let current: PipedrivePerson | null = null;
  const now = async () => (current ??= await client.get<PipedrivePerson>(`/api/v2/persons/${id}`));
  if (c.firstName !== undefined || c.lastName !== undefined) {
    const p = c.firstName === undefined || c.lastName === undefined ? await now() : null;
    const first = c.firstName !== undefined ? c.firstName : p?.first_name ?? null;
    const last = c.lastName !== undefined ? c.lastName : p?.last_name ?? null;
    const name = [first, last].filter(Boolean).join(' ').trim();
    if (name) body.name = name;
  }
  if (c.email !== undefined) body.emails = c.email ? [{ value: c.email, primary: true, label: 'work' }] : [];
  if (c.phone !== undefined || c.mobile !== undefined) {
    const p = c.phone === undefined || c.mobile === undefined ? await now() : null;
    const old = (p?.phones ?? []).map((x) => x.value);
    const phone = c.phone !== undefined ? c.phone : old[0] ?? null;
    const mobile = c.mobile !== undefined ? c.mobile : old[1] ?? null;
    body.phones = [
      ...(phone ? [{ value: phone, primary: true, label: 'work' }] : []),
      ...(mobile ? [{ value: mobile, primary: !phone, label: 'mobile' }] : []),
    ];
  }
  if (!Object.keys(body).length) return;
  await client.send('PATCH', `/api/v2/persons/${id}`, body);
}

export async function deleteContact(call: ConnectorCall, args: { id: string }): Promise<{ deleted: boolean }> {
  const client = createPipedriveClient(call);
  try {
    await client.request({ method: 'DELETE', path: `/api/v2/persons/${toPipedriveId(args.id, 'id')}` });
    return { deleted: true };
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return { deleted: false };
    throw err;
  }
}
