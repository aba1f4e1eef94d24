import type { ConnectorCall } from '../kit/contact-source';
import { defineChangedPageBlock } from '../kit/changed-page-block';
import { callFromContext } from './client';
import { firstChangedPage } from './list-changed';

export function listCompaniesChanged(call: ConnectorCall, args: { cursor?: string | null; pageSize?: number }) {
  return firstChangedPage(call, { kind: 'company', cursor: args.cursor ?? null, pageSize: args.pageSize });
}

export const listCompaniesChangedBlock = defineChangedPageBlock({
  connector: 'pipedrive',
  action: 'listCompaniesChanged',
  title: 'Pipedrive: organizations changed since',
  description: 'One page of Pipedrive organizations modified after the cursor, oldest first; pass nextCursor back for the next page.',
  maxPageSize: 500,
  defaultPageSize: 100,
  call: callFromContext,
  fetchPage: listCompaniesChanged,
});
