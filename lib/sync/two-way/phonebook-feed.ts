// Two-way sync, first phase: the phonebook's change feed, page by page from the committed cursor, into
// sync_pending_changes. What the sync itself wrote comes back here too: an entry whose shared fields hash as the
// link remembers is an echo and is dropped. Companies and other CRMs' entries are not this sync's to send. Each page
// is committed with the feed's cursor in one transaction (the caller's `commit`), so a kill replays at most a page,
// and re-staging a change is an upsert.
import type postgres from 'postgres';
import { listPhonebookChanges, type ConnectorCall, type PhonebookChange } from '@/engine/connectors';
import { linksByPhonebookId, phonebookHashOf, type LinkScope } from './links';

export const PHONEBOOK_CURSOR = 'phonebook';

export interface FeedCounters {
  phonebookChangesRead: number;
  phonebookEchoes: number;
  phonebookStaged: number;
  phonebookIgnored: number;
}

interface PendingRow { phonebook_id: string; op: 'upsert' | 'delete'; entry: unknown; changed_at: string | null }

export async function stagePhonebookChanges(o: {
  sql: postgres.Sql;
  scope: LinkScope;
  call: ConnectorCall;
  cursor: string | null;
  pageSize?: number;
  signal: AbortSignal;
  /** Commits the page's cursor and counters (lease-checked) inside the page's transaction. */
  commit: (tx: postgres.Sql, cursor: string | null, counters: FeedCounters) => Promise<void>;
}): Promise<string | null> {
  let cursor = o.cursor;
  for (;;) {
    o.signal.throwIfAborted();
    const page = await listPhonebookChanges(o.call, { cursor, pageSize: o.pageSize });
    const links = await linksByPhonebookId(o.sql, o.scope, page.changes.map((c) => c.id));
    const counters: FeedCounters = { phonebookChangesRead: page.changes.length, phonebookEchoes: 0, phonebookStaged: 0, phonebookIgnored: 0 };
    const stage: PendingRow[] = [];
    const unstage: string[] = [];
    // The feed lists each entry once per page at most, at its latest state.
    for (const ch of page.changes as PhonebookChange[]) {
      const link = links.get(ch.id);
      if (ch.type === 'delete') {
        if (link) { stage.push({ phonebook_id: ch.id, op: 'delete', entry: null, changed_at: ch.changedAt }); counters.phonebookStaged++; }
        else { unstage.push(ch.id); counters.phonebookIgnored++; }
        continue;
      }
      const c = ch.contact;
      const foreign = c.source !== null && c.source !== o.scope.source && !link;
      if (c.isCompany || foreign || (!link && !c.phones.length)) { counters.phonebookIgnored++; unstage.push(ch.id); continue; }
      if (link && link.phonebook_hash === phonebookHashOf(c)) { counters.phonebookEchoes++; unstage.push(ch.id); continue; }
      stage.push({ phonebook_id: ch.id, op: 'upsert', entry: c, changed_at: ch.changedAt });
      counters.phonebookStaged++;
    }
    await o.sql.begin(async (tx) => {
      const q = tx as unknown as postgres.Sql;
      if (stage.length) {
        await q`
          insert into sync_pending_changes (customer_id, source, phonebook_id, op, entry, changed_at)
          select ${o.scope.customerId}::uuid, ${o.scope.source}, x.phonebook_id, x.op, x.entry, x.changed_at
          from jsonb_to_recordset(${JSON.stringify(stage)}::text::jsonb) as x(phonebook_id text, op text, entry jsonb, changed_at text)
          on conflict (customer_id, source, phonebook_id) do update set op = excluded.op, entry = excluded.entry, changed_at = excluded.changed_at`;
      }
      // An entry that went back to what the sync knows, or was made and deleted between two runs: nothing to send.
      if (unstage.length) await q`delete from sync_pending_changes where customer_id = ${o.scope.customerId} and source = ${o.scope.source} and phonebook_id = any(${unstage})`;
      await o.commit(q, page.cursor, counters);
    });
    cursor = page.cursor;
    if (!page.more) return cursor;
  }
}
