import { z } from 'zod';
import { json, withStaff } from '@/lib/auth/with-staff';
import { NotFound } from '@/lib/errors';
import { portalSecret } from '@/lib/portal/portal-tokens';
import { customerParam, readBody } from '@/lib/staff-api/parse-input';
import { resolveCustomer } from '@/lib/tenancy/customers';
import { mintWidgetToken } from '@/lib/widget/widget-tokens';

const Body = z.object({ customer: customerParam });

/** A 10-minute widget token for one of the vendor's customers: the Embed page's "Try the widget" preview. */
export const POST = withStaff(async ({ req, sql, vendorId }) => {
  const { customer } = await readBody(req, Body);
  const c = await resolveCustomer(sql, vendorId, customer);
  if (!c) throw new NotFound('customer_not_found', `No customer "${customer}"`);
  return json(mintWidgetToken(portalSecret(), { id: c.id, vendorId, externalId: c.externalId }, 600), 201);
}, { role: 'editor' });
