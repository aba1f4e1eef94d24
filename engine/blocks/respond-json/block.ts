import { z } from 'zod';
import { defineBlock } from '../../core/define-block';

export const respondJson = defineBlock({
  id: 'respond.json',
  version: 1,
  title: 'Respond with JSON',
  description: 'What the automation URL answers. Fields may be expressions over the trigger and earlier steps.',
  category: 'Respond',
  icon: 'reply',
  params: z.object({
    status: z.number().int().min(200).max(599).default(200),
    body: z.unknown().optional().describe('JSON body: an object whose values may be expressions'),
  }),
  required: ['body'],
  idempotent: true,
  output: z.object({ status: z.number(), body: z.unknown() }),
  ports: [{ id: 'out', label: 'then' }],
  summarize: (p) => `HTTP ${String(p.status ?? 200)}`,
  async run(_ctx, params) {
    const body = params.body === undefined ? null : params.body;
    return { output: { status: params.status, body }, respond: { status: params.status, body } };
  },
});
