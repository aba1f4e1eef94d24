// "When the call has ended, wait for the recording or N minutes, whichever comes first": a durable wait on a call
// session. The run is persisted; the phone system's event wakes it (through the job engine, once), else the
// deadline does. If what it waits for is already there, it does not wait at all.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';

export const callWait = defineBlock({
  id: 'call.wait',
  effect: { what: 'Wait for the call (registers the run on the call session)', system: 'calls', simulate: () => ({ output: { satisfied: true, waitedUntil: null } }) },
  version: 1,
  title: 'Wait for the call',
  description: 'Waits (durably) until the call has ended or its recording is ready, or at most the given minutes; goes on at once when that already happened.',
  category: 'Phone system',
  icon: 'clock',
  params: z.object({
    callId: z.string().min(1).max(200),
    /** recording: until the recording is ready; ended: until the call is over; delay: just the minutes. */
    until: z.enum(['ended', 'recording', 'delay']).default('recording'),
    minutes: z.number().min(0).max(60 * 24 * 7).default(10),
  }),
  output: z.object({ satisfied: z.boolean(), waitedUntil: z.string().nullable() }),
  ports: OUT_PORT,
  summarize: (p) => `${String(p.until ?? 'recording')} or ${String(p.minutes ?? 10)} min`,
  async run(ctx, params) {
    const resumeAt = new Date(ctx.clock.now().getTime() + params.minutes * 60_000);
    const waited = ctx.calls && params.until !== 'delay' ? await ctx.calls.waitFor(params.callId, params.until, resumeAt) : { satisfied: false };
    if (waited.satisfied) return { output: { satisfied: true, waitedUntil: null } };
    if (params.minutes === 0) return { output: { satisfied: false, waitedUntil: null } };
    // Woken early or at the deadline, the run goes on after this step: read the session again (call.session) to see which.
    return { output: { satisfied: false, waitedUntil: resumeAt.toISOString() }, suspend: { resumeAt } };
  },
});
