import type { ConnectorCall } from '../kit/contact-source';
import { defineChangedPageBlock } from '../kit/changed-page-block';
import { callFromContext } from './client';
import { firstChangedPage } from './list-changed';

export function listContactsChanged(call: ConnectorCall, args: { cursor?: string | null; pageSize?: number }) {
  return firstChangedPage(call, { kind: 'person', cursor: args.cursor ?? null, pageSize: args.pageSize });
}

export const listContactsChangedBlock = defineChangedPageBlock({
  connector: 'pipedrive',
  action: 'listContactsChanged',
  title: 'Pipedrive: persons changed since',
  description: 'One page of Pipedrive persons modified after the cursor, oldest first; pass nextCursor back for the next page.',
  maxPageSize: 500,
  defaultPageSize: 100,
  call: callFromContext,
  fetchPage: listContactsChanged,
});
