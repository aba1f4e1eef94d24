import { z } from 'zod';
import { json, withStaff } from '@/lib/auth/with-staff';
import { NotFound } from '@/lib/errors';
import { getJobs } from '@/lib/jobs/runtime';
import { readBody } from '@/lib/staff-api/parse-input';
import { isSyncSource, notASyncSource, startSync } from '@/lib/sync/start-sync';
import { enqueueWith } from '@/lib/sync/sync-jobs';
import type { StartedSyncWire } from '@/lib/sync/sync-wire';
import { resolveCustomer } from '@/lib/tenancy/customers';

const Body = z.object({
  customer: z.string().min(1).max(200).describe("the customer's external id"),
  source: z.string().min(1).max(64).refine(isSyncSource, { error: (iss) => notASyncSource(String(iss.input)) }),
  mode: z.enum(['incremental', 'full']).default('incremental'),
  allowMassDelete: z.boolean().default(false),
});

/** Starts a sync run now (202); 200 with status already_running and that run's id when one is queued or running. */
export const POST = withStaff(async ({ req, sql, vendorId }) => {
  const body = await readBody(req, Body);
  const c = await resolveCustomer(sql, vendorId, body.customer);
  if (!c) throw new NotFound('customer_not_found', `No customer "${body.customer}"`, { path: ['customer'] });
  const jobs = getJobs();
  const r = await startSync(sql, enqueueWith(jobs.boss), { customerId: c.id, source: body.source, mode: body.mode, trigger: 'manual', allowMassDelete: body.allowMassDelete });
  const out: StartedSyncWire = { syncRunId: r.syncRunId, status: r.status };
  return json(out, r.status === 'queued' ? 202 : 200);
}, { role: 'editor' });
