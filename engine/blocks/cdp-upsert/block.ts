import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { unifiedContactSchema } from '../../core/contact';

/** Writes contacts into Patchbay's CDP by (source, external id); a contact whose content did not change writes nothing. */
export const cdpUpsert = defineBlock({
  id: 'cdp.upsert',
  effect: { what: 'Write contacts to the CDP', system: 'cdp' },
  version: 1,
  title: 'Save contacts to CDP',
  description: "Adds or updates contacts in Patchbay's copy of the CRM data (numbers normalised to E.164; unchanged contacts are not written).",
  category: 'CDP',
  icon: 'database',
  params: z.object({
    contacts: z.array(unifiedContactSchema).max(5000).nullish().describe('Contacts, e.g. the output of a CRM list block'),
  }),
  output: z.object({
    inserted: z.number(),
    updated: z.number(),
    unchanged: z.number(),
    rejected: z.array(z.object({ externalId: z.string(), reason: z.string() })),
  }),
  // An expression that yields no list (a CRM step that found nothing) saves nothing.
  required: ['contacts'],
  idempotent: true,
  ports: OUT_PORT,
  summarize: (p) => (Array.isArray(p.contacts) ? `${p.contacts.length} contact(s)` : String(p.contacts ?? '')),
  async run(ctx, params) {
    if (!params.contacts?.length) return { output: { inserted: 0, updated: 0, unchanged: 0, rejected: [] } };
    return { output: await ctx.cdp.upsert(params.contacts) };
  },
});
