// The CRM contract: every shape a CRM connector reads or writes, declared once as zod schemas. Types come from
// `z.infer`; the generic crm.* blocks, the conformance suite and every CRM connector use these and nothing else,
// so a flow built against one CRM runs unchanged against another.
import { z } from 'zod';
import { customValueSchema } from '../../core/contact';

/** What every write returns: which record in which CRM, and a link a person can open. */
export const recordRefSchema = z.object({
  system: z.string().min(1).describe('The CRM (hubspot, salesforce, pipedrive …)'),
  type: z.string().min(1).describe("The CRM's native object (call, Task, activity, note …)"),
  id: z.string().min(1),
  url: z.string().nullable().default(null),
});
export type RecordRef = z.infer<typeof recordRefSchema>;

export const crmPhoneSchema = z.object({
  /** As stored in the CRM. */
  number: z.string(),
  /** E.164 when the number is valid (with the record's country, else the customer's). */
  e164: z.string().nullable(),
});

export const crmContactSchema = z.object({
  system: z.string(),
  id: z.string(),
  kind: z.enum(['person', 'company']),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  displayName: z.string(),
  company: z.string().nullable(),
  emails: z.array(z.string()),
  phones: z.array(crmPhoneSchema),
  /** ISO 3166-1 alpha-2 of the record, when the CRM knows it. */
  country: z.string().nullable(),
  /** CRM user id of the record's owner. */
  owner: z.string().nullable(),
  url: z.string().nullable(),
  custom: z.record(z.string(), customValueSchema),
  updatedAt: z.string().nullable(),
});
export type CrmContact = z.infer<typeof crmContactSchema>;

export const crmUserSchema = z.object({
  id: z.string(), name: z.string(), email: z.string(),
  /** Known when the CRM lists its users (listUsers); findUserByEmail may leave them out. */
  firstName: z.string().nullish(), lastName: z.string().nullish(),
  /** false for a deactivated (archived) user, where the CRM lists those. */
  active: z.boolean().optional(),
});
export type CrmUser = z.infer<typeof crmUserSchema>;

export const CALL_STATUSES = ['answered', 'missed', 'declined', 'busy', 'voicemail', 'transferred', 'failed'] as const;
export const callStatusSchema = z.enum(CALL_STATUSES);
export type CallStatus = z.infer<typeof callStatusSchema>;
export const callDirectionSchema = z.enum(['inbound', 'outbound']);
export type CallDirection = z.infer<typeof callDirectionSchema>;

const isoDateTime = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'an ISO 8601 date-time such as 2026-03-01T09:30:00Z');

export const callLogSchema = z.object({
  callId: z.string().min(1).max(255).optional().describe("The phone system's call id: stored on the native record where the CRM has a field for it, so a retried log finds the first one"),
  direction: callDirectionSchema,
  status: callStatusSchema.default('answered'),
  startedAt: isoDateTime.describe('When the call started (ISO 8601)'),
  endedAt: isoDateTime.optional(),
  durationSec: z.number().int().min(0).optional().describe('Default: endedAt − startedAt, else 0'),
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
  agent: z.string().max(256).optional().describe('The agent: a CRM user id, or an email (looked up)'),
  contactId: z.string().max(256).optional(),
  companyId: z.string().max(256).optional(),
  recordingUrl: z.url().max(2048).optional(),
  transcript: z.string().max(100_000).optional(),
  notes: z.string().max(20_000).optional(),
  subject: z.string().max(255).optional(),
});
export type CallLog = z.infer<typeof callLogSchema>;
export type CallLogInput = z.input<typeof callLogSchema>;

/** What a later update may change on a logged call. Notes replace the previous notes unless `notesMode` is append. */
export const callLogChangesSchema = z.object({
  status: callStatusSchema.optional(),
  endedAt: isoDateTime.optional(),
  durationSec: z.number().int().min(0).optional(),
  recordingUrl: z.url().max(2048).optional(),
  transcript: z.string().max(100_000).optional(),
  notes: z.string().max(20_000).optional(),
  notesMode: z.enum(['replace', 'append']).default('replace'),
  subject: z.string().max(255).optional(),
});
export type CallLogChanges = z.infer<typeof callLogChangesSchema>;
export type CallLogChangesInput = z.input<typeof callLogChangesSchema>;

export const taskSchema = z.object({
  subject: z.string().min(1).max(255),
  due: isoDateTime.optional().describe('When it is due (ISO 8601; default now)'),
  owner: z.string().max(256).optional().describe('Assignee: a CRM user id, or an email (looked up)'),
  contactId: z.string().max(256).optional(),
  companyId: z.string().max(256).optional(),
  notes: z.string().max(20_000).optional(),
  callId: z.string().min(1).max(255).optional().describe("The phone system's call this task follows up (a call-back after a missed call): stored on the task where the CRM can find it again (capabilities.taskCallIdField), so a retried create answers the first task instead of a second one"),
});
export type CrmTask = z.infer<typeof taskSchema>;

export const noteSchema = z.object({
  body: z.string().min(1).max(20_000),
  contactId: z.string().max(256).optional(),
  companyId: z.string().max(256).optional(),
}).refine((n) => !!(n.contactId || n.companyId), { message: 'a note needs the contactId or companyId it belongs to', path: ['contactId'] });
export type CrmNote = z.infer<typeof noteSchema>;

export const newContactSchema = z.object({
  firstName: z.string().max(40).optional(),
  lastName: z.string().max(80).optional(),
  company: z.string().max(255).optional(),
  email: z.string().max(80).optional(),
  phone: z.string().max(40).optional().describe('Stored as given'),
  mobile: z.string().max(40).optional(),
  country: z.string().max(80).optional(),
  owner: z.string().max(256).optional().describe('Owner: a CRM user id, or an email (looked up)'),
});
export type NewContact = z.infer<typeof newContactSchema>;

/**
 * What a two-way sync changes on an existing person: the fields a phonebook shares with every CRM. A field left out
 * is kept; null clears it. Numbers are stored as given (the sync sends E.164).
 */
export const contactChangesSchema = z.object({
  firstName: z.string().max(40).nullable().optional(),
  lastName: z.string().max(80).nullable().optional(),
  email: z.string().max(80).nullable().optional(),
  phone: z.string().max(40).nullable().optional(),
  mobile: z.string().max(40).nullable().optional(),
});
export type ContactChanges = z.infer<typeof contactChangesSchema>;

/** One record's answer to a batch update: changed, gone (deleted in the CRM), or refused with the CRM's reason. */
export interface ContactUpdateResult { id: string; outcome: 'updated' | 'not_found' | 'failed'; error?: string }

/** How a CRM stores calls; the generic blocks and the conformance suite read this instead of asking which CRM it is. */
export const crmCapabilitiesSchema = z.object({
  supportsCompanies: z.boolean(),
  /** in_place: the call log itself is updated; note: the CRM cannot edit it, so a note linked to the same record carries the change. */
  callLogUpdate: z.enum(['in_place', 'note']),
  /** The CRM's native call object, in words ("Task with TaskSubtype Call"). */
  nativeCallObject: z.string(),
  /** Where the phone system's callId is stored, in words; null when the CRM has no field for it. */
  callIdField: z.string().nullable(),
  /**
   * Where a task's callId is stored and searched, in words: createTask with a callId finds the task made for that call
   * before making one (a run replayed after its worker died mid-step makes no second call-back). Absent or null: not yet.
   */
  taskCallIdField: z.string().nullable().optional(),
});
export type CrmCapabilities = z.infer<typeof crmCapabilitiesSchema>;

export function durationOf(log: Pick<CallLog, 'durationSec' | 'startedAt' | 'endedAt'>): number {
  if (log.durationSec !== undefined) return log.durationSec;
  if (!log.endedAt) return 0;
  return Math.max(0, Math.round((Date.parse(log.endedAt) - Date.parse(log.startedAt)) / 1000));
}

/** "Inbound call from +14155550100", "Outbound call to … (missed)": the default subject on every CRM. */
export function defaultCallSubject(log: Pick<CallLog, 'direction' | 'status' | 'from' | 'to'>): string {
  const other = log.direction === 'inbound' ? log.from : log.to;
  const base = `${log.direction === 'inbound' ? 'Inbound' : 'Outbound'} call${other ? ` ${log.direction === 'inbound' ? 'from' : 'to'} ${other}` : ''}`;
  return log.status === 'answered' ? base : `${base} (${log.status})`;
}

/** Notes plus the transcript, for CRMs that keep both in one text field. */
export function notesWithTranscript(notes: string | undefined, transcript: string | undefined): string | undefined {
  if (!transcript) return notes;
  return notes ? `${notes}\n\nTranscript:\n${transcript}` : `Transcript:\n${transcript}`;
}
