// The params every connector's "find … by phone" block takes: the number as typed, and the country to read it
// in when it has no country code (the customer's default when left out).
import { z } from 'zod';

export const findByPhoneParams = z.object({
  phone: z.string().min(1).describe('Phone number in any format'),
  defaultCountry: z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as US').optional().describe("Country for numbers without a country code (default: the customer's)"),
});
