import { NotFound } from '@/lib/errors';
import { json, withStaff } from '@/lib/auth/with-staff';
import { getHost } from '@/lib/engine-host/host';
import { readRunDetail } from '@/lib/runs/run-detail';
import { requireUuid } from '@/lib/staff-api/parse-input';
import { runToWire } from '@/lib/staff-api/wire-shapes';

export const GET = withStaff<{ id: string }>(async ({ params, sql, vendorId }) => {
  const id = requireUuid(params.id, 'run');
  const run = await readRunDetail(sql, vendorId, id, getHost().pendingRun(id));
  if (!run) throw new NotFound('run_not_found', `No run "${id}"`);
  return json(runToWire(run));
});
