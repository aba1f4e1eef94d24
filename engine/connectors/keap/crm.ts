// Keap under the CRM contract. A call is a Keap note of type Call on the contact, by the agent (user_id), its title
// the subject and its body the call's details ("Call id:" line included) then the notes; Keap lets notes be edited,
// so an update changes the same note (PATCH /notes/{id}) and a retried log finds it among the contact's notes by its
// call id. A call-back is a Keap task of type Call on the contact for the agent, its description headed by the
// call's "Call id:" line so a retried create finds it among the contact's tasks. Keap's REST v1 contact list filters
// by email and names but not by phone (nor does v2's filter), so a lookup by phone pages through the contacts
// (1,000 a request) and compares numbers in E.164; the CDP, fed by contact sync (since/order on last_updated), is
// what answers a caller lookup quickly.
import { normalizePhone } from '../../core/phone';
import { PatchbayError } from '../../core/errors';
import type { CrmOperations, ResolvedCallLog } from '../kit/define-crm-connector';
import { defaultCallSubject, notesWithTranscript, type RecordRef } from '../kit/crm-contract';
import { callDetailLines, callIdLine, durationText, joinCallDescription, mergeCallNotes, setDescriptionLine, splitCallDescription, subjectWithStatus } from '../kit/call-description';
import type { ChangedPage, ConnectorCall, ObjectKind } from '../kit/contact-source';
import { createKeapClient, keapId, KEAP_MAX_LIMIT, type KeapClient } from './client';
import { mapKeapContact, type KeapContact } from './map-contact';

export interface KeapNote { id: number; contact_id: number; user_id: number; title: string; body: string; type: string }
interface KeapUser { id: number; email_address: string; given_name?: string; family_name?: string; preferred_name?: string; status?: string }

const ref = (type: string, id: number | string, url: string | null): RecordRef => ({ system: 'keap', type, id: String(id), url });
const ALPHA3: Record<string, string> = { US: 'USA', GB: 'GBR', DE: 'DEU', FR: 'FRA', CA: 'CAN', AU: 'AUS', IE: 'IRL', NL: 'NLD', ES: 'ESP', IT: 'ITA', AT: 'AUT', CH: 'CHE', BE: 'BEL' };

function contactIdOf(x: { contactId?: string }, what: string): number {
  const id = keapId(x.contactId, 'contactId');
  if (!id) throw new PatchbayError('invalid_params', `Keap keeps ${what} on a contact: give contactId`, { path: ['contactId'] });
  return id;
}

/** Pages of a Keap list (limit/offset), until a short page. */
async function* pages<T>(client: KeapClient, path: string, key: string, query: Record<string, string | number | boolean | undefined>, limit = KEAP_MAX_LIMIT): AsyncGenerator<T[]> {
  for (let offset = 0; ; offset += limit) {
    const res = await client.get<Record<string, unknown>>(path, { ...query, limit, offset });
    const rows = (res[key] as T[] | undefined) ?? [];
    if (rows.length) yield rows;
    if (rows.length < limit) return;
  }
}

async function findCallNote(client: KeapClient, contactId: number, callId: string): Promise<KeapNote | null> {
  const line = callIdLine(callId);
  for await (const notes of pages<KeapNote>(client, '/notes', 'notes', { contact_id: contactId })) {
    const hit = notes.find((n) => n.type === 'Call' && (n.body ?? '').split('\n').includes(line));
    if (hit) return hit;
  }
  return null;
}

/**
 * The task made for a call: its description starts with the call's "Call id:" line. Keap's v1 task list filters by
 * contact_id or user_id but not by text, so the narrowest of those is paged through (1,000 a request).
 */
async function findCallTask(client: KeapClient, callId: string, contactId: number | undefined, ownerId: number | undefined): Promise<{ id: number } | null> {
  const line = callIdLine(callId);
  const query = contactId ? { contact_id: contactId } : ownerId ? { user_id: ownerId } : {};
  for await (const tasks of pages<{ id: number; description?: string | null }>(client, '/tasks', 'tasks', query)) {
    const hit = tasks.find((x) => splitCallDescription(x.description ?? '').head.split('\n').includes(line));
    if (hit) return hit;
  }
  return null;
}

function callBody(log: ResolvedCallLog): string {
  return joinCallDescription(callDetailLines(log).join('\n'), notesWithTranscript(log.notes, log.transcript));
}

interface Cursor { t: number; ids: number[] }
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (Number.isInteger(c.t) && Array.isArray(c.ids)) return c;
  } catch { /* fall through */ }
  throw new PatchbayError('invalid_params', 'This Keap sync cursor is not valid; start the sync from the beginning', { path: ['cursor'] });
}

const updatedMs = (c: KeapContact) => (c.last_updated ? Date.parse(c.last_updated) : 0);

async function* listChanged(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<ChangedPage> {
  if (opts.kind === 'company') return;
  const client = createKeapClient(call);
  let cursor = opts.cursor ? decodeCursor(opts.cursor) : null;
  const limit = Math.max(1, Math.min(KEAP_MAX_LIMIT, opts.pageSize ?? KEAP_MAX_LIMIT));
  // `since` one millisecond before the cursor's time: the records of that instant not delivered yet come again.
  const query = { order: 'last_updated', order_direction: 'ASCENDING', ...(cursor ? { since: new Date(cursor.t - 1).toISOString() } : {}) };
  for await (const page of pages<KeapContact>(client, '/contacts', 'contacts', query, limit)) {
    const fresh = cursor ? page.filter((c) => updatedMs(c) > cursor!.t || (updatedMs(c) === cursor!.t && !cursor!.ids.includes(c.id))) : page;
    if (!fresh.length) continue;
    for (const c of fresh) {
      const t = updatedMs(c);
      cursor = cursor && cursor.t === t ? { t, ids: [...cursor.ids, c.id] } : { t, ids: [c.id] };
    }
    yield { kind: 'person', contacts: fresh.map((c) => mapKeapContact(c, client.contactUrl)), cursor: encodeCursor(cursor!) };
  }
}

async function* listAllIds(call: ConnectorCall, opts: { kind: ObjectKind; pageSize?: number }): AsyncGenerator<string[]> {
  if (opts.kind === 'company') return;
  const client = createKeapClient(call);
  const limit = Math.max(1, Math.min(KEAP_MAX_LIMIT, opts.pageSize ?? KEAP_MAX_LIMIT));
  for await (const page of pages<{ id: number }>(client, '/contacts', 'contacts', { order: 'id', order_direction: 'ASCENDING' }, limit)) yield page.map((c) => String(c.id));
}

const userOf = (u: KeapUser) => ({
  id: String(u.id), email: u.email_address, name: [u.given_name, u.family_name].filter(Boolean).join(' ') || u.preferred_name || u.email_address,
  firstName: u.given_name ?? null, lastName: u.family_name ?? null, active: u.status === undefined ? undefined : u.status === 'Active',
});

export const keapCrmOperations: CrmOperations = {
  async findContactsByPhone(call, args) {
    if (args.kind === 'company') return [];
    const parsed = normalizePhone(args.phone, args.defaultCountry);
    if (!parsed.e164) return [];
    const client = createKeapClient(call);
    const out = [];
    for await (const page of pages<KeapContact>(client, '/contacts', 'contacts', { order: 'last_updated', order_direction: 'DESCENDING' })) {
      for (const c of page) {
        const u = mapKeapContact(c, client.contactUrl);
        if (u.phones.some((p) => normalizePhone(p, u.country ?? args.defaultCountry).e164 === parsed.e164)) out.push(u);
      }
    }
    return out;
  },
  async getContact(call, args) {
    if (args.kind === 'company' || !/^[1-9]\d{0,15}$/.test(args.id.trim())) return null;
    const client = createKeapClient(call);
    const c = await client.getOrNull<KeapContact>(`/contacts/${args.id.trim()}`);
    return c ? mapKeapContact(c, client.contactUrl) : null;
  },
  listChanged,
  listAllIds,
  async countChanged(call, args) {
    if (args.kind === 'company') return 0;
    const from = args.cursor ? decodeCursor(args.cursor) : null;
    const res = await createKeapClient(call).get<{ count?: number }>('/contacts', { limit: 1, ...(from ? { since: new Date(from.t + 1).toISOString() } : {}) });
    return typeof res.count === 'number' ? res.count : null;
  },
  async findUserByEmail(call, args) {
    const email = args.email.toLowerCase();
    for await (const users of pages<KeapUser>(createKeapClient(call), '/users', 'users', {})) {
      const hit = users.find((u) => u.email_address?.toLowerCase() === email);
      if (hit) { const { firstName: _f, lastName: _l, active: _a, ...u } = userOf(hit); return u; }
    }
    return null;
  },
  async *listUsers(call) {
    for await (const users of pages<KeapUser>(createKeapClient(call), '/users', 'users', { include_inactive: true })) yield users.map(userOf);
  },
  async createContact(call, a) {
    const client = createKeapClient(call);
    const country = a.country ? ALPHA3[a.country.toUpperCase()] ?? (/^[A-Z]{3}$/.test(a.country.toUpperCase()) ? a.country.toUpperCase() : undefined) : undefined;
    const c = await client.send<KeapContact>('POST', '/contacts', {
      ...(a.firstName ? { given_name: a.firstName } : {}), ...(a.lastName ? { family_name: a.lastName } : {}),
      email_addresses: a.email ? [{ email: a.email, field: 'EMAIL1' }] : [],
      phone_numbers: [...(a.phone ? [{ number: a.phone, field: 'PHONE1', type: 'Work' }] : []), ...(a.mobile ? [{ number: a.mobile, field: a.phone ? 'PHONE2' : 'PHONE1', type: 'Mobile' }] : [])],
      ...(country ? { addresses: [{ field: 'BILLING', country_code: country }] } : {}),
      ...(a.ownerId ? { owner_id: keapId(a.ownerId, 'owner') } : {}),
    });
    const contact = mapKeapContact(c, client.contactUrl);
    return { ref: ref('contact', c.id, contact.crmUrl ?? null), contact };
  },
  async logCall(call, log) {
    const client = createKeapClient(call);
    const contactId = contactIdOf(log, 'call notes');
    if (log.callId) {
      const existing = await findCallNote(client, contactId, log.callId);
      if (existing) return ref('note', existing.id, client.contactUrl(contactId));
    }
    const note = await client.send<KeapNote>('POST', '/notes', {
      contact_id: contactId, type: 'Call', title: (log.subject ?? defaultCallSubject(log)).slice(0, 255), body: callBody(log),
      ...(log.agentId ? { user_id: keapId(log.agentId, 'agent') } : {}),
    });
    return ref('note', note.id, client.contactUrl(contactId));
  },
  async updateCallLog(call, r, ch) {
    const client = createKeapClient(call);
    const id = keapId(r.id, 'ref.id')!;
    const current = await client.get<KeapNote>(`/notes/${id}`);
    let { head, notes } = splitCallDescription(current.body ?? '');
    let title = ch.subject ?? current.title;
    if (ch.status) {
      head = setDescriptionLine(head, 'Result', ch.status);
      if (!ch.subject) title = subjectWithStatus(title, ch.status);
    }
    if (ch.durationSec !== undefined) head = setDescriptionLine(head, 'Duration', durationText(ch.durationSec));
    if (ch.recordingUrl) head = setDescriptionLine(head, 'Recording', ch.recordingUrl);
    notes = mergeCallNotes(notes, ch);
    const body = joinCallDescription(head, notes);
    if (body !== current.body || title !== current.title) await client.send('PATCH', `/notes/${id}`, { title, body });
    return { ref: r, note: null };
  },
  async createTask(call, t) {
    const client = createKeapClient(call);
    const contactId = keapId(t.contactId, 'contactId');
    const ownerId = t.ownerId ? keapId(t.ownerId, 'owner') : undefined;
    if (t.callId) {
      const existing = await findCallTask(client, t.callId, contactId, ownerId);
      if (existing) return ref('task', existing.id, contactId ? client.contactUrl(contactId) : null);
    }
    const description = t.callId ? joinCallDescription(callIdLine(t.callId), t.notes) : t.notes;
    const task = await client.send<{ id: number }>('POST', '/tasks', {
      title: t.subject, type: 'Call', due_date: new Date(t.due ? Date.parse(t.due) : Date.now()).toISOString(),
      ...(description ? { description } : {}),
      ...(contactId ? { contact: { id: contactId } } : {}),
      ...(ownerId ? { user_id: ownerId } : {}),
    });
    return ref('task', task.id, contactId ? client.contactUrl(contactId) : null);
  },
  async addNote(call, n) {
    const client = createKeapClient(call);
    const contactId = contactIdOf(n, 'notes');
    const title = n.body.split('\n')[0].slice(0, 80);
    const note = await client.send<KeapNote>('POST', '/notes', { contact_id: contactId, type: 'Other', title, body: n.body });
    return ref('note', note.id, client.contactUrl(contactId));
  },
};
