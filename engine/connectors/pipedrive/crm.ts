// Pipedrive under the CRM contract: a call is a done activity of type `call` on the person/organization, owned by
// the agent, with the call details (and the phone system's call id) in its note, plus a note on the person. Updates
// change the same activity (PATCH /api/v2/activities/{id}): its subject, duration and note. A retried log with the
// same call id finds the activity among the person's (or organization's) activities by that id line.
import type { CrmOperations } from '../kit/define-crm-connector';
import type { CallStatus as ContractStatus, RecordRef } from '../kit/crm-contract';
import { notesWithTranscript } from '../kit/crm-contract';
import type { ConnectorCall } from '../kit/contact-source';
import { callIdLine, durationHHMM, escapeHtml, paragraphs, recordingLink, STATUS_LABEL, withStatus } from './call-note';
import { createPipedriveClient, toPipedriveId, type PipedriveClient } from './client';
import { createContact } from './create-contact';
import { deleteContact, updateContact } from './update-contact';
import { createTask, taskCallIdParagraph } from './create-task';
import { findCompanyByPhone } from './find-company-by-phone';
import { findContactById } from './find-contact-by-id';
import { findContactByPhone } from './find-contact-by-phone';
import { findUserByEmail } from './find-user-by-email';
import { listAllIds, listChanged } from './list-changed';
import { logCall } from './log-call';
import { mapOrganization, type PipedriveOrganization } from './map-contact';
import { organizationPhoneFieldKeys } from './organizations';

interface Activity { id: number; subject: string; note?: string | null; person_id?: number | null; org_id?: number | null; type?: string }

function linkUrl(client: PipedriveClient, a: { person_id?: number | null; org_id?: number | null }): string | null {
  if (a.person_id) return client.personUrl(a.person_id);
  if (a.org_id) return client.organizationUrl(a.org_id);
  return null;
}

/** The person's (else the organization's) activity that passes `test`, through every page of GET /api/v2/activities. */
async function findActivity(client: PipedriveClient, on: { person?: number; org?: number }, test: (a: Activity) => boolean): Promise<Activity | null> {
  if (!on.person && !on.org) return null;
  const query = on.person ? { person_id: on.person, limit: 500 } : { org_id: on.org!, limit: 500 };
  for await (const page of client.pagesV2<Activity>('/api/v2/activities', query)) {
    const hit = page.items.find(test);
    if (hit) return hit;
  }
  return null;
}

/** The call logged with this call id: a call activity whose details list has the "Call id:" item. */
function findCallActivity(client: PipedriveClient, callId: string, on: { person?: number; org?: number }): Promise<Activity | null> {
  const marker = `<li>${callIdLine(callId)}</li>`;
  return findActivity(client, on, (a) => a.type === 'call' && (a.note ?? '').includes(marker));
}

/** The follow-up made for this call: a task activity whose note opens with the "Call id:" paragraph. */
function findTaskActivity(client: PipedriveClient, callId: string, on: { person?: number; org?: number }): Promise<Activity | null> {
  const marker = taskCallIdParagraph(callId);
  return findActivity(client, on, (a) => a.type === 'task' && (a.note ?? '').startsWith(marker));
}

/** Replaces the "Result:" and "Recording:" lines of the call details and the notes after them. */
function updatedNote(current: string, ch: { status?: ContractStatus; recordingUrl?: string; notes?: string; notesMode: 'replace' | 'append' }): string {
  const end = current.indexOf('</ul>');
  let head = end >= 0 ? current.slice(0, end + 5) : current;
  let tail = end >= 0 ? current.slice(end + 5) : '';
  if (ch.status) head = head.replace(/<li>Result: [^<]*<\/li>/, `<li>Result: ${STATUS_LABEL[ch.status]}</li>`);
  if (ch.recordingUrl) {
    const li = `<li>Recording: ${recordingLink(ch.recordingUrl)}</li>`;
    head = /<li>Recording: .*?<\/li>/.test(head) ? head.replace(/<li>Recording: .*?<\/li>/, li) : head.replace(/<\/ul>$/, `${li}</ul>`);
  }
  if (ch.notes) tail = ch.notesMode === 'append' && tail ? tail + paragraphs(ch.notes) : paragraphs(ch.notes);
  return head + tail;
}

const ref = (type: string, id: string | number, url: string | null): RecordRef => ({ system: 'pipedrive', type, id: String(id), url });

export const pipedriveCrmOperations: CrmOperations = {
  async findContactsByPhone(call, args) {
    if (args.kind === 'company') {
      const out = await findCompanyByPhone(call, { phone: args.phone, defaultCountry: args.defaultCountry });
      return out.company ? [out.company] : [];
    }
    const out = await findContactByPhone(call, args);
    return out.contact ? [out.contact] : [];
  },
  async getContact(call, args) {
    if (args.kind !== 'company') return (await findContactById(call, { id: args.id })).contact;
    if (!/^[1-9]\d{0,15}$/.test(args.id.trim())) return null;
    const client = createPipedriveClient(call);
    const org = await client.getOrNull<PipedriveOrganization>(`/api/v2/organizations/${args.id.trim()}`);
    if (!org || org.is_deleted) return null;
    return mapOrganization(org, { phoneFieldKeys: await organizationPhoneFieldKeys(client), organizationUrl: client.organizationUrl });
  },
  listChanged: (call, opts) => listChanged(call, opts),
  listAllIds: (call, opts) => listAllIds(call, opts),
  async findUserByEmail(call, args) {
    return (await findUserByEmail(call, args)).user;
  },
  async createContact(call, a) {
    const out = await createContact(call, { firstName: a.firstName, lastName: a.lastName, email: a.email, phone: a.phone, mobile: a.mobile, ownerId: a.ownerId });
    return { ref: ref('person', out.id, out.contact.crmUrl ?? null), contact: out.contact };
  },
  updateContact: (call, args) => updateContact(call, args),
  deleteContact: (call, args) => deleteContact(call, args),
  async logCall(call, log) {
    const client = createPipedriveClient(call);
    const on = { person: toPipedriveId(log.contactId, 'contactId'), org: toPipedriveId(log.companyId, 'companyId') };
    if (log.callId) {
      const existing = await findCallActivity(client, log.callId, on);
      if (existing) return ref('activity', existing.id, linkUrl(client, existing));
    }
    const out = await logCall(call, {
      personId: log.contactId, orgId: log.companyId, ownerId: log.agentId, direction: log.direction, status: log.status,
      startedAt: log.startedAt, durationSec: log.durationSec, from: log.from, to: log.to, recordingUrl: log.recordingUrl,
      notes: notesWithTranscript(log.notes, log.transcript), subject: log.subject, callId: log.callId,
    });
    return ref('activity', out.activityId, linkUrl(client, { person_id: on.person, org_id: on.org }));
  },
  async updateCallLog(call, r, ch) {
    const client = createPipedriveClient(call);
    const activity = await client.get<Activity>(`/api/v2/activities/${encodeURIComponent(r.id)}`);
    const patch: Record<string, unknown> = {};
    if (ch.subject) patch.subject = ch.subject;
    else if (ch.status) patch.subject = withStatus(activity.subject, ch.status);
    if (ch.durationSec !== undefined) patch.duration = durationHHMM(ch.durationSec);
    const notes = notesWithTranscript(ch.notes, ch.transcript);
    if (ch.status || ch.recordingUrl || notes) patch.note = updatedNote(activity.note ?? '', { status: ch.status, recordingUrl: ch.recordingUrl, notes, notesMode: ch.notesMode });
    if (Object.keys(patch).length) await client.send('PATCH', `/api/v2/activities/${activity.id}`, patch);
    return { ref: r, note: null };
  },
  async createTask(call, t) {
    const client = createPipedriveClient(call);
    const on = { person: toPipedriveId(t.contactId, 'contactId'), org: toPipedriveId(t.companyId, 'companyId') };
    if (t.callId) {
      const existing = await findTaskActivity(client, t.callId, on);
      if (existing) return ref('activity', existing.id, linkUrl(client, existing));
    }
    const due = t.due ? new Date(t.due) : undefined;
    const out = await createTask(call, {
      subject: t.subject, personId: t.contactId, orgId: t.companyId, ownerId: t.ownerId, note: t.notes, callId: t.callId,
      ...(due ? { dueDate: due.toISOString().slice(0, 10), dueTime: due.toISOString().slice(11, 16) } : {}),
    });
    return ref('activity', out.activityId, linkUrl(client, { person_id: on.person, org_id: on.org }));
  },
  async addNote(call, n) {
    const client = createPipedriveClient(call);
    const person = toPipedriveId(n.contactId, 'contactId');
    const org = toPipedriveId(n.companyId, 'companyId');
    const note = await client.send<{ id: number }>('POST', '/v1/notes', { content: paragraphs(n.body) || `<p>${escapeHtml(n.body)}</p>`, ...(person ? { person_id: person } : { org_id: org }) });
    return ref('note', note.id, linkUrl(client, { person_id: person, org_id: org }));
  },
};
