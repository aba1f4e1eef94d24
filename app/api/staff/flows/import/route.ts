import { z } from 'zod';
import { json, withStaff } from '@/lib/auth/with-staff';
import { saveFlowVersion } from '@/lib/flows/flows';
import { readBody } from '@/lib/staff-api/parse-input';

// `{ definition }` or the exported .flow.json content itself.
const Body = z.union([
  z.object({ definition: z.record(z.string(), z.unknown()) }).transform((b) => b.definition),
  z.record(z.string(), z.unknown()).refine((b) => 'nodes' in b, 'send { definition } or the content of a .flow.json file'),
]);

export const POST = withStaff(async ({ req, sql, vendorId, staff }) => {
  const definition = await readBody(req, Body);
  const saved = await saveFlowVersion(sql, { vendorId, definition, message: 'Imported', userId: staff.userId, allowIssues: true });
  return json({ id: saved.flowId, version: saved.version }, 201, { location: `/api/staff/flows/${saved.flowId}` });
}, { role: 'editor' });
