import { json, withStaff } from '@/lib/auth/with-staff';
import { readBody, requireUuid } from '@/lib/staff-api/parse-input';
import { templateInputSchema } from '@/lib/staff-api/template-input';
import { saveTemplateVersion } from '@/lib/templates/templates';

// A new version (not yet published): customers keep theirs until it is published and rolled out.
export const POST = withStaff<{ id: string }>(async ({ req, params, sql, vendorId, staff }) => {
  const { message, ...input } = await readBody(req, templateInputSchema);
  // TODO(audit, issue 12 item 6, helper `edge`): recordAudit(sql, { vendorId, actor: staff.userId, action: 'template.version', target: params.id }) once lib/audit lands on main.
  return json(await saveTemplateVersion(sql, { vendorId, templateId: requireUuid(params.id, 'template'), userId: staff.userId, input, message }), 201);
}, { role: 'editor' });
