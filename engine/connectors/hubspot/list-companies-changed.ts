// One page of HubSpot companies changed since a cursor (oldest first); see changed-since.ts for how.
import { defineBlock, OUT_PORT } from '../../core/define-block';
import type { UnifiedContact } from '../../core/contact';
import type { ConnectorCall } from '../kit/contact-source';
import { fetchChangedPage } from './changed-since';
import { changedPageOutput, changedPageParams } from './list-contacts-changed';

export async function listCompaniesChanged(call: ConnectorCall, args: { cursor?: string | null; pageSize?: number }): Promise<{ contacts: UnifiedContact[]; nextCursor: string | null; done: boolean }> {
  const page = await fetchChangedPage(call, { kind: 'company', cursor: args.cursor ?? null, pageSize: args.pageSize });
  return { contacts: page.contacts, nextCursor: page.cursor, done: page.done };
}

export const listCompaniesChangedBlock = defineBlock({
  id: 'hubspot.listCompaniesChanged',
  version: 1,
  title: 'HubSpot: list changed companies',
  description: 'One page of companies modified since the cursor, oldest first, with the cursor to continue from.',
  category: 'CRM',
  icon: 'refresh-cw',
  connector: 'hubspot',
  params: changedPageParams,
  output: changedPageOutput,
  ports: OUT_PORT,
  summarize: (p) => `${String(p.pageSize ?? 100)} per page`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('hubspot');
    return { output: await listCompaniesChanged({ fetch: ctx.fetch, conn, requestLog: ctx.requestLog, signal: ctx.signal }, params) };
  },
});
