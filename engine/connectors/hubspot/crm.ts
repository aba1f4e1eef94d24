// HubSpot under the CRM contract: calls are call engagements (POST /crm/v3/objects/calls) on the contact's and
// company's timelines, updated in place; the phone system's call id is the call's hs_call_external_id, which
// a retried log searches for first. Notes are note engagements, tasks are task engagements.
import type { CrmOperations } from '../kit/define-crm-connector';
import { callIdLine, joinCallDescription } from '../kit/call-description';
import type { RecordRef } from '../kit/crm-contract';
import { defaultCallSubject, notesWithTranscript } from '../kit/crm-contract';
import type { ConnectorCall } from '../kit/contact-source';
import { fetchChangedPage, countChangedSince } from './changed-since';
import { createHubspotClient, getPortal, searchObjects, type HubspotRecord } from './client';
import { createContact } from './create-contact';
import { deleteContact, updateContact, updateContacts } from './update-contact';
import { createTask } from './create-task';
import { findCompanyByPhone } from './find-company-by-phone';
import { findContactById } from './find-contact-by-id';
import { findContactByPhone } from './find-contact-by-phone';
import { findUserByEmail, listOwners } from './find-user-by-email';
import { iterateAllIds } from './list-all-ids';
import { ASSOCIATION, associationsFor, logCall, notesToHtml } from './log-call';
import { recordUrl } from './map-contact';
import { updateCallLog } from './update-call-log';

async function timelineUrl(call: ConnectorCall, ids: { contactId?: string; companyId?: string }): Promise<string | null> {
  if (!ids.contactId && !ids.companyId) return null;
  const portal = await getPortal(call, createHubspotClient(call));
  return ids.contactId ? recordUrl(portal, '0-1', ids.contactId) : recordUrl(portal, '0-2', ids.companyId!);
}

async function findCallByExternalId(call: ConnectorCall, externalId: string): Promise<HubspotRecord | null> {
  const res = await searchObjects(createHubspotClient(call), 'calls', {
    filterGroups: [{ filters: [{ propertyName: 'hs_call_external_id', operator: 'EQ', value: externalId }] }],
    properties: ['hs_call_external_id'],
    limit: 1,
  });
  return res.results[0] ?? null;
}

/**
 * The task made for a call: its body starts with the "Call id:" line. The search narrows by the id as a wildcard token
 * (HubSpot splits text on punctuation, and call ids carry dashes), then the exact line is checked here, since
 * "*abc*" also matches the task of call "abc-2".
 */
async function findTaskByCallId(call: ConnectorCall, callId: string): Promise<HubspotRecord | null> {
  const line = notesToHtml(callIdLine(callId));
  const http = createHubspotClient(call);
  let after: string | undefined;
  do {
    const res = await searchObjects(http, 'tasks', {
      filterGroups: [{ filters: [{ propertyName: 'hs_task_body', operator: 'CONTAINS_TOKEN', value: `*${callId}*` }] }],
      properties: ['hs_task_body'],
      limit: 100,
      ...(after ? { after } : {}),
    });
    const hit = res.results.find((r) => (r.properties.hs_task_body ?? '').split('<br>').includes(line));
    if (hit) return hit;
    after = res.paging?.next?.after;
  } while (after);
  return null;
}

const ref = (type: string, id: string, url: string | null): RecordRef => ({ system: 'hubspot', type, id, url });

export const hubspotCrmOperations: CrmOperations = {
  async findContactsByPhone(call, args) {
    if (args.kind === 'company') {
      const out = await findCompanyByPhone(call, args);
      return out.company ? [out.company] : [];
    }
    const out = await findContactByPhone(call, args);
    return out.contact ? [out.contact] : [];
  },
  async getContact(call, args) {
    return (await findContactById(call, args)).contact;
  },
  async *listChanged(call, opts) {
    let cursor = opts.cursor;
    for (;;) {
      const page = await fetchChangedPage(call, { kind: opts.kind, cursor, pageSize: opts.pageSize });
      if (page.contacts.length && page.cursor) {
        cursor = page.cursor;
        yield { kind: opts.kind, contacts: page.contacts, cursor: page.cursor };
      }
      if (page.done || !page.contacts.length) return;
    }
  },
  listAllIds: (call, opts) => iterateAllIds(call, opts),
  countChanged: (call, opts) => countChangedSince(call, opts),
  async findUserByEmail(call, args) {
    return (await findUserByEmail(call, args)).user;
  },
  listUsers: (call, args) => listOwners(call, args),
  async createContact(call, a) {
    const out = await createContact(call, { firstName: a.firstName, lastName: a.lastName, email: a.email, phone: a.phone, mobilePhone: a.mobile, company: a.company, country: a.country, ownerId: a.ownerId });
    let contact = out.contact;
    if (!contact) contact = (await findContactById(call, { id: out.id })).contact;
    return { ref: ref('contact', out.id, contact?.crmUrl ?? null), contact };
  },
  updateContact: (call, args) => updateContact(call, args),
  updateContacts: (call, items) => updateContacts(call, items),
  deleteContact: (call, args) => deleteContact(call, args),
  async logCall(call, log) {
    if (log.callId) {
      const existing = await findCallByExternalId(call, log.callId);
      if (existing) return ref('call', String(existing.id), await timelineUrl(call, log));
    }
    const out = await logCall(call, {
      contactId: log.contactId, companyId: log.companyId, ownerId: log.agentId, startedAt: log.startedAt, durationSec: log.durationSec,
      direction: log.direction, status: log.status, fromNumber: log.from, toNumber: log.to, recordingUrl: log.recordingUrl,
      notes: notesWithTranscript(log.notes, log.transcript), title: log.subject ?? defaultCallSubject(log), externalId: log.callId,
    });
    return ref('call', out.callId, await timelineUrl(call, log));
  },
  async updateCallLog(call, r, ch) {
    await updateCallLog(call, {
      callId: r.id, notes: notesWithTranscript(ch.notes, ch.transcript), notesMode: ch.notesMode, status: ch.status,
      recordingUrl: ch.recordingUrl, title: ch.subject,
      durationSec: ch.durationSec,
    });
    return { ref: r, note: null };
  },
  async createTask(call, t) {
    if (t.callId) {
      const existing = await findTaskByCallId(call, t.callId);
      if (existing) return ref('task', String(existing.id), await timelineUrl(call, t));
    }
    // The call id heads the body, as on the text-description CRMs' call logs, so a replayed create finds this task.
    const body = t.callId ? joinCallDescription(callIdLine(t.callId), t.notes) : t.notes;
    const out = await createTask(call, { subject: t.subject, body, dueAt: t.due, ownerId: t.ownerId, contactId: t.contactId, companyId: t.companyId });
    return ref('task', out.taskId, await timelineUrl(call, t));
  },
  async addNote(call, n) {
    const http = createHubspotClient(call);
    const res = await http.request<HubspotRecord>({
      method: 'POST',
      path: '/crm/v3/objects/notes',
      body: {
        properties: { hs_timestamp: new Date().toISOString(), hs_note_body: notesToHtml(n.body) },
        associations: associationsFor(n, { contact: ASSOCIATION.noteToContact, company: ASSOCIATION.noteToCompany }),
      },
    });
    return ref('note', String(res.body.id), await timelineUrl(call, n));
  },
};
