import { NotFound } from '@/lib/errors';
import { json, withStaff } from '@/lib/auth/with-staff';
import { deleteFlow, getFlowVersion, getFlowWithActivity, listFlowVersions } from '@/lib/flows/flows';
import { requireUuid } from '@/lib/staff-api/parse-input';
import { flowToWire, versionToWire } from '@/lib/staff-api/wire-shapes';

export const GET = withStaff<{ id: string }>(async ({ params, sql, vendorId }) => {
  const id = requireUuid(params.id, 'flow');
  const [flow, latest, versions] = await Promise.all([getFlowWithActivity(sql, vendorId, id), getFlowVersion(sql, vendorId, id), listFlowVersions(sql, vendorId, id)]);
  if (!flow || !latest) throw new NotFound('flow_not_found', `No flow "${id}"`);
  return json({ flow: flowToWire(flow), definition: latest.definition, version: latest.version, versions: versions.map(versionToWire) });
});

export const DELETE = withStaff<{ id: string }>(async ({ params, sql, vendorId }) => {
  const id = requireUuid(params.id, 'flow');
  if (!(await deleteFlow(sql, vendorId, id))) throw new NotFound('flow_not_found', `No flow "${id}"`);
  return new Response(null, { status: 204 });
}, { role: 'editor' });
