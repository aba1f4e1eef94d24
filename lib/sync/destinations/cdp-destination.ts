// The CDP as a sync destination: bulk upsert inside the page's transaction (compare before write by content
// hash, so an unchanged record writes nothing), soft deletes, and the full comparison as one anti-join.
import type postgres from 'postgres';
import { deleteContacts, upsertContacts } from '@/lib/cdp/pg-cdp';
import type { SyncRecord } from '../sync-record';
import type { ComparisonScope, PageOutcome, RecordOutcome, SyncDestination } from './destination';

export function createCdpDestination(sql: postgres.Sql, o: { customerId: string; defaultCountry: string; source: string }): SyncDestination {
  return {
    name: 'cdp',
    async push(records: SyncRecord[]) {
      return {
        async commit(tx): Promise<PageOutcome> {
          const outcomes = new Map<string, RecordOutcome>();
          // A company is a contact only while it carries a number; one that lost its last number leaves the CDP.
          const absent = records.filter((r) => r.contact.kind === 'company' && r.e164.length === 0).map((r) => r.contact.externalId);
          const present = records.filter((r) => !(r.contact.kind === 'company' && r.e164.length === 0)).map((r) => r.contact);
          const res = present.length ? await upsertContacts(tx, o.customerId, o.defaultCountry, present) : null;
          for (const id of res?.writtenIds ?? []) outcomes.set(id, 'written');
          let removed = 0;
          if (absent.length) {
            const gone = await tx<{ external_id: string }[]>`
              update cdp_contacts set deleted_at = now(), updated_at = now()
              where customer_id = ${o.customerId} and source = ${o.source} and external_id = any(${absent}) and deleted_at is null
              returning external_id`;
            for (const r of gone) outcomes.set(r.external_id, 'deleted');
            removed = gone.length;
            for (const id of absent) if (!outcomes.has(id)) outcomes.set(id, 'skipped');
          }
          return { outcomes, problems: [], counters: { cdpInserted: res?.inserted ?? 0, cdpUpdated: res?.updated ?? 0, cdpUnchanged: res?.unchanged ?? 0, cdpDeleted: removed } };
        },
      };
    },
    async compare({ conn, kinds }: ComparisonScope) {
      // NOT EXISTS in WHERE plans as a hash anti-join (inside a FILTER it would be a subplan per row).
      const [r] = await conn<{ total: number; gone: number }[]>`
        select (select count(*) from cdp_contacts c
                where c.customer_id = ${o.customerId} and c.source = ${o.source} and c.deleted_at is null and c.kind = any(${kinds}))::int as total,
               (select count(*) from cdp_contacts c
                where c.customer_id = ${o.customerId} and c.source = ${o.source} and c.deleted_at is null and c.kind = any(${kinds})
                  and not exists (select 1 from sync_seen s where s.external_id = c.external_id))::int as gone`;
      return r;
    },
    async deleteGone({ conn, kinds }: ComparisonScope) {
      const res = await conn`
        update cdp_contacts c set deleted_at = now(), updated_at = now()
        where c.customer_id = ${o.customerId} and c.source = ${o.source} and c.deleted_at is null and c.kind = any(${kinds})
          and not exists (select 1 from sync_seen s where s.external_id = c.external_id)`;
      return res.count;
    },
    async deleteIds(externalIds: string[]) {
      return deleteContacts(sql, o.customerId, o.source, externalIds);
    },
  };
}
