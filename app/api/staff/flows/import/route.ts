import { z } from 'zod';
import { json, withStaff } from '@/lib/auth/with-staff';
import { freeAutomationName, saveFlowVersion } from '@/lib/flows/flows';
import { readBody } from '@/lib/staff-api/parse-input';

// `{ definition }` or the exported .flow.json content itself.
const Body = z.union([
  z.object({ definition: z.record(z.string(), z.unknown()) }).transform((b) => b.definition),
  z.record(z.string(), z.unknown()).refine((b) => 'nodes' in b, 'send { definition } or the content of a .flow.json file'),
]);

// A flow whose automation name another flow answers to already is imported under the next free name
// (`caller_lookup_2`), said in the answer: automation names are unique per vendor.
export const POST = withStaff(async ({ req, sql, vendorId, staff }) => {
  let definition = await readBody(req, Body);
  const wanted = definition.automation;
  let renamedFrom: string | undefined;
  if (typeof wanted === 'string' && /^[a-z][a-z0-9_]{0,62}$/.test(wanted)) {
    const free = await freeAutomationName(sql, vendorId, wanted);
    if (free !== wanted) { definition = { ...definition, automation: free }; renamedFrom = wanted; }
  }
  const saved = await saveFlowVersion(sql, { vendorId, definition, message: renamedFrom ? `Imported (automation "${renamedFrom}" was taken)` : 'Imported', userId: staff.userId, allowIssues: true });
  return json({ id: saved.flowId, version: saved.version, automation: definition.automation, ...(renamedFrom ? { renamedFrom } : {}) }, 201, { location: `/api/staff/flows/${saved.flowId}` });
}, { role: 'editor' });
