import { z } from 'zod';
import { json, withStaff } from '@/lib/auth/with-staff';
import { readQuery } from '@/lib/staff-api/parse-input';
import { CUSTOMER_HEALTH, checkSearch, staffCustomerList } from '@/lib/templates/staff-views';

const Query = z.object({ search: z.string().max(200).optional(), health: z.enum(CUSTOMER_HEALTH).optional() });

// The Customers page: every customer with its integrations count and a health word, searchable and filterable.
export const GET = withStaff(async ({ req, sql, vendorId }) => {
  const q = readQuery(req, Query);
  return json(await staffCustomerList(sql, vendorId, { search: checkSearch(q.search), health: q.health }));
});
