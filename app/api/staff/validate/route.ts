import { z } from 'zod';
import { registry, validateFlow } from '@/engine';
import { json, withStaff } from '@/lib/auth/with-staff';
import { readBody } from '@/lib/staff-api/parse-input';

const Body = z.object({ definition: z.unknown() });

// Pure check, no write: viewers may validate too.
export const POST = withStaff(async ({ req }) => {
  const { definition } = await readBody(req, Body);
  return json({ issues: validateFlow(definition, registry).issues });
});
