import { z } from 'zod';
import { defineBlock, FOUND_PORTS } from '../../core/define-block';
import { CALLER_MATCH_RULE } from '../../core/contact';
import { normalizePhone } from '../../core/phone';

export const contactOutputSchema = z.object({
  source: z.string(),
  externalId: z.string(),
  kind: z.enum(['person', 'company']),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  displayName: z.string(),
  company: z.string().nullable(),
  email: z.string().nullable(),
  phones: z.array(z.string()),
  country: z.string().nullable(),
  crmUrl: z.string().nullable(),
  ownerId: z.string().nullable(),
  custom: z.record(z.string(), z.unknown()),
  updatedAt: z.string().nullable(),
});

/** The caller_lookup hot path: one indexed query on Patchbay's shadow copy of CRM data, never a live CRM call. */
export const cdpLookup = defineBlock({
  id: 'cdp.lookup',
  version: 1,
  title: 'Look up caller in CDP',
  description: 'Finds a contact by phone number in Patchbay\'s copy of the CRM data (kept fresh by sync).',
  category: 'CDP',
  icon: 'search',
  params: z.object({
    phone: z.string().nullish().describe('Phone number in any format'),
  }),
  output: z.object({
    found: z.boolean(),
    phone: z.string().nullable(),
    contact: contactOutputSchema.nullable(),
    matches: z.number().int().optional().describe('How many contacts of the customer have this number'),
    chosenBy: z.string().optional().describe('When several do: the rule that picked this one'),
  }),
  // No number (an expression over a field the caller did not send) finds nobody: the notFound branch.
  required: ['phone'],
  idempotent: true,
  ports: FOUND_PORTS,
  summarize: (p) => `by phone ${String(p.phone ?? '')}`,
  async run(ctx, params) {
    if (params.phone == null || params.phone.trim() === '') return { output: { found: false, phone: null, contact: null }, port: 'notFound' };
    const e164 = params.phone.startsWith('+') && /^\+[1-9]\d{6,14}$/.test(params.phone) ? params.phone : normalizePhone(params.phone, ctx.customer.defaultCountry).e164;
    if (!e164) return { output: { found: false, phone: null, contact: null }, port: 'notFound' };
    const hit = await ctx.cdp.lookupByPhone(e164);
    if (!hit) return { output: { found: false, phone: e164, contact: null }, port: 'notFound' };
    const { matches = 1, ...contact } = hit;
    // Several contacts share the number: the run shows how many, and the rule that chose (CALLER_MATCH_RULE).
    return { output: matches > 1 ? { found: true, phone: e164, contact, matches, chosenBy: CALLER_MATCH_RULE } : { found: true, phone: e164, contact, matches }, port: 'found' };
  },
});
