import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';

/** Starts a flow from an HTTP call (named automation URL or a phone-system webhook); its output is the request body. */
export const triggerWebhook = defineBlock({
  id: 'trigger.webhook',
  version: 1,
  title: 'Webhook / automation URL',
  description: 'Starts the flow when the automation URL is called. Its output is the JSON body.',
  category: 'Triggers',
  icon: 'webhook',
  isTrigger: true,
  params: z.object({
    /** Sample payload: prefills the test panel and drives autocomplete. */
    example: z.record(z.string(), z.unknown()).default({ phone: '+12025550123' }),
  }),
  output: z.record(z.string(), z.unknown()),
  ports: OUT_PORT,
  example: { phone: '+12025550123' },
  summarize: () => 'POST …/automations/{name}',
  async run(_ctx, _params, input) {
    const out = input.trigger && typeof input.trigger === 'object' ? (input.trigger as Record<string, unknown>) : { value: input.trigger };
    return { output: out };
  },
});
