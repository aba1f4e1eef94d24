import { json, withStaff } from '@/lib/auth/with-staff';
import { readBody, requireUuid } from '@/lib/staff-api/parse-input';
import { rolloutSchema } from '@/lib/staff-api/template-input';
import { listRollouts, rolloutTemplate } from '@/lib/templates/rollout';

export const GET = withStaff<{ id: string }>(async ({ params, sql, vendorId }) => json(await listRollouts(sql, vendorId, requireUuid(params.id, 'template'))));

export const POST = withStaff<{ id: string }>(async ({ req, params, sql, vendorId, staff }) => {
  const { version, target } = await readBody(req, rolloutSchema);
  // TODO(audit, issue 12 item 6, helper `edge`): recordAudit(sql, { vendorId, actor: staff.userId, action: 'template.rollout', target: params.id }) once lib/audit lands on main.
  return json(await rolloutTemplate(sql, { vendorId, templateId: requireUuid(params.id, 'template'), version, target, userId: staff.userId }), 201);
}, { role: 'editor' });
