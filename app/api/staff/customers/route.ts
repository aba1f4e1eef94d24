import { json, withStaff } from '@/lib/auth/with-staff';
import type { CustomerListItem } from '@/lib/staff-api/contract';
import { listCustomers } from '@/lib/tenancy/customers';
import { customerHealth } from '@/lib/runs/customer-health';
import { currentHost } from '@/lib/engine-host/host';

export const GET = withStaff(async ({ sql, vendorId }) => {
  await currentHost()?.aggregates.flush();
  const [customers, health] = await Promise.all([listCustomers(sql, vendorId), customerHealth(sql, vendorId, new Date(Date.now() - 86_400_000))]);
  const list: CustomerListItem[] = customers.map((c) => ({
    id: c.id, externalId: c.externalId, name: c.name, defaultCountry: c.defaultCountry,
    health: health.get(c.id) ?? { runs: 0, failed: 0, fallbacks: 0, p95Ms: null },
  }));
  return json(list);
});
