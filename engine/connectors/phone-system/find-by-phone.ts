// Finds a phonebook entry by phone number. Phonebooks store and match E.164, so the number is normalised
// first (national forms take the customer's default country) and sent as E.164; hits are checked against
// that number, because some phone systems answer a search with partial matches.
import { z } from 'zod';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import { HttpError } from '../../core/http-client';
import { normalizePhone } from '../../core/phone';
import type { ConnectorCall } from '../kit/contact-source';
import { createPhonebookClient, recordsAt, type PhonebookClient } from './client';
import { phonebookContactSchema, readWireContact, type PhonebookContact } from './map-contact';
import { findByPhoneParams } from '../kit/find-by-phone-params';
import { callOf } from '../kit/contact-source';

/** Every entry the phone system answers for this E.164 number (404 = none). */
export async function searchByPhone(client: PhonebookClient, e164: string): Promise<PhonebookContact[]> {
  try {
    const res = await client.call('findByPhone', { phone: e164 });
    const hits = recordsAt(res.body, client.config.operations.findByPhone.resultPath).map((r) => readWireContact(r, client.config.fields));
    return hits.filter((h) => h.phones.length === 0 || h.phones.some((p) => p.number === e164 || normalizePhone(p.number).e164 === e164));
  } catch (err) {
    if (err instanceof HttpError && err.kind === 'not_found') return [];
    throw err;
  }
}

export async function findPhonebookContactByPhone(call: ConnectorCall, args: { phone: string; defaultCountry?: string | null }): Promise<{ found: boolean; contact: PhonebookContact | null }> {
  const e164 = normalizePhone(args.phone, args.defaultCountry).e164;
  if (!e164) return { found: false, contact: null };
  const hits = await searchByPhone(createPhonebookClient(call), e164);
  return hits.length ? { found: true, contact: hits[0] } : { found: false, contact: null };
}

export const findByPhoneBlock = defineBlock({
  id: 'phonesystem.findByPhone',
  version: 1,
  title: 'Phone system: find phonebook entry by phone',
  description: "Looks a number up in the phone system's own phonebook (matched as E.164).",
  category: 'Phone system',
  icon: 'search',
  connector: 'phonesystem',
  params: findByPhoneParams,
  output: z.object({ found: z.boolean(), contact: phonebookContactSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `by phone ${String(p.phone ?? '')}`,
  async run(ctx, params) {
    const conn = await ctx.connections.get('phonesystem');
    const out = await findPhonebookContactByPhone(callOf(ctx, conn), { phone: params.phone, defaultCountry: params.defaultCountry ?? ctx.customer.defaultCountry });
    return { output: out, port: out.found ? 'found' : 'notFound' };
  },
});
