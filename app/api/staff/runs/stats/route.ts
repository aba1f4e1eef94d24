import { z } from 'zod';
import { AUTOMATION_NAME } from '@/engine';
import { json, withStaff } from '@/lib/auth/with-staff';
import { runStats } from '@/lib/runs/run-stats';
import { currentHost } from '@/lib/engine-host/host';
import { blankIsUnset, customerParam, instantParam, readQuery } from '@/lib/staff-api/parse-input';

const DAY = 86_400_000;

const Query = z.object({
  automation: blankIsUnset(z.string().regex(AUTOMATION_NAME, 'automation names are lower_snake_case')),
  customer: blankIsUnset(customerParam),
  flowId: blankIsUnset(z.uuid()),
  from: blankIsUnset(instantParam),
  to: blankIsUnset(instantParam),
}).refine((q) => !q.from || !q.to || q.from < q.to, { message: '"from" must be before "to"', path: ['from'] })
  .refine((q) => !q.from || (q.to?.getTime() ?? Date.now()) - q.from.getTime() <= 400 * DAY, { message: 'at most 400 days at a time', path: ['from'] });

/** Latency over time (live runs): GET /api/staff/runs/stats?automation=&customer=&flowId=&from=&to= (default: the last 24 hours). */
export const GET = withStaff(async ({ req, sql, vendorId }) => {
  const q = readQuery(req, Query);
  const to = q.to ?? new Date();
  const from = q.from ?? new Date(to.getTime() - DAY);
  // This process's counts of the last few seconds first (they are added every 5 s otherwise): a run just made shows.
  await currentHost()?.aggregates.flush();
  return json(await runStats(sql, vendorId, { automation: q.automation, customer: q.customer, flowId: q.flowId, from, to }));
});
