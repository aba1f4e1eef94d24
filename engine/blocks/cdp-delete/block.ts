import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';

/** Removes contacts from Patchbay's CDP (e.g. after a CRM delete); ids that are not there are ignored. */
export const cdpDelete = defineBlock({
  id: 'cdp.delete',
  effect: { what: 'Delete contacts from the CDP', system: 'cdp' },
  version: 1,
  title: 'Delete contacts from CDP',
  description: "Removes contacts from Patchbay's copy of the CRM data by source and external id.",
  category: 'CDP',
  icon: 'trash',
  params: z.object({
    source: z.string().min(1).max(64).describe('The system the contacts came from: hubspot, salesforce …'),
    externalIds: z.array(z.string().min(1).max(256)).max(5000).nullish().describe("The contacts' ids in that system"),
  }),
  output: z.object({ deleted: z.number() }),
  // No ids (an expression that yields nothing) deletes nothing.
  required: ['externalIds'],
  idempotent: true,
  ports: OUT_PORT,
  summarize: (p) => `${String(p.source ?? '')}${Array.isArray(p.externalIds) ? ` × ${p.externalIds.length}` : ''}`,
  async run(ctx, params) {
    if (!params.externalIds?.length) return { output: { deleted: 0 } };
    return { output: { deleted: await ctx.cdp.delete(params.source, params.externalIds) } };
  },
});
