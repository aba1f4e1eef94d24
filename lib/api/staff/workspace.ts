// Staff API: who is signed in, and the block catalogue the editor's palette and inspector are generated from.
import { z } from 'zod';
import { getStaffMe } from '../../auth/staff-users';
import { describeBlocks } from '../../blocks/describe-blocks';
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

export const blocksRoute = defineRoute({
  operationId: 'staffListBlocks', method: 'GET', path: '/api/staff/blocks', tag: 'Staff: workspace',
  summary: 'Every block with the JSON schemas of its params and output',
  auth: { kind: 'staffSession', role: 'viewer' },
  responses: { 200: { description: 'The blocks', schema: z.array(z.looseObject({ id: z.string(), version: z.number(), title: z.string(), category: z.string(), ports: z.array(z.object({ id: z.string(), label: z.string() })), isTrigger: z.boolean(), params: z.record(z.string(), z.unknown()), output: z.record(z.string(), z.unknown()) })) } },
  async handler() {
    return { status: 200, body: describeBlocks() };
  },
});
