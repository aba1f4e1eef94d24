import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { json, withStaff } from '@/lib/auth/with-staff';
import { readBody } from '@/lib/staff-api/parse-input';
import type { CustomerListItem } from '@/lib/staff-api/contract';
import { createCustomer, listCustomers, URL_ID } from '@/lib/tenancy/customers';
import { Conflict } from '@/lib/errors';

export const GET = withStaff(async ({ sql, vendorId }) => {
  const list: CustomerListItem[] = (await listCustomers(sql, vendorId)).map((c) => ({ id: c.id, externalId: c.externalId, name: c.name, defaultCountry: c.defaultCountry }));
  return json(list);
});

const NewCustomer = z.object({
  externalId: z.string().trim().min(1, 'an id').max(200).regex(URL_ID, 'letters, digits and . _ ~ - only (it is used in URLs)'),
  name: z.string().trim().min(1, 'a name').max(200),
  defaultCountry: z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as US').refine((c) => isSupportedCountry(c.toUpperCase()), 'not a country code Patchbay knows').default('US'),
});

// A customer created by hand on the Customers page (the vendor's backend uses POST /api/v1/customers).
export const POST = withStaff(async ({ req, sql, vendorId }) => {
  const body = await readBody(req, NewCustomer);
  const { ref, created } = await createCustomer(sql, { vendorId, ...body });
  // TODO(audit, issue 12 item 6, helper `edge`): recordAudit(sql, { vendorId, actor: staff.userId, action: 'customer.create', target: ref.id }) once lib/audit lands on main.
  if (!created) throw new Conflict('customer_exists', `A customer "${body.externalId}" exists already`, { path: ['externalId'] });
  return json({ id: ref.id, externalId: ref.externalId, name: ref.name, defaultCountry: ref.defaultCountry }, 201);
}, { role: 'editor' });
