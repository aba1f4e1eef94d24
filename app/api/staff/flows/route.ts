import { z } from 'zod';
import { json, withStaff } from '@/lib/auth/with-staff';
import { listFlowsWithActivity, saveFlowVersion } from '@/lib/flows/flows';
import { readBody } from '@/lib/staff-api/parse-input';
import { flowToWire } from '@/lib/staff-api/wire-shapes';

export const GET = withStaff(async ({ sql, vendorId }) => json((await listFlowsWithActivity(sql, vendorId)).map(flowToWire)));

const Body = z.object({ definition: z.unknown(), message: z.string().max(500).optional() });

// A new flow starts as a draft; it may carry issues (they block publishing, not saving).
export const POST = withStaff(async ({ req, sql, vendorId, staff }) => {
  const { definition, message } = await readBody(req, Body);
  const saved = await saveFlowVersion(sql, { vendorId, definition, message: message ?? 'Created', userId: staff.userId, allowIssues: true });
  return json({ id: saved.flowId, version: saved.version }, 201, { location: `/api/staff/flows/${saved.flowId}` });
}, { role: 'editor' });
