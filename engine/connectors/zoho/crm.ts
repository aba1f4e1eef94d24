// Zoho CRM under the CRM contract. A call is a record of the Calls module (Activities): Call_Type Inbound,
// Outbound or Missed, Call_Start_Time, Call_Duration (mm:ss), Who_Id the contact (or What_Id + $se_module the
// account), Owner the agent, and a Description that opens with the call details (result, numbers, recording, the
// phone system's call id) with the notes after a blank line; plus a note on the contact. Updates change the same
// Calls record (PUT). A retried log with the same call id finds it among the contact's calls by its "Call id:" line.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { PatchbayError } from '../../core/errors';
import { normalizePhone } from '../../core/phone';
import { countryToIso2 } from '../../core/country';
import type { CrmOperations, ResolvedCallLog } from '../kit/define-crm-connector';
import { defaultCallSubject, notesWithTranscript, type CallStatus, type RecordRef } from '../kit/crm-contract';
import { callIdLine, splitCallDescription, joinCallDescription, setDescriptionLine, mergeCallNotes, subjectWithStatus } from '../kit/call-description';
import type { ChangedPage, ConnectorCall, ObjectKind } from '../kit/contact-source';
import { createZohoClient, criteriaValue, toZohoId, zohoDateTime, type ZohoClient } from './client';
import { ACCOUNT_FIELDS, ACCOUNT_PHONE_FIELDS, CONTACT_FIELDS, CONTACT_PHONE_FIELDS, mapAccount, mapContact, type ZohoRow } from './map-contact';

const KIND = {
  person: { module: 'Contacts', fields: CONTACT_FIELDS, phones: CONTACT_PHONE_FIELDS, map: mapContact, country: 'Mailing_Country' },
  company: { module: 'Accounts', fields: ACCOUNT_FIELDS, phones: ACCOUNT_PHONE_FIELDS, map: mapAccount, country: 'Billing_Country' },
} as const;

const ref = (client: ZohoClient, module: string, type: string, id: string, on?: { module: string; id: string }): RecordRef =>
  ({ system: 'zoho', type, id, url: client.recordUrl(on?.module ?? module, on?.id ?? id) });

const mmss = (sec: number) => `${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}`;
const callType = (direction: 'inbound' | 'outbound', status: CallStatus) => (direction === 'outbound' ? 'Outbound' : status === 'missed' ? 'Missed' : 'Inbound');

function details(d: { status: CallStatus; from?: string; to?: string; recordingUrl?: string; callId?: string }): string {
  return [`Result: ${d.status}`, d.from ? `From: ${d.from}` : null, d.to ? `To: ${d.to}` : null, d.recordingUrl ? `Recording: ${d.recordingUrl}` : null, d.callId ? callIdLine(d.callId) : null].filter(Boolean).join('\n');
}

/** Where a call, task or note hangs: Who_Id (a contact) or What_Id + $se_module (an account). */
function linkTo(contactId?: string, companyId?: string): Record<string, unknown> {
  const contact = toZohoId(contactId, 'contactId');
  const account = toZohoId(companyId, 'companyId');
  return { ...(contact ? { Who_Id: { id: contact } } : {}), ...(account ? { What_Id: { id: account }, $se_module: 'Accounts' } : {}) };
}

const owner = (ownerId?: string) => {
  const id = toZohoId(ownerId, 'owner');
  return id ? { Owner: { id } } : {};
};

/** The digit strings Zoho's phone search is asked for (it ignores formatting, not a missing country code). */
export function phoneSearchTerms(phone: string, defaultCountry?: string | null): string[] {
  const terms = new Set<string>();
  const n = normalizePhone(phone, defaultCountry);
  if (n.e164) {
    const p = parsePhoneNumberFromString(n.e164)!;
    terms.add(String(p.nationalNumber));
    terms.add(n.e164.slice(1));
    const national = (n.national ?? '').replace(/\D/g, '');
    if (national) terms.add(national);
  }
  const raw = phone.replace(/\D/g, '');
  if (raw.length >= 5) terms.add(raw);
  return [...terms].filter((t) => t.length >= 5);
}

/** The Calls or Tasks record of the contact (or account) whose Description carries this call's "Call id:" line. */
async function findByCallId(client: ZohoClient, module: 'Calls' | 'Tasks', callId: string, on: { contact?: string; account?: string }): Promise<string | null> {
  const criteria = on.contact ? `(Who_Id:equals:${on.contact})` : on.account ? `(What_Id:equals:${on.account})` : null;
  if (!criteria) return null;
  for await (const rows of client.pages<ZohoRow>(`/${module}/search`, { criteria, per_page: 200 })) {
    const hit = rows.find((r) => String(r.Description ?? '').split('\n').includes(callIdLine(callId)));
    if (hit) return hit.id;
  }
  return null;
}

async function logCall(call: ConnectorCall, log: ResolvedCallLog): Promise<RecordRef> {
  const client = createZohoClient(call);
  const contact = toZohoId(log.contactId, 'contactId');
  const account = toZohoId(log.companyId, 'companyId');
  if (log.callId) {
    const existing = await findByCallId(client, 'Calls', log.callId, { contact, account });
    if (existing) return ref(client, 'Calls', 'call', existing);
  }
  const subject = log.subject ?? defaultCallSubject(log);
  const notes = notesWithTranscript(log.notes, log.transcript);
  const head = details({ status: log.status, from: log.from, to: log.to, recordingUrl: log.recordingUrl, callId: log.callId });
  const type = callType(log.direction, log.status);
  const id = await client.insert('Calls', {
    Subject: subject.slice(0, 255),
    Call_Type: type,
    Call_Start_Time: zohoDateTime(Date.parse(log.startedAt)),
    ...(type === 'Missed' && !log.durationSec ? {} : { Call_Duration: mmss(log.durationSec) }),
    Description: joinCallDescription(head, notes),
    ...linkTo(log.contactId, log.companyId),
    ...owner(log.agentId),
  });
  const on = contact ? { module: 'Contacts', id: contact } : account ? { module: 'Accounts', id: account } : null;
  if (on) {
    await client.addNote(on.module, on.id, {
      Note_Title: subject.slice(0, 120),
      Note_Content: [`${subject} at ${new Date(Date.parse(log.startedAt)).toISOString()} (${log.durationSec} s).`, log.recordingUrl ? `Recording: ${log.recordingUrl}` : null, notes ?? null].filter(Boolean).join('\n\n'),
    });
  }
  return ref(client, 'Calls', 'call', id);
}

async function* listChanged(call: ConnectorCall, args: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<ChangedPage> {
  const client = createZohoClient(call);
  const k = KIND[args.kind];
  let after: { ms: number; id: bigint } | null = null;
  const headers: Record<string, string> = {};
  if (args.cursor) {
    const [at, id] = args.cursor.split('|');
    const ms = Date.parse(at);
    if (!Number.isFinite(ms) || !/^\d+$/.test(id ?? '')) throw new PatchbayError('invalid_params', `Not a Zoho CRM sync cursor: "${args.cursor}"`, { path: ['cursor'] });
    after = { ms, id: BigInt(id) };
    // A second earlier, whether Zoho reads the header as "at or after" or "after": what was already read is skipped below.
    headers['if-modified-since'] = zohoDateTime(ms - 1000);
  }
  const query = { fields: k.fields.join(','), sort_by: 'Modified_Time', sort_order: 'asc', per_page: Math.min(Math.max(1, args.pageSize ?? 200), 200) };
  for await (const rows of client.pages<ZohoRow>(`/${k.module}`, query, headers)) {
    const fresh = after ? rows.filter((r) => { const ms = Date.parse(String(r.Modified_Time)); return ms > after!.ms || (ms === after!.ms && BigInt(r.id) > after!.id); }) : rows;
    if (!fresh.length) continue;
    let last = fresh[0];
    for (const r of fresh) {
      const a = Date.parse(String(r.Modified_Time));
      const b = Date.parse(String(last.Modified_Time));
      if (a > b || (a === b && BigInt(r.id) > BigInt(last.id))) last = r;
    }
    yield { kind: args.kind, contacts: fresh.map((r) => k.map(r, client.recordUrl)), cursor: `${String(last.Modified_Time)}|${last.id}` };
  }
}

async function* listAllIds(call: ConnectorCall, args: { kind: ObjectKind; pageSize?: number }): AsyncGenerator<string[]> {
  const client = createZohoClient(call);
  const k = KIND[args.kind];
  for await (const rows of client.pages<ZohoRow>(`/${k.module}`, { fields: 'id', sort_by: 'id', sort_order: 'asc', per_page: Math.min(args.pageSize ?? 200, 200) })) {
    if (rows.length) yield rows.map((r) => r.id);
  }
}

export const zohoCrmOperations: CrmOperations = {
  async findContactsByPhone(call, args) {
    const e164 = normalizePhone(args.phone, args.defaultCountry).e164;
    if (!e164) return [];
    const client = createZohoClient(call);
    const k = KIND[args.kind];
    const hits = new Map<string, ZohoRow>();
    for (const term of phoneSearchTerms(args.phone, args.defaultCountry)) {
      const res = await client.get<{ data: ZohoRow[] }>(`/${k.module}/search`, { phone: term, fields: k.fields.join(','), per_page: 50 });
      for (const r of res?.data ?? []) hits.set(r.id, r);
    }
    // The search matched digits: keep records where one number, read with the record's country, is this one.
    const mine = [...hits.values()].filter((r) => {
      const country = countryToIso2(r[k.country]) ?? args.defaultCountry;
      return k.phones.some((f) => typeof r[f] === 'string' && normalizePhone(r[f] as string, country).e164 === e164);
    });
    return mine.sort((a, b) => Date.parse(String(b.Modified_Time)) - Date.parse(String(a.Modified_Time))).map((r) => k.map(r, client.recordUrl));
  },
  async getContact(call, args) {
    if (!/^\d{6,25}$/.test(args.id.trim())) return null;
    const client = createZohoClient(call);
    const k = KIND[args.kind];
    const res = await client.get<{ data: ZohoRow[] }>(`/${k.module}/${args.id.trim()}`, { fields: k.fields.join(',') });
    return res?.data?.[0] ? k.map(res.data[0], client.recordUrl) : null;
  },
  listChanged,
  listAllIds,
  async findUserByEmail(call, args) {
    const client = createZohoClient(call);
    const want = args.email.toLowerCase();
    for (let page = 1; page <= 50; page++) {
      const res = await client.get<{ users: { id: string; full_name: string; email: string; status: string }[]; info: { more_records: boolean } }>('/users', { type: 'ActiveUsers', page, per_page: 200 });
      const u = res?.users.find((x) => x.email.toLowerCase() === want && x.status === 'active');
      if (u) return { id: u.id, name: u.full_name, email: u.email };
      if (!res?.info.more_records) return null;
    }
    return null;
  },
  async createContact(call, a) {
    const client = createZohoClient(call);
    let account: Record<string, unknown> = {};
    if (a.company) {
      const hit = await client.get<{ data: ZohoRow[] }>('/Accounts/search', { criteria: `(Account_Name:equals:${criteriaValue(a.company)})`, per_page: 1 });
      if (hit?.data[0]) account = { Account_Name: { id: hit.data[0].id } };
    }
    const id = await client.insert('Contacts', {
      ...(a.firstName ? { First_Name: a.firstName } : {}), Last_Name: a.lastName || a.firstName || a.email || 'Unknown',
      ...(a.email ? { Email: a.email } : {}), ...(a.phone ? { Phone: a.phone } : {}), ...(a.mobile ? { Mobile: a.mobile } : {}),
      ...(a.country ? { Mailing_Country: a.country } : {}), ...account, ...owner(a.ownerId),
    });
    const res = await client.get<{ data: ZohoRow[] }>(`/Contacts/${id}`, { fields: CONTACT_FIELDS.join(',') });
    return { ref: ref(client, 'Contacts', 'contact', id), contact: res?.data?.[0] ? mapContact(res.data[0], client.recordUrl) : null };
  },
  logCall,
  async updateCallLog(call, r, ch) {
    const client = createZohoClient(call);
    const id = toZohoId(r.id, 'ref.id')!;
    const res = await client.get<{ data: ZohoRow[] }>(`/Calls/${id}`);
    const current = res?.data?.[0];
    if (!current) throw new PatchbayError('not_found', `Zoho CRM has no call ${id} (deleted?)`, { path: ['ref', 'id'] });
    const description = String(current.Description ?? '');
    let { head, notes } = splitCallDescription(description);
    if (ch.status) head = /^Result: .*$/m.test(head) ? head.replace(/^Result: .*$/m, `Result: ${ch.status}`) : `Result: ${ch.status}\n${head}`;
    if (ch.recordingUrl) head = setDescriptionLine(head, 'Recording', ch.recordingUrl);
    notes = mergeCallNotes(notes, ch);
    const patch: Record<string, unknown> = {};
    const next = joinCallDescription(head, notes);
    if (next !== description) patch.Description = next;
    if (ch.subject) patch.Subject = ch.subject.slice(0, 255);
    else if (ch.status) patch.Subject = subjectWithStatus(String(current.Subject ?? ''), ch.status);
    if (ch.status && current.Call_Type !== 'Outbound') patch.Call_Type = callType('inbound', ch.status);
    if (ch.durationSec !== undefined) patch.Call_Duration = mmss(ch.durationSec);
    else if (patch.Call_Type && patch.Call_Type !== 'Missed' && !current.Call_Duration) patch.Call_Duration = '00:00';
    if (Object.keys(patch).length) await client.update('Calls', id, patch);
    return { ref: r, note: null };
  },
  async createTask(call, t) {
    const client = createZohoClient(call);
    // A call-back carries its call's id in the Description: a create replayed after the worker died before Patchbay
    // kept the ref finds the task among the contact's (or account's) tasks instead of making a second one.
    if (t.callId) {
      const existing = await findByCallId(client, 'Tasks', t.callId, { contact: toZohoId(t.contactId, 'contactId'), account: toZohoId(t.companyId, 'companyId') });
      if (existing) return ref(client, 'Tasks', 'task', existing);
    }
    const description = t.callId ? joinCallDescription(callIdLine(t.callId), t.notes) : t.notes;
    const id = await client.insert('Tasks', {
      Subject: t.subject.slice(0, 255), Due_Date: (t.due ?? new Date().toISOString()).slice(0, 10), Status: 'Not Started',
      ...(description ? { Description: description } : {}), ...linkTo(t.contactId, t.companyId), ...owner(t.ownerId),
    });
    return ref(client, 'Tasks', 'task', id);
  },
  async addNote(call, n) {
    const client = createZohoClient(call);
    const contact = toZohoId(n.contactId, 'contactId');
    const account = toZohoId(n.companyId, 'companyId');
    const on = contact ? { module: 'Contacts', id: contact } : { module: 'Accounts', id: account! };
    const id = await client.addNote(on.module, on.id, { Note_Title: n.body.split('\n')[0].slice(0, 120) || 'Note', Note_Content: n.body });
    return ref(client, 'Notes', 'note', id, on);
  },
};
