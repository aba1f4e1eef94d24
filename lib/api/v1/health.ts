import { z } from 'zod';
import { defineRoute } from '../route';

export const health = defineRoute({
  operationId: 'health',
  method: 'GET',
  path: '/api/v1/health',
  tag: 'Meta',
  summary: 'Liveness',
  auth: { kind: 'none' },
  responses: { 200: { description: 'The process answers', schema: z.object({ ok: z.literal(true) }) } },
  async handler() { return { status: 200, body: { ok: true } }; },
});
