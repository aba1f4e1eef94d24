// The phonebook's change feed, for the two-way contact sync: entries added, updated or deleted since a cursor,
// oldest first, one page at a time, as the connection's config describes it (the reference API:
// GET /api/v1/phonebook/changes?cursor=&limit= → { data: [{ type, id, externalId, source, changedAt, contact }],
// next_cursor, has_more }). A delete comes as a tombstone carrying the entry's external id and source, so the sync
// knows which CRM record it was linked to. The cursor of every page (the last one too) is where a later poll resumes.
import type { ConnectorCall } from '../kit/contact-source';
import { PatchbayError } from '../../core/errors';
import { HttpError } from '../../core/http-client';
import { createPhonebookClient, recordsAt } from './client';
import { getPath, readWireContact, type PhonebookContact } from './map-contact';

export type PhonebookChange =
  | { type: 'upsert'; id: string; contact: PhonebookContact; changedAt: string | null }
  | { type: 'delete'; id: string; externalId: string | null; source: string | null; changedAt: string | null };

export interface PhonebookChangesPage {
  changes: PhonebookChange[];
  /** Resume here (store it once the page is committed). */
  cursor: string | null;
  more: boolean;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

export async function listPhonebookChanges(call: ConnectorCall, args: { cursor: string | null; pageSize?: number }): Promise<PhonebookChangesPage> {
  const client = createPhonebookClient(call);
  const op = client.config.operations.listChanges;
  const size = Math.max(1, Math.min(op.pageSize, Math.floor(args.pageSize ?? op.pageSize)));
  const query: Record<string, string | number> = {};
  if (op.limitParam) query[op.limitParam] = size;
  if (args.cursor) query[op.cursorParam] = args.cursor;
  let res;
  try {
    res = await client.call('listChanges', {}, { query });
  } catch (err) {
    if (err instanceof HttpError && err.status === 404 && !args.cursor) {
      throw new PatchbayError('invalid_params', `${client.config.name} has no phonebook change feed at ${op.path}: a two-way sync needs one (describe it under operations.listChanges in the phone system connection)`);
    }
    throw err;
  }
  const changes: PhonebookChange[] = [];
  for (const raw of recordsAt(res.body, op.resultPath)) {
    const id = text(getPath(raw, op.idPath));
    if (!id) continue;
    const changedAt = text(getPath(raw, op.changedAtPath));
    if (String(getPath(raw, op.typePath)) === op.deleteValue) {
      changes.push({ type: 'delete', id, externalId: op.externalIdPath ? text(getPath(raw, op.externalIdPath)) : null, source: op.sourcePath ? text(getPath(raw, op.sourcePath)) : null, changedAt });
      continue;
    }
    const rec = getPath(raw, op.contactPath);
    if (!rec || typeof rec !== 'object') continue;
    const contact = readWireContact(rec, client.config.fields);
    changes.push({ type: 'upsert', id, contact: { ...contact, id: contact.id ?? id }, changedAt });
  }
  const next = text(getPath(res.body, op.nextCursorPath));
  const hasMore = op.hasMorePath ? getPath(res.body, op.hasMorePath) : undefined;
  const more = typeof hasMore === 'boolean' ? hasMore && changes.length > 0 : changes.length >= size;
  return { changes, cursor: next ?? args.cursor, more };
}
