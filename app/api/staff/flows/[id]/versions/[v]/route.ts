import { NotFound } from '@/lib/errors';
import { json, withStaff } from '@/lib/auth/with-staff';
import { getFlowVersion } from '@/lib/flows/flows';
import { requireUuid } from '@/lib/staff-api/parse-input';

export const GET = withStaff<{ id: string; v: string }>(async ({ params, sql, vendorId }) => {
  const id = requireUuid(params.id, 'flow');
  const version = /^[1-9]\d{0,8}$/.test(params.v) ? Number(params.v) : NaN;
  const found = Number.isFinite(version) ? await getFlowVersion(sql, vendorId, id, version) : null;
  if (!found) throw new NotFound('version_not_found', `Flow "${id}" has no version ${params.v}`);
  return json({ version: found.version, definition: found.definition, createdAt: found.createdAt.toISOString(), message: found.message });
});
