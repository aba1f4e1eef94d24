// Creates a HubSpot task (e.g. "call back" after a missed call): POST /crm/v3/objects/tasks, assigned to
// an owner and associated with the contact and/or company.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { createHubspotClient, type HubspotRecord } from './client';
import { ASSOCIATION, associationsFor, notesToHtml } from './log-call';
import { callOf } from '../kit/contact-source';

export const createTaskParams = z.object({
  subject: z.string().min(1).max(512),
  body: z.string().max(65_000).optional(),
  dueAt: z.string().optional().describe('Due date/time (ISO 8601; default now)'),
  ownerId: z.string().optional().describe('HubSpot owner id to assign the task to'),
  contactId: z.string().optional(),
  companyId: z.string().optional(),
  priority: z.enum(['LOW', 'MEDIUM', 'HIGH']).default('MEDIUM'),
  type: z.enum(['CALL', 'EMAIL', 'TODO']).default('CALL'),
});

export type CreateTaskArgs = z.input<typeof createTaskParams>;

export async function createTask(call: ConnectorCall, input: CreateTaskArgs, now: () => Date = () => new Date()): Promise<{ taskId: string }> {
  const args = createTaskParams.parse(input);
  let due = now().getTime();
  if (args.dueAt) {
    due = /^\d+$/.test(args.dueAt) ? Number(args.dueAt) : Date.parse(args.dueAt);
    if (!Number.isFinite(due)) throw new PatchbayError('invalid_params', `Not a date: ${args.dueAt}`);
  }
  const properties: Record<string, string> = {
    hs_timestamp: new Date(due).toISOString(),
    hs_task_subject: args.subject,
    hs_task_status: 'NOT_STARTED',
    hs_task_priority: args.priority,
    hs_task_type: args.type,
  };
  if (args.body) properties.hs_task_body = notesToHtml(args.body);
  if (args.ownerId) properties.hubspot_owner_id = args.ownerId;
  const http = createHubspotClient(call);
  const res = await http.request<HubspotRecord>({
    method: 'POST',
    path: '/crm/v3/objects/tasks',
    body: { properties, associations: associationsFor(args, { contact: ASSOCIATION.taskToContact, company: ASSOCIATION.taskToCompany }) },
  });
  return { taskId: String(res.body.id) };
}

export const createTaskBlock = defineBlock({
  id: 'hubspot.createTask',
  effect: { what: 'Create a task in HubSpot' },
  version: 1,
  title: 'HubSpot: create task',
  description: 'Creates a task in HubSpot, e.g. to call back after a missed call.',
  category: 'CRM',
  icon: 'check-square',
  connector: 'hubspot',
  params: createTaskParams,
  output: z.object({ taskId: z.string() }),
  ports: OUT_PORT,
  summarize: (p) => String(p.subject ?? ''),
  async run(ctx, params) {
    const conn = await ctx.connections.get('hubspot');
    return { output: await createTask(callOf(ctx, conn), params, () => ctx.clock.now()) };
  },
});
