import { z } from 'zod';
import { unifiedContactSchema } from '../../core/contact';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { connectorCall } from './client';
import { DEFAULT_PAGE_SIZE, listChangedPage, MAX_PAGE_SIZE } from './list-changed';

/** One page of Contacts changed after `cursor` (null = from the beginning), oldest first. */
export function listContactsChanged(call: ConnectorCall, args: { cursor?: string | null; pageSize?: number }) {
  return listChangedPage(call, 'person', args);
}

export const salesforceListContactsChanged = defineBlock({
  id: 'salesforce.listContactsChanged',
  version: 1,
  title: 'Salesforce: changed contacts',
  description: 'One page of Contacts modified since the cursor, oldest first; pass nextCursor back for the next page.',
  category: 'CRM',
  icon: 'list',
  connector: 'salesforce',
  params: z.object({
    cursor: z.string().nullish().describe('nextCursor of the previous page; empty = from the beginning'),
    pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  }),
  output: z.object({ contacts: z.array(unifiedContactSchema), nextCursor: z.string().nullable(), done: z.boolean() }),
  ports: OUT_PORT,
  async run(ctx, params) {
    return { output: await listContactsChanged(await connectorCall(ctx), params) };
  },
});
