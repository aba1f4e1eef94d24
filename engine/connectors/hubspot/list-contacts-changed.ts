// One page of HubSpot contacts changed since a cursor (oldest first); see changed-since.ts for how.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import type { ConnectorCall } from '../kit/contact-source';
import { fetchChangedPage, SEARCH_PAGE_MAX } from './changed-since';

export async function listContactsChanged(call: ConnectorCall, args: { cursor?: string | null; pageSize?: number }): Promise<{ contacts: UnifiedContact[]; nextCursor: string | null; done: boolean }> {
  const page = await fetchChangedPage(call, { kind: 'person', cursor: args.cursor ?? null, pageSize: args.pageSize });
  return { contacts: page.contacts, nextCursor: page.cursor, done: page.done };
}

export const changedPageParams = z.object({
  cursor: z.string().nullish().describe('Cursor from the previous page (empty: from the beginning)'),
  pageSize: z.number().int().min(1).max(SEARCH_PAGE_MAX).default(100),
});

export const changedPageOutput = z.object({ contacts: z.array(unifiedContactSchema), nextCursor: z.string().nullable(), done: z.boolean() });

export const listContactsChangedBlock = defineBlock({
  id: 'hubspot.listContactsChanged',
  version: 1,
  title: 'HubSpot: list changed contacts',
  description: 'One page of contacts modified since the cursor, oldest first, with the cursor to continue from.',
  category: 'CRM',
  icon: 'refresh-cw',
  connector: 'hubspot',
  params: changedPageParams,
  output: changedPageOutput,
  ports: OUT_PORT,
  summarize: (p) => `${String(p.pageSize ?? 100)} per page`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('hubspot');
    return { output: await listContactsChanged({ fetch: ctx.fetch, conn, requestLog: ctx.requestLog, signal: ctx.signal }, params) };
  },
});
