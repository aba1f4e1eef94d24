import { json, withStaff } from '@/lib/auth/with-staff';
import { NotFound } from '@/lib/errors';
import { staffCustomerDetail } from '@/lib/templates/staff-views';

// One customer: its integrations and the versions they run, its templates' health, connections, runs and syncs.
export const GET = withStaff<{ id: string }>(async ({ params, sql, vendorId }) => {
  const d = await staffCustomerDetail(sql, vendorId, params.id);
  if (!d) throw new NotFound('customer_not_found', `No customer "${params.id.slice(0, 200)}"`);
  return json(d);
});
