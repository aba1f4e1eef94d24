// The customer's catalogue in the portal (/api/portal/{customerId}/catalogue…): the vendor's published templates,
// enable one (options checked against its schema, the connections it needs connected first), change its options,
// pause, resume, remove; its health in plain words and its recent runs. lib/templates does the work.
// Every change a customer makes here is in the vendor's audit log, by the customer (portal), as staff changes are.
import { z } from 'zod';
import { portalActor, recordAudit } from '../../audit/record-audit';
import { resolveAutomation } from '../../engine-host/automation-cache';
import { catalogueView, customerCatalogue, customerTemplateDetail, templateDetailView } from '../../templates/catalogue';
import { enableTemplate, removeTemplate, setTemplateStatus, updateTemplateOptions } from '../../templates/customer-templates';
import type { CustomerRef } from '../../tenancy/customers';
import { defineRoute, type ApiDeps } from '../route';

const templateParams = z.object({ customerId: z.string(), templateId: z.string().uuid().describe('The template\'s id (from the catalogue)') });
const optionsBody = z.object({ options: z.record(z.string(), z.unknown()).default({}).describe('Option values by key; left-out options take their defaults') });

const firstSyncView = z.object({ status: z.string(), runId: z.string().nullable(), error: z.string().nullable() }).nullable();

/** Runs the template's contact_sync automation once (its flow starts the durable sync and sets the schedule). */
/** One audit row for a change the customer made to one of its templates in the portal. */
function auditTemplate(deps: ApiDeps, customer: CustomerRef, action: string, template: { id: string; name: string; version?: number }, details?: Record<string, unknown>) {
  return recordAudit(deps.sql, {
    vendorId: customer.vendorId, customerId: customer.id, actor: portalActor(customer), action,
    target: { kind: 'template', id: template.id, label: `${template.name} for ${customer.externalId}` },
    details: { ...(template.version !== undefined ? { version: template.version } : {}), ...details },
  });
}

async function startFirstSync(deps: ApiDeps, customer: CustomerRef): Promise<z.infer<typeof firstSyncView>> {
  const automation = await resolveAutomation(deps.sql, customer.id, 'contact_sync');
  if (!automation) return null;
  const out = await deps.host.execute({
    vendorId: customer.vendorId, customer: { id: customer.id, defaultCountry: customer.defaultCountry },
    flowId: automation.flowId, flowVersion: automation.version, compiled: automation.compiled, options: automation.options, trigger: {}, recordNow: true,
  });
  return { status: out.status, runId: out.runId, error: out.error?.message ?? null };
}

export const listCatalogue = defineRoute({
  operationId: 'portalListCatalogue',
  method: 'GET',
  path: '/api/portal/:customerId/catalogue',
  tag: 'Portal',
  summary: 'The vendor\'s published templates, with the customer\'s enabled ones and their health',
  auth: { kind: 'portalSession' },
  responses: { 200: { description: 'The catalogue as this customer sees it', schema: catalogueView } },
  async handler({ customer, deps }) {
    return { status: 200, body: await customerCatalogue(deps.sql, customer) };
  },
});

export const getCatalogueTemplate = defineRoute({
  operationId: 'portalGetTemplate',
  method: 'GET',
  path: '/api/portal/:customerId/catalogue/:templateId',
  tag: 'Portal',
  summary: 'One template: what it will do, and when enabled its health (last run of each automation, connections, last sync) and recent runs',
  auth: { kind: 'portalSession' },
  params: templateParams,
  paramsNotFound: 'template_not_found',
  responses: { 200: { description: 'The template for this customer', schema: templateDetailView } },
  errors: { 404: 'template_not_found' },
  async handler({ params, customer, deps }) {
    return { status: 200, body: await customerTemplateDetail(deps.sql, customer, params.templateId) };
  },
});

export const enableCatalogueTemplate = defineRoute({
  operationId: 'portalEnableTemplate',
  method: 'POST',
  path: '/api/portal/:customerId/catalogue/:templateId',
  tag: 'Portal',
  summary: 'Enable a template with options; a template with a contact sync starts its first sync at once',
  auth: { kind: 'portalSession' },
  params: templateParams,
  paramsNotFound: 'template_not_found',
  body: optionsBody,
  bodyOptional: true,
  bodyLimit: 64 * 1024,
  responses: { 201: { description: 'Enabled', schema: templateDetailView.extend({ firstSync: firstSyncView }) } },
  errors: {
    400: 'invalid_input naming the option (path ["options", key])',
    404: 'template_not_found',
    409: 'connection_missing (connect the CRM first; `systems` names it) / already_enabled / automation_in_use',
  },
  async handler({ params, body, customer, deps }) {
    const r = await enableTemplate(deps.sql, { vendorId: customer.vendorId, customerId: customer.id, templateId: params.templateId, options: body.options });
    const detail = await customerTemplateDetail(deps.sql, customer, params.templateId);
    await auditTemplate(deps, customer, 'template.enable', detail, { options: body.options });
    const firstSync = r.startsSync ? await startFirstSync(deps, customer) : null;
    return { status: 201, body: { ...(firstSync ? await customerTemplateDetail(deps.sql, customer, params.templateId) : detail), firstSync } };
  },
});

export const updateCatalogueOptions = defineRoute({
  operationId: 'portalUpdateTemplateOptions',
  method: 'PUT',
  path: '/api/portal/:customerId/catalogue/:templateId/options',
  tag: 'Portal',
  summary: 'Change an enabled template\'s options (its automations read them from their next run)',
  auth: { kind: 'portalSession' },
  params: templateParams,
  paramsNotFound: 'template_not_found',
  body: optionsBody,
  bodyLimit: 64 * 1024,
  responses: { 200: { description: 'The template with its new options', schema: templateDetailView } },
  errors: { 400: 'invalid_input naming the option', 404: 'template_not_found / integration_not_found (not enabled)' },
  async handler({ params, body, customer, deps }) {
    await updateTemplateOptions(deps.sql, { vendorId: customer.vendorId, customerId: customer.id, templateId: params.templateId, options: body.options });
    const detail = await customerTemplateDetail(deps.sql, customer, params.templateId);
    await auditTemplate(deps, customer, 'template.set_options', detail, { options: body.options });
    return { status: 200, body: detail };
  },
});

const statusRoute = (status: 'paused' | 'active') => defineRoute({
  operationId: status === 'paused' ? 'portalPauseTemplate' : 'portalResumeTemplate',
  method: 'POST',
  path: `/api/portal/:customerId/catalogue/:templateId/${status === 'paused' ? 'pause' : 'resume'}`,
  tag: 'Portal',
  summary: status === 'paused'
    ? 'Pause: its automations stop (their URLs answer 409 automation_paused) and its contact sync\'s schedule stops'
    : 'Resume a paused template',
  auth: { kind: 'portalSession' },
  params: templateParams,
  paramsNotFound: 'template_not_found',
  responses: { 200: { description: status === 'paused' ? 'Paused' : 'Resumed', schema: templateDetailView } },
  errors: { 404: 'template_not_found / integration_not_found (not enabled)' },
  async handler({ params, customer, deps }) {
    await setTemplateStatus(deps.sql, { vendorId: customer.vendorId, customerId: customer.id, templateId: params.templateId, status });
    const detail = await customerTemplateDetail(deps.sql, customer, params.templateId);
    await auditTemplate(deps, customer, status === 'paused' ? 'template.pause' : 'template.resume', detail);
    return { status: 200, body: detail };
  },
});

export const pauseCatalogueTemplate = statusRoute('paused');
export const resumeCatalogueTemplate = statusRoute('active');

export const removeCatalogueTemplate = defineRoute({
  operationId: 'portalRemoveTemplate',
  method: 'DELETE',
  path: '/api/portal/:customerId/catalogue/:templateId',
  tag: 'Portal',
  summary: 'Remove a template: its automations stop, its contact sync stops and the contacts it copied are deleted from Patchbay; nothing is deleted in the CRM',
  auth: { kind: 'portalSession' },
  params: templateParams,
  paramsNotFound: 'template_not_found',
  responses: { 200: { description: 'Removed; what happened in plain words', schema: z.object({ removed: z.literal(true), deletedContacts: z.number().int(), whatHappened: z.string() }) } },
  errors: { 404: 'template_not_found / integration_not_found (not enabled)' },
  async handler({ params, customer, deps }) {
    const before = await customerTemplateDetail(deps.sql, customer, params.templateId);
    const out = await removeTemplate(deps.sql, { vendorId: customer.vendorId, customerId: customer.id, templateId: params.templateId });
    await auditTemplate(deps, customer, 'template.remove', before, { deletedContacts: out.deletedContacts });
    return { status: 200, body: out };
  },
});
