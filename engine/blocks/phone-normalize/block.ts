import { z } from 'zod';
import { defineBlock } from '../../core/define-block';
import { normalizePhone } from '../../core/phone';

export const phoneNormalize = defineBlock({
  id: 'phone.normalize',
  version: 1,
  title: 'Normalise phone number',
  description: 'Turns any written phone number into E.164 (+4420…), using the contact or customer country when it has no country code.',
  category: 'Data',
  icon: 'phone',
  params: z.object({
    phone: z.string().nullish().describe('The number as received'),
    country: z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as US').optional().describe('Country for numbers without a country code (default: the customer\'s)'),
  }),
  output: z.object({
    raw: z.string(),
    valid: z.boolean(),
    e164: z.string().nullable(),
    country: z.string().nullable(),
    national: z.string().nullable(),
    reason: z.string().optional(),
  }),
  // No number at all is an invalid one: the invalid branch, not a failed run.
  required: ['phone'],
  idempotent: true,
  ports: [
    { id: 'valid', label: 'valid' },
    { id: 'invalid', label: 'invalid' },
  ],
  summarize: (p) => `phone: ${String(p.phone ?? '')}`,
  async run(ctx, params) {
    const out = normalizePhone(params.phone ?? '', params.country ?? ctx.customer.defaultCountry);
    return { output: out, port: out.valid ? 'valid' : 'invalid' };
  },
});
