// The staff routes' body schemas for templates and roll-outs (zod; 400 naming the field).
import { z } from 'zod';
import { optionFieldSchema } from '../templates/template-definition';

export const templateInputSchema = z.object({
  name: z.string().trim().min(1, 'a name').max(120),
  description: z.string().max(1000).default(''),
  icon: z.string().max(40).default('plug'),
  flows: z.array(z.object({ flowId: z.string().uuid('a flow id (uuid)'), version: z.number().int().positive().nullish() })).min(1, 'at least one flow').max(20),
  options: z.array(optionFieldSchema).max(40).default([]),
  connections: z.array(z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a system id such as hubspot, or crm')).max(10).default([]),
  message: z.string().max(2000).optional(),
});

export const rolloutTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('percent'), percent: z.number().min(1, 'at least 1 %').max(100, 'at most 100 %') }),
  z.object({ kind: z.literal('customers'), customers: z.array(z.string().min(1).max(200)).min(1, 'at least one customer').max(1000) }),
]);

export const publishSchema = z.object({
  version: z.number().int().positive().max(2_147_483_647),
  /** Where the version goes now; `none`: new customers only (existing ones move by a later roll-out). */
  rollout: z.union([rolloutTargetSchema, z.object({ kind: z.literal('none') })]).default({ kind: 'none' }),
});

export const rolloutSchema = z.object({ version: z.number().int().positive().max(2_147_483_647), target: rolloutTargetSchema });
export const shadowSchema = z.object({ fromVersion: z.number().int().positive(), toVersion: z.number().int().positive(), limit: z.number().int().min(1).max(100).default(20) });
export const pinSchema = z.object({ pinned: z.boolean(), version: z.number().int().positive().optional() });
