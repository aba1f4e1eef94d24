// Staff API: the vendor's flows (list, create, import, read, duplicate, export, delete). Versions, publishing and
// test runs are in flow-versions.ts and test-runs.ts.
import { z } from 'zod';
import { recordAudit, staffActor } from '../../audit/record-audit';
import { NotFound } from '../../errors';
import { deleteFlow, duplicateFlow, freeAutomationName, getFlow, getFlowVersion, getFlowWithActivity, listFlowsWithActivity, listFlowVersions, saveFlowVersion } from '../../flows/flows';
import { flowToWire, versionToWire } from '../../staff-api/wire-shapes';
import { defineRoute } from '../route';
import { flowDefinition, flowListItem, flowVersionInfo } from './shapes';

export const flowParams = z.object({ id: z.uuid('a flow id (uuid)').describe('The flow\'s id') });
const created = z.object({ id: z.string(), version: z.number().int() });

export const listFlowsRoute = defineRoute({
  operationId: 'staffListFlows', method: 'GET', path: '/api/staff/flows', tag: 'Staff: flows',
  summary: 'The vendor\'s flows with their automation name, versions, last run and how many customers use them',
  auth: { kind: 'staffSession', role: 'viewer' },
  responses: { 200: { description: 'Every flow', schema: z.array(flowListItem) } },
  async handler({ deps, staff }) {
    return { status: 200, body: (await listFlowsWithActivity(deps.sql, staff.vendorId)).map(flowToWire) };
  },
});

export const createFlowRoute = defineRoute({
  operationId: 'staffCreateFlow', method: 'POST', path: '/api/staff/flows', tag: 'Staff: flows',
  summary: 'Create a flow (a draft; it may carry issues, which block publishing, not saving)',
  auth: { kind: 'staffSession', role: 'editor' },
  body: z.object({ definition: z.unknown(), message: z.string().max(500).optional() }),
  responses: { 201: { description: 'Created', schema: created, headers: { location: 'The flow\'s URL' } } },
  errors: { 400: 'invalid_flow with issues, or invalid_input', 409: 'automation_taken: another flow answers to that automation name' },
  async handler({ body, deps, staff }) {
    const saved = await saveFlowVersion(deps.sql, { vendorId: staff.vendorId, definition: body.definition, message: body.message ?? 'Created', userId: staff.userId, allowIssues: true });
    await auditFlow(deps.sql, staff, 'flow.create', saved.flowId, { version: saved.version });
    return { status: 201, body: { id: saved.flowId, version: saved.version }, headers: { location: `/api/staff/flows/${saved.flowId}` } };
  },
});

export const importFlowRoute = defineRoute({
  operationId: 'staffImportFlow', method: 'POST', path: '/api/staff/flows/import', tag: 'Staff: flows',
  summary: 'Import a flow: `{ definition }` or an exported .flow.json as it is; a taken automation name becomes the next free one',
  auth: { kind: 'staffSession', role: 'editor' },
  body: z.union([
    z.object({ definition: z.record(z.string(), z.unknown()) }).transform((b) => b.definition),
    z.record(z.string(), z.unknown()).refine((b) => 'nodes' in b, 'send { definition } or the content of a .flow.json file'),
  ]),
  responses: { 201: { description: 'Imported', schema: created.extend({ automation: z.unknown(), renamedFrom: z.string().optional() }) } },
  errors: { 400: 'invalid_flow with issues, or invalid_input' },
  async handler({ body, deps, staff }) {
    let definition = body as Record<string, unknown>;
    const wanted = definition.automation;
    let renamedFrom: string | undefined;
    if (typeof wanted === 'string' && /^[a-z][a-z0-9_]{0,62}$/.test(wanted)) {
      const free = await freeAutomationName(deps.sql, staff.vendorId, wanted);
      if (free !== wanted) { definition = { ...definition, automation: free }; renamedFrom = wanted; }
    }
    const saved = await saveFlowVersion(deps.sql, { vendorId: staff.vendorId, definition, message: renamedFrom ? `Imported (automation "${renamedFrom}" was taken)` : 'Imported', userId: staff.userId, allowIssues: true });
    await auditFlow(deps.sql, staff, 'flow.import', saved.flowId, { version: saved.version, ...(renamedFrom ? { renamedFrom } : {}) });
    return { status: 201, body: { id: saved.flowId, version: saved.version, automation: definition.automation, ...(renamedFrom ? { renamedFrom } : {}) }, headers: { location: `/api/staff/flows/${saved.flowId}` } };
  },
});

export const getFlowRoute = defineRoute({
  operationId: 'staffGetFlow', method: 'GET', path: '/api/staff/flows/:id', tag: 'Staff: flows',
  summary: 'A flow: its summary, latest definition and version list',
  auth: { kind: 'staffSession', role: 'viewer' },
  params: flowParams, paramsNotFound: 'flow_not_found',
  responses: { 200: { description: 'The flow', schema: z.object({ flow: flowListItem, definition: flowDefinition, version: z.number().int(), versions: z.array(flowVersionInfo) }) } },
  errors: { 404: 'flow_not_found (also another vendor\'s flow)' },
  async handler({ params, deps, staff }) {
    const [flow, latest, versions] = await Promise.all([getFlowWithActivity(deps.sql, staff.vendorId, params.id), getFlowVersion(deps.sql, staff.vendorId, params.id), listFlowVersions(deps.sql, staff.vendorId, params.id)]);
    if (!flow || !latest) throw new NotFound('flow_not_found', `No flow "${params.id}"`);
    return { status: 200, body: { flow: flowToWire(flow), definition: latest.definition, version: latest.version, versions: versions.map(versionToWire) } };
  },
});

export const deleteFlowRoute = defineRoute({
  operationId: 'staffDeleteFlow', method: 'DELETE', path: '/api/staff/flows/:id', tag: 'Staff: flows',
  summary: 'Delete a flow (its automation stops answering for every customer using it)',
  auth: { kind: 'staffSession', role: 'editor' },
  params: flowParams, paramsNotFound: 'flow_not_found',
  responses: { 204: { description: 'Deleted' } },
  errors: { 404: 'flow_not_found' },
  async handler({ params, deps, staff }) {
    const deleted = await deleteFlow(deps.sql, staff.vendorId, params.id);
    if (!deleted) throw new NotFound('flow_not_found', `No flow "${params.id}"`);
    await recordAudit(deps.sql, { vendorId: staff.vendorId, actor: staffActor(staff), action: 'flow.delete', target: { kind: 'flow', id: params.id, label: deleted.name } });
    return { status: 204 };
  },
});

export const duplicateFlowRoute = defineRoute({
  operationId: 'staffDuplicateFlow', method: 'POST', path: '/api/staff/flows/:id/duplicate', tag: 'Staff: flows',
  summary: 'Copy a flow under a new name and a free automation name',
  auth: { kind: 'staffSession', role: 'editor' },
  params: flowParams, paramsNotFound: 'flow_not_found',
  responses: { 201: { description: 'The copy', schema: z.object({ id: z.string() }) } },
  errors: { 404: 'flow_not_found' },
  async handler({ params, deps, staff }) {
    const copy = await duplicateFlow(deps.sql, { vendorId: staff.vendorId, flowId: params.id, userId: staff.userId });
    if (!copy) throw new NotFound('flow_not_found', `No flow "${params.id}"`);
    await auditFlow(deps.sql, staff, 'flow.duplicate', copy.flowId, { from: params.id });
    return { status: 201, body: { id: copy.flowId }, headers: { location: `/api/staff/flows/${copy.flowId}` } };
  },
});

export const exportFlowRoute = defineRoute({
  operationId: 'staffExportFlow', method: 'GET', path: '/api/staff/flows/:id/export', tag: 'Staff: flows',
  summary: 'The definition as a downloadable .flow.json (the latest version, or ?version=N); import takes it back as is',
  auth: { kind: 'staffSession', role: 'viewer' },
  params: flowParams, paramsNotFound: 'flow_not_found',
  query: z.object({ version: z.string().optional().describe('A version number; default the latest') }),
  responses: { 200: { description: 'The flow JSON, as an attachment', schema: flowDefinition, headers: { 'content-disposition': 'attachment; filename="….flow.json"' } } },
  errors: { 404: 'flow_not_found (also a version the flow does not have)' },
  async handler({ params, query, res, deps, staff }) {
    const v = query.version;
    const version = v && /^[1-9]\d{0,8}$/.test(v) ? Number(v) : undefined;
    const found = await getFlowVersion(deps.sql, staff.vendorId, params.id, version);
    if (!found || (v && version === undefined)) throw new NotFound('flow_not_found', `No flow "${params.id}"${v ? ` version ${v.slice(0, 20)}` : ''}`);
    const file = `${found.definition.automation}-${found.definition.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'flow'}-v${found.version}.flow.json`;
    const text = `${JSON.stringify(found.definition, null, 2)}\n`;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="${file}"`, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  },
});

/** Records a change to a flow, labelled with its current name. */
export async function auditFlow(sql: Parameters<typeof getFlow>[0], staff: { vendorId: string; userId: string; email: string }, action: string, flowId: string, details?: Record<string, unknown>): Promise<void> {
  const flow = await getFlow(sql, staff.vendorId, flowId);
  await recordAudit(sql, { vendorId: staff.vendorId, actor: staffActor(staff), action, target: { kind: 'flow', id: flowId, label: flow?.name ?? null }, details });
}
