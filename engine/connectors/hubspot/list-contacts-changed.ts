// One page of HubSpot contacts changed since a cursor (oldest first); see changed-since.ts for how.
import type { ConnectorCall } from '../kit/contact-source';
import { defineChangedPageBlock, type ChangedPage } from '../kit/changed-page-block';
import { fetchChangedPage, SEARCH_PAGE_MAX } from './changed-since';

export async function listContactsChanged(call: ConnectorCall, args: { cursor?: string | null; pageSize?: number }): Promise<ChangedPage> {
  const page = await fetchChangedPage(call, { kind: 'person', cursor: args.cursor ?? null, pageSize: args.pageSize });
  return { contacts: page.contacts, nextCursor: page.cursor, done: page.done };
}

export const listContactsChangedBlock = defineChangedPageBlock({
  connector: 'hubspot',
  action: 'listContactsChanged',
  title: 'HubSpot: list changed contacts',
  description: 'One page of contacts modified since the cursor, oldest first, with the cursor to continue from.',
  maxPageSize: SEARCH_PAGE_MAX,
  defaultPageSize: 100,
  fetchPage: listContactsChanged,
});
