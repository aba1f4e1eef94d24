// Logs a phone call the HubSpot way: a call engagement (POST /crm/v3/objects/calls) with the hs_call_*
// properties, owned by the agent (hubspot_owner_id) and associated with the contact and/or company
// through HubSpot's default association types, so it shows on their timelines.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { createHubspotClient, type HubspotRecord } from './client';
import { callOf } from '../kit/contact-source';

/** HubSpot-defined association type ids (engagement → record). */
export const ASSOCIATION = {
  callToContact: 194,
  callToCompany: 182,
  taskToContact: 204,
  taskToCompany: 192,
  noteToContact: 202,
  noteToCompany: 190,
} as const;

/** Ids of HubSpot's default call outcomes (hs_call_disposition). */
export const CALL_OUTCOME = {
  busy: '9d9162e7-6cf3-4944-bf63-4dff82258764',
  connected: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
  leftLiveMessage: 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff',
  leftVoicemail: 'b2cf5968-551e-4856-9783-52b3da59a7d0',
  noAnswer: '73a0d17f-1163-4015-bdd5-ec830791da20',
  wrongNumber: '17b47fee-58de-441e-a44c-c6300d46f273',
} as const;

export const callStatusSchema = z.enum(['answered', 'missed', 'declined', 'busy', 'voicemail', 'transferred', 'failed', 'canceled']);
export type CallStatus = z.infer<typeof callStatusSchema>;

/** Patchbay's call status → HubSpot's hs_call_status and call outcome. */
export function hubspotCallStatus(status: CallStatus): { hs_call_status: string; hs_call_disposition?: string } {
  switch (status) {
    case 'answered': return { hs_call_status: 'COMPLETED', hs_call_disposition: CALL_OUTCOME.connected };
    // Answered, then handed to someone else: a connected call (the title says "transferred").
    case 'transferred': return { hs_call_status: 'COMPLETED', hs_call_disposition: CALL_OUTCOME.connected };
    // Rejected by the agent: the call was never connected.
    case 'declined': return { hs_call_status: 'CANCELED', hs_call_disposition: CALL_OUTCOME.noAnswer };
    case 'voicemail': return { hs_call_status: 'COMPLETED', hs_call_disposition: CALL_OUTCOME.leftVoicemail };
    case 'missed': return { hs_call_status: 'NO_ANSWER', hs_call_disposition: CALL_OUTCOME.noAnswer };
    case 'busy': return { hs_call_status: 'BUSY', hs_call_disposition: CALL_OUTCOME.busy };
    case 'failed': return { hs_call_status: 'FAILED' };
    case 'canceled': return { hs_call_status: 'CANCELED' };
  }
}

/** hs_call_body and hs_task_body are rich text: plain notes are escaped and keep their line breaks. */
export function notesToHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, '<br>');
}

export function associationsFor(ids: { contactId?: string | null; companyId?: string | null }, types: { contact: number; company: number }) {
  const out: { to: { id: string }; types: { associationCategory: 'HUBSPOT_DEFINED'; associationTypeId: number }[] }[] = [];
  if (ids.contactId) out.push({ to: { id: ids.contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: types.contact }] });
  if (ids.companyId) out.push({ to: { id: ids.companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: types.company }] });
  return out;
}

function isoTime(value: string | undefined, fallback: () => Date): string {
  if (!value) return fallback().toISOString();
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new PatchbayError('invalid_params', `Not a date: ${value}`);
  return new Date(ms).toISOString();
}

export const logCallParams = z.object({
  contactId: z.string().optional().describe('HubSpot contact id to log the call on'),
  companyId: z.string().optional().describe('HubSpot company id to log the call on'),
  ownerId: z.string().optional().describe('HubSpot owner id of the agent'),
  startedAt: z.string().optional().describe('When the call started (ISO 8601; default now)'),
  durationSec: z.number().min(0).default(0),
  direction: z.enum(['inbound', 'outbound']),
  status: callStatusSchema.default('answered'),
  fromNumber: z.string().max(64).optional(),
  toNumber: z.string().max(64).optional(),
  recordingUrl: z.string().max(2048).optional(),
  notes: z.string().max(65_000).optional(),
  title: z.string().max(512).optional(),
  externalId: z.string().max(255).optional().describe("The phone system's call id (hs_call_external_id)"),
});

export type LogCallArgs = z.input<typeof logCallParams>;

export async function logCall(call: ConnectorCall, input: LogCallArgs, now: () => Date = () => new Date()): Promise<{ callId: string; hsCallStatus: string; disposition: string | null }> {
  const args = logCallParams.parse(input);
  const mapped = hubspotCallStatus(args.status);
  const inbound = args.direction === 'inbound';
  const properties: Record<string, string> = {
    hs_timestamp: isoTime(args.startedAt, now),
    hs_call_direction: inbound ? 'INBOUND' : 'OUTBOUND',
    hs_call_duration: String(Math.round(args.durationSec * 1000)),
    hs_call_status: mapped.hs_call_status,
    hs_call_title: args.title ?? `${inbound ? 'Inbound' : 'Outbound'} call${args.status === 'answered' ? '' : ` (${args.status})`}${(inbound ? args.fromNumber : args.toNumber) ? ` ${inbound ? 'from' : 'to'} ${inbound ? args.fromNumber : args.toNumber}` : ''}`,
  };
  if (mapped.hs_call_disposition) properties.hs_call_disposition = mapped.hs_call_disposition;
  if (args.fromNumber) properties.hs_call_from_number = args.fromNumber;
  if (args.toNumber) properties.hs_call_to_number = args.toNumber;
  if (args.recordingUrl) properties.hs_call_recording_url = args.recordingUrl;
  if (args.notes) properties.hs_call_body = notesToHtml(args.notes);
  if (args.ownerId) properties.hubspot_owner_id = args.ownerId;
  if (args.externalId) properties.hs_call_external_id = args.externalId;
  const http = createHubspotClient(call);
  const res = await http.request<HubspotRecord>({
    method: 'POST',
    path: '/crm/v3/objects/calls',
    body: { properties, associations: associationsFor(args, { contact: ASSOCIATION.callToContact, company: ASSOCIATION.callToCompany }) },
  });
  return { callId: String(res.body.id), hsCallStatus: mapped.hs_call_status, disposition: mapped.hs_call_disposition ?? null };
}

export const logCallBlock = defineBlock({
  id: 'hubspot.logCall',
  effect: { what: 'Log the call in HubSpot' },
  version: 1,
  title: 'HubSpot: log call',
  description: 'Logs the call on the contact\'s timeline as a HubSpot call with direction, duration, outcome, numbers, recording and notes.',
  category: 'CRM',
  icon: 'phone-call',
  connector: 'hubspot',
  params: logCallParams,
  output: z.object({ callId: z.string(), hsCallStatus: z.string(), disposition: z.string().nullable() }),
  ports: OUT_PORT,
  summarize: (p) => `${String(p.direction ?? '')} ${String(p.status ?? 'answered')}`.trim(),
  async run(ctx, params) {
    const conn = await ctx.connections.get('hubspot');
    return { output: await logCall(callOf(ctx, conn), params, () => ctx.clock.now()) };
  },
});
