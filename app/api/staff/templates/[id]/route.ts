import { json, withStaff } from '@/lib/auth/with-staff';
import { requireUuid } from '@/lib/staff-api/parse-input';
import { staffTemplateDetail } from '@/lib/templates/staff-views';

export const GET = withStaff<{ id: string }>(async ({ params, sql, vendorId }) => json(await staffTemplateDetail(sql, vendorId, requireUuid(params.id, 'template'))));
