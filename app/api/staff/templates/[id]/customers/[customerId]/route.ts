import { json, withStaff } from '@/lib/auth/with-staff';
import { NotFound } from '@/lib/errors';
import { readBody, requireUuid } from '@/lib/staff-api/parse-input';
import { pinSchema } from '@/lib/staff-api/template-input';
import { pinCustomerTemplate } from '@/lib/templates/customer-templates';
import { resolveCustomer } from '@/lib/tenancy/customers';

// Pin a customer to a version (roll-outs pass it by), unpin it, or move it to a version by hand.
export const PUT = withStaff<{ id: string; customerId: string }>(async ({ req, params, sql, vendorId }) => {
  const templateId = requireUuid(params.id, 'template');
  const c = await resolveCustomer(sql, vendorId, params.customerId);
  if (!c) throw new NotFound('customer_not_found', `No customer "${params.customerId.slice(0, 200)}"`);
  const body = await readBody(req, pinSchema);
  const ct = await pinCustomerTemplate(sql, { vendorId, customerId: c.id, templateId, ...body });
  // TODO(audit, issue 12 item 6, helper `edge`): recordAudit(sql, { vendorId, actor: staff.userId, action: 'template.pin', target: params.id }) once lib/audit lands on main.
  return json({ customer: c.externalId, version: ct.version, previousVersion: ct.previousVersion, pinned: ct.pinned, status: ct.status });
}, { role: 'editor' });
