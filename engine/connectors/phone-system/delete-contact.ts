// Deletes a phonebook entry by the phone system's id, or by the external id of the record it mirrors.
// An entry that is already gone is not an error: `deleted` is then false.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { HttpError } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { createPhonebookClient } from './client';
import { searchByExternalId } from './find-by-external-id';
import { callOf } from '../kit/contact-source';

export async function deletePhonebookContact(call: ConnectorCall, args: { id?: string | null; externalId?: string | null; source?: string | null }): Promise<{ deleted: boolean; id: string | null }> {
  const client = createPhonebookClient(call);
  let id = args.id || null;
  if (!id) {
    if (!args.externalId) throw new PatchbayError('invalid_params', 'Deleting a phonebook entry needs its id or its external id');
    const hit = (await searchByExternalId(client, args.externalId, args.source))[0];
    if (!hit?.id) return { deleted: false, id: null };
    id = hit.id;
  }
  try {
    await client.call('deleteContact', { id, externalId: args.externalId ?? undefined });
    return { deleted: true, id };
  } catch (err) {
    if (err instanceof HttpError && err.kind === 'not_found') return { deleted: false, id };
    throw err;
  }
}

export const deleteContactBlock = defineBlock({
  id: 'phonesystem.deleteContact',
  effect: { what: 'Delete a phonebook entry' },
  version: 1,
  title: 'Phone system: delete phonebook entry',
  description: "Removes an entry from the phone system's phonebook, by its id or by the external id of the record it mirrors.",
  category: 'Phone system',
  icon: 'trash',
  connector: 'phonesystem',
  params: z
    .object({
      id: z.string().max(256).optional().describe("The phone system's id of the entry"),
      externalId: z.string().max(256).optional().describe('Or: the id of the record in its source'),
      source: z.string().max(64).optional(),
    })
    .refine((p) => Boolean(p.id || p.externalId), { message: 'Give the id or the external id' }),
  output: z.object({ deleted: z.boolean(), id: z.string().nullable() }),
  ports: OUT_PORT,
  summarize: (p) => String(p.id || (p.externalId ? `external id ${String(p.externalId)}` : '')),
  async run(ctx, params) {
    const conn = await ctx.connections.get('phonesystem');
    return { output: await deletePhonebookContact(callOf(ctx, conn), params) };
  },
});
