// The phonebook, page by page, with the pagination the connection's config names: a cursor from the
// answer (`next_cursor` → `?cursor=`), page numbers (`?page=&per_page=`, a short page is the last), or
// one answer with everything. `listAllPhonebookIds` streams every entry's id for delete detection.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import type { HttpRequest, HttpResponse } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { createPhonebookClient, recordsAt, type PhonebookClient } from './client';
import { getPath, phonebookContactSchema, readWireContact, type PhonebookContact } from './map-contact';
import { callOf } from '../kit/contact-source';

function pageSizeOf(client: PhonebookClient, pageSize?: number): number {
  const max = client.config.operations.listContacts.pageSize;
  return Math.max(1, Math.min(max, Math.floor(pageSize ?? max)));
}

function pageRequest(client: PhonebookClient, cursor: string | null | undefined, size: number): HttpRequest {
  const p = client.config.operations.listContacts.pagination;
  const query: Record<string, string | number> = {};
  if (p.kind === 'cursor') {
    if (p.limitParam) query[p.limitParam] = size;
    if (cursor) query[p.cursorParam] = cursor;
  } else if (p.kind === 'page') {
    query[p.pageParam] = cursor ? Number(cursor) : p.firstPage;
    if (p.perPageParam) query[p.perPageParam] = size;
  }
  return client.requestFor('listContacts', {}, { query });
}

/** The cursor of the page after `res`, or null when it was the last. */
function nextCursorOf(client: PhonebookClient, res: HttpResponse, req: HttpRequest, size: number, count: number): string | null {
  const p = client.config.operations.listContacts.pagination;
  if (p.kind === 'cursor') {
    const next = getPath(res.body, p.nextCursorPath);
    return next === null || next === undefined || next === '' || next === false || count === 0 ? null : String(next);
  }
  if (p.kind === 'page') {
    const page = Number(req.query?.[p.pageParam] ?? p.firstPage);
    const total = p.totalPagesPath ? Number(getPath(res.body, p.totalPagesPath)) : NaN;
    const more = Number.isFinite(total) ? page - p.firstPage + 1 < total : count >= size;
    return more && count > 0 ? String(page + 1) : null;
  }
  return null;
}

export async function listPhonebookContacts(call: ConnectorCall, args: { cursor?: string | null; pageSize?: number } = {}): Promise<{ contacts: PhonebookContact[]; nextCursor: string | null; done: boolean }> {
  const client = createPhonebookClient(call);
  const size = pageSizeOf(client, args.pageSize);
  const req = pageRequest(client, args.cursor, size);
  const res = await client.call('listContacts', {}, { query: req.query });
  const contacts = recordsAt(res.body, client.config.operations.listContacts.resultPath).map((r) => readWireContact(r, client.config.fields));
  const nextCursor = nextCursorOf(client, res, req, size, contacts.length);
  return { contacts, nextCursor, done: nextCursor === null };
}

/** Every entry's id and external id, one page at a time (memory stays flat however big the phonebook). */
export async function* listAllPhonebookIds(call: ConnectorCall, opts: { pageSize?: number } = {}): AsyncGenerator<{ id: string; externalId: string | null }[]> {
  const client = createPhonebookClient(call);
  const size = pageSizeOf(client, opts.pageSize);
  const fields = client.config.fields;
  const resultPath = client.config.operations.listContacts.resultPath;
  const pages = client.paginate<PhonebookContact>(
    pageRequest(client, null, size),
    (res, req) => {
      const next = nextCursorOf(client, res, req, size, recordsAt(res.body, resultPath).length);
      return next ? pageRequest(client, next, size) : null;
    },
    (res) => recordsAt(res.body, resultPath).map((r) => readWireContact(r, fields)),
  );
  for await (const page of pages) {
    const ids = page.items.filter((c): c is PhonebookContact & { id: string } => c.id !== null).map((c) => ({ id: c.id, externalId: c.externalId }));
    if (ids.length) yield ids;
  }
}

export const listContactsBlock = defineBlock({
  id: 'phonesystem.listContacts',
  version: 1,
  title: 'Phone system: list phonebook entries',
  description: "One page of the phone system's phonebook; pass the returned cursor to get the next page.",
  category: 'Phone system',
  icon: 'list',
  connector: 'phonesystem',
  params: z.object({
    cursor: z.string().nullish().describe('Cursor from the previous page (empty: first page)'),
    pageSize: z.number().int().min(1).max(1000).optional().describe('Entries per page (capped by the connection’s page size)'),
  }),
  output: z.object({ contacts: z.array(phonebookContactSchema), nextCursor: z.string().nullable(), done: z.boolean() }),
  ports: OUT_PORT,
  summarize: (p) => (p.cursor ? 'next page' : 'first page'),
  async run(ctx, params) {
    const conn = await ctx.connections.get('phonesystem');
    return { output: await listPhonebookContacts(callOf(ctx, conn), params) };
  },
});
