// ActiveCampaign under the CRM contract. A call is logged the way ActiveCampaign's own call logging does it: a
// completed task of the account's "Call" task type on the contact (reltype Subscriber), assigned to the agent, due
// when the call started, the call details in its note field; plus a note on the contact (POST /notes, reltype
// Subscriber) that carries the same details and the agent's notes and transcript. Both can be edited, so updates
// change the same task and the same note (the note is found again by its "Call id:" line; a note lost between the
// two writes is written by the retry or the next update). A call-back is an open "Call" task whose note opens with
// its call's "Call id:" line alone (a retried create finds it by that line); a note is a contact note. Contacts have no owner and one phone field; accounts are not used (supportsCompanies false).
import { normalizePhone } from '../../core/phone';
import { PatchbayError } from '../../core/errors';
import type { CrmOperations, ResolvedCallLog } from '../kit/define-crm-connector';
import { defaultCallSubject, notesWithTranscript, type RecordRef } from '../kit/crm-contract';
import { callDetailLines, callIdLine, durationText, joinCallDescription, mergeCallNotes, setDescriptionLine, splitCallDescription, subjectWithStatus } from '../kit/call-description';
import type { ChangedPage, ConnectorCall, ObjectKind } from '../kit/contact-source';
import { acId, AC_MAX_PAGE, createAcClient, type AcClient } from './client';
import { mapContact, type AcContact } from './map-contact';

interface DealTask { id: string; title: string | null; note: string | null; relid: string; reltype: string; dealTasktype: string; status: number | string; assignee: string | null; duedate: string }
interface AcNote { id: string; note: string; relid: string; reltype: string }
interface AcUser { id: string; username: string; firstName: string; lastName: string; email: string }

const ref = (type: string, id: string, url: string | null): RecordRef => ({ system: 'activecampaign', type, id, url });
const userOf = (u: AcUser) => ({ id: String(u.id), name: [u.firstName, u.lastName].filter(Boolean).join(' ') || u.username, email: u.email, firstName: u.firstName || null, lastName: u.lastName || null });

/** The account's "Call" task type (ids differ per account), cached per connection for ten minutes. */
const callTypeCache = new Map<string, { id: string; until: number }>();
async function callTaskType(client: AcClient, call: ConnectorCall): Promise<string> {
  const key = `${call.conn.id}|${call.conn.baseUrl}`;
  const hit = callTypeCache.get(key);
  if (hit && hit.until > Date.now()) return hit.id;
  const { dealTasktypes } = await client.get<{ dealTasktypes: { id: string; title: string }[] }>('/dealTasktypes', { limit: AC_MAX_PAGE });
  const type = dealTasktypes.find((t) => /^call$/i.test(t.title.trim()));
  if (!type) throw new PatchbayError('upstream_error', 'ActiveCampaign has no "Call" task type: add it under Settings → Deals → Task types');
  callTypeCache.set(key, { id: String(type.id), until: Date.now() + 600_000 });
  return String(type.id);
}

function requireContact(x: { contactId?: string }, what: string): string {
  const id = acId(x.contactId, 'contactId');
  if (!id) throw new PatchbayError('invalid_params', `ActiveCampaign keeps ${what} on a contact: give contactId`, { path: ['contactId'] });
  return id;
}

/** The line a note is found again by: the phone system's call id, else the task it belongs to. */
const noteKeyLine = (callId: string | null, taskId: string) => (callId ? callIdLine(callId) : `Call task: ${taskId}`);
const callIdOf = (details: string | null | undefined) => /^Call id: (.*)$/m.exec(details ?? '')?.[1] ?? null;

async function* pagesOf<T>(client: AcClient, path: string, key: string, query: Record<string, string | number | undefined>, max = 50): AsyncGenerator<T[]> {
  for (let page = 0; page < max; page++) {
    const body = await client.get<Record<string, unknown>>(path, { ...query, limit: AC_MAX_PAGE, offset: page * AC_MAX_PAGE });
    const rows = (body[key] as T[] | undefined) ?? [];
    if (rows.length) yield rows;
    if (rows.length < AC_MAX_PAGE) return;
  }
}

/**
 * A call log and the call-back after it are both "Call" tasks on the contact carrying the same "Call id:" line: the
 * call-back's note opens with that line alone (then a blank line and the notes), a call log's with its details.
 */
const isCallBack = (t: DealTask, line: string) => splitCallDescription(t.note ?? '').head === line;

async function findCallTask(client: AcClient, contactId: string, typeId: string, callId: string): Promise<DealTask | null> {
  const line = callIdLine(callId);
  for await (const rows of pagesOf<DealTask>(client, '/dealTasks', 'dealTasks', { 'filters[reltype]': 'Subscriber', 'filters[relid]': contactId, 'filters[d_tasktypeid]': typeId, 'filters[status]': 1 })) {
    // A completed call-back of the same call is not this call's log.
    const hit = rows.find((t) => (t.note ?? '').split('\n').includes(line) && !isCallBack(t, line));
    if (hit) return hit;
  }
  return null;
}

/** The call-back task made for this call on the contact, open or already done (no status filter). */
async function findCallBackTask(client: AcClient, contactId: string, typeId: string, callId: string): Promise<DealTask | null> {
  const line = callIdLine(callId);
  for await (const rows of pagesOf<DealTask>(client, '/dealTasks', 'dealTasks', { 'filters[reltype]': 'Subscriber', 'filters[relid]': contactId, 'filters[d_tasktypeid]': typeId })) {
    const hit = rows.find((t) => isCallBack(t, line));
    if (hit) return hit;
  }
  return null;
}

async function findCallNote(client: AcClient, contactId: string, keyLine: string): Promise<AcNote | null> {
  const { notes } = await client.get<{ notes: AcNote[] }>(`/contacts/${contactId}/notes`);
  return (notes ?? []).find((n) => n.note.split('\n').includes(keyLine)) ?? null;
}

/** The note's text: the task's title and details, a blank line, then the notes. */
const noteText = (title: string, details: string, keyLine: string, notes: string) =>
  joinCallDescription([title, ...details.split('\n'), ...(details.split('\n').includes(keyLine) ? [] : [keyLine])].join('\n'), notes);

async function writeNote(client: AcClient, contactId: string, existing: AcNote | null, text: string): Promise<AcNote> {
  if (existing) return existing.note === text ? existing : (await client.send<{ note: AcNote }>('PUT', `/notes/${existing.id}`, { note: { note: text, relid: contactId, reltype: 'Subscriber' } })).note;
  return (await client.send<{ note: AcNote }>('POST', '/notes', { note: { note: text, relid: contactId, reltype: 'Subscriber' } })).note;
}

// Changed-since: ActiveCampaign filters by filters[updated_after] (strictly after, to the second) and pages by id
// (id_greater); it cannot sort by update time. A window walks every contact updated after `t` by id; when it ends,
// the next window starts a second before the newest update seen (m) and skips the contacts of that second it has
// already delivered, so nothing updated in that same second is lost and nothing comes twice.
interface Cursor {
  t: number | null; id: string;
  /** Contacts (ids) of second skipT delivered by the previous windows. */
  skipT: number | null; skip: string[];
  /** The newest update seen in this window, and the ids of that second delivered in it. */
  m: number | null; atM: string[];
}
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.id === 'string' && Array.isArray(c.skip) && Array.isArray(c.atM)) return c;
  } catch { /* fall through */ }
  throw new PatchbayError('invalid_params', 'The sync cursor is not an ActiveCampaign cursor: start a full sync', { path: ['cursor'] });
}

async function* listChanged(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<ChangedPage> {
  if (opts.kind !== 'person') return;
  const client = createAcClient(call);
  const size = Math.max(1, Math.min(AC_MAX_PAGE, opts.pageSize ?? AC_MAX_PAGE));
  const input = opts.cursor ?? '';
  let c: Cursor = opts.cursor ? decodeCursor(opts.cursor) : { t: null, id: '0', skipT: null, skip: [], m: null, atM: [] };
  const stamp = (r: AcContact) => Date.parse(r.udate ?? '') || 0;
  for (;;) {
    const { contacts } = await client.get<{ contacts: AcContact[] }>('/contacts', {
      limit: size, id_greater: c.id, ...(c.t !== null ? { 'filters[updated_after]': new Date(c.t).toISOString() } : {}),
    });
    const rows = contacts ?? [];
    const fresh = rows.filter((r) => !(stamp(r) === c.skipT && c.skip.includes(String(r.id))));
    let { m, atM } = c;
    for (const r of rows) {
      const t = stamp(r);
      if (m === null || t > m) { m = t; atM = [String(r.id)]; } else if (t === m) atM = [...atM, String(r.id)];
    }
    const page = fresh.map((r) => mapContact(r, client.recordUrl));
    if (rows.length === size) {
      c = { ...c, id: String(rows.at(-1)!.id), m, atM };
      if (page.length) yield { kind: 'person', contacts: page, cursor: encodeCursor(c) };
      continue;
    }
    const next: Cursor = m === null
      ? { t: c.t, id: '0', skipT: c.skipT, skip: c.skip, m: null, atM: [] }
      : { t: m - 1000, id: '0', skipT: m, skip: m === c.skipT ? [...new Set([...c.skip, ...atM])] : atM, m: null, atM: [] };
    const cursor = encodeCursor(next);
    if (page.length || cursor !== input) yield { kind: 'person', contacts: page, cursor };
    return;
  }
}

async function* listAllIds(call: ConnectorCall, opts: { kind: ObjectKind; pageSize?: number }): AsyncGenerator<string[]> {
  if (opts.kind !== 'person') return;
  const client = createAcClient(call);
  const size = Math.max(1, Math.min(AC_MAX_PAGE, opts.pageSize ?? AC_MAX_PAGE));
  let after = '0';
  for (;;) {
    const { contacts } = await client.get<{ contacts: AcContact[] }>('/contacts', { limit: size, id_greater: after });
    const rows = contacts ?? [];
    if (rows.length) yield rows.map((r) => String(r.id));
    if (rows.length < size) return;
    after = String(rows.at(-1)!.id);
  }
}

function callTitle(log: ResolvedCallLog): string {
  return log.subject ?? defaultCallSubject(log);
}

export const acCrmOperations: CrmOperations = {
  async findContactsByPhone(call, args) {
    if (args.kind !== 'person') return [];
    const parsed = normalizePhone(args.phone, args.defaultCountry);
    if (!parsed.e164) return [];
    const client = createAcClient(call);
    // ActiveCampaign's search matches text inside the stored number as typed ("(202) 200-0000", "+44 20 …"): the
    // last four digits appear unbroken in every common format; the E.164 comparison keeps only the caller's number.
    const last4 = parsed.e164.slice(-4);
    const out = [];
    for await (const rows of pagesOf<AcContact>(client, '/contacts', 'contacts', { search: last4 }, 10)) {
      for (const r of rows) {
        const u = mapContact(r, client.recordUrl);
        if (u.phones.some((p) => normalizePhone(p, args.defaultCountry).e164 === parsed.e164)) out.push(u);
      }
      if (out.length >= 20) break;
    }
    return out;
  },
  async getContact(call, args) {
    if (args.kind !== 'person' || !/^[1-9]\d{0,15}$/.test(args.id.trim())) return null;
    const client = createAcClient(call);
    const r = await client.getOrNull<{ contact: AcContact }>(`/contacts/${args.id.trim()}`);
    return r ? mapContact(r.contact, client.recordUrl) : null;
  },
  listChanged,
  listAllIds,
  async countChanged(call, args) {
    if (args.kind !== 'person') return 0;
    const c = args.cursor ? decodeCursor(args.cursor) : null;
    const body = await createAcClient(call).get<{ meta: { total: string } }>('/contacts', { limit: 1, ...(c?.t != null ? { 'filters[updated_after]': new Date(c.t).toISOString() } : {}) });
    return Number(body.meta?.total ?? NaN) || 0;
  },
  async findUserByEmail(call, args) {
    const client = createAcClient(call);
    const r = await client.getOrNull<{ user: AcUser }>(`/users/email/${encodeURIComponent(args.email)}`);
    return r?.user && r.user.email.toLowerCase() === args.email.toLowerCase() ? userOf(r.user) : null;
  },
  async *listUsers(call) {
    const client = createAcClient(call);
    for await (const rows of pagesOf<AcUser>(client, '/users', 'users', {})) yield rows.map(userOf);
  },
  async createContact(call, a) {
    const client = createAcClient(call);
    const { contact } = await client.send<{ contact: AcContact }>('POST', '/contacts', {
      contact: { ...(a.email ? { email: a.email } : {}), ...(a.firstName ? { firstName: a.firstName } : {}), ...(a.lastName ? { lastName: a.lastName } : {}), ...(a.phone || a.mobile ? { phone: a.phone ?? a.mobile } : {}) },
    });
    const mapped = mapContact(contact, client.recordUrl);
    return { ref: ref('contact', String(contact.id), mapped.crmUrl ?? null), contact: mapped };
  },
  async logCall(call, log) {
    const client = createAcClient(call);
    const contactId = requireContact(log, 'calls');
    const typeId = await callTaskType(client, call);
    const notes = notesWithTranscript(log.notes, log.transcript) ?? '';
    let task = log.callId ? await findCallTask(client, contactId, typeId, log.callId) : null;
    if (!task) {
      const started = Date.parse(log.startedAt);
      task = (await client.send<{ dealTask: DealTask }>('POST', '/dealTasks', {
        dealTask: {
          title: callTitle(log), ownerType: 'contact', relid: contactId, status: 1, note: callDetailLines(log).join('\n'),
          duedate: new Date(started).toISOString(), edate: log.endedAt ?? new Date(started + log.durationSec * 1000).toISOString(),
          dealTasktype: typeId, ...(log.agentId ? { assignee: acId(log.agentId, 'agent') } : {}),
        },
      })).dealTask;
    }
    // The note: written once; a retry after a lost note writes it now.
    const keyLine = noteKeyLine(log.callId ?? null, task.id);
    const existing = await findCallNote(client, contactId, keyLine);
    if (!existing) await writeNote(client, contactId, null, noteText(task.title ?? callTitle(log), task.note ?? '', keyLine, notes));
    return ref('dealTask', String(task.id), client.recordUrl('contact', contactId));
  },
  async updateCallLog(call, r, ch) {
    const client = createAcClient(call);
    const id = acId(r.id, 'ref.id')!;
    const { dealTask: task } = await client.get<{ dealTask: DealTask }>(`/dealTasks/${id}`);
    let title = task.title ?? '';
    let details = task.note ?? '';
    if (ch.subject) title = ch.subject;
    if (ch.status) {
      details = setDescriptionLine(details, 'Result', ch.status);
      if (!ch.subject) title = subjectWithStatus(title, ch.status);
    }
    if (ch.durationSec !== undefined) details = setDescriptionLine(details, 'Duration', durationText(ch.durationSec));
    if (ch.recordingUrl) details = setDescriptionLine(details, 'Recording', ch.recordingUrl);
    if (title !== (task.title ?? '') || details !== (task.note ?? '')) await client.send('PUT', `/dealTasks/${id}`, { dealTask: { title, note: details } });
    const keyLine = noteKeyLine(callIdOf(details), task.id);
    const existing = await findCallNote(client, task.relid, keyLine);
    const notes = mergeCallNotes(existing ? splitCallDescription(existing.note).notes : '', ch);
    const note = await writeNote(client, task.relid, existing, noteText(title, details, keyLine, notes));
    return { ref: r, note: ref('note', String(note.id), client.recordUrl('contact', task.relid)) };
  },
  async createTask(call, t) {
    const client = createAcClient(call);
    const contactId = requireContact(t, 'tasks');
    const typeId = await callTaskType(client, call);
    // A call-back carries its call's id at the head of its note: a create replayed after the worker died before
    // Patchbay kept the ref finds the task among the contact's Call tasks instead of making a second one.
    if (t.callId) {
      const existing = await findCallBackTask(client, contactId, typeId, t.callId);
      if (existing) return ref('dealTask', String(existing.id), client.recordUrl('contact', contactId));
    }
    const due = t.due ? Date.parse(t.due) : Date.now();
    const note = t.callId ? joinCallDescription(callIdLine(t.callId), t.notes) : t.notes ?? null;
    const { dealTask } = await client.send<{ dealTask: DealTask }>('POST', '/dealTasks', {
      dealTask: {
        title: t.subject, ownerType: 'contact', relid: contactId, status: 0, note, duedate: new Date(due).toISOString(), edate: new Date(due + 15 * 60_000).toISOString(),
        dealTasktype: typeId, ...(t.ownerId ? { assignee: acId(t.ownerId, 'owner') } : {}),
      },
    });
    return ref('dealTask', String(dealTask.id), client.recordUrl('contact', contactId));
  },
  async addNote(call, n) {
    const client = createAcClient(call);
    const contactId = requireContact(n, 'notes');
    const note = await writeNote(client, contactId, null, n.body);
    return ref('note', String(note.id), client.recordUrl('contact', contactId));
  },
};

