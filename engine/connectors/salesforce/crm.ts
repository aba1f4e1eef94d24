// Salesforce under the CRM contract: a call is what Salesforce's own CTI logs, a completed Task with TaskSubtype
// Call, the phone system's call id in CallObject (a retried log finds it with SOQL first); it is updated in
// place. Notes are classic Notes (ParentId = the contact or account); tasks are open Tasks, a call-back's call id in
// its CallObject too, so a retried create finds it the same way.
import type { CrmOperations } from '../kit/define-crm-connector';
import type { RecordRef } from '../kit/crm-contract';
import { notesWithTranscript } from '../kit/crm-contract';
import type { ConnectorCall } from '../kit/contact-source';
import { createSalesforceClient } from './client';
import { createContact } from './create-contact';
import { deleteContact, updateContact, updateContacts } from './update-contact';
import { createTask } from './create-task';
import { findCompanyByPhone } from './find-company-by-phone';
import { findContactById } from './find-contact-by-id';
import { findContactByPhone } from './find-contact-by-phone';
import { findUserByEmail, listUsers } from './find-user-by-email';
import { countChanged, listAllIds, listChanged } from './list-changed';
import { logCall } from './log-call';
import { mapAccount, recordUrl, type SalesforceRecord } from './map-contact';
import { ACCOUNT_FIELDS, API_BASE, isSalesforceId, soqlString } from './soql';
import { updateCallLog } from './update-call-log';

const ref = (call: ConnectorCall, type: string, id: string): RecordRef => {
  const instanceUrl = createSalesforceClient(call).instanceUrl;
  return { system: 'salesforce', type, id, url: recordUrl(instanceUrl, type, id) };
};

/**
 * The Task that carries this call id in CallObject: the call log (TaskSubtype 'Call') or the call-back to-do made for
 * that call (TaskSubtype 'Task'). Both carry the same id, so the subtype keeps them apart.
 */
async function findCallTask(call: ConnectorCall, callObject: string, subtype: 'Call' | 'Task' = 'Call'): Promise<string | null> {
  const sf = createSalesforceClient(call);
  const q = `SELECT Id FROM Task WHERE CallObject = ${soqlString(callObject)} AND TaskSubtype = ${soqlString(subtype)} LIMIT 1`;
  const res = await sf.request<{ records: { Id: string }[] }>({ path: `${API_BASE}/query`, query: { q } });
  return res.body.records[0]?.Id ?? null;
}

export const salesforceCrmOperations: CrmOperations = {
  async findContactsByPhone(call, args) {
    if (args.kind === 'company') {
      const out = await findCompanyByPhone(call, args);
      return out.company ? [out.company] : [];
    }
    const out = await findContactByPhone(call, args);
    return out.contact ? [out.contact] : [];
  },
  async getContact(call, args) {
    if (args.kind !== 'company') return (await findContactById(call, { id: args.id })).contact;
    const id = args.id.trim();
    if (!isSalesforceId(id) || !id.startsWith('001')) return null;
    const sf = createSalesforceClient(call);
    const res = await sf.request<{ records: SalesforceRecord[] }>({ path: `${API_BASE}/query`, query: { q: `SELECT ${ACCOUNT_FIELDS.join(', ')} FROM Account WHERE Id = ${soqlString(id)} LIMIT 1` } });
    const rec = res.body.records[0];
    return rec ? mapAccount(rec, sf.instanceUrl) : null;
  },
  listChanged: (call, opts) => listChanged(call, opts),
  listAllIds: (call, opts) => listAllIds(call, opts),
  countChanged: (call, opts) => countChanged(call, opts),
  async findUserByEmail(call, args) {
    return (await findUserByEmail(call, args)).user;
  },
  listUsers: (call, args) => listUsers(call, args),
  async createContact(call, a) {
    const out = await createContact(call, { firstName: a.firstName, lastName: a.lastName, email: a.email, phone: a.phone, mobilePhone: a.mobile, country: a.country, ownerId: a.ownerId });
    return { ref: { system: 'salesforce', type: 'Contact', id: out.id, url: out.crmUrl }, contact: out.contact };
  },
  updateContact: (call, args) => updateContact(call, args),
  updateContacts: (call, items) => updateContacts(call, items),
  deleteContact: (call, args) => deleteContact(call, args),
  async logCall(call, log) {
    if (log.callId) {
      const existing = await findCallTask(call, log.callId);
      if (existing) return ref(call, 'Task', existing);
    }
    const out = await logCall(call, {
      contactId: log.contactId, accountId: log.companyId, ownerId: log.agentId, direction: log.direction, status: log.status,
      startedAt: log.startedAt, durationSec: log.durationSec, from: log.from, to: log.to, recordingUrl: log.recordingUrl,
      notes: notesWithTranscript(log.notes, log.transcript), subject: log.subject, callId: log.callId,
    });
    return { system: 'salesforce', type: 'Task', id: out.taskId, url: out.crmUrl };
  },
  async updateCallLog(call, r, ch) {
    await updateCallLog(call, {
      taskId: r.id, notes: notesWithTranscript(ch.notes, ch.transcript), replaceNotes: ch.notesMode === 'replace',
      status: ch.status, durationSec: ch.durationSec, recordingUrl: ch.recordingUrl,
    });
    return { ref: r, note: null };
  },
  async createTask(call, t) {
    if (t.callId) {
      const existing = await findCallTask(call, t.callId, 'Task');
      if (existing) return ref(call, 'Task', existing);
    }
    const out = await createTask(call, { subject: t.subject, description: t.notes, contactId: t.contactId, accountId: t.companyId, ownerId: t.ownerId, dueDate: t.due?.slice(0, 10), callObject: t.callId });
    return { system: 'salesforce', type: 'Task', id: out.taskId, url: out.crmUrl };
  },
  async addNote(call, n) {
    const parent = n.contactId ?? n.companyId;
    const sf = createSalesforceClient(call);
    const title = n.body.split('\n')[0].slice(0, 80) || 'Note';
    const res = await sf.request<{ id: string }>({ method: 'POST', path: `${API_BASE}/sobjects/Note`, body: { ParentId: parent, Title: title, Body: n.body } });
    return ref(call, 'Note', res.body.id);
  },
};
