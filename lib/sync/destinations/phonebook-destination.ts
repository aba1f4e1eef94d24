// The phone system's phonebook as a sync destination, through the phone-system connector. phonebook_links
// remembers, per source record, the entry's id and the hash of what was last written: an unchanged record
// costs no phonebook call at all, and deletes touch only entries this sync made. The remote write happens
// before the page's transaction and the link inside it: a crash in between replays the page, where the
// connector finds the entry by external id and answers "unchanged" or updates it; it never adds a second one.
import { createHash } from 'node:crypto';
import type postgres from 'postgres';
import { HttpError, type UnifiedContact } from '@/engine';
import type { ConnectorCall } from '@/engine/connectors';
import { createPhonebookClient, type PhonebookClient } from '@/engine/connectors';
import { deletePhonebookContact } from '@/engine/connectors';
import { listAllPhonebookIds } from '@/engine/connectors';
import { toPhonebookContact } from '@/engine/connectors';
import { upsertPhonebookEntry } from '@/engine/connectors';
import { COMPANY_ID_PREFIX, type SyncProblem, type SyncRecord } from '../sync-record';
import type { ComparisonScope, PageOutcome, RecordOutcome, SyncDestination } from './destination';

export const PHONE_SYSTEM = 'phonesystem';

/** Errors worth retrying the page for (the phone system is busy or away), as opposed to a rejected record. */
export function isTransient(err: unknown): boolean {
  if (err instanceof HttpError) return err.kind === 'rate_limited' || err.kind === 'server' || err.kind === 'network' || err.kind === 'timeout';
  return false;
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

interface LinkRow { external_id: string; phonebook_id: string; content_hash: string }

export function createPhonebookDestination(sql: postgres.Sql, o: { customerId: string; defaultCountry: string; source: string; call: ConnectorCall; concurrency?: number }): SyncDestination {
  let client: PhonebookClient | null = null;
  const phonebook = () => (client ??= createPhonebookClient(o.call));
  const concurrency = o.concurrency ?? 8;
  const kindFilter = (kinds: string[]) => (kinds.includes('person') && kinds.includes('company') ? null : kinds.includes('company'));

  const desiredOf = (c: UnifiedContact) => toPhonebookContact(c, { defaultCountry: o.defaultCountry, phoneTypes: phonebook().config.phoneTypes });
  const hashOf = (d: ReturnType<typeof desiredOf>) => createHash('sha1').update(JSON.stringify(d)).digest('base64url');

  async function links(ids: string[]): Promise<Map<string, LinkRow>> {
    if (!ids.length) return new Map();
    const rows = await sql<LinkRow[]>`select external_id, phonebook_id, content_hash from phonebook_links where customer_id = ${o.customerId} and source = ${o.source} and external_id = any(${ids})`;
    return new Map(rows.map((r) => [r.external_id, r]));
  }

  return {
    name: 'phonebook',
    async push(records: SyncRecord[]) {
      const known = await links(records.map((r) => r.contact.externalId));
      const outcomes = new Map<string, RecordOutcome>();
      const problems: SyncProblem[] = [];
      const upserts: { externalId: string; phonebookId: string; hash: string }[] = [];
      const unlinks: string[] = [];
      const counters = { phonebookAdded: 0, phonebookUpdated: 0, phonebookUnchanged: 0, phonebookDeleted: 0, phonebookFailed: 0 };
      await eachLimited(records, concurrency, async (r) => {
        const id = r.contact.externalId;
        const link = known.get(id);
        try {
          // A phonebook matches callers by number: a record without a valid one has no entry (and loses an old one).
          if (!r.e164.length) {
            if (link) {
              await deletePhonebookContact(o.call, { id: link.phonebook_id });
              unlinks.push(id);
              counters.phonebookDeleted++;
              outcomes.set(id, 'deleted');
            } else outcomes.set(id, 'skipped');
            return;
          }
          const desired = desiredOf(r.contact);
          const hash = hashOf(desired);
          if (link && link.content_hash === hash) { counters.phonebookUnchanged++; outcomes.set(id, 'unchanged'); return; }
          const res = await upsertPhonebookEntry(phonebook(), desired);
          upserts.push({ externalId: id, phonebookId: res.id, hash });
          if (res.action === 'unchanged') { counters.phonebookUnchanged++; outcomes.set(id, 'unchanged'); }
          else { res.action === 'added' ? counters.phonebookAdded++ : counters.phonebookUpdated++; outcomes.set(id, 'written'); }
        } catch (err) {
          if (isTransient(err) || !(err instanceof HttpError)) throw err;
          counters.phonebookFailed++;
          outcomes.set(id, 'failed');
          problems.push({ externalId: id, kind: r.contact.kind ?? 'person', reason: err.message, destination: 'phonebook' });
        }
      });
      return {
        async commit(tx): Promise<PageOutcome> {
          if (upserts.length) {
            await tx`
              insert into phonebook_links (customer_id, source, external_id, phonebook_id, content_hash)
              select ${o.customerId}::uuid, ${o.source}, x.external_id, x.phonebook_id, x.content_hash
              from jsonb_to_recordset(${JSON.stringify(upserts.map((u) => ({ external_id: u.externalId, phonebook_id: u.phonebookId, content_hash: u.hash })))}::text::jsonb)
                as x(external_id text, phonebook_id text, content_hash text)
              on conflict (customer_id, source, external_id) do update set phonebook_id = excluded.phonebook_id, content_hash = excluded.content_hash, updated_at = now()`;
          }
          if (unlinks.length) await tx`delete from phonebook_links where customer_id = ${o.customerId} and source = ${o.source} and external_id = any(${unlinks})`;
          return { outcomes, problems, counters };
        },
      };
    },

    async compare({ conn, kinds }: ComparisonScope) {
      // The phonebook's live entries, streamed into a temp table beside the source ids.
      await conn`drop table if exists sync_phonebook`;
      await conn`create temp table sync_phonebook (id text not null)`;
      for await (const page of listAllPhonebookIds(o.call)) {
        await conn`insert into sync_phonebook (id) select unnest(${page.map((e) => e.id)}::text[])`;
      }
      await conn`create index sync_phonebook_id on sync_phonebook (id)`;
      await conn`analyze sync_phonebook`;
      // Entries deleted by hand in the phone system: forget the link, so the record's next change adds it again.
      const company = kindFilter(kinds);
      await conn`
        delete from phonebook_links l
        where l.customer_id = ${o.customerId} and l.source = ${o.source}
          and (${company}::boolean is null or (l.external_id like ${COMPANY_ID_PREFIX + '%'}) = ${company}::boolean)
          and not exists (select 1 from sync_phonebook p where p.id = l.phonebook_id)`;
      const [r] = await conn<{ total: number; gone: number }[]>`
        select (select count(*) from phonebook_links l
                where l.customer_id = ${o.customerId} and l.source = ${o.source}
                  and (${company}::boolean is null or (l.external_id like ${COMPANY_ID_PREFIX + '%'}) = ${company}::boolean))::int as total,
               (select count(*) from phonebook_links l
                where l.customer_id = ${o.customerId} and l.source = ${o.source}
                  and (${company}::boolean is null or (l.external_id like ${COMPANY_ID_PREFIX + '%'}) = ${company}::boolean)
                  and not exists (select 1 from sync_seen s where s.external_id = l.external_id))::int as gone`;
      return r;
    },

    async deleteGone({ conn, kinds }: ComparisonScope) {
      const company = kindFilter(kinds);
      // What goes is listed once (one anti-join), then deleted in batches: memory stays flat however many go.
      await conn`drop table if exists sync_pb_gone`;
      await conn`create temp table sync_pb_gone (external_id text not null, phonebook_id text not null)`;
      await conn`
        insert into sync_pb_gone (external_id, phonebook_id)
        select l.external_id, l.phonebook_id from phonebook_links l
        where l.customer_id = ${o.customerId} and l.source = ${o.source}
          and (${company}::boolean is null or (l.external_id like ${COMPANY_ID_PREFIX + '%'}) = ${company}::boolean)
          and not exists (select 1 from sync_seen s where s.external_id = l.external_id)`;
      let deleted = 0;
      for (;;) {
        const batch = await conn<{ external_id: string; phonebook_id: string }[]>`
          delete from sync_pb_gone where ctid in (select ctid from sync_pb_gone limit 500) returning external_id, phonebook_id`;
        if (!batch.length) return deleted;
        const done: string[] = [];
        await eachLimited(batch, concurrency, async (b) => {
          const r = await deletePhonebookContact(o.call, { id: b.phonebook_id });
          if (r.deleted) deleted++;
          done.push(b.external_id);
        });
        await conn`delete from phonebook_links where customer_id = ${o.customerId} and source = ${o.source} and external_id = any(${done})`;
      }
    },

    async deleteIds(externalIds: string[]) {
      const known = await links(externalIds);
      let deleted = 0;
      const done: string[] = [];
      await eachLimited([...known.values()], concurrency, async (l) => {
        const r = await deletePhonebookContact(o.call, { id: l.phonebook_id });
        if (r.deleted) deleted++;
        done.push(l.external_id);
      });
      if (done.length) await sql`delete from phonebook_links where customer_id = ${o.customerId} and source = ${o.source} and external_id = any(${done})`;
      return deleted;
    },
  };
}
