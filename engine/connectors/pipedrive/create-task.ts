import { z } from 'zod';
import { defineBlock } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { callIdLine, escapeHtml } from './call-note';
import { callFromContext, createPipedriveClient, toPipedriveId } from './client';

export interface CreateTaskArgs {
  subject: string;
  personId?: string | null;
  orgId?: string | null;
  dealId?: string | null;
  ownerId?: string | null;
  /** Activity type: `task` by default; `call` makes it a call-back in the agent's call list. */
  type?: 'task' | 'call';
  /** YYYY-MM-DD; else `dueInMinutes` from now (default: now). */
  dueDate?: string | null;
  /** HH:MM in UTC. */
  dueTime?: string | null;
  dueInMinutes?: number | null;
  note?: string | null;
  /** The phone system's call this follows up: a "Call id:" paragraph heads the note, where a retried create finds it. */
  callId?: string | null;
  now?: Date;
}

/** The note's paragraph naming the call a follow-up was made for. */
export const taskCallIdParagraph = (callId: string) => `<p>${callIdLine(callId)}</p>`;

/** A follow-up (e.g. for a missed call): an open activity of type task, due when asked, for the agent. */
export async function createTask(call: ConnectorCall, args: CreateTaskArgs): Promise<{ activityId: string; dueDate: string; dueTime: string | null }> {
  const client = createPipedriveClient(call);
  const due = new Date((args.now ?? new Date()).getTime() + (args.dueInMinutes ?? 0) * 60_000);
  const dueDate = args.dueDate ?? due.toISOString().slice(0, 10);
  const dueTime = args.dueTime ?? (args.dueDate ? null : due.toISOString().slice(11, 16));
  const note = (args.callId ? taskCallIdParagraph(args.callId) : '') + (args.note ? `<p>${escapeHtml(args.note).replace(/\n/g, '<br>')}</p>` : '');
  const activity = await client.send<{ id: number }>('POST', '/api/v2/activities', {
    subject: args.subject,
    type: args.type ?? 'task',
    owner_id: toPipedriveId(args.ownerId, 'ownerId'),
    person_id: toPipedriveId(args.personId, 'personId'),
    org_id: toPipedriveId(args.orgId, 'orgId'),
    deal_id: toPipedriveId(args.dealId, 'dealId'),
    due_date: dueDate,
    ...(dueTime ? { due_time: dueTime } : {}),
    done: false,
    ...(note ? { note } : {}),
  });
  return { activityId: String(activity.id), dueDate, dueTime };
}

const optionalId = z.union([z.string(), z.number()]).transform(String).nullish();

export const createTaskBlock = defineBlock({
  id: 'pipedrive.createTask',
  effect: { what: 'Create an activity in Pipedrive' },
  version: 1,
  title: 'Pipedrive: create task',
  description: 'Creates an open Pipedrive activity (task or call-back) for an agent, e.g. after a missed call.',
  category: 'CRM',
  icon: 'check-square',
  connector: 'pipedrive',
  params: z.object({
    subject: z.string().min(1).max(255),
    personId: optionalId,
    orgId: optionalId,
    dealId: optionalId,
    ownerId: optionalId.describe('Pipedrive user id of the agent'),
    type: z.enum(['task', 'call']).default('task'),
    dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullish(),
    dueTime: z.string().regex(/^\d{2}:\d{2}$/).nullish(),
    dueInMinutes: z.number().int().min(0).nullish(),
    note: z.string().max(50_000).nullish(),
  }),
  output: z.object({ activityId: z.string(), dueDate: z.string(), dueTime: z.string().nullable() }),
  ports: [{ id: 'out', label: 'next' }],
  summarize: (p) => String(p.subject ?? ''),
  async run(ctx, params) {
    const conn = await ctx.connections.get('pipedrive');
    return { output: await createTask(callFromContext(ctx, conn), { ...params, now: ctx.clock.now() }) };
  },
});
