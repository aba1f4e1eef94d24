import { NotFound } from '@/lib/errors';
import { json, withStaff } from '@/lib/auth/with-staff';
import { duplicateFlow } from '@/lib/flows/flows';
import { requireUuid } from '@/lib/staff-api/parse-input';

export const POST = withStaff<{ id: string }>(async ({ params, sql, vendorId, staff }) => {
  const id = requireUuid(params.id, 'flow');
  const copy = await duplicateFlow(sql, { vendorId, flowId: id, userId: staff.userId });
  if (!copy) throw new NotFound('flow_not_found', `No flow "${id}"`);
  return json({ id: copy.flowId }, 201, { location: `/api/staff/flows/${copy.flowId}` });
}, { role: 'editor' });
