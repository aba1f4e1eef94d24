import type { ConnectorCall } from '../kit/contact-source';
import { defineChangedPageBlock } from '../kit/changed-page-block';
import { DEFAULT_PAGE_SIZE, listChangedPage, MAX_PAGE_SIZE } from './list-changed';

/** One page of Contacts changed after `cursor` (null = from the beginning), oldest first. */
export function listContactsChanged(call: ConnectorCall, args: { cursor?: string | null; pageSize?: number }) {
  return listChangedPage(call, 'person', args);
}

export const salesforceListContactsChanged = defineChangedPageBlock({
  connector: 'salesforce',
  action: 'listContactsChanged',
  title: 'Salesforce: changed contacts',
  description: 'One page of Contacts modified since the cursor, oldest first; pass nextCursor back for the next page.',
  maxPageSize: MAX_PAGE_SIZE,
  defaultPageSize: DEFAULT_PAGE_SIZE,
  fetchPage: listContactsChanged,
});
