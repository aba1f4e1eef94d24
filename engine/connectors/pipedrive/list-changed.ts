// Changed persons/organizations, oldest first, for contact sync: /api/v2/persons (or /organizations) sorted by
// update_time ascending from `updated_since`, paged with Pipedrive's cursor. The cursor handed to the caller is
// our own — the last record's update_time and id — so a sync resumes exactly after the last committed record
// even across runs: `updated_since` is inclusive and second-grained, so the records of that same second that
// were already delivered (id ≤ last id) are skipped.
//
// That skip is only safe for a second that was over when it was read: Pipedrive stamps update_time with its own
// clock, to the second, so the last page's cursor is settled (kit/settle-cursor.ts).
import type { UnifiedContact } from '../../core/contact';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall, ObjectKind } from '../kit/contact-source';
import { settleLastCursor, type ListedPage } from '../kit/settle-cursor';
import { createPipedriveClient } from './client';
import { mapOrganization, mapPerson, type PipedriveOrganization, type PipedrivePerson } from './map-contact';
import { loadOrganizations, organizationPhoneFieldKeys } from './organizations';

export const MAX_PAGE_SIZE = 500;

interface ChangedCursor {
  /** update_time of the last delivered record (RFC 3339). */
  t: string;
  id: number;
}

export function encodeChangedCursor(c: ChangedCursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

export function decodeChangedCursor(cursor: string): ChangedCursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as ChangedCursor;
    if (typeof c.t === 'string' && Number.isFinite(Date.parse(c.t)) && Number.isInteger(c.id)) return c;
  } catch { /* fall through */ }
  throw new PatchbayError('invalid_params', 'This Pipedrive sync cursor is not valid; start the sync from the beginning');
}

/** RFC 3339 to the second, as `updated_since` wants it. */
function rfc3339Seconds(t: string): string {
  return new Date(Math.floor(Date.parse(t) / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isAfter(rec: { id: number; update_time?: string }, from: ChangedCursor | null): boolean {
  if (!from) return true;
  const t = Date.parse(rec.update_time ?? '');
  const f = Date.parse(from.t);
  return t > f || (t === f && rec.id > from.id);
}

export function clampPageSize(n: number | undefined, fallback: number): number {
  return Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(n ?? fallback)));
}

export function listChanged(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<ListedPage> {
  // Everything before `ms` was delivered (oldest first): resume after every id of the second before it.
  const resumeFrom = (ms: number) => encodeChangedCursor({ t: new Date(ms - 1000).toISOString(), id: Number.MAX_SAFE_INTEGER });
  return settleLastCursor(changedPages(call, opts), resumeFrom);
}

/** The pages with new records, each with its exact cursor and its last record's update_time. */
async function* changedPages(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<{ page: ListedPage; lastModifiedMs: number }> {
  const from = opts.cursor ? decodeChangedCursor(opts.cursor) : null;
  const client = createPipedriveClient(call);
  const path = opts.kind === 'person' ? '/api/v2/persons' : '/api/v2/organizations';
  const limit = clampPageSize(opts.pageSize, MAX_PAGE_SIZE);
  // On resume the first answer starts with the record the cursor names (updated_since is inclusive): ask for one
  // more so the page is still full after skipping it.
  const query = { sort_by: 'update_time', sort_direction: 'asc', limit: from ? Math.min(limit + 1, MAX_PAGE_SIZE) : limit, updated_since: from ? rfc3339Seconds(from.t) : undefined };
  const orgNames = new Map<number, string | null>();
  let phoneKeys: Set<string> | null = null;

  for await (const page of client.pagesV2<PipedrivePerson & PipedriveOrganization>(path, query, { limit })) {
    const fresh = page.items.filter((r) => !r.is_deleted && isAfter(r, from));
    if (fresh.length === 0) continue;
    let contacts: UnifiedContact[];
    if (opts.kind === 'person') {
      const missing = fresh.map((p) => p.org_id).filter((id): id is number => typeof id === 'number' && !orgNames.has(id));
      if (missing.length) {
        const orgs = await loadOrganizations(client, missing);
        for (const id of missing) orgNames.set(id, orgs.get(id)?.name ?? null);
      }
      contacts = fresh.map((p) => mapPerson(p, { orgName: p.org_id != null ? orgNames.get(p.org_id) ?? null : null, personUrl: client.personUrl }));
    } else {
      phoneKeys ??= await organizationPhoneFieldKeys(client);
      const keys = phoneKeys;
      contacts = fresh.map((o) => mapOrganization(o, { phoneFieldKeys: keys, organizationUrl: client.organizationUrl }));
    }
    const last = fresh[fresh.length - 1];
    const t = last.update_time ?? new Date(0).toISOString();
    yield { page: { kind: opts.kind, contacts, cursor: encodeChangedCursor({ t, id: last.id }), done: page.nextCursor === null }, lastModifiedMs: Date.parse(t) };
  }
}

/** Every live record id of a kind, in id order, a page of up to 500 at a time. */
export async function* listAllIds(call: ConnectorCall, opts: { kind: ObjectKind; pageSize?: number }): AsyncGenerator<string[]> {
  const client = createPipedriveClient(call);
  const path = opts.kind === 'person' ? '/api/v2/persons' : '/api/v2/organizations';
  for await (const page of client.pagesV2<{ id: number; is_deleted?: boolean }>(path, { sort_by: 'id', sort_direction: 'asc', limit: clampPageSize(opts.pageSize, MAX_PAGE_SIZE) })) {
    const ids = page.items.filter((r) => !r.is_deleted).map((r) => String(r.id));
    if (ids.length) yield ids;
  }
}

/** One page for the list blocks: the first non-empty page after `cursor`. */
export async function firstChangedPage(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): Promise<{ contacts: UnifiedContact[]; nextCursor: string | null; done: boolean }> {
  const it = listChanged(call, opts);
  try {
    const { value, done } = await it.next();
    if (done || !value) return { contacts: [], nextCursor: opts.cursor, done: true };
    return { contacts: value.contacts, nextCursor: value.cursor, done: value.done };
  } finally {
    await it.return(undefined);
  }
}
