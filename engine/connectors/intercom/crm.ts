// Intercom under the CRM contract. Contacts (users and leads) are found by phone with the contacts search (an OR of
// the number's usual spellings, compared in E.164 here), listed with the starting_after cursor, and read changed-
// since through a search on updated_at. Admins are the CRM users. Intercom has no call object: a call is a note on
// the contact written by the agent, its details heading the text ("Call id:" line included, so a retried log finds
// it again among the contact's notes). Intercom's API cannot edit or delete a note, so an update is a second note
// on the same contact naming the call (callLogUpdate 'note'), itself found again before it is written twice.
// Intercom has no tasks either: a call-back is a ticket of a Back-office ticket type ("Call back" when there is
// one) on the contact, assigned to the agent, its description ending with the call's "Call id:" line so a retried
// create finds it among the contact's tickets (Search tickets).
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizePhone } from '../../core/phone';
import { PatchbayError } from '../../core/errors';
import type { CrmOperations, ResolvedCallLog } from '../kit/define-crm-connector';
import { defaultCallSubject, notesWithTranscript, type CallLogChanges, type RecordRef } from '../kit/crm-contract';
import { callDetailLines, callIdLine, durationText } from '../kit/call-description';
import type { ChangedPage, ConnectorCall, ObjectKind } from '../kit/contact-source';
import { createIntercomClient, INTERCOM_MAX_PAGE, type IntercomClient } from './client';
import { mapIntercomContact, splitName, type IntercomContact } from './map-contact';
import { noteHtmlToText, textToNoteHtml } from './note-html';

interface Page<T> { type: 'list'; data: T[]; total_count: number; pages?: { next?: { starting_after?: string } | string | null; page?: number; total_pages?: number } }
interface Admin { id: string; name: string; email: string }
export interface IntercomNote { id: string; created_at: number; contact?: { id: string } | null; author?: { id: string } | null; body: string }
interface TicketType { id: string; name: string; category: string; archived?: boolean }

const ref = (type: string, id: string | number, url: string | null): RecordRef => ({ system: 'intercom', type, id: String(id), url });
const ID = /^[A-Za-z0-9_-]{1,64}$/;

function contactIdOf(x: { contactId?: string }, what: string): string {
  const id = x.contactId?.trim();
  if (!id) throw new PatchbayError('invalid_params', `Intercom keeps ${what} on a contact: give contactId`, { path: ['contactId'] });
  if (!ID.test(id)) throw new PatchbayError('invalid_params', `contactId must be an Intercom contact id, got "${id}"`, { path: ['contactId'] });
  return id;
}

/** Intercom admin ids are numbers (sent as strings in most places, a number as a contact's owner_id). */
function adminId(v: string, what: string): number {
  if (!/^\d{1,20}$/.test(v.trim())) throw new PatchbayError('invalid_params', `${what} must be an Intercom admin id (digits), got "${v}"`, { path: [what] });
  return Number(v.trim());
}

function nextAfter(p: Pick<Page<unknown>, 'pages'>): string | null {
  const next = p.pages?.next;
  return next && typeof next === 'object' && next.starting_after ? next.starting_after : null;
}

/**
 * Intercom compares a contact's phone as stored text: the search ORs the number's usual spellings (as given, E.164,
 * national, international, digits) with "ends with its last four digits" for the other ways people type it; the
 * answers are then compared in E.164 here.
 */
function phoneQuery(raw: string, e164: string): Record<string, unknown> {
  const p = parsePhoneNumberFromString(e164);
  const national = p?.formatNational() ?? null;
  const spellings = [...new Set([raw.trim(), e164, e164.slice(1), national, p?.formatInternational() ?? null, national?.replace(/\D/g, '') ?? null].filter((x): x is string => !!x))];
  return { operator: 'OR', value: [...spellings.map((value) => ({ field: 'phone', operator: '=', value })), { field: 'phone', operator: '$', value: e164.slice(-4) }] };
}

/** Every note of a contact, newest first, page by page (Intercom pages notes by page number). */
async function* contactNotes(client: IntercomClient, contactId: string): AsyncGenerator<IntercomNote[]> {
  for (let page = 1; page <= 200; page++) {
    const res = await client.get<Page<IntercomNote>>(`/contacts/${encodeURIComponent(contactId)}/notes`, { per_page: INTERCOM_MAX_PAGE, page });
    yield res.data ?? [];
    if (!res.pages?.next || (res.data ?? []).length < INTERCOM_MAX_PAGE) return;
  }
}

async function findNote(client: IntercomClient, contactId: string, test: (text: string) => boolean): Promise<IntercomNote | null> {
  for await (const notes of contactNotes(client, contactId)) {
    const hit = notes.find((n) => test(noteHtmlToText(n.body)));
    if (hit) return hit;
  }
  return null;
}

function callNoteText(log: ResolvedCallLog): string {
  const head = [log.subject ?? defaultCallSubject(log), ...callDetailLines(log)].join('\n');
  const notes = notesWithTranscript(log.notes, log.transcript);
  return notes ? `${head}\n\n${notes}` : head;
}

/** The note that carries a change to a logged call: what changed, the call's id line, then the notes. */
function updateNoteText(callText: string, ch: CallLogChanges): string {
  const subject = callText.split('\n')[0];
  const callId = /^Call id: (.*)$/m.exec(callText)?.[1];
  const head = [
    `Update to "${subject}"`,
    ch.subject ? `Subject: ${ch.subject}` : null,
    ch.status ? `Result: ${ch.status}` : null,
    ch.durationSec !== undefined ? `Duration: ${durationText(ch.durationSec)}` : null,
    ch.endedAt ? `Ended: ${ch.endedAt}` : null,
    ch.recordingUrl ? `Recording: ${ch.recordingUrl}` : null,
    callId ? callIdLine(callId) : null,
  ].filter((l): l is string => !!l).join('\n');
  const notes = notesWithTranscript(ch.notes, ch.transcript);
  return notes ? `${head}\n\n${notes}` : head;
}

interface Cursor { t: number; ids: string[] }
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (Number.isInteger(c.t) && Array.isArray(c.ids)) return c;
  } catch { /* fall through */ }
  throw new PatchbayError('invalid_params', 'This Intercom sync cursor is not valid; start the sync from the beginning', { path: ['cursor'] });
}

/**
 * Contacts updated on or after the cursor's day, oldest first: Intercom rounds a searched date down to its day and
 * `> X` finds the days after X's, so the search asks for "after the day before" and the exact comparison is made here.
 */
async function* searchChanged(client: IntercomClient, from: Cursor | null, pageSize: number): AsyncGenerator<IntercomContact[]> {
  let after: string | null = null;
  do {
    const res: Page<IntercomContact> = (await client.request<Page<IntercomContact>>({
      method: 'POST', path: '/contacts/search', retry: true,
      body: { query: { field: 'updated_at', operator: '>', value: from ? from.t - 86_400 : 0 }, sort: { field: 'updated_at', order: 'ascending' }, pagination: { per_page: pageSize, ...(after ? { starting_after: after } : {}) } },
    })).body;
    yield res.data ?? [];
    after = nextAfter(res);
  } while (after);
}

/**
 * Intercom's search can show a contact a few minutes after it changed ("it may not be available when searching …
 * this delay can take a few minutes"): a cursor never moves past five minutes ago, so what the index shows late is
 * still read on a later run; the last minutes' records are then read again, which the destinations make no-ops.
 */
export const INTERCOM_SEARCH_LAG_SEC = 300;

async function* listChanged(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<ChangedPage> {
  if (opts.kind === 'company') return;
  const settled = Math.floor(Date.now() / 1000) - INTERCOM_SEARCH_LAG_SEC;
  const client = createIntercomClient(call);
  let cursor = opts.cursor ? decodeCursor(opts.cursor) : null;
  const pageSize = Math.max(1, Math.min(INTERCOM_MAX_PAGE, opts.pageSize ?? INTERCOM_MAX_PAGE));
  for await (const page of searchChanged(client, cursor, pageSize)) {
    const fresh = cursor ? page.filter((c) => (c.updated_at ?? 0) > cursor!.t || ((c.updated_at ?? 0) === cursor!.t && !cursor!.ids.includes(c.id))) : page;
    if (!fresh.length) continue;
    for (const c of fresh) {
      const t = c.updated_at ?? 0;
      cursor = cursor && cursor.t === t ? { t, ids: [...cursor.ids, c.id] } : { t, ids: [c.id] };
    }
    const resumeAt = cursor!.t > settled ? { t: settled, ids: [] } : cursor!;
    yield { kind: 'person', contacts: fresh.map((c) => mapIntercomContact(c, client.contactUrl)), cursor: encodeCursor(resumeAt) };
  }
}

async function* listAllIds(call: ConnectorCall, opts: { kind: ObjectKind; pageSize?: number }): AsyncGenerator<string[]> {
  if (opts.kind === 'company') return;
  const client = createIntercomClient(call);
  const perPage = Math.max(1, Math.min(INTERCOM_MAX_PAGE, opts.pageSize ?? INTERCOM_MAX_PAGE));
  let after: string | null = null;
  do {
    const res: Page<{ id: string }> = await client.get<Page<{ id: string }>>('/contacts', { per_page: perPage, starting_after: after ?? undefined });
    if (res.data?.length) yield res.data.map((c) => c.id);
    after = nextAfter(res);
  } while (after);
}

/** The account's ticket type for call-backs (a Back-office type, "Call back" when there is one), cached ten minutes. */
const ticketTypeCache = new Map<string, { id: string; until: number }>();
async function callBackTicketType(client: IntercomClient, call: ConnectorCall): Promise<string> {
  const key = `${call.conn.id}|${call.conn.baseUrl}`;
  const hit = ticketTypeCache.get(key);
  if (hit && hit.until > Date.now()) return hit.id;
  const types = (await client.get<{ ticket_types: TicketType[] }>('/ticket_types')).ticket_types ?? [];
  const backOffice = types.filter((t) => t.category === 'Back-office' && !t.archived);
  const chosen = backOffice.find((t) => /^call[ -]?backs?$/i.test(t.name.trim())) ?? backOffice[0];
  if (!chosen) throw new PatchbayError('upstream_error', 'Intercom has no Back-office ticket type for call-backs: create one named "Call back" under Settings → Tickets');
  ticketTypeCache.set(key, { id: String(chosen.id), until: Date.now() + 600_000 });
  return String(chosen.id);
}

interface SearchedTicket { id: string; ticket_attributes?: { _default_description_?: unknown } }
interface TicketList { type: 'ticket.list'; tickets?: SearchedTicket[]; total_count: number; pages?: Page<unknown>['pages'] }

/**
 * The call-back ticket made for a call: a ticket of the contact (Search tickets on contact_ids, a field named alike in
 * every API version) whose description has the call's "Call id:" line. Intercom's search can show a new ticket a
 * little late, so a retry within moments of the first create may not find it.
 */
async function findCallTicket(client: IntercomClient, contactId: string, callId: string): Promise<SearchedTicket | null> {
  const line = callIdLine(callId);
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const res: TicketList = (await client.request<TicketList>({
      method: 'POST', path: '/tickets/search', retry: true,
      body: { query: { field: 'contact_ids', operator: '=', value: contactId }, pagination: { per_page: INTERCOM_MAX_PAGE, ...(after ? { starting_after: after } : {}) } },
    })).body;
    const hit = (res.tickets ?? []).find((x) => String(x.ticket_attributes?._default_description_ ?? '').split('\n').includes(line));
    if (hit) return hit;
    after = nextAfter(res);
    if (!after) return null;
  }
  return null;
}

export const intercomCrmOperations: CrmOperations = {
  async findContactsByPhone(call, args) {
    if (args.kind === 'company') return [];
    const parsed = normalizePhone(args.phone, args.defaultCountry);
    if (!parsed.e164) return [];
    const client = createIntercomClient(call);
    const query = phoneQuery(args.phone, parsed.e164);
    const out = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: Page<IntercomContact> = (await client.request<Page<IntercomContact>>({ method: 'POST', path: '/contacts/search', retry: true, body: { query, pagination: { per_page: INTERCOM_MAX_PAGE, ...(after ? { starting_after: after } : {}) } } })).body;
      for (const c of res.data ?? []) {
        const u = mapIntercomContact(c, client.contactUrl);
        if (u.phones.some((p) => normalizePhone(p, u.country ?? args.defaultCountry).e164 === parsed.e164)) out.push(u);
      }
      after = nextAfter(res);
      if (!after) break;
    }
    return out;
  },
  async getContact(call, args) {
    if (args.kind === 'company' || !ID.test(args.id.trim())) return null;
    const client = createIntercomClient(call);
    const c = await client.getOrNull<IntercomContact>(`/contacts/${encodeURIComponent(args.id.trim())}`);
    return c ? mapIntercomContact(c, client.contactUrl) : null;
  },
  listChanged,
  listAllIds,
  async countChanged(call, args) {
    if (args.kind === 'company') return 0;
    const from = args.cursor ? decodeCursor(args.cursor) : null;
    const res = (await createIntercomClient(call).request<Page<unknown>>({ method: 'POST', path: '/contacts/search', retry: true, body: { query: { field: 'updated_at', operator: '>', value: from ? from.t - 86_400 : 0 }, pagination: { per_page: 1 } } })).body;
    return typeof res.total_count === 'number' ? res.total_count : null;
  },
  async findUserByEmail(call, args) {
    const admins = (await createIntercomClient(call).get<{ admins: Admin[] }>('/admins')).admins ?? [];
    const hit = admins.find((a) => a.email?.toLowerCase() === args.email.toLowerCase());
    return hit ? { id: String(hit.id), name: hit.name, email: hit.email } : null;
  },
  async *listUsers(call) {
    const admins = (await createIntercomClient(call).get<{ admins: Admin[] }>('/admins')).admins ?? [];
    yield admins.map((a) => ({ id: String(a.id), name: a.name, email: a.email, ...splitName(a.name) }));
  },
  async createContact(call, a) {
    const client = createIntercomClient(call);
    const name = [a.firstName, a.lastName].filter(Boolean).join(' ') || null;
    // A user needs an email (or an external id); a caller known only by number becomes a lead.
    const c = await client.send<IntercomContact>('POST', '/contacts', {
      role: a.email ? 'user' : 'lead',
      ...(a.email ? { email: a.email } : {}), ...(name ? { name } : {}), ...(a.phone || a.mobile ? { phone: a.phone ?? a.mobile } : {}),
      ...(a.ownerId ? { owner_id: adminId(a.ownerId, 'owner') } : {}),
      ...(a.company ? { custom_attributes: { company_name: a.company } } : {}),
    });
    const contact = mapIntercomContact(c, client.contactUrl);
    return { ref: ref('contact', c.id, contact.crmUrl ?? null), contact };
  },
  async logCall(call, log) {
    const client = createIntercomClient(call);
    const contactId = contactIdOf(log, 'call notes');
    if (log.callId) {
      const line = callIdLine(log.callId);
      const existing = await findNote(client, contactId, (t) => /^Direction: /m.test(t) && t.split('\n').includes(line));
      if (existing) return ref('note', existing.id, client.contactUrl(contactId));
    }
    const note = await client.send<IntercomNote>('POST', `/contacts/${encodeURIComponent(contactId)}/notes`, { body: textToNoteHtml(callNoteText(log)), ...(log.agentId ? { admin_id: String(adminId(log.agentId, 'agent')) } : {}) });
    return ref('note', note.id, client.contactUrl(contactId));
  },
  async updateCallLog(call, r, ch) {
    const client = createIntercomClient(call);
    if (!/^\d{1,20}$/.test(r.id)) throw new PatchbayError('invalid_params', `ref.id must be an Intercom note id, got "${r.id}"`, { path: ['ref', 'id'] });
    const logged = await client.get<IntercomNote>(`/notes/${r.id}`);
    const contactId = logged.contact?.id;
    if (!contactId) throw new PatchbayError('upstream_error', `Intercom note ${r.id} is not on a contact`);
    const text = updateNoteText(noteHtmlToText(logged.body), ch);
    // A retried update finds the note it already wrote.
    const existing = await findNote(client, contactId, (t) => t === text);
    const note = existing ?? await client.send<IntercomNote>('POST', `/contacts/${encodeURIComponent(contactId)}/notes`, { body: textToNoteHtml(text), ...(logged.author?.id ? { admin_id: String(logged.author.id) } : {}) });
    return { ref: r, note: ref('note', note.id, client.contactUrl(contactId)) };
  },
  async createTask(call, t) {
    const client = createIntercomClient(call);
    const contactId = contactIdOf(t, 'call-back tickets');
    const owner = t.ownerId ? String(adminId(t.ownerId, 'owner')) : null;
    if (t.callId) {
      const existing = await findCallTicket(client, contactId, t.callId);
      if (existing) return ref('ticket', existing.id, client.contactUrl(contactId));
    }
    const typeId = await callBackTicketType(client, call);
    const tail = [t.due ? `Due: ${t.due}` : null, t.callId ? callIdLine(t.callId) : null].filter(Boolean).join('\n');
    const description = [t.notes, tail].filter(Boolean).join('\n\n');
    const ticket = await client.send<{ id: string }>('POST', '/tickets', {
      ticket_type_id: typeId, contacts: [{ id: contactId }],
      ticket_attributes: { _default_title_: t.subject, ...(description ? { _default_description_: description } : {}) },
    });
    if (owner) {
      await client.send('PUT', `/tickets/${encodeURIComponent(ticket.id)}`, { assignment: { admin_id: owner, assignee_id: owner } });
    }
    return ref('ticket', ticket.id, client.contactUrl(contactId));
  },
  async addNote(call, n) {
    const client = createIntercomClient(call);
    const contactId = contactIdOf(n, 'notes');
    const note = await client.send<IntercomNote>('POST', `/contacts/${encodeURIComponent(contactId)}/notes`, { body: textToNoteHtml(n.body) });
    return ref('note', note.id, client.contactUrl(contactId));
  },
};
