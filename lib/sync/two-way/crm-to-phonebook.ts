// Two-way sync, second phase: the CRM's changed persons (the sync engine's pages) against the phonebook. For each
// record the link's CRM hash tells an echo of the sync's own write (same shared fields: nothing to write) from an edit.
// An edit whose phonebook entry has a change waiting (staged by the feed phase) is a conflict, settled by the sync's
// rule on the spot and written to whichever side needs it; any other edit is written to the phonebook. Remote writes
// come first and are idempotent (by entry id, by external id, by CRM id), the links in the page's transaction, so a
// replayed page writes nothing twice. Deletes detected by the full comparison go through the one-way phonebook
// destination (`inner`).
import type postgres from 'postgres';
import { HttpError } from '@/engine';
import {
  createPhonebookClient, deletePhonebookContact, toPhonebookContact, updatePhonebookEntries, upsertPhonebookEntry, type ContactChanges,
  type ConnectorCall, type CrmApi, type PhonebookClient, type PhonebookContact,
} from '@/engine/connectors';
import type { PageOutcome, RecordOutcome, SyncDestination } from '../destinations/destination';
import { isTransient } from '../destinations/phonebook-destination';
import type { ConflictRule } from '../sync-config';
import type { SyncProblem, SyncRecord } from '../sync-record';
import {
  contentHashOf, dropPending, extraHashOf, linksByExternalId, phonebookHashOf, removeLinks, withShared, writeLinks,
  type LinkScope, type LinkWrite, type SyncConflict,
} from './links';
import { crmChangesOf, hashShared, resolveDeleteEdit, resolveEdits, sameShared, sharedFromCrm, sharedFromPhonebook } from './shared-fields';

export interface PendingChange { phonebook_id: string; op: 'upsert' | 'delete'; entry: PhonebookContact | null; changed_at: string | null; attempted_at: Date | null }

export async function pendingByPhonebookId(sql: postgres.Sql, s: LinkScope, ids: string[]): Promise<Map<string, PendingChange>> {
  if (!ids.length) return new Map();
  const rows = await sql<PendingChange[]>`
    select phonebook_id, op, entry, changed_at, attempted_at from sync_pending_changes
    where customer_id = ${s.customerId} and source = ${s.source} and phonebook_id = any(${ids})`;
  return new Map(rows.map((r) => [r.phonebook_id, r]));
}

/**
 * Entries the feed staged that already name one of these CRM records but have no link yet (a phonebook filled by an
 * earlier one-way sync, or by an import): the record is linked to its entry instead of getting a second one.
 */
async function pendingByExternalId(sql: postgres.Sql, s: LinkScope, ids: string[]): Promise<Map<string, PendingChange>> {
  if (!ids.length) return new Map();
  const rows = await sql<(PendingChange & { external_id: string })[]>`
    select phonebook_id, op, entry, changed_at, attempted_at, entry->>'externalId' as external_id from sync_pending_changes
    where customer_id = ${s.customerId} and source = ${s.source} and op = 'upsert' and entry->>'source' = ${s.source} and entry->>'externalId' = any(${ids})`;
  return new Map(rows.map((r) => [r.external_id, r]));
}

export async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

export interface TwoWayDeps {
  sql: postgres.Sql;
  scope: LinkScope;
  defaultCountry: string;
  /** The phone system. */
  pbCall: ConnectorCall;
  crm: CrmApi;
  crmCall: ConnectorCall;
  rule: ConflictRule;
  concurrency?: number;
}

export function createTwoWayPersonDestination(d: TwoWayDeps, inner: SyncDestination): SyncDestination {
  let client: PhonebookClient | null = null;
  const phonebook = () => (client ??= createPhonebookClient(d.pbCall));
  const { scope, rule } = d;

  return {
    name: 'phonebook',
    compare: (s) => inner.compare(s),
    deleteGone: (s) => inner.deleteGone(s),
    deleteIds: (ids) => inner.deleteIds(ids),

    async push(records: SyncRecord[]) {
      const links = await linksByExternalId(d.sql, scope, records.map((r) => r.contact.externalId));
      const pending = await pendingByPhonebookId(d.sql, scope, [...links.values()].map((l) => l.phonebook_id));
      const adoptable = await pendingByExternalId(d.sql, scope, records.map((r) => r.contact.externalId).filter((id) => !links.has(id)));
      for (const [externalId, p] of adoptable) {
        if (pending.has(p.phonebook_id)) continue;
        // Linked with no agreed base: equal shared fields make it the base at no cost; different ones are settled by the rule.
        links.set(externalId, { external_id: externalId, phonebook_id: p.phonebook_id, content_hash: '', base: null, crm_hash: null, phonebook_hash: null, extra_hash: null, crm_updated_at: null, phonebook_updated_at: null });
        pending.set(p.phonebook_id, p);
      }
      const types = phonebook().config.phoneTypes;
      const outcomes = new Map<string, RecordOutcome>();
      const problems: SyncProblem[] = [];
      const conflicts: SyncConflict[] = [];
      const linkWrites: LinkWrite[] = [];
      const unlinks: string[] = [];
      const drop: string[] = [];
      const counters = { phonebookAdded: 0, phonebookUpdated: 0, phonebookUnchanged: 0, phonebookDeleted: 0, phonebookFailed: 0, crmEchoes: 0, crmUpdated: 0, crmDeleted: 0, conflicts: 0 };
      const at = new Date().toISOString();
      // Updates of existing entries and of CRM records are queued and sent in batches after the page's decisions.
      type Written = { id: string; action: 'added' | 'updated' | 'unchanged' };
      const pbQueue: { externalId: string; id: string; contact: PhonebookContact; done: (w: Written) => void }[] = [];
      const crmQueue: { id: string; changes: ContactChanges; done: () => void }[] = [];

      await eachLimited(records, d.concurrency ?? 8, async (r) => {
        const id = r.contact.externalId;
        const link = links.get(id);
        const desired = toPhonebookContact(r.contact, { defaultCountry: d.defaultCountry, phoneTypes: types });
        const crmShared = sharedFromCrm(r.contact, d.defaultCountry);
        const crmHash = hashShared(crmShared);
        const extra = extraHashOf(desired);
        const crmAt = r.contact.updatedAt ?? null;
        const agreed = (phonebookId: string, base = crmShared, pbAt: string | null = null): LinkWrite => ({
          externalId: id, phonebookId, base, crmHash: hashShared(base), phonebookHash: hashShared(base), extraHash: extra,
          contentHash: contentHashOf(desired), crmUpdatedAt: crmAt, phonebookUpdatedAt: pbAt,
        });
        const wrote = (action: 'added' | 'updated' | 'unchanged') => {
          if (action === 'unchanged') { counters.phonebookUnchanged++; outcomes.set(id, 'unchanged'); return; }
          if (action === 'added') counters.phonebookAdded++; else counters.phonebookUpdated++;
          outcomes.set(id, 'written');
        };
        try {
          if (!link) {
            if (!r.e164.length) { outcomes.set(id, 'skipped'); return; }
            const res = await upsertPhonebookEntry(phonebook(), desired);
            linkWrites.push({ ...agreed(res.id), phonebookHash: phonebookHashOf(desired) });
            // An entry typed into the phonebook with this number is this contact now: it is not sent to the CRM as new.
            drop.push(res.id);
            wrote(res.action);
            return;
          }
          const p = pending.get(link.phonebook_id);
          const crmEdited = link.crm_hash !== crmHash;
          if (!p || !crmEdited) {
            if (!crmEdited) {
              // An echo of the sync's own write, or no change to what both sides share.
              counters.crmEchoes++;
              if (link.extra_hash === null || link.extra_hash === extra || p) {
                if (link.extra_hash === null) linkWrites.push({ ...agreed(link.phonebook_id, link.base ?? crmShared), crmHash: link.crm_hash!, phonebookHash: link.phonebook_hash ?? link.crm_hash!, contentHash: null });
                outcomes.set(id, 'unchanged');
                return;
              }
              // Only the fields the CRM alone feeds (company, link, custom data) changed.
              pbQueue.push({ externalId: id, id: link.phonebook_id, contact: link.base ? withShared(desired, link.base, types) : desired, done: (w) => {
                linkWrites.push({ ...agreed(w.id, link.base ?? crmShared), contentHash: null });
                wrote(w.action);
              } });
              return;
            }
            if (link.crm_hash === null && link.content_hash === contentHashOf(desired)) {
              // A link made by the one-way sync: the phonebook holds what the CRM holds; this is the agreed base now.
              linkWrites.push(agreed(link.phonebook_id));
              wrote('unchanged');
              return;
            }
            if (!r.e164.length) {
              // A phonebook matches callers by number: a person without a valid one loses the entry (as one-way).
              await deletePhonebookContact(d.pbCall, { id: link.phonebook_id });
              unlinks.push(id);
              counters.phonebookDeleted++;
              outcomes.set(id, 'deleted');
              return;
            }
            pbQueue.push({ externalId: id, id: link.phonebook_id, contact: desired, done: (w) => { linkWrites.push(agreed(w.id)); wrote(w.action); } });
            return;
          }

          // Changed on both sides since the last run: a conflict.
          counters.conflicts++;
          drop.push(link.phonebook_id);
          const crmSide = { ...crmShared, updatedAt: crmAt };
          if (p.op === 'upsert' && p.entry) {
            const pbShared = sharedFromPhonebook(p.entry);
            if (sameShared(pbShared, crmShared)) {
              // The same edit on both sides: nothing to settle.
              counters.conflicts--;
              linkWrites.push(agreed(link.phonebook_id, crmShared, p.changed_at));
              outcomes.set(id, 'unchanged');
              return;
            }
            const res = resolveEdits(rule, { base: link.base, crm: crmShared, phonebook: pbShared, crmAt, phonebookAt: p.changed_at });
            if (!sameShared(res.result, pbShared)) {
              pbQueue.push({ externalId: id, id: link.phonebook_id, contact: withShared(desired, res.result, types), done: (w) => { linkWrites.push(agreed(w.id, res.result, p.changed_at)); wrote(w.action); } });
            } else {
              outcomes.set(id, 'unchanged');
              linkWrites.push(agreed(link.phonebook_id, res.result, p.changed_at));
            }
            if (!sameShared(res.result, crmShared)) crmQueue.push({ id, changes: crmChangesOf(res.result), done: () => { counters.crmUpdated++; } });
            conflicts.push({
              type: 'edited_both', externalId: id, phonebookId: link.phonebook_id, rule, outcome: res.winner, crm: crmSide,
              phonebook: { ...pbShared, updatedAt: p.changed_at }, result: res.result, ...(res.fields ? { fields: res.fields } : {}), at,
            });
            return;
          }
          // Deleted in the phonebook, edited in the CRM.
          const decision = resolveDeleteEdit(rule, { deletedOn: 'phonebook', editedAt: crmAt, deletedAt: p.changed_at });
          if (decision === 'keep') {
            const res = await upsertPhonebookEntry(phonebook(), desired);
            linkWrites.push(agreed(res.id));
            wrote(res.action);
          } else {
            await d.crm.deleteContact!(d.crmCall, { id });
            unlinks.push(id);
            counters.crmDeleted++;
            outcomes.set(id, 'deleted');
          }
          conflicts.push({
            type: 'deleted_in_phonebook_edited_in_crm', externalId: id, phonebookId: link.phonebook_id, rule, outcome: decision === 'keep' ? 'kept' : 'deleted',
            crm: crmSide, phonebook: { deleted: true, deletedAt: p.changed_at }, result: decision === 'keep' ? crmShared : null, at,
          });
        } catch (err) {
          if (isTransient(err) || !(err instanceof HttpError)) throw err;
          counters.phonebookFailed++;
          outcomes.set(id, 'failed');
          problems.push({ externalId: id, kind: 'person', reason: err.message, destination: 'phonebook' });
        }
      });

      const fail = (externalId: string, reason: string, destination: string) => {
        if (destination === 'phonebook') counters.phonebookFailed++;
        outcomes.set(externalId, 'failed');
        problems.push({ externalId, kind: 'person', reason, destination });
        // Not agreed: the link keeps its old hashes, so the next change of this record tries again.
        const i = linkWrites.findIndex((l) => l.externalId === externalId);
        if (i >= 0) linkWrites.splice(i, 1);
      };
      if (crmQueue.length) {
        const results = await d.crm.updateContacts!(d.crmCall, crmQueue.map((q) => ({ id: q.id, changes: q.changes })));
        results.forEach((r, i) => (r.outcome === 'updated' ? crmQueue[i].done() : fail(crmQueue[i].id, r.error ?? `${d.crm.name} no longer has this record`, 'crm')));
      }
      if (pbQueue.length) {
        const results = await updatePhonebookEntries(phonebook(), pbQueue.map((q) => ({ id: q.id, contact: q.contact })));
        const gone: typeof pbQueue = [];
        results.forEach((r, i) => {
          if (r.outcome === 'updated') pbQueue[i].done({ id: r.id, action: 'updated' });
          else if (r.outcome === 'not_found') gone.push(pbQueue[i]);
          else fail(pbQueue[i].externalId, r.error ?? 'refused by the phone system', 'phonebook');
        });
        // Entries deleted in the phone system since the feed was read: added again (found by external id first).
        await eachLimited(gone, d.concurrency ?? 8, async (q) => q.done(await upsertPhonebookEntry(phonebook(), q.contact)));
      }

      return {
        async commit(tx: postgres.Sql): Promise<PageOutcome> {
          await removeLinks(tx, scope, unlinks);
          await writeLinks(tx, scope, linkWrites);
          await dropPending(tx, scope, drop);
          return { outcomes, problems, counters, conflicts };
        },
      };
    },
  };
}
