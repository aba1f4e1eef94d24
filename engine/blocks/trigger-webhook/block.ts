import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';

export const triggerFieldSchema = z.object({
  /** Dotted path in the JSON body: `phone`, `call.from`. */
  path: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'a dotted path such as call.from'),
  type: z.enum(['string', 'number', 'boolean', 'object', 'array']).default('string'),
  required: z.boolean().default(true),
  description: z.string().optional(),
});

export type TriggerField = z.infer<typeof triggerFieldSchema>;

/** Checks a request body against the trigger's declared fields; each problem names the field's path. */
export function checkTriggerInput(fields: TriggerField[], body: unknown): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [{ path: '', message: 'The body must be a JSON object' }];
  for (const f of fields) {
    let v: unknown = body;
    for (const part of f.path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    if (v === undefined || v === null || v === '') {
      if (f.required) problems.push({ path: f.path, message: `"${f.path}" is required` });
      continue;
    }
    const actual = Array.isArray(v) ? 'array' : typeof v;
    if (actual !== f.type) problems.push({ path: f.path, message: `"${f.path}" must be a ${f.type}, got ${actual}` });
  }
  return problems;
}

/** Starts a flow from an HTTP call (named automation URL or a phone-system webhook); its output is the request body. */
export const triggerWebhook = defineBlock({
  id: 'trigger.webhook',
  version: 1,
  title: 'Webhook / automation URL',
  description: 'Starts the flow when the automation URL is called. Its output is the JSON body; declared fields are checked before the flow runs.',
  category: 'Triggers',
  icon: 'webhook',
  isTrigger: true,
  params: z.object({
    /** Fields the body must carry: a call missing one is answered 400 naming the field. */
    fields: z.array(triggerFieldSchema).default([]),
    /** Sample payload: prefills the test panel and drives autocomplete. */
    example: z.record(z.string(), z.unknown()).default({ phone: '+12025550123' }),
  }),
  output: z.record(z.string(), z.unknown()),
  ports: OUT_PORT,
  example: { phone: '+12025550123' },
  summarize: (p) => {
    const fields = Array.isArray(p.fields) ? (p.fields as TriggerField[]).map((f) => f.path).join(', ') : '';
    return fields ? `expects ${fields}` : 'POST …/automations/{name}';
  },
  async run(_ctx, _params, input) {
    const out = input.trigger && typeof input.trigger === 'object' ? (input.trigger as Record<string, unknown>) : { value: input.trigger };
    return { output: out };
  },
});
