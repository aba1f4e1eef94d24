// Records changed since a cursor, oldest first, through the CRM search API.
//
// HubSpot's search answers at most 10,000 results per query (paging past that is a 400), allows one sort
// and pages by offset. Offsets also shift when a record changes while we page (it moves to the end of a
// "last modified ascending" order), which would silently skip a record. So every page is its own query:
// `lastmodifieddate >= t`, sorted ascending, where t is the newest modified time already delivered. The
// cursor remembers t and the ids already delivered at exactly t, which are skipped on the next page (there
// is no second sort key to break ties). No query ever pages deep, so the 10,000 cap cannot be reached,
// and a sync can resume from any page's cursor with no gaps and no duplicates.
import type { UnifiedContact } from '../../core/contact';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall, ObjectKind } from '../kit/contact-source';
import { createHubspotClient, getPortal, searchObjects, type HubspotRecord, type HubspotSearchRequest } from './client';
import { COMPANY_PROPERTIES, CONTACT_PROPERTIES, mapCompany, mapContact } from './map-contact';

/** HubSpot's largest search page. */
export const SEARCH_PAGE_MAX = 200;

interface CursorState {
  /** Epoch ms of the newest record delivered. */
  t: number;
  /** Ids delivered whose modified time is exactly t. */
  ids: string[];
}

export function encodeCursor(s: CursorState): string {
  return `${s.t}:${s.ids.join(',')}`;
}

export function decodeCursor(cursor: string | null | undefined): CursorState | null {
  if (!cursor) return null;
  const m = /^(\d+):([\d,]*)$/.exec(cursor);
  if (!m) throw new PatchbayError('invalid_params', `Not a HubSpot sync cursor: ${cursor.slice(0, 60)}`);
  return { t: Number(m[1]), ids: m[2] ? m[2].split(',') : [] };
}

export function modifiedProperty(kind: ObjectKind): string {
  return kind === 'company' ? 'hs_lastmodifieddate' : 'lastmodifieddate';
}

function modifiedMs(rec: HubspotRecord, prop: string): number {
  const v = rec.properties[prop] ?? rec.updatedAt ?? '';
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new PatchbayError('upstream_error', `HubSpot returned record ${rec.id} without ${prop}`);
  return ms;
}

export interface ChangedPageResult {
  contacts: UnifiedContact[];
  /** Resume point after this page (unchanged when the page is empty; null when nothing was ever delivered). */
  cursor: string | null;
  /** True when no records newer than the cursor remain. */
  done: boolean;
}

export async function fetchChangedPage(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): Promise<ChangedPageResult> {
  const prop = modifiedProperty(opts.kind);
  const size = Math.max(1, Math.min(SEARCH_PAGE_MAX, Math.floor(opts.pageSize ?? 100)));
  const http = createHubspotClient(call);
  const state = decodeCursor(opts.cursor);
  const skip = new Set(state?.ids ?? []);
  const taken: HubspotRecord[] = [];
  let done = false;
  // Ties are skipped by id; only when more than a page of records share one millisecond do we page by offset
  // inside that millisecond.
  let offset = skip.size >= SEARCH_PAGE_MAX ? skip.size : 0;
  for (let round = 0; round < 50 && !taken.length && !done; round++) {
    const limit = offset ? size : Math.min(SEARCH_PAGE_MAX, size + skip.size);
    const body: HubspotSearchRequest = {
      sorts: [{ propertyName: prop, direction: 'ASCENDING' }],
      properties: opts.kind === 'company' ? COMPANY_PROPERTIES : CONTACT_PROPERTIES,
      limit,
    };
    if (state) body.filterGroups = [{ filters: [{ propertyName: prop, operator: 'GTE', value: String(state.t) }] }];
    if (offset) body.after = String(offset);
    const res = await searchObjects(http, opts.kind === 'company' ? 'companies' : 'contacts', body);
    let fresh = 0;
    for (const rec of res.results) {
      if (state && skip.has(String(rec.id)) && modifiedMs(rec, prop) === state.t) continue;
      fresh++;
      if (taken.length < size) taken.push(rec);
    }
    done = !res.paging?.next && fresh <= size;
    if (!taken.length) offset += res.results.length || limit;
  }
  if (!taken.length) {
    if (!done) throw new PatchbayError('upstream_error', 'HubSpot search made no progress past one modified time; retry the sync');
    return { contacts: [], cursor: opts.cursor ?? null, done: true };
  }
  const last = taken[taken.length - 1];
  const t = modifiedMs(last, prop);
  const ids = state && state.t === t ? [...skip] : [];
  for (const rec of taken) if (modifiedMs(rec, prop) === t) ids.push(String(rec.id));
  const portal = await getPortal(call, http);
  const contacts = taken.map((r) => (opts.kind === 'company' ? mapCompany(r, portal) : mapContact(r, portal)));
  return { contacts, cursor: encodeCursor({ t, ids }), done };
}

/** The search's `total` for the same query: about how many records a sync from `cursor` will read. */
export async function countChangedSince(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null }): Promise<number> {
  const prop = modifiedProperty(opts.kind);
  const state = decodeCursor(opts.cursor);
  const body: HubspotSearchRequest = { sorts: [{ propertyName: prop, direction: 'ASCENDING' }], properties: ['hs_object_id'], limit: 1 };
  if (state) body.filterGroups = [{ filters: [{ propertyName: prop, operator: 'GTE', value: String(state.t) }] }];
  const res = await searchObjects(createHubspotClient(call), opts.kind === 'company' ? 'companies' : 'contacts', body);
  return Math.max(0, (res.total ?? 0) - (state?.ids.length ?? 0));
}
