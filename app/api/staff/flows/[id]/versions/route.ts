import { z } from 'zod';
import { json, withStaff } from '@/lib/auth/with-staff';
import { saveFlowVersion } from '@/lib/flows/flows';
import { readBody, requireUuid } from '@/lib/staff-api/parse-input';

const Body = z.object({ definition: z.unknown(), message: z.string().max(500).regex(/^[^\u0000]*$/, 'no NUL characters').optional(), publish: z.boolean().optional() });

// Saves a new immutable version. A definition that is not a flow at all is a 400 with issues; a flow with
// problems (unconnected node, missing param) is saved as a draft and its issues returned (publishing refuses it).
// `publish: true` saves and publishes at once, and only a flow without problems: otherwise nothing is written.
export const POST = withStaff<{ id: string }>(async ({ req, params, sql, vendorId, staff }) => {
  const id = requireUuid(params.id, 'flow');
  const { definition, message, publish } = await readBody(req, Body);
  const saved = await saveFlowVersion(sql, { vendorId, flowId: id, definition, message, userId: staff.userId, allowIssues: !publish, publish });
  return json({ version: saved.version, issues: saved.issues, ...(publish ? { publishedVersion: saved.version } : {}) }, 201);
}, { role: 'editor' });
