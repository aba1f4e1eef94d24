// Many phonebook entries replaced at once (the two-way sync's CRM → phonebook writes): the configured batch
// operation (reference API: POST /api/v1/phonebook/contacts/batch, 100 a request, each item answered on its own),
// or one update per entry (8 at a time) for an API without one.
import { HttpError } from '../../core/http-client';
import { createPhonebookClient, recordsAt, type PhonebookClient } from './client';
import type { ConnectorCall } from '../kit/contact-source';
import { getPath, setPath, writeWireContact, type PhonebookContact } from './map-contact';

export interface EntryUpdateResult { id: string; outcome: 'updated' | 'not_found' | 'failed'; error?: string }

async function oneByOne(client: PhonebookClient, items: { id: string; contact: PhonebookContact }[]): Promise<EntryUpdateResult[]> {
  const out: EntryUpdateResult[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(8, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      const it = items[i];
      try {
        await client.call('updateContact', { id: it.id, externalId: it.contact.externalId ?? undefined }, { body: writeWireContact(it.contact, client.config.fields) });
        out[i] = { id: it.id, outcome: 'updated' };
      } catch (err) {
        if (err instanceof HttpError && err.kind === 'not_found') out[i] = { id: it.id, outcome: 'not_found' };
        else if (err instanceof HttpError && err.kind === 'bad_request') out[i] = { id: it.id, outcome: 'failed', error: err.message };
        else throw err;
      }
    }
  }));
  return out;
}

export async function updatePhonebookEntries(call: ConnectorCall | PhonebookClient, items: { id: string; contact: PhonebookContact }[]): Promise<EntryUpdateResult[]> {
  const client = 'config' in call ? call : createPhonebookClient(call);
  const op = client.config.operations.batchUpdate;
  if (!items.length) return [];
  if (op.batchSize === 0) return oneByOne(client, items);
  const f = client.config.fields;
  const out: EntryUpdateResult[] = [];
  for (let i = 0; i < items.length; i += op.batchSize) {
    const chunk = items.slice(i, i + op.batchSize);
    let res;
    try {
      res = await client.call('batchUpdate', {}, {
        body: chunk.map((it) => { const w = writeWireContact(it.contact, f); setPath(w, f.id, it.id); return w; }),
      });
    } catch (err) {
      // No batch operation at that path: one update per entry, for this and the following chunks.
      if (err instanceof HttpError && (err.status === 404 || err.status === 405) && i === 0) return oneByOne(client, items);
      throw err;
    }
    const answered = recordsAt(res.body, op.resultPath);
    chunk.forEach((it, j) => {
      const r = answered[j];
      if (r !== undefined && String(getPath(r, op.statusPath)) === op.okValue) out.push({ id: it.id, outcome: 'updated' });
      else if (r !== undefined && String(getPath(r, op.errorCodePath)) === op.notFoundValue) out.push({ id: it.id, outcome: 'not_found' });
      else out.push({ id: it.id, outcome: 'failed', error: String(getPath(r, op.errorMessagePath) ?? `${client.config.name} did not answer for this entry`) });
    });
  }
  return out;
}
