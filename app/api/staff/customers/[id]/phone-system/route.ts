import { json, withStaff } from '@/lib/auth/with-staff';
import { phoneSystemConnectionSchema, provisionPhoneSystem, readPhoneSystemConnection } from '@/lib/connections/phone-system-connection';
import { getHost } from '@/lib/engine-host/host';
import { readBody } from '@/lib/staff-api/parse-input';
import { NotFound } from '@/lib/errors';
import { resolveCustomer } from '@/lib/tenancy/customers';

// The customer's phone-system connection (the vendor's own product): set here or through the public API,
// never in the customer's portal. Credentials go in, never come back; the answer says whether a webhook secret is set.
async function customerOf(sql: Parameters<typeof resolveCustomer>[0], vendorId: string, id: string) {
  const c = await resolveCustomer(sql, vendorId, id);
  if (!c) throw new NotFound('customer_not_found', `No customer "${id.slice(0, 200)}"`);
  return c;
}

export const GET = withStaff<{ id: string }>(async ({ params, sql, vendorId }) => {
  const c = await customerOf(sql, vendorId, params.id);
  return json({ customer: c.externalId, connection: await readPhoneSystemConnection(sql, getHost().opts.encryptionKey, c.id) });
});

export const PUT = withStaff<{ id: string }>(async ({ req, params, sql, vendorId }) => {
  const c = await customerOf(sql, vendorId, params.id);
  const body = await readBody(req, phoneSystemConnectionSchema);
  return json({ customer: c.externalId, connection: await provisionPhoneSystem(sql, getHost().opts.encryptionKey, c.id, body) });
}, { role: 'editor' });
