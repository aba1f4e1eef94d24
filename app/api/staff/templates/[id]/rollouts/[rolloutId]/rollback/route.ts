import { json, withStaff } from '@/lib/auth/with-staff';
import { requireUuid } from '@/lib/staff-api/parse-input';
import { rollbackRollout } from '@/lib/templates/rollout';

// TODO(audit, issue 12 item 6, helper `edge`): recordAudit(sql, { vendorId, actor: staff.userId, action: 'template.rollback', target: params.rolloutId }) once lib/audit lands on main.
// One click: the customers this roll-out moved (and still on its version) go back to where they were.
export const POST = withStaff<{ id: string; rolloutId: string }>(async ({ params, sql, vendorId }) =>
  json(await rollbackRollout(sql, { vendorId, templateId: requireUuid(params.id, 'template'), rolloutId: requireUuid(params.rolloutId, 'rollout') })), { role: 'editor' });
