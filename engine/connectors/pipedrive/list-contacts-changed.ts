import { z } from 'zod';
import { unifiedContactSchema } from '../../core/contact';
import { defineBlock } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { callFromContext } from './client';
import { firstChangedPage } from './list-changed';

export function listContactsChanged(call: ConnectorCall, args: { cursor?: string | null; pageSize?: number }) {
  return firstChangedPage(call, { kind: 'person', cursor: args.cursor ?? null, pageSize: args.pageSize });
}

export const listContactsChangedBlock = defineBlock({
  id: 'pipedrive.listContactsChanged',
  version: 1,
  title: 'Pipedrive: persons changed since',
  description: 'One page of Pipedrive persons modified after the cursor, oldest first; pass nextCursor back for the next page.',
  category: 'CRM',
  icon: 'refresh-cw',
  connector: 'pipedrive',
  params: z.object({
    cursor: z.string().nullish().describe('nextCursor of the previous page; empty for everything'),
    pageSize: z.number().int().min(1).max(500).default(100),
  }),
  output: z.object({ contacts: z.array(unifiedContactSchema), nextCursor: z.string().nullable(), done: z.boolean() }),
  ports: [{ id: 'out', label: 'next' }],
  async run(ctx, params) {
    const conn = await ctx.connections.get('pipedrive');
    return { output: await listContactsChanged(callFromContext(ctx, conn), params) };
  },
});
