import { z } from 'zod';
import { defineBlock } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { CALL_STATUSES, callDetailsHtml, callSubject, durationHHMM, personNoteHtml, type CallDirection, type CallStatus } from './call-note';
import { callFromContext, createPipedriveClient, toPipedriveId } from './client';

export interface LogCallArgs {
  personId?: string | null;
  orgId?: string | null;
  dealId?: string | null;
  /** Pipedrive user id of the agent; the activity's owner (defaults to the token's user). */
  ownerId?: string | null;
  direction: CallDirection;
  status: CallStatus;
  startedAt: string | Date;
  durationSec: number;
  from?: string | null;
  to?: string | null;
  recordingUrl?: string | null;
  notes?: string | null;
  subject?: string | null;
  /** The phone system's call id (kept in the activity note). */
  callId?: string | null;
  /** Also add a note on the person (or organization) with the recording link and the notes (default true). */
  addNote?: boolean;
}

export interface LogCallResult {
  activityId: string;
  noteId: string | null;
  subject: string;
}

interface Activity { id: number; subject: string }
interface Note { id: number }

/**
 * Pipedrive's native call log: an activity of type `call` (done, due date/time = when the call started, in UTC,
 * duration HH:MM, linked to the person/organization/deal, owned by the agent) carrying the call details as its
 * note, plus a note on the person so the recording and the agent's notes show in the person's timeline.
 */
export async function logCall(call: ConnectorCall, args: LogCallArgs): Promise<LogCallResult> {
  const client = createPipedriveClient(call);
  const startedAt = args.startedAt instanceof Date ? args.startedAt : new Date(args.startedAt);
  if (Number.isNaN(startedAt.getTime())) throw new PatchbayError('invalid_params', `startedAt is not a date: "${String(args.startedAt)}"`);
  const personId = toPipedriveId(args.personId, 'personId');
  const orgId = toPipedriveId(args.orgId, 'orgId');
  const details = { direction: args.direction, status: args.status, from: args.from, to: args.to, startedAt, durationSec: args.durationSec, recordingUrl: args.recordingUrl, notes: args.notes, callId: args.callId };
  const subject = args.subject?.trim() || callSubject(args);
  const iso = startedAt.toISOString();
  const activity = await client.send<Activity>('POST', '/api/v2/activities', {
    subject,
    type: 'call',
    owner_id: toPipedriveId(args.ownerId, 'ownerId'),
    person_id: personId,
    org_id: orgId,
    deal_id: toPipedriveId(args.dealId, 'dealId'),
    due_date: iso.slice(0, 10),
    due_time: iso.slice(11, 16),
    duration: durationHHMM(args.durationSec),
    done: true,
    busy: false,
    note: callDetailsHtml(details),
  });
  let noteId: string | null = null;
  if (args.addNote !== false && (personId || orgId)) {
    const note = await client.send<Note>('POST', '/v1/notes', { content: personNoteHtml(subject, details), ...(personId ? { person_id: personId } : { org_id: orgId }) });
    noteId = String(note.id);
  }
  return { activityId: String(activity.id), noteId, subject };
}

const optionalId = z.union([z.string(), z.number()]).transform(String).nullish();

export const logCallBlock = defineBlock({
  id: 'pipedrive.logCall',
  effect: { what: 'Log the call in Pipedrive' },
  version: 1,
  title: 'Pipedrive: log call',
  description: 'Logs a call as a Pipedrive call activity on the person, with a note carrying the recording link and notes.',
  category: 'CRM',
  icon: 'phone',
  connector: 'pipedrive',
  params: z.object({
    personId: optionalId.describe('Pipedrive person id'),
    orgId: optionalId.describe('Pipedrive organization id'),
    dealId: optionalId,
    ownerId: optionalId.describe('Pipedrive user id of the agent'),
    direction: z.enum(['inbound', 'outbound']),
    status: z.enum(CALL_STATUSES).default('answered'),
    startedAt: z.string().describe('When the call started (ISO 8601)'),
    durationSec: z.number().min(0).default(0),
    from: z.string().nullish(),
    to: z.string().nullish(),
    recordingUrl: z.string().url().nullish(),
    notes: z.string().max(50_000).nullish(),
    subject: z.string().max(255).nullish(),
    addNote: z.boolean().default(true),
  }),
  output: z.object({ activityId: z.string(), noteId: z.string().nullable(), subject: z.string() }),
  ports: [{ id: 'out', label: 'next' }],
  summarize: (p) => `${String(p.direction ?? '')} call`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('pipedrive');
    return { output: await logCall(callFromContext(ctx, conn), params) };
  },
});
