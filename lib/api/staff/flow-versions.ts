// Staff API: a flow's versions (save a new one, read one) and publishing.
import { z } from 'zod';
import { NotFound } from '../../errors';
import { getFlowVersion, publishFlow, saveFlowVersion } from '../../flows/flows';
import { defineRoute } from '../route';
import { auditFlow, flowParams } from './flows';
import { flowDefinition, flowIssue, instant } from './shapes';

export const saveVersionRoute = defineRoute({
  operationId: 'staffSaveFlowVersion', method: 'POST', path: '/api/staff/flows/:id/versions', tag: 'Staff: flows',
  summary: 'Save a new immutable version; `publish: true` saves and publishes at once (only a flow without problems)',
  description: 'A definition that is not a flow at all is a 400 with issues; a flow with problems (an unconnected node, a missing param) is saved as a draft and its issues returned.',
  auth: { kind: 'staffSession', role: 'editor' },
  params: flowParams, paramsNotFound: 'flow_not_found',
  body: z.object({ definition: z.unknown(), message: z.string().max(500).optional(), publish: z.boolean().optional() }),
  responses: { 201: { description: 'Saved', schema: z.object({ version: z.number().int(), issues: z.array(flowIssue), publishedVersion: z.number().int().optional() }) } },
  errors: { 400: 'invalid_flow with issues', 404: 'flow_not_found', 409: 'automation_taken' },
  async handler({ params, body, deps, staff }) {
    const saved = await saveFlowVersion(deps.sql, { vendorId: staff.vendorId, flowId: params.id, definition: body.definition, message: body.message, userId: staff.userId, allowIssues: !body.publish, publish: body.publish });
    await auditFlow(deps.sql, staff, body.publish ? 'flow.save_and_publish' : 'flow.save', params.id, { version: saved.version, ...(body.message ? { message: body.message } : {}) });
    return { status: 201, body: { version: saved.version, issues: saved.issues, ...(body.publish ? { publishedVersion: saved.version } : {}) } };
  },
});

export const getVersionRoute = defineRoute({
  operationId: 'staffGetFlowVersion', method: 'GET', path: '/api/staff/flows/:id/versions/:v', tag: 'Staff: flows',
  summary: 'One version of a flow',
  auth: { kind: 'staffSession', role: 'viewer' },
  params: z.object({ id: z.uuid('a flow id (uuid)'), v: z.string().regex(/^[1-9]\d{0,8}$/, 'a version number') }), paramsNotFound: 'version_not_found',
  responses: { 200: { description: 'The version', schema: z.object({ version: z.number().int(), definition: flowDefinition, createdAt: instant, message: z.string().nullable() }) } },
  errors: { 404: 'version_not_found (also another vendor\'s flow)' },
  async handler({ params, deps, staff }) {
    const found = await getFlowVersion(deps.sql, staff.vendorId, params.id, Number(params.v));
    if (!found) throw new NotFound('version_not_found', `Flow "${params.id}" has no version ${params.v}`);
    return { status: 200, body: { version: found.version, definition: found.definition, createdAt: found.createdAt.toISOString(), message: found.message } };
  },
});

export const publishFlowRoute = defineRoute({
  operationId: 'staffPublishFlow', method: 'POST', path: '/api/staff/flows/:id/publish', tag: 'Staff: flows',
  summary: 'Publish a version: the automation URL (and every customer following the flow) runs it; 400 with issues if it cannot run',
  auth: { kind: 'staffSession', role: 'editor' },
  params: flowParams, paramsNotFound: 'flow_not_found',
  body: z.object({ version: z.number().int().positive().max(2_147_483_647, 'no flow has that many versions') }),
  responses: { 200: { description: 'Published', schema: z.object({ publishedVersion: z.number().int() }) } },
  errors: { 400: 'invalid_flow with issues', 404: 'flow_not_found / version_not_found' },
  async handler({ params, body, deps, staff }) {
    await publishFlow(deps.sql, staff.vendorId, params.id, body.version);
    await auditFlow(deps.sql, staff, 'flow.publish', params.id, { version: body.version });
    return { status: 200, body: { publishedVersion: body.version } };
  },
});
