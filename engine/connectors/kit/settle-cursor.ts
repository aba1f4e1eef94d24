// Where a changed-since listing may leave its cursor. Listings read records oldest first by (modified time, id)
// and resume after the last one read. CRMs stamp the modified time with their own clock, to the second, so the
// records changed within one second share it: a record changed later within the second the cursor names gets that
// same time and, with a lower id, sorts before the cursor, so it would never be read. The skip past a cursor is
// therefore only safe for a second that was over when it was read: the last page's cursor never passes a second
// younger than SETTLE_MS at the start of the listing, and the records of those seconds come again next time (the
// sync compares before it writes, so a record read twice writes nothing; two-way counts it as an echo).
import type { ChangedPage } from './contact-source';

/** How long after a second's end its modified times are taken as final (clock skew, a write committed late). */
export const SETTLE_MS = 5_000;

export type ListedPage = ChangedPage & { done: boolean };

/**
 * Passes a listing's pages through, the last one with a settled cursor. `pages` gives each page with the modified
 * time (epoch ms) of its last record; `resumeFrom(ms)` makes a cursor that resumes with every record modified at
 * `ms` or later (a second's start). Within the listing each cursor stays exact, so a run cut short goes on from
 * where it was. When the listing ends without a last page (its last read found nothing new), one is added, with no
 * records, so the cursor still moves back behind a second that was not over.
 */
export async function* settleLastCursor(pages: AsyncIterable<{ page: ListedPage; lastModifiedMs: number }>, resumeFrom: (ms: number) => string): AsyncGenerator<ListedPage> {
  // Seconds from this one on may still get changes once read (every read of `pages` comes after this moment).
  const settleLine = Math.floor((Date.now() - SETTLE_MS) / 1000) * 1000;
  const settled = (page: ListedPage, lastModifiedMs: number): ListedPage => (lastModifiedMs < settleLine ? page : { ...page, cursor: resumeFrom(settleLine) });
  let last: { page: ListedPage; lastModifiedMs: number } | null = null;
  for await (const item of pages) {
    last = item;
    yield item.page.done ? settled(item.page, item.lastModifiedMs) : item.page;
    if (item.page.done) return;
  }
  if (last) yield settled({ kind: last.page.kind, contacts: [], cursor: last.page.cursor, done: true }, last.lastModifiedMs);
}
