import { z } from 'zod';
import { defineBlock } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { appendUpdateHtml, CALL_STATUSES, durationHHMM, escapeHtml, withStatus, type CallStatus } from './call-note';
import { callFromContext, createPipedriveClient } from './client';

export interface UpdateCallLogArgs {
  activityId: string;
  /** The note logCall added on the person; updated in place when given, else a new note is added. */
  noteId?: string | null;
  status?: CallStatus | null;
  recordingUrl?: string | null;
  notes?: string | null;
  subject?: string | null;
  durationSec?: number | null;
  now?: Date;
}

interface Activity { id: number; subject: string; note?: string | null; person_id?: number | null; org_id?: number | null }
interface Note { id: number; content: string }

/** Updates the call activity (PATCH /api/v2/activities/{id}) and the person's note (PUT /v1/notes/{id}). */
export async function updateCallLog(call: ConnectorCall, args: UpdateCallLogArgs): Promise<{ activityId: string; noteId: string | null; updated: boolean }> {
  const client = createPipedriveClient(call);
  const at = args.now ?? new Date();
  const activity = await client.get<Activity>(`/api/v2/activities/${encodeURIComponent(args.activityId)}`);
  const status = args.status ?? undefined;
  const patch: Record<string, unknown> = {};
  if (args.subject) patch.subject = args.subject;
  else if (status) patch.subject = withStatus(activity.subject, status);
  if (typeof args.durationSec === 'number') patch.duration = durationHHMM(args.durationSec);
  if (status || args.recordingUrl || args.notes) patch.note = appendUpdateHtml(activity.note, { status, recordingUrl: args.recordingUrl, notes: args.notes, at });
  if (Object.keys(patch).length) await client.send('PATCH', `/api/v2/activities/${activity.id}`, patch);

  let noteId = args.noteId ?? null;
  const noteChanged = Boolean(args.recordingUrl || args.notes) && Boolean(noteId || activity.person_id || activity.org_id);
  if (args.recordingUrl || args.notes) {
    if (noteId) {
      const note = await client.get<Note>(`/v1/notes/${encodeURIComponent(noteId)}`);
      await client.send('PUT', `/v1/notes/${note.id}`, { content: appendUpdateHtml(note.content, { recordingUrl: args.recordingUrl, notes: args.notes, at }) });
    } else if (activity.person_id || activity.org_id) {
      const content = appendUpdateHtml(`<p><b>${escapeHtml(activity.subject)}</b></p>`, { recordingUrl: args.recordingUrl, notes: args.notes, at });
      const note = await client.send<Note>('POST', '/v1/notes', { content, ...(activity.person_id ? { person_id: activity.person_id } : { org_id: activity.org_id }) });
      noteId = String(note.id);
    }
  }
  return { activityId: String(activity.id), noteId, updated: Object.keys(patch).length > 0 || noteChanged };
}

export const updateCallLogBlock = defineBlock({
  id: 'pipedrive.updateCallLog',
  effect: { what: 'Update the call log in Pipedrive' },
  version: 1,
  title: 'Pipedrive: update call log',
  description: 'Adds the outcome, recording link or notes to a call logged earlier.',
  category: 'CRM',
  icon: 'phone-forwarded',
  connector: 'pipedrive',
  params: z.object({
    activityId: z.union([z.string(), z.number()]).transform(String),
    noteId: z.union([z.string(), z.number()]).transform(String).nullish(),
    status: z.enum(CALL_STATUSES).nullish(),
    recordingUrl: z.string().url().nullish(),
    notes: z.string().max(50_000).nullish(),
    subject: z.string().max(255).nullish(),
    durationSec: z.number().min(0).nullish(),
  }),
  output: z.object({ activityId: z.string(), noteId: z.string().nullable(), updated: z.boolean() }),
  ports: [{ id: 'out', label: 'next' }],
  summarize: (p) => `activity ${String(p.activityId ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('pipedrive');
    return { output: await updateCallLog(callFromContext(ctx, conn), { ...params, now: ctx.clock.now() }) };
  },
});
