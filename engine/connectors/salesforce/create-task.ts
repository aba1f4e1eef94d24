import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { connectorCall, createSalesforceClient } from './client';
import { recordUrl } from './map-contact';
import { API_BASE } from './soql';

export const createTaskParams = z.object({
  subject: z.string().min(1).max(255),
  description: z.string().max(32000).nullish(),
  contactId: z.string().nullish().describe('Contact (003…) or Lead (00Q…)'),
  accountId: z.string().nullish().describe('Related Account (001…)'),
  ownerId: z.string().nullish().describe('Assigned user (005…); default: the connected user'),
  dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'a date such as 2026-03-01').nullish().describe('Due date (YYYY-MM-DD); default today'),
  priority: z.enum(['High', 'Normal', 'Low']).default('Normal'),
  reminderAt: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'an ISO date-time').nullish(),
  callObject: z.string().max(255).nullish().describe("The phone system's id of the call this task follows up (CallObject)"),
});

export type CreateTaskArgs = z.input<typeof createTaskParams>;

/** An open to-do (e.g. "call back" after a missed call), assigned to the owner. */
export async function createTask(call: ConnectorCall, args: CreateTaskArgs, now = new Date()): Promise<{ taskId: string; crmUrl: string }> {
  const p = createTaskParams.parse(args);
  const body: Record<string, unknown> = {
    Subject: p.subject,
    TaskSubtype: 'Task',
    Status: 'Not Started',
    Priority: p.priority,
    ActivityDate: (p.dueDate ?? now.toISOString()).slice(0, 10),
  };
  if (p.description) body.Description = p.description;
  if (p.contactId) body.WhoId = p.contactId;
  if (p.accountId) body.WhatId = p.accountId;
  if (p.ownerId) body.OwnerId = p.ownerId;
  if (p.callObject) body.CallObject = p.callObject;
  if (p.reminderAt) { body.IsReminderSet = true; body.ReminderDateTime = new Date(p.reminderAt).toISOString(); }
  const sf = createSalesforceClient(call);
  const res = await sf.request<{ id: string }>({ method: 'POST', path: `${API_BASE}/sobjects/Task`, body });
  return { taskId: res.body.id, crmUrl: recordUrl(sf.instanceUrl, 'Task', res.body.id) };
}

export const salesforceCreateTask = defineBlock({
  id: 'salesforce.createTask',
  effect: { what: 'Create a task in Salesforce' },
  version: 1,
  title: 'Salesforce: create task',
  description: 'Creates an open Task, e.g. a call-back for a missed call, on the contact and its owner.',
  category: 'CRM',
  icon: 'check-square',
  connector: 'salesforce',
  params: createTaskParams,
  output: z.object({ taskId: z.string(), crmUrl: z.string() }),
  ports: OUT_PORT,
  summarize: (p) => String(p.subject ?? ''),
  async run(ctx, params) {
    return { output: await createTask(await connectorCall(ctx), params, ctx.clock.now()) };
  },
});
