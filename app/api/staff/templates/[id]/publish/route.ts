import { json, withStaff } from '@/lib/auth/with-staff';
import { readBody, requireUuid } from '@/lib/staff-api/parse-input';
import { publishSchema } from '@/lib/staff-api/template-input';
import { rolloutTemplate } from '@/lib/templates/rollout';
import { publishTemplateVersion } from '@/lib/templates/templates';

// Publishing makes the version the one new customers get; `rollout` moves existing customers now (all, a canary
// share, a list) — pinned customers never move.
export const POST = withStaff<{ id: string }>(async ({ req, params, sql, vendorId, staff }) => {
  const id = requireUuid(params.id, 'template');
  const { version, rollout } = await readBody(req, publishSchema);
  await publishTemplateVersion(sql, vendorId, id, version);
  const applied = rollout.kind === 'none' ? null : await rolloutTemplate(sql, { vendorId, templateId: id, version, target: rollout, userId: staff.userId });
  // TODO(audit, issue 12 item 6, helper `edge`): recordAudit(sql, { vendorId, actor: staff.userId, action: 'template.publish', target: id }) once lib/audit lands on main.
  return json({ publishedVersion: version, rollout: applied });
}, { role: 'editor' });
