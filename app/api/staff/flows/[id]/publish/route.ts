import { z } from 'zod';
import { json, withStaff } from '@/lib/auth/with-staff';
import { publishFlow } from '@/lib/flows/flows';
import { readBody, requireUuid } from '@/lib/staff-api/parse-input';

const Body = z.object({ version: z.number().int().positive().max(2_147_483_647, 'no flow has that many versions') });

// Publishing points the automation URL (and every customer following the flow) at this version; 400 with issues if it cannot run.
export const POST = withStaff<{ id: string }>(async ({ req, params, sql, vendorId }) => {
  const id = requireUuid(params.id, 'flow');
  const { version } = await readBody(req, Body);
  await publishFlow(sql, vendorId, id, version);
  return json({ publishedVersion: version });
}, { role: 'editor' });
