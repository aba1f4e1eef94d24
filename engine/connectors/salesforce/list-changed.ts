// Changed Contacts/Accounts, oldest first, with a resumable keyset cursor on (LastModifiedDate, Id):
//   WHERE LastModifiedDate > t OR (LastModifiedDate = t AND Id > 'id') ORDER BY LastModifiedDate, Id LIMIT n
// Each page is its own short query, so a stored cursor stays valid forever (query locators expire after
// 15 minutes) and records changed while a sync runs are picked up by the next page or the next run.
// LastModifiedDate is Salesforce's clock to the second, shared by the records changed within one second, so the
// skip past the cursor's (t, Id) is only safe for a second that was over when it was read: the last page's cursor
// is settled (kit/settle-cursor.ts) and then names only a time, from which everything is read again.
import type { UnifiedContact } from '../../core/contact';
import { PatchbayError } from '../../core/errors';
import type { HttpRequest } from '../../core/http-client';
import type { ConnectorCall, ObjectKind } from '../kit/contact-source';
import { settleLastCursor, type ListedPage } from '../kit/settle-cursor';
import { createSalesforceClient } from './client';
import { mapAccount, mapContact, type SalesforceRecord } from './map-contact';
import { ACCOUNT_FIELDS, API_BASE, CONTACT_FIELDS, parseSalesforceDateTime, soqlDateTime, soqlString } from './soql';

export const MAX_PAGE_SIZE = 2000;
export const DEFAULT_PAGE_SIZE = 500;

interface QueryResult { totalSize: number; done: boolean; nextRecordsUrl?: string; records: SalesforceRecord[] }

/**
 * Cursor text: "<LastModifiedDate ISO>_<record id>" of the last record of a committed page (resume after it), or
 * "<ISO>" alone (resume with every record modified at that time or later: a settled cursor).
 */
export function encodeCursor(ms: number, id: string | null): string {
  return id === null ? new Date(ms).toISOString() : `${new Date(ms).toISOString()}_${id}`;
}

export function decodeCursor(cursor: string): { ms: number; id: string | null } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z)(?:_([a-zA-Z0-9]{15,18}))?$/.exec(cursor);
  const ms = m ? Date.parse(m[1]) : NaN;
  if (!m || !Number.isFinite(ms)) throw new PatchbayError('invalid_params', `Not a Salesforce sync cursor: "${cursor}" (expected one returned by a previous page)`);
  return { ms, id: m[2] ?? null };
}

function afterCursor(cursor: string | null): string {
  if (!cursor) return '';
  const { ms, id } = decodeCursor(cursor);
  const t = soqlDateTime(ms);
  if (id === null) return ` WHERE LastModifiedDate >= ${t}`;
  return ` WHERE (LastModifiedDate > ${t} OR (LastModifiedDate = ${t} AND Id > ${soqlString(id)}))`;
}

function changedQuery(kind: ObjectKind, cursor: string | null, pageSize: number): string {
  const sobject = kind === 'person' ? 'Contact' : 'Account';
  const fields = kind === 'person' ? CONTACT_FIELDS : ACCOUNT_FIELDS;
  return `SELECT ${fields.join(', ')} FROM ${sobject}${afterCursor(cursor)} ORDER BY LastModifiedDate ASC, Id ASC LIMIT ${pageSize}`;
}

/** How many records a sync from `cursor` will read (SOQL COUNT() with the same filter): the sync's progress total. */
export async function countChanged(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null }): Promise<number> {
  const sf = createSalesforceClient(call);
  const res = await sf.request<{ totalSize: number }>({ path: `${API_BASE}/query`, query: { q: `SELECT COUNT() FROM ${opts.kind === 'person' ? 'Contact' : 'Account'}${afterCursor(opts.cursor)}` } });
  return Math.max(0, Number(res.body.totalSize) || 0);
}

function clampPageSize(n: number | undefined): number {
  return Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(n ?? DEFAULT_PAGE_SIZE)));
}

/** Streams pages of changed records; each page's cursor resumes right after it, the last one's from a settled second. */
export function listChanged(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<ListedPage> {
  return settleLastCursor(changedPages(call, opts), (ms) => encodeCursor(ms, null));
}

async function* changedPages(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<{ page: ListedPage; lastModifiedMs: number }> {
  const sf = createSalesforceClient(call);
  const pageSize = clampPageSize(opts.pageSize);
  const map = opts.kind === 'person' ? mapContact : mapAccount;
  const first: HttpRequest = { path: `${API_BASE}/query`, query: { q: changedQuery(opts.kind, opts.cursor, pageSize) } };
  // Salesforce may answer fewer rows than LIMIT with done=false (wide records are batched smaller); the next
  // page then starts after the last row received rather than following the query locator.
  const isLast = (body: QueryResult) => body.records.length === 0 || (body.done && body.records.length < pageSize);
  const next = (res: { body: QueryResult }): HttpRequest | null => {
    if (isLast(res.body)) return null;
    const last = res.body.records[res.body.records.length - 1];
    return { path: `${API_BASE}/query`, query: { q: changedQuery(opts.kind, cursorOf(last), pageSize) } };
  };
  for await (const { items, response } of sf.paginate<SalesforceRecord, QueryResult>(first, next, (res) => res.body.records)) {
    if (!items.length) return;
    const contacts: UnifiedContact[] = items.map((r) => map(r, sf.instanceUrl));
    const last = items[items.length - 1];
    yield { page: { kind: opts.kind, contacts, cursor: cursorOf(last), done: isLast(response.body) }, lastModifiedMs: modifiedMs(last) };
  }
}

function modifiedMs(r: SalesforceRecord): number {
  const ms = parseSalesforceDateTime(r.LastModifiedDate);
  if (ms === null) throw new PatchbayError('upstream_error', `Salesforce returned ${r.Id} without LastModifiedDate`);
  return ms;
}

function cursorOf(r: SalesforceRecord): string {
  return encodeCursor(modifiedMs(r), r.Id);
}

/** One page for the list*Changed blocks: the records, the cursor to pass next time, and whether that was all. */
export async function listChangedPage(call: ConnectorCall, kind: ObjectKind, args: { cursor?: string | null; pageSize?: number }) {
  for await (const page of listChanged(call, { kind, cursor: args.cursor ?? null, pageSize: args.pageSize })) {
    return { contacts: page.contacts, nextCursor: page.cursor, done: page.done };
  }
  return { contacts: [] as UnifiedContact[], nextCursor: args.cursor ?? null, done: true };
}

/** Every live Id, in pages that follow nextRecordsUrl (batch size via Sforce-Query-Options). */
export async function* listAllIds(call: ConnectorCall, opts: { kind: ObjectKind; pageSize?: number }): AsyncGenerator<string[]> {
  const sf = createSalesforceClient(call);
  const batch = Math.max(200, Math.min(MAX_PAGE_SIZE, Math.floor(opts.pageSize ?? MAX_PAGE_SIZE)));
  const headers = { 'sforce-query-options': `batchSize=${batch}` };
  const sobject = opts.kind === 'person' ? 'Contact' : 'Account';
  const first: HttpRequest = { path: `${API_BASE}/query`, query: { q: `SELECT Id FROM ${sobject} ORDER BY Id ASC` }, headers };
  const next = (res: { body: QueryResult }): HttpRequest | null => (res.body.done || !res.body.nextRecordsUrl ? null : { path: res.body.nextRecordsUrl, headers });
  for await (const { items } of sf.paginate<string, QueryResult>(first, next, (res) => res.body.records.map((r) => r.Id))) {
    if (items.length) yield items;
  }
}
