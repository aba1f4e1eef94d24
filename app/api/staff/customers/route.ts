import { json, withStaff } from '@/lib/auth/with-staff';
import type { CustomerListItem } from '@/lib/staff-api/contract';
import { listCustomers } from '@/lib/tenancy/customers';

export const GET = withStaff(async ({ sql, vendorId }) => {
  const list: CustomerListItem[] = (await listCustomers(sql, vendorId)).map((c) => ({ id: c.id, externalId: c.externalId, name: c.name, defaultCountry: c.defaultCountry }));
  return json(list);
});
