// Reads the call session of a call id: what the phone system said about the call so far (state, numbers, agent,
// duration, status, recording, notes) and the records already written for it (CRM log, task, stored recording).
import { z } from 'zod';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';

export const callSession = defineBlock({
  id: 'call.session',
  version: 1,
  title: 'Call session',
  description: 'The call as the phone system\'s events describe it so far, and the records written for it (CRM call log, task, stored recording).',
  category: 'Phone system',
  icon: 'phone',
  params: z.object({ callId: z.string().min(1).max(200).describe('The phone system\'s call id, e.g. =trigger.callId') }),
  output: z.object({
    callId: z.string(),
    state: z.string(),
    call: z.record(z.string(), z.unknown()),
    events: z.array(z.record(z.string(), z.unknown())),
    records: z.record(z.string(), z.unknown()),
  }).partial().extend({ found: z.boolean() }),
  ports: FOUND_PORTS,
  summarize: (p) => String(p.callId ?? ''),
  async run(ctx, params) {
    if (!ctx.calls) throw new PatchbayError('block_failed', 'Call sessions need the Patchbay server (no database here)');
    const s = await ctx.calls.get(params.callId);
    if (!s) return { output: { found: false, callId: params.callId }, port: 'notFound' };
    return { output: { found: true, ...s, call: { ...s.call }, events: s.events.map((e) => ({ ...e })) }, port: 'found' };
  },
});
