// Staff API: the block catalogue the editor's palette and inspector are generated from.
import { z } from 'zod';
import { describeBlocks } from '../../blocks/describe-blocks';
import { defineRoute } from '../route';

export const blocksRoute = defineRoute({
  operationId: 'staffListBlocks', method: 'GET', path: '/api/staff/blocks', tag: 'Staff: workspace',
  summary: 'Every block with the JSON schemas of its params and output',
  auth: { kind: 'staffSession', role: 'viewer' },
  responses: { 200: { description: 'The blocks', schema: z.array(z.looseObject({ id: z.string(), version: z.number(), title: z.string(), category: z.string(), ports: z.array(z.object({ id: z.string(), label: z.string() })), isTrigger: z.boolean(), params: z.record(z.string(), z.unknown()), output: z.record(z.string(), z.unknown()) })) } },
  async handler() {
    return { status: 200, body: describeBlocks() };
  },
});
