import { json, withStaff } from '@/lib/auth/with-staff';
import { listCalls } from '@/lib/calls/list-calls';
import { InvalidInput } from '@/lib/errors';
import { URL_ID } from '@/lib/tenancy/customers';

/** The vendor's recent calls (call sessions): events, runs started, CRM records and stored recording. ?customer=<id> narrows. */
export const GET = withStaff(async ({ sql, vendorId, req }) => {
  const customer = req.nextUrl.searchParams.get('customer');
  if (customer !== null && !URL_ID.test(customer)) throw new InvalidInput('customer must be a customer id', ['customer']);
  return json(await listCalls(sql, vendorId, { customer }));
});
