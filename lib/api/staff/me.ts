// Staff API: who is signed in (their role and vendor).
import { z } from 'zod';
import { getStaffMe } from '../../auth/staff-users';
import { defineRoute } from '../route';

export const meRoute = defineRoute({
  operationId: 'staffMe', method: 'GET', path: '/api/staff/me', tag: 'Staff: workspace',
  summary: 'The signed-in staff member, their role and vendor',
  auth: { kind: 'staffSession', role: 'viewer' },
  responses: { 200: { description: 'The staff member', schema: z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(['owner', 'editor', 'viewer']), vendor: z.object({ id: z.string(), name: z.string(), slug: z.string() }) }) } },
  async handler({ deps, staff }) {
    return { status: 200, body: await getStaffMe(deps.sql, staff) };
  },
});
