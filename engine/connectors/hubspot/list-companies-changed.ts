// One page of HubSpot companies changed since a cursor (oldest first); see changed-since.ts for how.
import type { ConnectorCall } from '../kit/contact-source';
import { defineChangedPageBlock, type ChangedPage } from '../kit/changed-page-block';
import { fetchChangedPage, SEARCH_PAGE_MAX } from './changed-since';

export async function listCompaniesChanged(call: ConnectorCall, args: { cursor?: string | null; pageSize?: number }): Promise<ChangedPage> {
  const page = await fetchChangedPage(call, { kind: 'company', cursor: args.cursor ?? null, pageSize: args.pageSize });
  return { contacts: page.contacts, nextCursor: page.cursor, done: page.done };
}

export const listCompaniesChangedBlock = defineChangedPageBlock({
  connector: 'hubspot',
  action: 'listCompaniesChanged',
  title: 'HubSpot: list changed companies',
  description: 'One page of companies modified since the cursor, oldest first, with the cursor to continue from.',
  maxPageSize: SEARCH_PAGE_MAX,
  defaultPageSize: 100,
  fetchPage: listCompaniesChanged,
});
