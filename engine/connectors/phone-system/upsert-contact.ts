// Puts a CRM contact into the phone system's phonebook: the entry that mirrors it is found by external id,
// else by one of its numbers (only an entry no other record owns, e.g. one typed in by hand, is claimed);
// it is then updated, or added when there is none. Compare before update: when the entry already holds
// exactly what would be written, nothing is written and the answer is `unchanged`.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { unifiedContactSchema, type UnifiedContact } from '../../core/contact';
import { HttpError } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { createPhonebookClient, recordsAt, type PhonebookClient } from './client';
import { searchByExternalId } from './find-by-external-id';
import { searchByPhone } from './find-by-phone';
import { readWireContact, samePhonebookContent, toPhonebookContact, writeWireContact, type PhonebookContact } from './map-contact';
import { callOf } from '../kit/contact-source';

export type UpsertAction = 'added' | 'updated' | 'unchanged';

async function findExisting(client: PhonebookClient, desired: PhonebookContact): Promise<PhonebookContact | null> {
  if (desired.externalId && client.config.fields.externalId) {
    const byId = await searchByExternalId(client, desired.externalId, desired.source);
    if (byId.length) return byId[0];
  }
  for (const phone of desired.phones) {
    const hits = await searchByPhone(client, phone.number);
    const free = hits.find((h) => !h.externalId || (h.externalId === desired.externalId && (!h.source || h.source === desired.source)));
    if (free) return free;
  }
  return null;
}

async function add(client: PhonebookClient, desired: PhonebookContact): Promise<{ action: UpsertAction; id: string }> {
  const res = await client.call('addContact', { externalId: desired.externalId ?? undefined }, { body: writeWireContact(desired, client.config.fields) });
  const rec = recordsAt(res.body, client.config.operations.addContact.resultPath)[0];
  const id = (rec ? readWireContact(rec, client.config.fields).id : null) ?? res.headers.get('location')?.split('/').filter(Boolean).pop() ?? null;
  if (!id) throw new PatchbayError('upstream_error', `${client.config.name} added the contact but its answer carries no id at "${client.config.fields.id}": check the phone system connection's field mapping`);
  return { action: 'added', id };
}

/** Adds or updates the entry of an already mapped phonebook contact. */
export async function upsertPhonebookEntry(client: PhonebookClient, desired: PhonebookContact): Promise<{ action: UpsertAction; id: string }> {
  const existing = await findExisting(client, desired);
  if (!existing?.id) return add(client, desired);
  if (samePhonebookContent(existing, desired, client.config.fields)) return { action: 'unchanged', id: existing.id };
  try {
    await client.call('updateContact', { id: existing.id, externalId: desired.externalId ?? undefined }, { body: writeWireContact(desired, client.config.fields) });
  } catch (err) {
    // Deleted in the phone system between the lookup and the update.
    if (err instanceof HttpError && err.kind === 'not_found') return add(client, desired);
    throw err;
  }
  return { action: 'updated', id: existing.id };
}

/** For the sync engine: one CRM contact into the phonebook. */
export async function upsertPhonebookContact(call: ConnectorCall, contact: UnifiedContact, opts: { defaultCountry?: string | null } = {}): Promise<{ action: UpsertAction; id: string }> {
  const client = createPhonebookClient(call);
  return upsertPhonebookEntry(client, toPhonebookContact(contact, { defaultCountry: opts.defaultCountry, phoneTypes: client.config.phoneTypes }));
}

export const upsertContactBlock = defineBlock({
  id: 'phonesystem.upsertContact',
  effect: { what: 'Write a phonebook entry' },
  version: 1,
  title: 'Phone system: add or update phonebook entry',
  description: "Writes a contact into the phone system's phonebook: updates its entry (found by external id, else by number) or adds one; writes nothing when the entry is already up to date.",
  category: 'Phone system',
  icon: 'user-plus',
  connector: 'phonesystem',
  params: z.object({
    contact: unifiedContactSchema.describe('The contact, e.g. the output of a CRM find block'),
    defaultCountry: z.string().regex(/^[A-Za-z]{2}$/).optional().describe("Country for numbers without a country code (default: the customer's)"),
  }),
  output: z.object({ action: z.enum(['added', 'updated', 'unchanged']), id: z.string() }),
  ports: OUT_PORT,
  summarize: (p) => {
    const c = (p.contact ?? {}) as Record<string, unknown>;
    return [c.firstName, c.lastName].filter(Boolean).join(' ') || String(c.company ?? c.externalId ?? '');
  },
  async run(ctx, params) {
    const conn = await ctx.connections.get('phonesystem');
    const out = await upsertPhonebookContact(callOf(ctx, conn), params.contact, { defaultCountry: params.defaultCountry ?? ctx.customer.defaultCountry });
    return { output: out };
  },
});
