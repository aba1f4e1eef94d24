// Staff API: templates (create from flows, versions, publish with a roll-out), roll-outs and one-click rollback,
// shadow replay of recorded runs through a new version, and pinning a customer to a version. lib/templates does the work.
import { z } from 'zod';
import { recordAudit, staffActor } from '../../audit/record-audit';
import { NotFound } from '../../errors';
import { pinSchema, publishSchema, rolloutSchema, shadowSchema, templateInputSchema } from '../../staff-api/template-input';
import { pinCustomerTemplate } from '../../templates/customer-templates';
import { listRollouts, rollbackRollout, rolloutTemplate } from '../../templates/rollout';
import { shadowReplay } from '../../templates/shadow-replay';
import { staffTemplateDetail, staffTemplateList } from '../../templates/staff-views';
import { createTemplate, publishTemplateVersion, saveTemplateVersion } from '../../templates/templates';
import { resolveCustomer } from '../../tenancy/customers';
import { defineRoute } from '../route';

const tag = 'Staff: templates';
const idParams = z.object({ templateId: z.string().uuid() });
const rolloutParams = idParams.extend({ rolloutId: z.string().uuid() });
const pinParams = idParams.extend({ customer: z.string().min(1).max(200).describe('The vendor\'s own customer id') });

const listItem = z.object({ id: z.string(), slug: z.string(), name: z.string(), latestVersion: z.number(), publishedVersion: z.number().nullable() }).loose();
const rolloutView = z.object({ id: z.string(), toVersion: z.number(), moved: z.array(z.object({ externalId: z.string(), fromVersion: z.number() }).loose()), status: z.string() }).loose();
const shadowReport = z.object({ fromVersion: z.number(), toVersion: z.number(), differing: z.number(), cases: z.array(z.object({ runId: z.string(), sameResponse: z.boolean(), sameWrites: z.boolean() }).loose()) });
const audit = (staff: Parameters<typeof staffActor>[0] & { vendorId: string }, action: string, id: string, details?: Record<string, unknown>) =>
  ({ vendorId: staff.vendorId, actor: staffActor(staff), action, target: { kind: action.startsWith('rollout') ? 'rollout' : 'template', id }, ...(details ? { details } : {}) });

export const listTemplatesStaffRoute = defineRoute({
  operationId: 'staffListTemplates', method: 'GET', path: '/api/staff/templates', tag,
  summary: 'The vendor\'s templates, with how many customers run each version',
  auth: { kind: 'staffSession', role: 'viewer' },
  responses: { 200: { description: 'Templates', schema: z.array(listItem) } },
  async handler({ deps, staff }) {
    return { status: 200, body: await staffTemplateList(deps.sql, staff.vendorId) };
  },
});

export const createTemplateStaffRoute = defineRoute({
  operationId: 'staffCreateTemplate', method: 'POST', path: '/api/staff/templates', tag,
  summary: 'Make a template from flows (version 1, unpublished)',
  auth: { kind: 'staffSession', role: 'editor' },
  body: templateInputSchema,
  bodyLimit: 256 * 1024,
  responses: { 201: { description: 'Created', schema: z.object({ id: z.string(), version: z.number() }) } },
  errors: { 400: 'invalid_input / flow_not_found / flow_not_published naming the field', 409: 'template_taken' },
  async handler({ body, deps, staff }) {
    const { message, ...input } = body;
    const created = await createTemplate(deps.sql, { vendorId: staff.vendorId, userId: staff.userId, input, message });
    await recordAudit(deps.sql, { ...audit(staff, 'template.create', created.id), target: { kind: 'template', id: created.id, label: input.name } });
    return { status: 201, body: created };
  },
});

export const getTemplateStaffRoute = defineRoute({
  operationId: 'staffGetTemplate', method: 'GET', path: '/api/staff/templates/:templateId', tag,
  summary: 'A template: versions, customers (version, pinned, paused) and roll-outs',
  auth: { kind: 'staffSession', role: 'viewer' },
  params: idParams, paramsNotFound: 'template_not_found',
  responses: { 200: { description: 'The template', schema: z.object({ template: listItem, versions: z.array(z.object({ version: z.number() }).loose()), customers: z.array(z.object({ id: z.string(), version: z.number(), pinned: z.boolean() }).loose()), rollouts: z.array(rolloutView) }) } },
  errors: { 404: 'template_not_found' },
  async handler({ params, deps, staff }) {
    return { status: 200, body: await staffTemplateDetail(deps.sql, staff.vendorId, params.templateId) };
  },
});

export const saveTemplateVersionStaffRoute = defineRoute({
  operationId: 'staffSaveTemplateVersion', method: 'POST', path: '/api/staff/templates/:templateId/versions', tag,
  summary: 'A new version (unpublished: customers keep theirs until it is published and rolled out)',
  auth: { kind: 'staffSession', role: 'editor' },
  params: idParams, paramsNotFound: 'template_not_found',
  body: templateInputSchema,
  bodyLimit: 256 * 1024,
  responses: { 201: { description: 'Saved', schema: z.object({ version: z.number() }) } },
  errors: { 400: 'invalid_input naming the field', 404: 'template_not_found' },
  async handler({ params, body, deps, staff }) {
    const { message, ...input } = body;
    const saved = await saveTemplateVersion(deps.sql, { vendorId: staff.vendorId, templateId: params.templateId, userId: staff.userId, input, message });
    await recordAudit(deps.sql, audit(staff, 'template.version', params.templateId, { version: saved.version }));
    return { status: 201, body: saved };
  },
});

export const publishTemplateStaffRoute = defineRoute({
  operationId: 'staffPublishTemplate', method: 'POST', path: '/api/staff/templates/:templateId/publish', tag,
  summary: 'Publish a version (new customers get it); `rollout` moves existing customers now: all, a canary share or a list (pinned ones never move)',
  auth: { kind: 'staffSession', role: 'editor' },
  params: idParams, paramsNotFound: 'template_not_found',
  body: publishSchema,
  responses: { 200: { description: 'Published', schema: z.object({ publishedVersion: z.number(), rollout: rolloutView.extend({ pinnedSkipped: z.number() }).nullable() }) } },
  errors: { 400: 'version_not_found / invalid_input', 404: 'template_not_found', 409: 'customer_pinned' },
  async handler({ params, body, deps, staff }) {
    await publishTemplateVersion(deps.sql, staff.vendorId, params.templateId, body.version);
    const rollout = body.rollout.kind === 'none' ? null : await rolloutTemplate(deps.sql, { vendorId: staff.vendorId, templateId: params.templateId, version: body.version, target: body.rollout, userId: staff.userId });
    await recordAudit(deps.sql, audit(staff, 'template.publish', params.templateId, { version: body.version, rollout: body.rollout, moved: rollout?.moved.length ?? 0 }));
    return { status: 200, body: { publishedVersion: body.version, rollout } };
  },
});

export const listRolloutsStaffRoute = defineRoute({
  operationId: 'staffListRollouts', method: 'GET', path: '/api/staff/templates/:templateId/rollouts', tag,
  summary: 'The template\'s roll-outs, newest first: who moved from which version, applied or rolled back',
  auth: { kind: 'staffSession', role: 'viewer' },
  params: idParams, paramsNotFound: 'template_not_found',
  responses: { 200: { description: 'Roll-outs', schema: z.array(rolloutView) } },
  async handler({ params, deps, staff }) {
    return { status: 200, body: await listRollouts(deps.sql, staff.vendorId, params.templateId) };
  },
});

export const rolloutStaffRoute = defineRoute({
  operationId: 'staffRolloutTemplate', method: 'POST', path: '/api/staff/templates/:templateId/rollouts', tag,
  summary: 'Roll a published version out: to every customer, a canary share (deterministic: 30 % of 10 is 3) or a list; pinned customers never move',
  auth: { kind: 'staffSession', role: 'editor' },
  params: idParams, paramsNotFound: 'template_not_found',
  body: rolloutSchema,
  responses: { 201: { description: 'Applied', schema: rolloutView.extend({ pinnedSkipped: z.number() }) } },
  errors: { 400: 'version_not_found / customer_not_enabled / invalid_input', 404: 'template_not_found', 409: 'version_not_published / customer_pinned' },
  async handler({ params, body, deps, staff }) {
    const r = await rolloutTemplate(deps.sql, { vendorId: staff.vendorId, templateId: params.templateId, version: body.version, target: body.target, userId: staff.userId });
    await recordAudit(deps.sql, { ...audit(staff, 'template.rollout', params.templateId, { version: body.version, target: body.target, moved: r.moved.map((m) => m.externalId) }), target: { kind: 'rollout', id: r.id } });
    return { status: 201, body: r };
  },
});

export const rollbackStaffRoute = defineRoute({
  operationId: 'staffRollbackRollout', method: 'POST', path: '/api/staff/templates/:templateId/rollouts/:rolloutId/rollback', tag,
  summary: 'One click: the customers this roll-out moved (and still on its version) return to the version they had',
  auth: { kind: 'staffSession', role: 'editor' },
  params: rolloutParams, paramsNotFound: 'rollout_not_found',
  responses: { 200: { description: 'Rolled back', schema: z.object({ restored: z.array(z.object({ externalId: z.string(), version: z.number() })), left: z.array(z.object({ externalId: z.string(), version: z.number() })) }) } },
  errors: { 404: 'template_not_found / rollout_not_found', 409: 'already_rolled_back' },
  async handler({ params, deps, staff }) {
    const r = await rollbackRollout(deps.sql, { vendorId: staff.vendorId, templateId: params.templateId, rolloutId: params.rolloutId });
    await recordAudit(deps.sql, { ...audit(staff, 'rollout.rollback', params.rolloutId, { restored: r.restored.map((x) => x.externalId) }), target: { kind: 'rollout', id: params.rolloutId } });
    return { status: 200, body: r };
  },
});

export const shadowReplayStaffRoute = defineRoute({
  operationId: 'staffShadowReplay', method: 'POST', path: '/api/staff/templates/:templateId/shadow', tag,
  summary: 'Shadow replay: recorded inputs of real runs of one version through two versions as dry runs (nothing is written anywhere); answers and would-be writes side by side',
  auth: { kind: 'staffSession', role: 'editor' },
  params: idParams, paramsNotFound: 'template_not_found',
  body: shadowSchema,
  responses: { 200: { description: 'The replay', schema: shadowReport } },
  errors: { 400: 'version_not_found (path fromVersion / toVersion)', 404: 'template_not_found' },
  async handler({ params, body, deps, staff }) {
    return { status: 200, body: await shadowReplay(deps.sql, deps.host, { vendorId: staff.vendorId, templateId: params.templateId, ...body }) };
  },
});

export const pinCustomerTemplateStaffRoute = defineRoute({
  operationId: 'staffPinCustomerTemplate', method: 'PUT', path: '/api/staff/templates/:templateId/customers/:customer', tag,
  summary: 'Pin a customer to a version (roll-outs pass it by), unpin it, or move it to a version by hand',
  auth: { kind: 'staffSession', role: 'editor' },
  params: pinParams, paramsNotFound: 'customer_not_found',
  body: pinSchema,
  responses: { 200: { description: 'The customer\'s template', schema: z.object({ customer: z.string(), version: z.number(), previousVersion: z.number().nullable(), pinned: z.boolean(), status: z.string() }) } },
  errors: { 400: 'version_not_found', 404: 'customer_not_found / integration_not_found' },
  async handler({ params, body, deps, staff }) {
    const c = await resolveCustomer(deps.sql, staff.vendorId, params.customer);
    if (!c) throw new NotFound('customer_not_found', `No customer "${params.customer.slice(0, 200)}"`);
    const ct = await pinCustomerTemplate(deps.sql, { vendorId: staff.vendorId, customerId: c.id, templateId: params.templateId, ...body });
    await recordAudit(deps.sql, { ...audit(staff, body.pinned ? 'template.pin' : 'template.unpin', params.templateId, { customer: c.externalId, version: ct.version }), customerId: c.id });
    return { status: 200, body: { customer: c.externalId, version: ct.version, previousVersion: ct.previousVersion, pinned: ct.pinned, status: ct.status } };
  },
});
