import { json, withStaff } from '@/lib/auth/with-staff';
import { getHost } from '@/lib/engine-host/host';
import { readBody, requireUuid } from '@/lib/staff-api/parse-input';
import { shadowSchema } from '@/lib/staff-api/template-input';
import { shadowReplay } from '@/lib/templates/shadow-replay';

// Shadow replay: recorded inputs of real runs through both versions as dry runs (nothing is written anywhere).
export const POST = withStaff<{ id: string }>(async ({ req, params, sql, vendorId }) => {
  const body = await readBody(req, shadowSchema);
  return json(await shadowReplay(sql, getHost(), { vendorId, templateId: requireUuid(params.id, 'template'), ...body }));
}, { role: 'editor' });
