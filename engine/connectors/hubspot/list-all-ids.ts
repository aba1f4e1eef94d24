// Every live contact or company id, for delete detection: GET /crm/v3/objects/{type} pages through all
// non-archived records with HubSpot's opaque `after` token (this list endpoint has no 10,000 cap).
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import type { ConnectorCall, ObjectKind } from '../kit/contact-source';
import { createHubspotClient, type HubspotRecord } from './client';
import { callOf } from '../kit/contact-source';

/** HubSpot's largest list page. */
export const LIST_PAGE_MAX = 100;

interface ListResponse {
  results: HubspotRecord[];
  paging?: { next?: { after: string; link?: string } };
}

function listRequest(kind: ObjectKind, pageSize: number | undefined, after: string | null | undefined) {
  const limit = Math.max(1, Math.min(LIST_PAGE_MAX, Math.floor(pageSize ?? LIST_PAGE_MAX)));
  // hs_object_id is the one property every object has: asking for it keeps the pages small.
  return { path: `/crm/v3/objects/${kind === 'company' ? 'companies' : 'contacts'}`, query: { limit, after: after || undefined, properties: 'hs_object_id', archived: false } };
}

/** All ids of that kind, one page at a time. */
export async function* iterateAllIds(call: ConnectorCall, opts: { kind: ObjectKind; pageSize?: number }): AsyncGenerator<string[]> {
  const http = createHubspotClient(call);
  const pages = http.paginate<HubspotRecord, ListResponse>(
    listRequest(opts.kind, opts.pageSize, null),
    (res, req) => (res.body.paging?.next?.after ? { ...req, query: { ...req.query, after: res.body.paging.next.after } } : null),
    (res) => res.body.results,
  );
  for await (const page of pages) if (page.items.length) yield page.items.map((r) => String(r.id));
}

export async function listAllIds(call: ConnectorCall, args: { kind?: ObjectKind; cursor?: string | null; pageSize?: number }): Promise<{ ids: string[]; nextCursor: string | null; done: boolean }> {
  const http = createHubspotClient(call);
  const res = await http.request<ListResponse>(listRequest(args.kind ?? 'person', args.pageSize, args.cursor));
  const next = res.body.paging?.next?.after ?? null;
  return { ids: res.body.results.map((r) => String(r.id)), nextCursor: next, done: next === null };
}

export const listAllIdsBlock = defineBlock({
  id: 'hubspot.listAllIds',
  version: 1,
  title: 'HubSpot: list all record ids',
  description: 'One page of the ids of every live contact (or company), to find records deleted in HubSpot.',
  category: 'CRM',
  icon: 'list',
  connector: 'hubspot',
  params: z.object({
    kind: z.enum(['person', 'company']).default('person'),
    cursor: z.string().nullish().describe('Cursor from the previous page (empty: first page)'),
    pageSize: z.number().int().min(1).max(LIST_PAGE_MAX).default(LIST_PAGE_MAX),
  }),
  output: z.object({ ids: z.array(z.string()), nextCursor: z.string().nullable(), done: z.boolean() }),
  ports: OUT_PORT,
  summarize: (p) => String(p.kind ?? 'person'),
  async run(ctx, params) {
    const conn = await ctx.connections.get('hubspot');
    return { output: await listAllIds(callOf(ctx, conn), params) };
  },
});
