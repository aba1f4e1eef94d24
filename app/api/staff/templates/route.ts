import { json, withStaff } from '@/lib/auth/with-staff';
import { readBody } from '@/lib/staff-api/parse-input';
import { templateInputSchema } from '@/lib/staff-api/template-input';
import { staffTemplateList } from '@/lib/templates/staff-views';
import { createTemplate } from '@/lib/templates/templates';

// Templates: what the vendor offers its customers (flows + options schema + needed connections), versioned.
export const GET = withStaff(async ({ sql, vendorId }) => json(await staffTemplateList(sql, vendorId)));

export const POST = withStaff(async ({ req, sql, vendorId, staff }) => {
  const { message, ...input } = await readBody(req, templateInputSchema);
  const created = await createTemplate(sql, { vendorId, userId: staff.userId, input, message });
  // TODO(audit, issue 12 item 6, helper `edge`): recordAudit(sql, { vendorId, actor: staff.userId, action: 'template.create', target: created.id }) once lib/audit lands on main.
  return json(created, 201);
}, { role: 'editor' });
