// Staff API: checking a definition as publishing would (no write).
import { z } from 'zod';
import { registry, validateFlow } from '@/engine';
import { defineRoute } from '../route';
import { flowIssue } from './shapes';

export const validateRoute = defineRoute({
  operationId: 'staffValidateFlow', method: 'POST', path: '/api/staff/validate', tag: 'Staff: flows',
  summary: 'Check a definition as publishing would (pure, no write: viewers may too)',
  auth: { kind: 'staffSession', role: 'viewer' },
  body: z.object({ definition: z.unknown() }),
  responses: { 200: { description: 'What keeps it from being published (empty: nothing)', schema: z.object({ issues: z.array(flowIssue) }) } },
  async handler({ body }) {
    return { status: 200, body: { issues: validateFlow(body.definition, registry).issues } };
  },
});
