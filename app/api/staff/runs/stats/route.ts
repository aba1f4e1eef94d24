import { z } from 'zod';
import { AUTOMATION_NAME } from '@/engine';
import { json, withStaff } from '@/lib/auth/with-staff';
import { runStats } from '@/lib/runs/run-stats';
import { readQuery } from '@/lib/staff-api/parse-input';

const blankIsUnset = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());
const DAY = 86_400_000;

const Query = z.object({
  automation: blankIsUnset(z.string().regex(AUTOMATION_NAME, 'automation names are lower_snake_case')),
  customer: blankIsUnset(z.string().max(200)),
  flowId: blankIsUnset(z.uuid()),
  from: blankIsUnset(z.coerce.date()),
  to: blankIsUnset(z.coerce.date()),
}).refine((q) => !q.from || !q.to || q.from < q.to, { message: '"from" must be before "to"', path: ['from'] })
  .refine((q) => !q.from || (q.to?.getTime() ?? Date.now()) - q.from.getTime() <= 400 * DAY, { message: 'at most 400 days at a time', path: ['from'] });

/** Latency over time (live runs): GET /api/staff/runs/stats?automation=&customer=&flowId=&from=&to= (default: the last 24 hours). */
export const GET = withStaff(async ({ req, sql, vendorId }) => {
  const q = readQuery(req, Query);
  const to = q.to ?? new Date();
  const from = q.from ?? new Date(to.getTime() - DAY);
  return json(await runStats(sql, vendorId, { automation: q.automation, customer: q.customer, flowId: q.flowId, from, to }));
});
