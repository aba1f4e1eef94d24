// Dynamics 365 under the CRM contract. A call is what Dynamics' own phone integrations log: a Phone Call activity
// (phonecalls) regarding the contact or account, owned by the agent, with directioncode, phonenumber, actualstart/
// actualend, actualdurationminutes, completed as Made (outgoing) or Received (incoming), leftvoicemail for a
// voicemail; its description starts with the call details (result, recording, the phone system's call id) and
// carries the notes after a blank line. A note (annotation) on the contact or account summarises the call.
// Updates change the same phone call in place: a completed activity is read-only in Dataverse, so it is reopened,
// changed and completed again. A retried log with the same call id finds the phone call by its "Call id:" line.
import { PatchbayError } from '../../core/errors';
import { normalizePhone } from '../../core/phone';
import type { CrmOperations, ResolvedCallLog } from '../kit/define-crm-connector';
import { defaultCallSubject, notesWithTranscript, type CallStatus, type RecordRef } from '../kit/crm-contract';
import { callIdLine, splitCallDescription, joinCallDescription, setDescriptionLine, mergeCallNotes, subjectWithStatus } from '../kit/call-description';
import type { ChangedPage, ConnectorCall, ObjectKind } from '../kit/contact-source';
import { createDynamicsClient, isGuid, odataString, toGuid, type DynamicsClient } from './client';
import { ACCOUNT_PHONE_FIELDS, ACCOUNT_SELECT, CONTACT_PHONE_FIELDS, CONTACT_SELECT, mapAccount, mapContact, type DataverseRow } from './map-contact';
import { hasNumber, phoneFilter, phoneFormats } from './phone-search';

const KIND = {
  person: { set: 'contacts', logical: 'contact', key: 'contactid', select: CONTACT_SELECT, phones: CONTACT_PHONE_FIELDS, map: mapContact },
  company: { set: 'accounts', logical: 'account', key: 'accountid', select: ACCOUNT_SELECT, phones: ACCOUNT_PHONE_FIELDS, map: mapAccount },
} as const;

const PHONECALL_SELECT = ['activityid', 'subject', 'description', 'directioncode', 'statecode', 'statuscode', 'leftvoicemail', '_regardingobjectid_value', '_ownerid_value'];
/** Completed phone calls: 2 Made (outgoing), 4 Received (incoming). */
const statusCodeOf = (outgoing: boolean) => (outgoing ? 2 : 4);

const ref = (client: DynamicsClient, type: string, id: string, on?: { logical: string; id: string }): RecordRef =>
  ({ system: 'dynamics', type, id, url: client.recordUrl(on?.logical ?? type, on?.id ?? id) });

/** The details block that opens the description; the notes follow after a blank line. */
function details(d: { status: CallStatus; recordingUrl?: string; callId?: string; from?: string; to?: string }): string {
  return [
    `Result: ${d.status}`,
    d.from ? `From: ${d.from}` : null,
    d.to ? `To: ${d.to}` : null,
    d.recordingUrl ? `Recording: ${d.recordingUrl}` : null,
    d.callId ? callIdLine(d.callId) : null,
  ].filter(Boolean).join('\n');
}

/** The activity's Regarding: Dataverse names the navigation property per target and activity (regardingobjectid_contact_phonecall). */
function regardingBind(activity: 'phonecall' | 'task', contactId?: string, companyId?: string): Record<string, string> {
  const contact = toGuid(contactId, 'contactId');
  const account = toGuid(companyId, 'companyId');
  if (contact) return { [`regardingobjectid_contact_${activity}@odata.bind`]: `/contacts(${contact})` };
  if (account) return { [`regardingobjectid_account_${activity}@odata.bind`]: `/accounts(${account})` };
  return {};
}

const ownerBind = (ownerId?: string): Record<string, string> => {
  const id = toGuid(ownerId, 'owner');
  return id ? { 'ownerid@odata.bind': `/systemusers(${id})` } : {};
};

async function findPhoneCall(client: DynamicsClient, callId: string, regarding?: string): Promise<string | null> {
  const filter = `contains(description,${odataString(callIdLine(callId))})${regarding ? ` and _regardingobjectid_value eq ${regarding}` : ''}`;
  const res = await client.get<{ value: DataverseRow[] }>('/phonecalls', { $select: 'activityid,description', $filter: filter, $top: 10 });
  // contains() is a substring match: make sure the line is exactly this id.
  const hit = res.value.find((r) => String(r.description ?? '').split('\n').includes(callIdLine(callId)));
  return hit ? String(hit.activityid) : null;
}

/**
 * The call-back task made for a call: its description opens with the "Call id:" line. contains() narrows the tasks
 * regarding the same record; the exact line is checked here, since 'Call id: abc' is also in 'Call id: abc-2'.
 */
async function findCallTask(client: DynamicsClient, callId: string, regarding?: string): Promise<string | null> {
  const line = callIdLine(callId);
  const filter = `contains(description,${odataString(line)})${regarding ? ` and _regardingobjectid_value eq ${regarding}` : ''}`;
  for await (const page of client.pages<DataverseRow>('tasks', { $select: 'activityid,description', $filter: filter })) {
    const hit = page.find((r) => splitCallDescription(String(r.description ?? '')).head.split('\n').includes(line));
    if (hit) return String(hit.activityid);
  }
  return null;
}

async function logCall(call: ConnectorCall, log: ResolvedCallLog): Promise<RecordRef> {
  const client = createDynamicsClient(call);
  const contact = toGuid(log.contactId, 'contactId');
  const account = toGuid(log.companyId, 'companyId');
  const on = contact ? { logical: 'contact', id: contact } : account ? { logical: 'account', id: account } : undefined;
  if (log.callId) {
    const existing = await findPhoneCall(client, log.callId, contact ?? account);
    if (existing) return ref(client, 'phonecall', existing);
  }
  const outgoing = log.direction === 'outbound';
  const start = Date.parse(log.startedAt);
  const end = log.endedAt ? Date.parse(log.endedAt) : start + log.durationSec * 1000;
  const subject = log.subject ?? defaultCallSubject(log);
  const notes = notesWithTranscript(log.notes, log.transcript);
  const head = details({ status: log.status, recordingUrl: log.recordingUrl, callId: log.callId, from: log.from, to: log.to });
  const other = outgoing ? log.to : log.from;
  const id = await client.create('phonecalls', {
    subject: subject.slice(0, 200),
    description: joinCallDescription(head, notes),
    directioncode: outgoing,
    phonenumber: other ? (normalizePhone(other).e164 ?? other).slice(0, 200) : null,
    actualstart: new Date(start).toISOString(),
    actualend: new Date(end).toISOString(),
    actualdurationminutes: Math.ceil(log.durationSec / 60),
    leftvoicemail: log.status === 'voicemail',
    statecode: 1,
    statuscode: statusCodeOf(outgoing),
    ...regardingBind('phonecall', log.contactId, log.companyId),
    ...ownerBind(log.agentId),
  });
  if (on) {
    // The note on the contact (or account) that people read on its timeline.
    await client.create('annotations', {
      subject: subject.slice(0, 500),
      notetext: [`${subject} at ${new Date(start).toISOString()} (${log.durationSec} s).`, log.recordingUrl ? `Recording: ${log.recordingUrl}` : null, notes ?? null].filter(Boolean).join('\n\n'),
      [`objectid_${on.logical}@odata.bind`]: `/${on.logical === 'contact' ? 'contacts' : 'accounts'}(${on.id})`,
    });
  }
  return ref(client, 'phonecall', id);
}

async function* listChanged(call: ConnectorCall, args: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<ChangedPage> {
  const client = createDynamicsClient(call);
  const k = KIND[args.kind];
  let filter: string | undefined;
  if (args.cursor) {
    const [at, id] = args.cursor.split('|');
    if (!Number.isFinite(Date.parse(at)) || !isGuid(id ?? '')) throw new PatchbayError('invalid_params', `Not a ${'Dynamics 365'} sync cursor: "${args.cursor}"`, { path: ['cursor'] });
    filter = `modifiedon gt ${at} or (modifiedon eq ${at} and ${k.key} gt ${id})`;
  }
  const query = { $select: k.select.join(','), $orderby: `modifiedon asc,${k.key} asc`, ...(filter ? { $filter: filter } : {}) };
  for await (const rows of client.pages<DataverseRow>(k.set, query, args.pageSize ?? 500)) {
    if (!rows.length) continue;
    const last = rows[rows.length - 1];
    yield { kind: args.kind, contacts: rows.map((r) => k.map(r, client.recordUrl)), cursor: `${String(last.modifiedon)}|${String(last[k.key])}` };
  }
}

async function* listAllIds(call: ConnectorCall, args: { kind: ObjectKind; pageSize?: number }): AsyncGenerator<string[]> {
  const client = createDynamicsClient(call);
  const k = KIND[args.kind];
  for await (const rows of client.pages<DataverseRow>(k.set, { $select: k.key, $orderby: `${k.key} asc` }, args.pageSize ?? 5000)) {
    if (rows.length) yield rows.map((r) => String(r[k.key]));
  }
}

export const dynamicsCrmOperations: CrmOperations = {
  async findContactsByPhone(call, args) {
    const e164 = normalizePhone(args.phone, args.defaultCountry).e164;
    if (!e164) return [];
    const client = createDynamicsClient(call);
    const k = KIND[args.kind];
    const res = await client.get<{ value: DataverseRow[] }>(`/${k.set}`, {
      $select: k.select.join(','), $filter: `statecode eq 0 and ${phoneFilter(k.phones, phoneFormats(args.phone, args.defaultCountry))}`, $orderby: 'modifiedon desc', $top: 10,
    });
    return res.value.filter((r) => hasNumber(r, k.phones, e164, args.defaultCountry)).map((r) => k.map(r, client.recordUrl));
  },
  async getContact(call, args) {
    if (!isGuid(args.id)) return null;
    const client = createDynamicsClient(call);
    const k = KIND[args.kind];
    const row = await client.getOrNull<DataverseRow>(`/${k.set}(${toGuid(args.id, 'id')})`, { $select: k.select.join(',') });
    return row ? k.map(row, client.recordUrl) : null;
  },
  listChanged,
  listAllIds,
  async findUserByEmail(call, args) {
    const client = createDynamicsClient(call);
    const res = await client.get<{ value: DataverseRow[] }>('/systemusers', {
      $select: 'systemuserid,fullname,internalemailaddress', $filter: `internalemailaddress eq ${odataString(args.email)} and isdisabled eq false`, $top: 1,
    });
    const u = res.value[0];
    return u ? { id: String(u.systemuserid), name: String(u.fullname ?? ''), email: String(u.internalemailaddress) } : null;
  },
  async createContact(call, a) {
    const client = createDynamicsClient(call);
    let parent: Record<string, string> = {};
    if (a.company) {
      const hit = await client.get<{ value: DataverseRow[] }>('/accounts', { $select: 'accountid', $filter: `name eq ${odataString(a.company)} and statecode eq 0`, $top: 1 });
      if (hit.value[0]) parent = { 'parentcustomerid_account@odata.bind': `/accounts(${String(hit.value[0].accountid)})` };
    }
    const id = await client.create('contacts', {
      ...(a.firstName ? { firstname: a.firstName } : {}), lastname: a.lastName ?? '', ...(a.email ? { emailaddress1: a.email } : {}),
      ...(a.phone ? { telephone1: a.phone } : {}), ...(a.mobile ? { mobilephone: a.mobile } : {}), ...(a.country ? { address1_country: a.country } : {}),
      ...parent, ...ownerBind(a.ownerId),
    });
    const row = await client.getOrNull<DataverseRow>(`/contacts(${id})`, { $select: CONTACT_SELECT.join(',') });
    return { ref: ref(client, 'contact', id), contact: row ? mapContact(row, client.recordUrl) : null };
  },
  logCall,
  async updateCallLog(call, r, ch) {
    const client = createDynamicsClient(call);
    const id = toGuid(r.id, 'ref.id')!;
    const pc = await client.get<DataverseRow>(`/phonecalls(${id})`, { $select: PHONECALL_SELECT.join(',') });
    const description = String(pc.description ?? '');
    let { head, notes } = splitCallDescription(description);
    if (ch.status) head = /^Result: .*$/m.test(head) ? head.replace(/^Result: .*$/m, `Result: ${ch.status}`) : `Result: ${ch.status}\n${head}`;
    if (ch.recordingUrl) head = setDescriptionLine(head, 'Recording', ch.recordingUrl);
    notes = mergeCallNotes(notes, ch);
    const patch: Record<string, unknown> = {};
    const nextDescription = joinCallDescription(head, notes);
    if (nextDescription !== description) patch.description = nextDescription;
    if (ch.subject) patch.subject = ch.subject.slice(0, 200);
    else if (ch.status) patch.subject = subjectWithStatus(String(pc.subject ?? ''), ch.status);
    if (ch.durationSec !== undefined) patch.actualdurationminutes = Math.ceil(ch.durationSec / 60);
    if (ch.endedAt) patch.actualend = new Date(ch.endedAt).toISOString();
    if (ch.status) patch.leftvoicemail = ch.status === 'voicemail';
    if (!Object.keys(patch).length) return { ref: r, note: null };
    const closed = Number(pc.statecode) !== 0;
    // A completed activity is read-only: reopen, change, complete again with the same status reason.
    if (closed) await client.update('phonecalls', id, { statecode: 0, statuscode: 1 });
    await client.update('phonecalls', id, { ...patch, ...(closed ? { statecode: Number(pc.statecode), statuscode: Number(pc.statuscode) } : {}) });
    return { ref: r, note: null };
  },
  async createTask(call, t) {
    const client = createDynamicsClient(call);
    if (t.callId) {
      const existing = await findCallTask(client, t.callId, toGuid(t.contactId, 'contactId') ?? toGuid(t.companyId, 'companyId'));
      if (existing) return ref(client, 'task', existing);
    }
    const due = t.due ? new Date(t.due).toISOString() : new Date().toISOString();
    // A call-back's description opens with the call's "Call id:" line (as a phone call's does), the notes after it.
    const description = t.callId ? joinCallDescription(callIdLine(t.callId), t.notes) : t.notes;
    const id = await client.create('tasks', {
      subject: t.subject.slice(0, 200), ...(description ? { description } : {}), scheduledend: due,
      ...regardingBind('task', t.contactId, t.companyId), ...ownerBind(t.ownerId),
    });
    return ref(client, 'task', id);
  },
  async addNote(call, n) {
    const client = createDynamicsClient(call);
    const contact = toGuid(n.contactId, 'contactId');
    const account = toGuid(n.companyId, 'companyId');
    const bind = contact ? { 'objectid_contact@odata.bind': `/contacts(${contact})` } : { 'objectid_account@odata.bind': `/accounts(${account})` };
    const id = await client.create('annotations', { subject: n.body.split('\n')[0].slice(0, 100) || 'Note', notetext: n.body, ...bind });
    return ref(client, 'annotation', id, contact ? { logical: 'contact', id: contact } : { logical: 'account', id: account! });
  },
};
