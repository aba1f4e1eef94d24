// Calls are logged the way Salesforce's own CTI does: a completed Task with TaskSubtype 'Call' (shown with
// the call icon in the activity timeline), CallType Inbound/Outbound, CallDurationInSeconds, CallDisposition
// ("Call Result"), CallObject (the phone system's call id), WhoId = the contact and OwnerId = the agent.
// Salesforce has no recording field on Task, so numbers, times and the recording link go in the Description.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { connectorCall, createSalesforceClient } from './client';
import { recordUrl } from './map-contact';
import { API_BASE } from './soql';

export const CALL_STATUSES = ['answered', 'missed', 'declined', 'busy', 'failed', 'voicemail', 'transferred', 'no-answer', 'cancelled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

const DISPOSITION: Record<CallStatus, string> = {
  answered: 'Answered', missed: 'Missed', declined: 'Declined', transferred: 'Transferred', busy: 'Busy', failed: 'Failed', voicemail: 'Left voicemail', 'no-answer': 'No answer', cancelled: 'Cancelled',
};

export function dispositionOf(status: CallStatus): string {
  return DISPOSITION[status];
}

export const RECORDING_PREFIX = 'Recording: ';

function formatDuration(sec: number): string {
  const m = Math.floor(sec / 60);
  const s = sec % 60;
  return m ? `${m}m ${s}s` : `${s}s`;
}

/** The Task's Description: a header the phone system owns, then the agent's notes. */
export function callDescription(p: { direction: 'inbound' | 'outbound'; status: CallStatus; from?: string | null; to?: string | null; startedAt: string; durationSec: number; recordingUrl?: string | null; notes?: string | null }): string {
  const lines = [
    `${p.direction === 'inbound' ? 'Inbound' : 'Outbound'} call, ${DISPOSITION[p.status].toLowerCase()}`,
    p.from ? `From: ${p.from}` : null,
    p.to ? `To: ${p.to}` : null,
    `Started: ${p.startedAt}`,
    `Duration: ${formatDuration(p.durationSec)}`,
    p.recordingUrl ? RECORDING_PREFIX + p.recordingUrl : null,
  ].filter((l): l is string => l !== null);
  return p.notes ? `${lines.join('\n')}\n\n${p.notes}` : lines.join('\n');
}

export const logCallParams = z.object({
  contactId: z.string().nullish().describe('Contact (003…) or Lead (00Q…) the call was with'),
  accountId: z.string().nullish().describe('Related Account (001…)'),
  ownerId: z.string().nullish().describe('Agent user (005…); default: the connected user'),
  direction: z.enum(['inbound', 'outbound']),
  status: z.enum(CALL_STATUSES).default('answered'),
  startedAt: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'an ISO date-time').describe('When the call started (ISO 8601)'),
  durationSec: z.number().int().min(0).default(0),
  from: z.string().nullish(),
  to: z.string().nullish(),
  recordingUrl: z.url().nullish(),
  notes: z.string().max(20000).nullish(),
  subject: z.string().max(255).nullish().describe('Default: "Inbound call from …"'),
  disposition: z.string().max(255).nullish().describe('Call Result; default derived from status'),
  callId: z.string().max(255).nullish().describe("The phone system's call id (CallObject)"),
});

export type LogCallArgs = z.input<typeof logCallParams>;

export async function logCall(call: ConnectorCall, args: LogCallArgs): Promise<{ taskId: string; crmUrl: string }> {
  const p = logCallParams.parse(args);
  const started = new Date(p.startedAt);
  const other = p.direction === 'inbound' ? p.from : p.to;
  const subject = p.subject ?? `${p.status === 'answered' ? '' : DISPOSITION[p.status] + ' – '}${p.direction === 'inbound' ? 'Inbound call from' : 'Outbound call to'} ${other ?? 'unknown number'}`;
  const body: Record<string, unknown> = {
    Subject: subject.slice(0, 255),
    TaskSubtype: 'Call',
    Type: 'Call',
    Status: 'Completed',
    Priority: 'Normal',
    ActivityDate: started.toISOString().slice(0, 10),
    CallType: p.direction === 'inbound' ? 'Inbound' : 'Outbound',
    CallDurationInSeconds: p.durationSec,
    CallDisposition: p.disposition ?? DISPOSITION[p.status],
    Description: callDescription({ ...p, startedAt: started.toISOString() }),
  };
  if (p.callId) body.CallObject = p.callId;
  if (p.contactId) body.WhoId = p.contactId;
  if (p.accountId) body.WhatId = p.accountId;
  if (p.ownerId) body.OwnerId = p.ownerId;
  const sf = createSalesforceClient(call);
  const res = await sf.request<{ id: string }>({ method: 'POST', path: `${API_BASE}/sobjects/Task`, body });
  return { taskId: res.body.id, crmUrl: recordUrl(sf.instanceUrl, 'Task', res.body.id) };
}

export const salesforceLogCall = defineBlock({
  id: 'salesforce.logCall',
  effect: { what: 'Log the call in Salesforce' },
  version: 1,
  title: 'Salesforce: log call',
  description: 'Logs the call as a completed call Task on the contact (direction, duration, result, numbers, recording link, notes).',
  category: 'CRM',
  icon: 'phone',
  connector: 'salesforce',
  params: logCallParams,
  output: z.object({ taskId: z.string(), crmUrl: z.string() }),
  ports: OUT_PORT,
  summarize: (p) => `${String(p.direction ?? '')} call${p.contactId ? ` on ${String(p.contactId)}` : ''}`,
  async run(ctx, params) {
    return { output: await logCall(await connectorCall(ctx), params) };
  },
});
