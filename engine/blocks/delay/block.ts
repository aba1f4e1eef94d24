import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';

/** A durable wait: the run is persisted and the job engine resumes it; no timer is held in memory. */
export const delay = defineBlock({
  id: 'delay',
  version: 1,
  title: 'Delay',
  description: 'Waits (durably, surviving restarts) before going on, e.g. 10 minutes after a call so notes can be added.',
  category: 'Logic',
  icon: 'clock',
  params: z.object({
    minutes: z.number().min(0).max(60 * 24 * 30).default(10),
  }),
  output: z.object({ resumeAt: z.string() }),
  ports: OUT_PORT,
  summarize: (p) => `${String(p.minutes ?? 10)} min`,
  async run(ctx, params) {
    const resumeAt = new Date(ctx.clock.now().getTime() + params.minutes * 60_000);
    return { output: { resumeAt: resumeAt.toISOString() }, suspend: { resumeAt } };
  },
});
