// The per-CRM blocks the CRM contract replaced, and how a stored flow that still uses them becomes one with the
// generic crm.* blocks (see core/migrate-flow.ts). Outputs moved too: a contact's `externalId` is now `id`, a
// logged call's id is `ref.id`, so expressions that read them are rewritten along with the nodes.
import type { BlockMigration } from '../core/migrate-flow';

type P = Record<string, unknown>;

/** Contact output fields: UnifiedContact → the contract's CrmContact. */
const CONTACT_OUTPUTS = (key: string): [string, string][] => [
  [`${key}.externalId`, 'contact.id'],
  [`${key}.crmUrl`, 'contact.url'],
  [`${key}.ownerId`, 'contact.owner'],
  [`${key}.source`, 'contact.system'],
  [`${key}.email`, 'contact.emails[0]'],
  // JSONata maps over arrays: phones.number is the list of numbers as stored, as before.
  [`${key}.phones`, 'contact.phones.number'],
  [key, 'contact'],
];

/** Old status spellings → the contract's (literal values; expressions pass through unchanged). */
const STATUS: Record<string, string> = { canceled: 'declined', cancelled: 'declined', 'no-answer': 'missed', no_answer: 'missed' };
const status = (v: unknown) => (typeof v === 'string' && STATUS[v] ? STATUS[v] : v);
const NOW = '=$now()';
/** Pipedrive took numeric ids; the contract's ids are strings. */
const idOf = (v: unknown) => (typeof v === 'number' ? String(v) : v);

function find(crm: string, kind: 'person' | 'company'): BlockMigration {
  return {
    to: 'crm.findContactByPhone',
    params: (p: P) => ({ crm, phone: p.phone, defaultCountry: p.defaultCountry, ...(kind === 'company' ? { kind } : {}) }),
    outputs: CONTACT_OUTPUTS(kind === 'company' ? 'company' : 'contact'),
    lost: (p: P) => (p.viaPersons === false ? ['viaPersons: false'] : []),
  };
}

function byId(crm: string): BlockMigration {
  return { to: 'crm.findContactById', params: (p: P) => ({ crm, id: idOf(p.id), kind: p.kind }), outputs: CONTACT_OUTPUTS('contact') };
}

function user(crm: string): BlockMigration {
  return { to: 'crm.findUserByEmail', params: (p: P) => ({ crm, email: p.email }) };
}

const lostKeys = (keys: string[]) => (p: P) => keys.filter((k) => p[k] !== undefined && p[k] !== null).map((k) => `${k}`);

export const legacyCrmBlockMigrations: Record<string, BlockMigration> = {
  // HubSpot
  'hubspot.findContactByPhone': find('hubspot', 'person'),
  'hubspot.findCompanyByPhone': find('hubspot', 'company'),
  'hubspot.findContactById': byId('hubspot'),
  'hubspot.findUserByEmail': user('hubspot'),
  'hubspot.createContact': {
    to: 'crm.createContact',
    params: (p) => ({ crm: 'hubspot', firstName: p.firstName, lastName: p.lastName, email: p.email, phone: p.phone, mobile: p.mobilePhone, company: p.company, country: p.country, owner: p.ownerId }),
    outputs: [['id', 'ref.id']],
    ports: { created: 'out', exists: null },
    lost: (p) => [...lostKeys(['properties'])(p), 'the "already exists" port'],
  },
  'hubspot.logCall': {
    to: 'crm.logCall',
    params: (p) => ({
      crm: 'hubspot', contactId: p.contactId, companyId: p.companyId, agent: p.ownerId, startedAt: p.startedAt ?? NOW, durationSec: p.durationSec, direction: p.direction,
      status: status(p.status), from: p.fromNumber, to: p.toNumber, recordingUrl: p.recordingUrl, notes: p.notes, subject: p.title,
    }),
    outputs: [['callId', 'ref.id']],
    lost: lostKeys([]),
  },
  'hubspot.updateCallLog': {
    to: 'crm.updateCallLog',
    params: (p) => ({
      crm: 'hubspot', ref: { system: 'hubspot', type: 'call', id: p.callId }, notes: p.notes, notesMode: p.notesMode ?? 'append', status: status(p.status),
      recordingUrl: p.recordingUrl, durationSec: p.durationSec, subject: p.title,
    }),
    outputs: [['callId', 'ref.id']],
  },
  'hubspot.createTask': {
    to: 'crm.createTask',
    params: (p) => ({ crm: 'hubspot', subject: p.subject, notes: p.body, due: p.dueAt, owner: p.ownerId, contactId: p.contactId, companyId: p.companyId }),
    outputs: [['taskId', 'ref.id']],
    lost: lostKeys(['priority', 'type']),
  },

  // Salesforce
  'salesforce.findContactByPhone': find('salesforce', 'person'),
  'salesforce.findCompanyByPhone': find('salesforce', 'company'),
  'salesforce.findContactById': byId('salesforce'),
  'salesforce.findUserByEmail': user('salesforce'),
  'salesforce.createContact': {
    to: 'crm.createContact',
    params: (p) => ({ crm: 'salesforce', firstName: p.firstName, lastName: p.lastName, email: p.email, phone: p.phone, mobile: p.mobilePhone, country: p.country, owner: p.ownerId }),
    outputs: [['id', 'ref.id'], ['crmUrl', 'ref.url']],
    lost: lostKeys(['title', 'accountId', 'description', 'fields']),
  },
  'salesforce.logCall': {
    to: 'crm.logCall',
    params: (p) => ({
      crm: 'salesforce', callId: p.callId, contactId: p.contactId, companyId: p.accountId, agent: p.ownerId, direction: p.direction, status: status(p.status),
      startedAt: p.startedAt ?? NOW, durationSec: p.durationSec, from: p.from, to: p.to, recordingUrl: p.recordingUrl, notes: p.notes, subject: p.subject,
    }),
    outputs: [['taskId', 'ref.id'], ['crmUrl', 'ref.url']],
    lost: lostKeys(['disposition']),
  },
  'salesforce.updateCallLog': {
    to: 'crm.updateCallLog',
    params: (p) => ({
      crm: 'salesforce', ref: { system: 'salesforce', type: 'Task', id: p.taskId }, notes: p.notes, notesMode: p.replaceNotes === true ? 'replace' : 'append',
      status: status(p.status), durationSec: p.durationSec, recordingUrl: p.recordingUrl,
    }),
    outputs: [['taskId', 'ref.id']],
    lost: lostKeys(['disposition']),
  },
  'salesforce.createTask': {
    to: 'crm.createTask',
    params: (p) => ({ crm: 'salesforce', subject: p.subject, notes: p.description, contactId: p.contactId, companyId: p.accountId, owner: p.ownerId, due: p.dueDate }),
    outputs: [['taskId', 'ref.id'], ['crmUrl', 'ref.url']],
    lost: lostKeys(['priority', 'reminderAt']),
  },

  // Pipedrive
  'pipedrive.findContactByPhone': find('pipedrive', 'person'),
  'pipedrive.findCompanyByPhone': find('pipedrive', 'company'),
  'pipedrive.findContactById': byId('pipedrive'),
  'pipedrive.findUserByEmail': user('pipedrive'),
  'pipedrive.createContact': {
    to: 'crm.createContact',
    params: (p) => ({ crm: 'pipedrive', firstName: p.firstName ?? p.name, lastName: p.lastName, email: p.email, phone: p.phone, mobile: p.mobile, owner: idOf(p.ownerId) }),
    outputs: [['id', 'ref.id']],
    lost: lostKeys(['orgId']),
  },
  'pipedrive.logCall': {
    to: 'crm.logCall',
    params: (p) => ({
      crm: 'pipedrive', contactId: idOf(p.personId), companyId: idOf(p.orgId), agent: idOf(p.ownerId), direction: p.direction, status: status(p.status), startedAt: p.startedAt ?? NOW,
      durationSec: p.durationSec, from: p.from, to: p.to, recordingUrl: p.recordingUrl, notes: p.notes, subject: p.subject,
    }),
    outputs: [['activityId', 'ref.id']],
    lost: lostKeys(['dealId']),
  },
  'pipedrive.updateCallLog': {
    to: 'crm.updateCallLog',
    params: (p) => ({
      crm: 'pipedrive', ref: { system: 'pipedrive', type: 'activity', id: idOf(p.activityId) }, notes: p.notes, notesMode: 'append', status: status(p.status),
      recordingUrl: p.recordingUrl, subject: p.subject, durationSec: p.durationSec,
    }),
    outputs: [['activityId', 'ref.id']],
  },
  'pipedrive.createTask': {
    to: 'crm.createTask',
    params: (p) => ({ crm: 'pipedrive', subject: p.subject, contactId: idOf(p.personId), companyId: idOf(p.orgId), owner: idOf(p.ownerId), notes: p.note, due: p.dueDate }),
    outputs: [['activityId', 'ref.id']],
    lost: lostKeys(['dealId', 'type', 'dueTime', 'dueInMinutes']),
  },
};
