import type { ConnectorCall } from '../kit/contact-source';
import { defineChangedPageBlock } from '../kit/changed-page-block';
import { DEFAULT_PAGE_SIZE, listChangedPage, MAX_PAGE_SIZE } from './list-changed';

/** One page of Accounts changed after `cursor` (null = from the beginning), oldest first. */
export function listCompaniesChanged(call: ConnectorCall, args: { cursor?: string | null; pageSize?: number }) {
  return listChangedPage(call, 'company', args);
}

export const salesforceListCompaniesChanged = defineChangedPageBlock({
  connector: 'salesforce',
  action: 'listCompaniesChanged',
  title: 'Salesforce: changed accounts',
  description: 'One page of Accounts modified since the cursor, oldest first; pass nextCursor back for the next page.',
  maxPageSize: MAX_PAGE_SIZE,
  defaultPageSize: DEFAULT_PAGE_SIZE,
  fetchPage: listCompaniesChanged,
});
