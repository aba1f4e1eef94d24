import { z } from 'zod';
import { AUTOMATION_NAME } from '@/engine';
import { json, withStaff } from '@/lib/auth/with-staff';
import { decodeRunCursor, listRuns, RUN_STATUSES } from '@/lib/runs/list-runs';
import { blankIsUnset, customerParam, instantParam, readQuery } from '@/lib/staff-api/parse-input';
import { runRowToWire } from '@/lib/staff-api/wire-shapes';


const Query = z.object({
  automation: blankIsUnset(z.string().regex(AUTOMATION_NAME, 'automation names are lower_snake_case')),
  customer: blankIsUnset(customerParam),
  status: blankIsUnset(z.enum(RUN_STATUSES)),
  mode: blankIsUnset(z.enum(['live', 'test'])),
  flowId: blankIsUnset(z.uuid()),
  from: blankIsUnset(instantParam),
  to: blankIsUnset(instantParam),
  cursor: blankIsUnset(z.string().max(200).transform((s, ctx) => decodeRunCursor(s) ?? (ctx.addIssue({ code: 'custom', message: 'not a cursor from this API (use nextCursor as given)' }), z.NEVER))),
  limit: blankIsUnset(z.coerce.number().int().min(1).max(200)),
});

export const GET = withStaff(async ({ req, sql, vendorId }) => {
  const q = readQuery(req, Query);
  const page = await listRuns(sql, vendorId, { ...q, limit: q.limit ?? 50 });
  return json({ runs: page.runs.map(runRowToWire), nextCursor: page.nextCursor });
});
