// Two-way sync, third phase: the phonebook changes still waiting (no CRM edit met them in this run) go to the CRM
// in batches: an edit of a linked person updates it, a new entry creates the person and links the entry (its
// externalId and crmUrl), a delete deletes it — unless the deletes would pass the sync's safety threshold (share of
// its linked persons), which blocks them as a one-way full comparison does. A person deleted in the CRM whose entry
// was edited is a conflict, settled by the rule (made again, or the entry deleted too).
//
// Kill-safety: a batch is marked attempted (committed) before its remote calls; the links, the finished changes and
// the run's counters commit in one transaction after them. A replayed batch updates and deletes idempotently, and
// before creating a person it looks for one already made with the same shared fields, so nothing is created twice.
import type postgres from 'postgres';
import { HttpError } from '@/engine';
import { deletePhonebookContact, writeWireContact, type ConnectorCall, type CrmApi, type PhonebookClient, type PhonebookContact } from '@/engine/connectors';
import { isTransient } from '../destinations/phonebook-destination';
import type { ConflictRule } from '../sync-config';
import type { SyncProblem } from '../sync-record';
import { eachLimited, type PendingChange } from './crm-to-phonebook';
import { dropPending, linksByExternalId, linksByPhonebookId, removeLinks, writeLinks, type LinkScope, type LinkWrite, type SyncConflict, type TwoWayLink } from './links';
import { crmChangesOf, hashShared, resolveDeleteEdit, sharedFromCrmContact, sharedFromPhonebook, type SharedFields } from './shared-fields';

export interface ToCrmCounters {
  crmCreated: number; crmUpdated: number; crmDeleted: number; crmUnchanged: number; crmFailed: number; phonebookDeleted: number; conflicts: number; toCrmDone: number;
}

export interface DeleteRefusal { destination: 'crm'; total: number; gone: number; share: number; threshold: number }

export async function applyPendingToCrm(o: {
  sql: postgres.Sql;
  scope: LinkScope;
  crm: CrmApi;
  crmCall: ConnectorCall;
  pbCall: ConnectorCall;
  phonebook: PhonebookClient;
  rule: ConflictRule;
  defaultCountry: string;
  threshold: number;
  allowMassDelete: boolean;
  signal: AbortSignal;
  batchSize?: number;
  concurrency?: number;
  /** How many changes wait (progress), before the first batch. */
  onStart?: (total: number) => Promise<void>;
  /** Commits the batch's counters, conflicts and problems (lease-checked) inside its transaction. */
  commit: (tx: postgres.Sql, counters: ToCrmCounters, conflicts: SyncConflict[], problems: SyncProblem[]) => Promise<void>;
}): Promise<{ refused: DeleteRefusal | null }> {
  const { sql, scope } = o;
  const [c] = await sql<{ deletes: number; upserts: number; linked: number }[]>`
    select (select count(*) from sync_pending_changes where customer_id = ${scope.customerId} and source = ${scope.source} and op = 'delete')::int as deletes,
           (select count(*) from sync_pending_changes where customer_id = ${scope.customerId} and source = ${scope.source} and op = 'upsert')::int as upserts,
           (select count(*) from phonebook_links where customer_id = ${scope.customerId} and source = ${scope.source} and external_id not like 'company:%')::int as linked`;
  const share = c.linked ? c.deletes / c.linked : 0;
  const refused: DeleteRefusal | null = c.deletes > 0 && share > o.threshold && !o.allowMassDelete
    ? { destination: 'crm', total: c.linked, gone: c.deletes, share, threshold: o.threshold } : null;
  await o.onStart?.(c.upserts + (refused ? 0 : c.deletes));

  let after = '';
  for (;;) {
    o.signal.throwIfAborted();
    const batch = await sql<PendingChange[]>`
      select phonebook_id, op, entry, changed_at, attempted_at from sync_pending_changes
      where customer_id = ${scope.customerId} and source = ${scope.source} and phonebook_id > ${after}
        and (op = 'upsert' or ${!refused})
      order by phonebook_id limit ${o.batchSize ?? 500}`;
    if (!batch.length) return { refused };
    after = batch[batch.length - 1].phonebook_id;
    // Marked before any remote call: a replay of this batch knows a create may already have happened.
    await sql`update sync_pending_changes set attempted_at = now()
      where customer_id = ${scope.customerId} and source = ${scope.source} and phonebook_id = any(${batch.map((b) => b.phonebook_id)}) and attempted_at is null`;
    await applyBatch(o, batch);
  }
}

async function applyBatch(o: Parameters<typeof applyPendingToCrm>[0], batch: PendingChange[]): Promise<void> {
  const { scope, crm, crmCall } = o;
  const links = await linksByPhonebookId(o.sql, scope, batch.map((b) => b.phonebook_id));
  // An entry that names a record of this CRM but has lost its link row is linked by that name.
  const named = batch.filter((b) => !links.has(b.phonebook_id) && b.entry?.externalId && b.entry.source === scope.source).map((b) => b.entry!.externalId!);
  const byName = await linksByExternalId(o.sql, scope, named);
  const counters: ToCrmCounters = { crmCreated: 0, crmUpdated: 0, crmDeleted: 0, crmUnchanged: 0, crmFailed: 0, phonebookDeleted: 0, conflicts: 0, toCrmDone: 0 };
  const conflicts: SyncConflict[] = [];
  const problems: SyncProblem[] = [];
  const linkWrites: LinkWrite[] = [];
  const unlinks: string[] = [];
  const done: string[] = [];
  const at = new Date().toISOString();
  const updates: { row: PendingChange; link: TwoWayLink; entry: PhonebookContact; f: SharedFields }[] = [];

  const agreed = (externalId: string, phonebookId: string, f: SharedFields, pbAt: string | null): LinkWrite => ({
    externalId, phonebookId, base: f, crmHash: hashShared(f), phonebookHash: hashShared(f), extraHash: null, contentHash: null, crmUpdatedAt: null, phonebookUpdatedAt: pbAt,
  });

  /** Makes the person in the CRM (or finds the one a killed attempt made) and links the entry to it. */
  async function create(row: PendingChange, entry: PhonebookContact, f: SharedFields): Promise<string> {
    let ref: { id: string; url: string | null } | null = null;
    if (row.attempted_at && f.phones.length) {
      const hits = await crm.findContactsByPhone(crmCall, { phone: f.phones[0], kind: 'person', defaultCountry: o.defaultCountry });
      const same = hits.filter((h) => hashShared(sharedFromCrmContact(h)) === hashShared(f));
      const taken = await linksByExternalId(o.sql, scope, same.map((h) => h.id));
      const mine = same.find((h) => !taken.has(h.id) || taken.get(h.id)!.phonebook_id === row.phonebook_id);
      if (mine) ref = { id: mine.id, url: mine.url };
    }
    if (!ref) {
      const ch = crmChangesOf(f);
      const out = await crm.createContact(crmCall, {
        firstName: ch.firstName ?? undefined, lastName: ch.lastName ?? undefined, email: ch.email ?? undefined, phone: ch.phone ?? undefined, mobile: ch.mobile ?? undefined,
      }, { defaultCountry: o.defaultCountry });
      ref = { id: out.ref.id, url: out.ref.url };
    }
    counters.crmCreated++;
    // The entry names its CRM record (both ways linked); an entry deleted meanwhile comes back as a tombstone.
    try {
      const linked: PhonebookContact = { ...entry, externalId: ref.id, source: scope.source, crmUrl: ref.url ?? entry.crmUrl };
      await o.phonebook.call('updateContact', { id: row.phonebook_id, externalId: ref.id }, { body: writeWireContact(linked, o.phonebook.config.fields) });
    } catch (err) {
      if (!(err instanceof HttpError && err.kind === 'not_found')) throw err;
    }
    linkWrites.push(agreed(ref.id, row.phonebook_id, f, row.changed_at));
    return ref.id;
  }

  await eachLimited(batch, o.concurrency ?? 8, async (row) => {
    const link: TwoWayLink | undefined = links.get(row.phonebook_id) ?? (row.entry?.externalId ? byName.get(row.entry.externalId) : undefined);
    try {
      if (row.op === 'delete' || !row.entry) {
        if (link) {
          await crm.deleteContact!(crmCall, { id: link.external_id });
          unlinks.push(link.external_id);
          counters.crmDeleted++;
        }
        done.push(row.phonebook_id);
        return;
      }
      const entry = row.entry;
      const f = sharedFromPhonebook(entry);
      const h = hashShared(f);
      if (!link) {
        await create(row, entry, f);
        done.push(row.phonebook_id);
        return;
      }
      if (link.crm_hash === h) {
        // The CRM holds this already (the same edit on both sides, or a change back).
        counters.crmUnchanged++;
        linkWrites.push(agreed(link.external_id, row.phonebook_id, f, row.changed_at));
        done.push(row.phonebook_id);
        return;
      }
      // Sent with the batch's other updates below.
      updates.push({ row, link, entry, f });
    } catch (err) {
      if (isTransient(err) || !(err instanceof HttpError)) throw err;
      // Refused by the CRM (a field it rejects): reported, and tried again next run.
      counters.crmFailed++;
      problems.push({ externalId: link?.external_id ?? `phonebook:${row.phonebook_id}`, kind: 'person', reason: err.message, destination: 'crm' });
    }
  });

  /** Deleted in the CRM, edited in the phonebook: the rule keeps it (made again) or deletes the entry too. */
  async function deletedInCrm(row: PendingChange, link: TwoWayLink, entry: PhonebookContact, f: SharedFields): Promise<void> {
    counters.conflicts++;
    const decision = resolveDeleteEdit(o.rule, { deletedOn: 'crm', editedAt: row.changed_at, deletedAt: null });
    if (decision === 'keep') {
      await create(row, { ...entry, externalId: null }, f);
    } else {
      await deletePhonebookContact(o.pbCall, { id: row.phonebook_id });
      counters.phonebookDeleted++;
    }
    unlinks.push(link.external_id);
    conflicts.push({
      type: 'deleted_in_crm_edited_in_phonebook', externalId: link.external_id, phonebookId: row.phonebook_id, rule: o.rule,
      outcome: decision === 'keep' ? 'kept' : 'deleted', crm: { deleted: true }, phonebook: { ...f, updatedAt: row.changed_at },
      result: decision === 'keep' ? f : null, at,
    });
  }

  if (updates.length) {
    const results = await crm.updateContacts!(crmCall, updates.map((u) => ({ id: u.link.external_id, changes: crmChangesOf(u.f) })));
    const gone: typeof updates = [];
    results.forEach((r, i) => {
      const u = updates[i];
      if (r.outcome === 'updated') {
        counters.crmUpdated++;
        linkWrites.push(agreed(u.link.external_id, u.row.phonebook_id, u.f, u.row.changed_at));
        done.push(u.row.phonebook_id);
      } else if (r.outcome === 'not_found') gone.push(u);
      else {
        counters.crmFailed++;
        problems.push({ externalId: u.link.external_id, kind: 'person', reason: r.error ?? 'refused by the CRM', destination: 'crm' });
      }
    });
    await eachLimited(gone, o.concurrency ?? 8, async (u) => {
      try {
        await deletedInCrm(u.row, u.link, u.entry, u.f);
        done.push(u.row.phonebook_id);
      } catch (err) {
        if (isTransient(err) || !(err instanceof HttpError)) throw err;
        counters.crmFailed++;
        problems.push({ externalId: u.link.external_id, kind: 'person', reason: err.message, destination: 'crm' });
      }
    });
  }

  counters.toCrmDone = done.length;
  await o.sql.begin(async (tx) => {
    const q = tx as unknown as postgres.Sql;
    await removeLinks(q, scope, unlinks);
    await writeLinks(q, scope, linkWrites);
    await dropPending(q, scope, done);
    await o.commit(q, counters, conflicts, problems);
  });
}
