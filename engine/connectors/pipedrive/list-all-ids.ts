import { z } from 'zod';
import { defineBlock } from '../../core/define-block';
import type { ConnectorCall, ObjectKind } from '../kit/contact-source';
import { callFromContext } from './client';
import { listAllIds as listAllIdPages } from './list-changed';

/** Every live id of a kind, collected (the sync streams listAllIds from the ContactSource instead). */
export async function listAllIds(call: ConnectorCall, args: { kind: ObjectKind; pageSize?: number }): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of listAllIdPages(call, args)) ids.push(...page);
  return ids;
}

export const listAllIdsBlock = defineBlock({
  id: 'pipedrive.listAllIds',
  version: 1,
  title: 'Pipedrive: all record ids',
  description: 'Every id of live Pipedrive persons or organizations (for finding deleted records).',
  category: 'CRM',
  icon: 'list',
  connector: 'pipedrive',
  params: z.object({ kind: z.enum(['person', 'company']).default('person'), pageSize: z.number().int().min(1).max(500).default(500) }),
  output: z.object({ ids: z.array(z.string()), count: z.number() }),
  ports: [{ id: 'out', label: 'next' }],
  async run(ctx, params) {
    const conn = await ctx.connections.get('pipedrive');
    const ids = await listAllIds(callFromContext(ctx, conn), params);
    return { output: { ids, count: ids.length } };
  },
});
