// Copper under the CRM contract. A call is an activity of the account's "Phone Call" type (category user) on the
// person (or company), performed by the agent (user_id), dated when the call started; Copper's activities carry
// only a text body, so the details (direction, the contract's outcome, numbers, duration, recording, the phone
// system's call id) head that body and the notes follow. Copper lets user activities be edited, so updates change
// the same activity (PUT /activities/{id}). Tasks are Copper tasks related to the person; notes are activities of
// the built-in Note type (id 0). A retried log with the same call id finds the activity among the person's calls; a
// retried call-back task finds the task among the person's related tasks by the same "Call id:" line.
import { normalizePhone } from '../../core/phone';
import { PatchbayError } from '../../core/errors';
import type { CrmOperations, ResolvedCallLog } from '../kit/define-crm-connector';
import { defaultCallSubject, notesWithTranscript, type RecordRef } from '../kit/crm-contract';
import { callDetailLines, callIdLine, splitCallDescription, joinCallDescription, setDescriptionLine, mergeCallNotes, durationText } from '../kit/call-description';
import type { ChangedPage, ConnectorCall, ObjectKind } from '../kit/contact-source';
import { copperId, createCopperClient, COPPER_MAX_PAGE, type CopperClient } from './client';
import { mapCompany, mapPerson, type CopperCompany, type CopperPerson } from './map-contact';

interface Activity { id: number; type: { id: number; category: string }; parent: { id: number; type: string }; details: string; user_id: number | null; activity_date: number }
interface ActivityType { id: number; category: string; name: string; is_disabled?: boolean }
interface CopperUser { id: number; name: string; email: string }

const NOTE_TYPE = { category: 'user', id: 0 } as const;
const ref = (type: string, id: number | string, url: string | null): RecordRef => ({ system: 'copper', type, id: String(id), url });
const entityOf = (kind: ObjectKind) => (kind === 'company' ? 'companies' : 'people');
const map = (client: CopperClient, kind: ObjectKind, r: CopperPerson & CopperCompany) => (kind === 'company' ? mapCompany(r, client.recordUrl) : mapPerson(r, client.recordUrl));

/** The account's Phone Call activity type (its id differs per Copper account), cached per connection for ten minutes. */
const phoneTypeCache = new Map<string, { id: number; until: number }>();
async function phoneCallType(client: CopperClient, call: ConnectorCall): Promise<{ category: 'user'; id: number }> {
  const key = `${call.conn.id}|${call.conn.baseUrl}`;
  const hit = phoneTypeCache.get(key);
  if (hit && hit.until > Date.now()) return { category: 'user', id: hit.id };
  const types = await client.get<{ user: ActivityType[] }>('/activity_types');
  const phone = types.user.find((t) => /^phone call$/i.test(t.name) && !t.is_disabled);
  if (!phone) throw new PatchbayError('upstream_error', 'Copper has no enabled "Phone Call" activity type: enable it under Settings → Activity types');
  phoneTypeCache.set(key, { id: phone.id, until: Date.now() + 600_000 });
  return { category: 'user', id: phone.id };
}

function callDetails(log: ResolvedCallLog): string {
  return [log.subject ?? defaultCallSubject(log), ...callDetailLines(log)].join('\n');
}

function parentOf(x: { contactId?: string; companyId?: string }): { type: 'person' | 'company'; id: number } | null {
  const person = copperId(x.contactId, 'contactId');
  if (person) return { type: 'person', id: person };
  const company = copperId(x.companyId, 'companyId');
  return company ? { type: 'company', id: company } : null;
}

function requireParent(x: { contactId?: string; companyId?: string }, what: string) {
  const p = parentOf(x);
  if (!p) throw new PatchbayError('invalid_params', `Copper keeps ${what} on a person or company: give contactId or companyId`, { path: ['contactId'] });
  return p;
}

async function findLoggedCall(client: CopperClient, type: { category: 'user'; id: number }, parent: { type: string; id: number }, callId: string): Promise<Activity | null> {
  const line = callIdLine(callId);
  for (let page = 1; page <= 10; page++) {
    const rows = (await client.request<Activity[]>({ method: 'POST', path: '/activities/search', body: { parent, activity_types: [type], page_size: COPPER_MAX_PAGE, page_number: page }, retry: true })).body ?? [];
    const hit = rows.find((a) => a.details.split('\n').includes(line));
    if (hit || rows.length < COPPER_MAX_PAGE) return hit ?? null;
  }
  return null;
}

/**
 * The task made for this call on the same person (or company). Copper's task search has no filter by related record,
 * so the record's related tasks (GET /people/{id}/related/tasks: identifiers only) are read in full by their ids
 * (POST /tasks/search with ids), where the "Call id:" line of the details names the call.
 */
async function findCallBackTask(client: CopperClient, parent: { type: 'person' | 'company'; id: number }, callId: string): Promise<number | null> {
  const line = callIdLine(callId);
  const related = await client.get<{ id: number; type: string }[]>(`/${entityOf(parent.type)}/${parent.id}/related/tasks`);
  const ids = related.filter((r) => r.type === 'task').map((r) => r.id);
  for (let i = 0; i < ids.length; i += COPPER_MAX_PAGE) {
    const chunk = ids.slice(i, i + COPPER_MAX_PAGE);
    const rows = (await client.request<{ id: number; details: string | null }[]>({ method: 'POST', path: '/tasks/search', body: { ids: chunk, page_size: COPPER_MAX_PAGE, page_number: 1 }, retry: true })).body ?? [];
    const hit = rows.find((t) => (t.details ?? '').split('\n').includes(line));
    if (hit) return hit.id;
  }
  return null;
}

interface Cursor { t: number; id: number }
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (Number.isInteger(c.t) && Number.isInteger(c.id)) return c;
  } catch { /* fall through */ }
  throw new PatchbayError('invalid_params', 'This Copper sync cursor is not valid; start the sync from the beginning', { path: ['cursor'] });
}

async function* listChanged(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<ChangedPage> {
  const client = createCopperClient(call);
  const from = opts.cursor ? decodeCursor(opts.cursor) : null;
  const pages = client.searchAll<CopperPerson & CopperCompany>(entityOf(opts.kind), { dateField: 'date_modified', from: from?.t, pageSize: opts.pageSize ?? COPPER_MAX_PAGE });
  for await (const page of pages) {
    // minimum_modified_date is inclusive and Copper keeps seconds: the records of the cursor's second up to its id were delivered.
    const fresh = from ? page.filter((r) => (r.date_modified ?? 0) > from.t || ((r.date_modified ?? 0) === from.t && r.id > from.id)) : page;
    if (!fresh.length) continue;
    const last = fresh[fresh.length - 1];
    yield { kind: opts.kind, contacts: fresh.map((r) => map(client, opts.kind, r)), cursor: encodeCursor({ t: last.date_modified ?? 0, id: last.id }) };
  }
}

async function* listAllIds(call: ConnectorCall, opts: { kind: ObjectKind; pageSize?: number }): AsyncGenerator<string[]> {
  const client = createCopperClient(call);
  for await (const page of client.searchAll<{ id: number }>(entityOf(opts.kind), { dateField: 'date_created', pageSize: opts.pageSize ?? COPPER_MAX_PAGE })) {
    yield page.map((r) => String(r.id));
  }
}

export const copperCrmOperations: CrmOperations = {
  async findContactsByPhone(call, args) {
    const parsed = normalizePhone(args.phone, args.defaultCountry);
    if (!parsed.e164) return [];
    const client = createCopperClient(call);
    // Copper matches the digits given inside each stored number's digits: the national number finds it however it
    // was typed (with or without the country code); the E.164 comparison here drops other countries' lookalikes.
    const national = (parsed.national ?? '').replace(/\D/g, '').replace(/^0+/, '');
    const out = [];
    for (let page = 1; page <= 5; page++) {
      const { records } = await client.search<CopperPerson & CopperCompany>(entityOf(args.kind), { phone_number: national || parsed.e164, page_size: COPPER_MAX_PAGE, page_number: page, sort_by: 'date_modified', sort_direction: 'desc' });
      for (const r of records) {
        const u = map(client, args.kind, r);
        if (u.phones.some((p) => normalizePhone(p, u.country ?? args.defaultCountry).e164 === parsed.e164)) out.push(u);
      }
      if (records.length < COPPER_MAX_PAGE || out.length >= 20) break;
    }
    return out;
  },
  async getContact(call, args) {
    if (!/^[1-9]\d{0,15}$/.test(args.id.trim())) return null;
    const client = createCopperClient(call);
    const r = await client.getOrNull<CopperPerson & CopperCompany>(`/${entityOf(args.kind)}/${args.id.trim()}`);
    return r ? map(client, args.kind, r) : null;
  },
  listChanged,
  listAllIds,
  async countChanged(call, args) {
    const from = args.cursor ? decodeCursor(args.cursor) : null;
    const { total } = await createCopperClient(call).search(entityOf(args.kind), { page_size: 1, page_number: 1, ...(from ? { minimum_modified_date: from.t } : {}) });
    return total;
  },
  async findUserByEmail(call, args) {
    const client = createCopperClient(call);
    const email = args.email.toLowerCase();
    for (let page = 1; page <= 50; page++) {
      const users = (await client.request<CopperUser[]>({ method: 'POST', path: '/users/search', body: { page_size: COPPER_MAX_PAGE, page_number: page }, retry: true })).body ?? [];
      const hit = users.find((u) => u.email.toLowerCase() === email);
      if (hit) return { id: String(hit.id), name: hit.name, email: hit.email };
      if (users.length < COPPER_MAX_PAGE) break;
    }
    return null;
  },
  async createContact(call, a) {
    const client = createCopperClient(call);
    const name = [a.firstName, a.lastName].filter(Boolean).join(' ') || a.company || a.email || a.phone || 'Unknown caller';
    const person = await client.send<CopperPerson>('POST', '/people', {
      name, ...(a.firstName ? { first_name: a.firstName } : {}), ...(a.lastName ? { last_name: a.lastName } : {}),
      emails: a.email ? [{ email: a.email, category: 'work' }] : [],
      phone_numbers: [...(a.phone ? [{ number: a.phone, category: 'work' }] : []), ...(a.mobile ? [{ number: a.mobile, category: 'mobile' }] : [])],
      ...(a.country ? { address: { country: a.country } } : {}),
      ...(a.ownerId ? { assignee_id: copperId(a.ownerId, 'owner') } : {}),
    });
    const contact = mapPerson(person, client.recordUrl);
    return { ref: ref('person', person.id, contact.crmUrl ?? null), contact };
  },
  async logCall(call, log) {
    const client = createCopperClient(call);
    const parent = requireParent(log, 'call activities');
    const type = await phoneCallType(client, call);
    if (log.callId) {
      const existing = await findLoggedCall(client, type, parent, log.callId);
      if (existing) return ref('activity', existing.id, client.recordUrl(parent.type, parent.id));
    }
    const notes = notesWithTranscript(log.notes, log.transcript);
    const activity = await client.send<Activity>('POST', '/activities', {
      type, parent, details: notes ? `${callDetails(log)}\n\n${notes}` : callDetails(log),
      activity_date: Math.floor(Date.parse(log.startedAt) / 1000),
      ...(log.agentId ? { user_id: copperId(log.agentId, 'agent') } : {}),
    });
    return ref('activity', activity.id, client.recordUrl(parent.type, parent.id));
  },
  async updateCallLog(call, r, ch) {
    const client = createCopperClient(call);
    const id = copperId(r.id, 'ref.id')!;
    const current = await client.get<Activity>(`/activities/${id}`);
    let { head, notes } = splitCallDescription(current.details);
    if (ch.subject) head = [ch.subject, ...head.split('\n').slice(1)].join('\n');
    if (ch.status) {
      head = setDescriptionLine(head, 'Result', ch.status);
      if (!ch.subject) head = head.replace(/^([^\n]*?)(?: \([a-z]+\))?(\n|$)/, (_m, title: string, nl: string) => `${title}${ch.status === 'answered' ? '' : ` (${ch.status})`}${nl}`);
    }
    if (ch.durationSec !== undefined) head = setDescriptionLine(head, 'Duration', durationText(ch.durationSec));
    if (ch.recordingUrl) head = setDescriptionLine(head, 'Recording', ch.recordingUrl);
    notes = mergeCallNotes(notes, ch);
    const details = joinCallDescription(head, notes);
    if (details !== current.details) await client.send('PUT', `/activities/${id}`, { details });
    return { ref: r, note: null };
  },
  async createTask(call, t) {
    const client = createCopperClient(call);
    const parent = parentOf(t);
    // A call-back carries its call's id in the details: a create replayed after the worker died before Patchbay kept
    // the ref finds the task among the person's (or company's) related tasks instead of making a second one.
    if (t.callId && parent) {
      const existing = await findCallBackTask(client, parent, t.callId);
      if (existing) return ref('task', existing, client.recordUrl('task', existing));
    }
    const details = t.callId ? joinCallDescription(callIdLine(t.callId), t.notes) : t.notes;
    const task = await client.send<{ id: number }>('POST', '/tasks', {
      name: t.subject, status: 'Open', priority: 'None', due_date: Math.floor((t.due ? Date.parse(t.due) : Date.now()) / 1000),
      ...(details ? { details } : {}),
      ...(parent ? { related_resource: parent } : {}),
      ...(t.ownerId ? { assignee_id: copperId(t.ownerId, 'owner') } : {}),
    });
    return ref('task', task.id, client.recordUrl('task', task.id));
  },
  async addNote(call, n) {
    const client = createCopperClient(call);
    const parent = requireParent(n, 'notes');
    const note = await client.send<{ id: number }>('POST', '/activities', { type: NOTE_TYPE, parent, details: n.body });
    return ref('activity', note.id, client.recordUrl(parent.type, parent.id));
  },
};
