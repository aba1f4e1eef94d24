// SugarCRM under the CRM contract. A call is a Calls record (direction Inbound/Outbound, status Held or Not Held,
// date_start, duration_hours/duration_minutes, parent = the contact or account, assigned to the agent, the
// contact linked through the `contacts` relationship) whose description holds the call details (the contract's
// outcome, numbers, recording and the phone system's call id) and the notes, plus a Note related to the call and
// the contact carrying the notes and transcript. Updates change the same call (PUT /Calls/{id}) and its note.
// A retried log with the same call id finds the call by its "Call id:" line among the contact's calls.
import { normalizePhone } from '../../core/phone';
import { PatchbayError } from '../../core/errors';
import type { CrmOperations, ResolvedCallLog } from '../kit/define-crm-connector';
import { defaultCallSubject, notesWithTranscript, type CallStatus, type RecordRef } from '../kit/crm-contract';
import { callDetailLines, callIdLine, splitCallDescription, joinCallDescription, setDescriptionLine, durationText } from '../kit/call-description';
import type { ChangedPage, ConnectorCall, ObjectKind } from '../kit/contact-source';
import { createSugarClient, sugarId, SUGAR_MAX_PAGE, type SugarClient } from './client';
import { ACCOUNT_FIELDS, ACCOUNT_PHONE_FIELDS, CONTACT_FIELDS, CONTACT_PHONE_FIELDS, mapAccount, mapContact, type SugarAccount, type SugarContact } from './map-contact';

interface SugarCall { id: string; name: string; direction: string; status: string; description?: string | null; parent_type?: string | null; parent_id?: string | null; assigned_user_id?: string | null }
interface SugarNote { id: string; name: string; description?: string | null; parent_type?: string | null; parent_id?: string | null; contact_id?: string | null }
interface SugarUser { id: string; user_name: string; full_name?: string; first_name?: string; last_name?: string; email?: { email_address: string; primary_address?: boolean }[]; email1?: string; status?: string }

const ref = (type: string, id: string, url: string | null): RecordRef => ({ system: 'sugarcrm', type, id, url });
const moduleFor = (kind: ObjectKind) => (kind === 'company' ? 'Accounts' : 'Contacts');

/** Sugar's own Calls statuses are Planned/Held/Not Held: a call that reached a person is Held, anything else Not Held. */
const SUGAR_STATUS: Record<CallStatus, 'Held' | 'Not Held'> = { answered: 'Held', transferred: 'Held', missed: 'Not Held', declined: 'Not Held', busy: 'Not Held', voicemail: 'Not Held', failed: 'Not Held' };


/** The details block of a call's description; the notes follow after a blank line. */
function callDetails(log: ResolvedCallLog): string {
  return callDetailLines(log).join('\n');
}


/** Groupings a typed number's last four digits take ("0142", "01 42", "01-42", "01.42"). */
function lastFourVariants(e164: string): string[] {
  const d = e164.slice(-4);
  return [d, `${d.slice(0, 2)} ${d.slice(2)}`, `${d.slice(0, 2)}-${d.slice(2)}`, `${d.slice(0, 2)}.${d.slice(2)}`];
}

async function findByPhone(client: SugarClient, kind: ObjectKind, phone: string, defaultCountry?: string | null) {
  const wanted = normalizePhone(phone, defaultCountry).e164;
  if (!wanted) return [];
  const fields = kind === 'company' ? ACCOUNT_PHONE_FIELDS : CONTACT_PHONE_FIELDS;
  // Sugar keeps numbers as typed and filters by text: narrow by the last four digits on the server, then compare
  // the numbers in E.164 here (each in the record's own country).
  const filter = [{ $or: fields.flatMap((f) => lastFourVariants(wanted).map((v) => ({ [f]: { $ends: v } }))) }];
  const out = [];
  for await (const page of client.filterPages<SugarContact & SugarAccount>(moduleFor(kind), { filter, fields: kind === 'company' ? ACCOUNT_FIELDS : CONTACT_FIELDS, order_by: 'date_modified:DESC', max_num: 200 })) {
    for (const r of page) {
      const u = kind === 'company' ? mapAccount(r, client.recordUrl) : mapContact(r, client.recordUrl);
      if (u.phones.some((p) => normalizePhone(p, u.country ?? defaultCountry).e164 === wanted)) out.push(u);
    }
    if (out.length >= 20) break;
  }
  return out;
}

interface Cursor { t: string; id: string }
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.t === 'string' && Number.isFinite(Date.parse(c.t)) && typeof c.id === 'string') return c;
  } catch { /* fall through */ }
  throw new PatchbayError('invalid_params', 'This SugarCRM sync cursor is not valid; start the sync from the beginning', { path: ['cursor'] });
}

/** Changed since the cursor: date_modified ≥ its second (Sugar keeps seconds), records of that second up to its id skipped. */
const changedFilter = (from: Cursor | null) => (from ? [{ date_modified: { $gte: from.t } }] : undefined);
const isAfter = (r: { id: string; date_modified?: string }, from: Cursor | null) => {
  if (!from) return true;
  const t = Date.parse(r.date_modified ?? ''), f = Date.parse(from.t);
  return t > f || (t === f && r.id > from.id);
};

async function* listChanged(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<ChangedPage> {
  const client = createSugarClient(call);
  const from = opts.cursor ? decodeCursor(opts.cursor) : null;
  const max = Math.max(1, Math.min(SUGAR_MAX_PAGE, Math.floor(opts.pageSize ?? 500)));
  const pages = client.filterPages<SugarContact & SugarAccount>(moduleFor(opts.kind), {
    filter: changedFilter(from), fields: opts.kind === 'company' ? ACCOUNT_FIELDS : CONTACT_FIELDS, order_by: 'date_modified:ASC,id:ASC', max_num: max,
  });
  for await (const page of pages) {
    const fresh = page.filter((r) => isAfter(r, from));
    if (!fresh.length) continue;
    const last = fresh[fresh.length - 1];
    yield {
      kind: opts.kind,
      contacts: fresh.map((r) => (opts.kind === 'company' ? mapAccount(r, client.recordUrl) : mapContact(r, client.recordUrl))),
      cursor: encodeCursor({ t: last.date_modified ?? new Date(0).toISOString(), id: last.id }),
    };
  }
}

async function* listAllIds(call: ConnectorCall, opts: { kind: ObjectKind; pageSize?: number }): AsyncGenerator<string[]> {
  const client = createSugarClient(call);
  const max = Math.max(1, Math.min(SUGAR_MAX_PAGE, Math.floor(opts.pageSize ?? SUGAR_MAX_PAGE)));
  for await (const page of client.filterPages<{ id: string }>(moduleFor(opts.kind), { fields: 'id', order_by: 'id:ASC', max_num: max })) {
    if (page.length) yield page.map((r) => r.id);
  }
}

/** The call (or call-back task) already made with this call id on the same record, if any. */
async function findByCallId(client: SugarClient, module: 'Calls' | 'Tasks', callId: string, parent: { type: string; id: string }): Promise<{ id: string } | null> {
  const filter = [{ parent_type: parent.type }, { parent_id: parent.id }, { description: { $contains: callIdLine(callId) } }];
  for await (const page of client.filterPages<SugarCall>(module, { filter, fields: 'id,name,description,parent_type,parent_id', max_num: 50 })) {
    // $contains is a substring match: "Call id: a-1" also holds "Call id: a-10"; the whole line must match.
    const hit = page.find((c) => (c.description ?? '').split('\n').includes(callIdLine(callId)));
    if (hit) return hit;
  }
  return null;
}

async function callNote(client: SugarClient, callId: string): Promise<SugarNote | null> {
  for await (const page of client.filterPages<SugarNote>('Notes', { filter: [{ parent_type: 'Calls' }, { parent_id: callId }], fields: 'id,name,description,contact_id', max_num: 1 })) return page[0] ?? null;
  return null;
}

function parentOf(log: { contactId?: string; companyId?: string }): { type: 'Contacts' | 'Accounts'; id: string } | null {
  const contact = sugarId(log.contactId, 'contactId');
  if (contact) return { type: 'Contacts', id: contact };
  const account = sugarId(log.companyId, 'companyId');
  return account ? { type: 'Accounts', id: account } : null;
}

export const sugarCrmOperations: CrmOperations = {
  async findContactsByPhone(call, args) {
    return findByPhone(createSugarClient(call), args.kind, args.phone, args.defaultCountry);
  },
  async getContact(call, args) {
    const id = args.id.trim();
    if (!/^[A-Za-z0-9-]{1,36}$/.test(id)) return null;
    const client = createSugarClient(call);
    const module = moduleFor(args.kind);
    const r = await client.getOrNull<SugarContact & SugarAccount>(`/${module}/${encodeURIComponent(id)}`, { fields: args.kind === 'company' ? ACCOUNT_FIELDS : CONTACT_FIELDS });
    if (!r) return null;
    return args.kind === 'company' ? mapAccount(r, client.recordUrl) : mapContact(r, client.recordUrl);
  },
  listChanged,
  listAllIds,
  async countChanged(call, args) {
    const from = args.cursor ? decodeCursor(args.cursor) : null;
    // date_modified ≥ the cursor's second counts the records of that second already delivered too: an estimate.
    return createSugarClient(call).count(moduleFor(args.kind), changedFilter(from));
  },
  async findUserByEmail(call, args) {
    const client = createSugarClient(call);
    const email = args.email.toLowerCase();
    for await (const page of client.filterPages<SugarUser>('Users', { filter: [{ email: { $equals: args.email } }, { status: 'Active' }], fields: 'id,user_name,full_name,first_name,last_name,email,email1,status', max_num: 20 })) {
      for (const u of page) {
        const addresses = [...(u.email ?? []).map((e) => e.email_address), u.email1].filter((e): e is string => !!e);
        const hit = addresses.find((e) => e.toLowerCase() === email);
        if (hit) return { id: u.id, name: u.full_name || [u.first_name, u.last_name].filter(Boolean).join(' ') || u.user_name, email: hit };
      }
    }
    return null;
  },
  async createContact(call, a) {
    const client = createSugarClient(call);
    const rec = await client.send<SugarContact>('POST', '/Contacts', {
      first_name: a.firstName ?? '', last_name: a.lastName || a.company || a.email || a.phone || 'Unknown caller',
      ...(a.email ? { email: [{ email_address: a.email, primary_address: true }] } : {}),
      phone_work: a.phone ?? '', phone_mobile: a.mobile ?? '', primary_address_country: a.country ?? '',
      ...(a.ownerId ? { assigned_user_id: sugarId(a.ownerId, 'owner') } : {}),
    });
    const contact = mapContact(rec, client.recordUrl);
    return { ref: ref('Contacts', rec.id, contact.crmUrl ?? null), contact };
  },
  async logCall(call, log) {
    const client = createSugarClient(call);
    const parent = parentOf(log);
    if (log.callId && parent) {
      const existing = await findByCallId(client, 'Calls', log.callId, parent);
      if (existing) return ref('Calls', existing.id, client.recordUrl('Calls', existing.id));
    }
    const notes = notesWithTranscript(log.notes, log.transcript);
    const contactId = parent?.type === 'Contacts' ? parent.id : undefined;
    const created = await client.send<SugarCall>('POST', '/Calls', {
      name: log.subject ?? defaultCallSubject(log),
      direction: log.direction === 'inbound' ? 'Inbound' : 'Outbound',
      status: SUGAR_STATUS[log.status],
      date_start: new Date(log.startedAt).toISOString(),
      duration_hours: Math.floor(log.durationSec / 3600),
      duration_minutes: Math.round((log.durationSec % 3600) / 60),
      description: notes ? `${callDetails(log)}\n\n${notes}` : callDetails(log),
      ...(parent ? { parent_type: parent.type, parent_id: parent.id } : {}),
      ...(log.agentId ? { assigned_user_id: sugarId(log.agentId, 'agent') } : {}),
      ...(contactId ? { contacts: { add: [contactId] } } : {}),
    });
    if (notes || log.recordingUrl) {
      await client.send('POST', '/Notes', {
        name: `Notes: ${created.name}`, description: [notes, log.recordingUrl ? `Recording: ${log.recordingUrl}` : null].filter(Boolean).join('\n\n'),
        parent_type: 'Calls', parent_id: created.id, ...(contactId ? { contact_id: contactId } : {}),
        ...(log.agentId ? { assigned_user_id: log.agentId } : {}),
      });
    }
    return ref('Calls', created.id, client.recordUrl('Calls', created.id));
  },
  async updateCallLog(call, r, ch) {
    const client = createSugarClient(call);
    const id = sugarId(r.id, 'ref.id')!;
    const current = await client.get<SugarCall>(`/Calls/${id}`, { fields: 'id,name,status,description,parent_type,parent_id' });
    const put: Record<string, unknown> = {};
    let { head, notes } = splitCallDescription(current.description ?? '');
    if (ch.status) {
      put.status = SUGAR_STATUS[ch.status];
      head = setDescriptionLine(head, 'Result', ch.status);
      if (!ch.subject) put.name = current.name.replace(/ \([a-z]+\)$/, '') + (ch.status === 'answered' ? '' : ` (${ch.status})`);
    }
    if (ch.subject) put.name = ch.subject;
    if (ch.durationSec !== undefined) {
      put.duration_hours = Math.floor(ch.durationSec / 3600);
      put.duration_minutes = Math.round((ch.durationSec % 3600) / 60);
      head = setDescriptionLine(head, 'Duration', durationText(ch.durationSec));
    }
    if (ch.recordingUrl) head = setDescriptionLine(head, 'Recording', ch.recordingUrl);
    const newNotes = notesWithTranscript(ch.notes, ch.transcript);
    if (newNotes) notes = ch.notesMode === 'append' && notes ? `${notes}\n\n${newNotes}` : newNotes;
    if (ch.status || ch.durationSec !== undefined || ch.recordingUrl || newNotes) put.description = joinCallDescription(head, notes);
    if (Object.keys(put).length) await client.send('PUT', `/Calls/${id}`, put);
    if (newNotes || ch.recordingUrl) {
      const note = await callNote(client, id);
      const recording = ch.recordingUrl ?? /^Recording: (.*)$/m.exec(head)?.[1];
      const description = [notes, recording ? `Recording: ${recording}` : null].filter(Boolean).join('\n\n');
      if (note) await client.send('PUT', `/Notes/${note.id}`, { description });
      else await client.send('POST', '/Notes', { name: `Notes: ${String(put.name ?? current.name)}`, description, parent_type: 'Calls', parent_id: id, ...(current.parent_type === 'Contacts' && current.parent_id ? { contact_id: current.parent_id } : {}) });
    }
    return { ref: r, note: null };
  },
  async createTask(call, t) {
    const client = createSugarClient(call);
    const parent = parentOf(t);
    // A call-back carries its call's id in the description: a create replayed after the worker died before Patchbay
    // kept the ref finds the task on the same contact (or account) instead of making a second one.
    if (t.callId && parent) {
      const existing = await findByCallId(client, 'Tasks', t.callId, parent);
      if (existing) return ref('Tasks', existing.id, client.recordUrl('Tasks', existing.id));
    }
    const description = t.callId ? joinCallDescription(callIdLine(t.callId), t.notes) : t.notes ?? '';
    const task = await client.send<{ id: string }>('POST', '/Tasks', {
      name: t.subject, status: 'Not Started', priority: 'Medium', date_due: new Date(t.due ?? Date.now()).toISOString(), description,
      ...(parent ? { parent_type: parent.type, parent_id: parent.id } : {}),
      ...(parent?.type === 'Contacts' ? { contact_id: parent.id } : {}),
      ...(t.ownerId ? { assigned_user_id: sugarId(t.ownerId, 'owner') } : {}),
    });
    return ref('Tasks', task.id, client.recordUrl('Tasks', task.id));
  },
  async addNote(call, n) {
    const client = createSugarClient(call);
    const parent = parentOf(n)!;
    const firstLine = n.body.split('\n')[0].slice(0, 80);
    const note = await client.send<{ id: string }>('POST', '/Notes', {
      name: firstLine || 'Note', description: n.body, parent_type: parent.type, parent_id: parent.id,
      ...(parent.type === 'Contacts' ? { contact_id: parent.id } : {}),
    });
    return ref('Notes', note.id, client.recordUrl('Notes', note.id));
  },
};
