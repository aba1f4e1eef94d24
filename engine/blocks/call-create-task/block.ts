// A call-back task for a missed or declined call, once per call: the task's reference is kept on the call session,
// so a re-delivered event or a retried run does not give the agent a second task.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { crmApiOf, crmSystems } from '../../connectors/crm-blocks';
import { recordRefSchema, type RecordRef } from '../../connectors/kit/crm-contract';

export const callCreateTask = defineBlock({
  id: 'call.createTask',
  effect: { what: 'Create a call-back task in the CRM', simulate: () => ({ output: { action: 'created', ref: null } }) },
  version: 1,
  title: 'Call-back task in the CRM (once)',
  description: 'Creates a task for the agent (e.g. call back after a missed call), linked to the contact, once per call.',
  category: 'CRM',
  icon: 'check-square',
  params: z.object({
    crm: z.string().min(1).refine((s) => crmSystems().includes(s), { message: 'a CRM id such as hubspot (or =options.crm)' }),
    callId: z.string().min(1).max(200),
    subject: z.string().min(1).max(255),
    owner: z.string().max(256).nullish().describe('CRM user id or email of the agent'),
    contactId: z.string().max(256).nullish(),
    companyId: z.string().max(256).nullish(),
    due: z.string().max(64).nullish(),
    notes: z.string().max(20_000).nullish(),
  }),
  output: z.object({ action: z.enum(['created', 'unchanged']), ref: recordRefSchema }),
  ports: OUT_PORT,
  summarize: (p) => String(p.subject ?? ''),
  async run(ctx, p) {
    const session = ctx.calls ? await ctx.calls.get(p.callId) : null;
    const prior = (session?.records.task as { ref?: RecordRef } | undefined)?.ref;
    if (prior && prior.system === p.crm) return { output: { action: 'unchanged' as const, ref: prior } };
    const api = crmApiOf(p.crm);
    const call = api.callFromRun(ctx, await ctx.connections.get(p.crm));
    const ref = await api.createTask(call, {
      subject: p.subject, owner: p.owner ?? undefined, contactId: p.contactId ?? undefined, companyId: p.companyId ?? undefined,
      due: p.due ?? undefined, notes: p.notes ?? undefined,
      // The CRM finds a task made for this call before making one: a replay after the worker died between the CRM's
      // answer and saveRecord below answers that task (connectors with capabilities.taskCallIdField).
      callId: p.callId,
    });
    await ctx.calls?.saveRecord(p.callId, 'task', { ref, at: new Date().toISOString() });
    return { output: { action: 'created' as const, ref } };
  },
});
