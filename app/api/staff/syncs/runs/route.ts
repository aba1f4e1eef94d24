import { z } from 'zod';
import { PatchbayError } from '@/engine';
import { ApiError } from '@/lib/api/http-io';
import { json, withStaff } from '@/lib/auth/with-staff';
import { getJobs } from '@/lib/jobs/runtime';
import { readBody } from '@/lib/staff-api/parse-input';
import { startSync } from '@/lib/sync/start-sync';
import { enqueueWith } from '@/lib/sync/sync-jobs';
import type { StartedSyncWire } from '@/lib/sync/sync-wire';

const Body = z.object({
  customer: z.string().min(1).max(200).describe("the customer's external id"),
  source: z.string().min(1).max(64),
  mode: z.enum(['incremental', 'full']).default('incremental'),
  allowMassDelete: z.boolean().default(false),
});

/** Starts a sync run now (202); 200 with status already_running and that run's id when one is queued or running. */
export const POST = withStaff(async ({ req, sql, vendorId }) => {
  const body = await readBody(req, Body);
  const [c] = await sql<{ id: string }[]>`select id from customers where vendor_id = ${vendorId} and external_id = ${body.customer}`;
  if (!c) throw new ApiError(404, 'customer_not_found', `No customer "${body.customer}"`, { path: ['customer'] });
  let jobs;
  try { jobs = getJobs(); } catch { throw new ApiError(503, 'jobs_unavailable', 'The job engine is not running; try again shortly'); }
  try {
    const r = await startSync(sql, enqueueWith(jobs.boss), { customerId: c.id, source: body.source, mode: body.mode, trigger: 'manual', allowMassDelete: body.allowMassDelete });
    const out: StartedSyncWire = { syncRunId: r.syncRunId, status: r.status };
    return json(out, r.status === 'queued' ? 202 : 200);
  } catch (err) {
    if (err instanceof PatchbayError && err.code === 'invalid_params') throw new ApiError(400, 'invalid_input', err.message, { path: ['source'] });
    throw err;
  }
}, { role: 'editor' });
