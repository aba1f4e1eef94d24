import { NotFound } from '@/lib/errors';
import { withStaff } from '@/lib/auth/with-staff';
import { getFlowVersion } from '@/lib/flows/flows';
import { requireUuid } from '@/lib/staff-api/parse-input';

// The definition as a downloadable .flow.json (the latest version, or ?version=N); import takes it back as is.
export const GET = withStaff<{ id: string }>(async ({ req, params, sql, vendorId }) => {
  const id = requireUuid(params.id, 'flow');
  const v = req.nextUrl.searchParams.get('version');
  const version = v && /^[1-9]\d{0,8}$/.test(v) ? Number(v) : undefined;
  const found = await getFlowVersion(sql, vendorId, id, version);
  if (!found || (v && version === undefined)) throw new NotFound('flow_not_found', `No flow "${id}"${v ? ` version ${v}` : ''}`);
  const file = `${found.definition.automation}-${found.definition.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'flow'}-v${found.version}.flow.json`;
  return new Response(`${JSON.stringify(found.definition, null, 2)}\n`, {
    headers: { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="${file}"`, 'cache-control': 'no-store' },
  });
});
