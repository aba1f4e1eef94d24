// Templates for the vendor's backend: the published catalogue, and a customer's templates (enable with options,
// pause / resume, remove) — the same operations the customer has in the portal, for vendors that drive them
// from their own product. lib/templates does the work.
import { z } from 'zod';
import { crmSystems } from '@/engine/connectors';
import { catalogueView, customerCatalogue, customerTemplateDetail, templateDetailView } from '../../templates/catalogue';
import { enableTemplate, removeTemplate, setTemplateStatus } from '../../templates/customer-templates';
import { optionFieldSchema, optionsJsonSchema } from '../../templates/template-definition';
import { getTemplateVersion, listTemplates } from '../../templates/templates';
import { defineRoute } from '../route';

const templateParams = z.object({ customerId: z.string(), templateId: z.string().uuid().describe('The template\'s id') });

const publishedTemplate = z.object({
  id: z.string(), slug: z.string(), name: z.string(), description: z.string(), icon: z.string(),
  version: z.number().int().describe('The published version (what enabling gets)'),
  automations: z.array(z.string()),
  options: z.array(optionFieldSchema),
  optionsSchema: z.record(z.string(), z.unknown()),
  connections: z.array(z.string()),
});

export const listTemplatesRoute = defineRoute({
  operationId: 'listTemplates',
  method: 'GET',
  path: '/api/v1/templates',
  tag: 'Templates',
  summary: 'The vendor\'s published templates, with their options schema and the connections they need',
  auth: { kind: 'apiKey' },
  responses: { 200: { description: 'Published templates', schema: z.object({ templates: z.array(publishedTemplate) }) } },
  async handler({ principal, deps }) {
    const out: z.infer<typeof publishedTemplate>[] = [];
    for (const t of await listTemplates(deps.sql, principal.vendorId, { publishedOnly: true })) {
      const v = await getTemplateVersion(deps.sql, principal.vendorId, t.id, t.publishedVersion!);
      if (!v) continue;
      out.push({
        id: t.id, slug: t.slug, name: t.name, description: t.description, icon: t.icon, version: v.version,
        automations: v.definition.flows.map((f) => f.automation), options: v.definition.options,
        optionsSchema: optionsJsonSchema(v.definition.options, crmSystems()), connections: v.definition.connections,
      });
    }
    return { status: 200, body: { templates: out } };
  },
});

export const customerTemplatesRoute = defineRoute({
  operationId: 'listCustomerTemplates',
  method: 'GET',
  path: '/api/v1/customers/:customerId/templates',
  tag: 'Templates',
  summary: 'The catalogue as the customer sees it: each template, enabled or not, with its health',
  auth: { kind: 'apiKey' },
  responses: { 200: { description: 'The customer\'s catalogue', schema: catalogueView } },
  async handler({ customer, deps }) {
    return { status: 200, body: await customerCatalogue(deps.sql, customer) };
  },
});

export const enableCustomerTemplateRoute = defineRoute({
  operationId: 'enableCustomerTemplate',
  method: 'POST',
  path: '/api/v1/customers/:customerId/templates/:templateId',
  tag: 'Templates',
  summary: 'Enable a template for the customer with options (checked against its schema; defaults fill the rest)',
  auth: { kind: 'apiKey' },
  params: templateParams,
  paramsNotFound: 'template_not_found',
  body: z.object({ options: z.record(z.string(), z.unknown()).default({}) }),
  bodyOptional: true,
  bodyLimit: 64 * 1024,
  responses: { 201: { description: 'Enabled', schema: templateDetailView } },
  errors: { 400: 'invalid_input naming the option (path ["options", key])', 404: 'template_not_found', 409: 'connection_missing (`systems`) / already_enabled / automation_in_use' },
  async handler({ params, body, customer, deps }) {
    await enableTemplate(deps.sql, { vendorId: customer.vendorId, customerId: customer.id, templateId: params.templateId, options: body.options });
    return { status: 201, body: await customerTemplateDetail(deps.sql, customer, params.templateId) };
  },
});

export const setCustomerTemplateStatusRoute = defineRoute({
  operationId: 'setCustomerTemplateStatus',
  method: 'PUT',
  path: '/api/v1/customers/:customerId/templates/:templateId/status',
  tag: 'Templates',
  summary: 'Pause (its automations answer 409 automation_paused, its sync stops) or resume a customer\'s template',
  auth: { kind: 'apiKey' },
  params: templateParams,
  paramsNotFound: 'template_not_found',
  body: z.object({ status: z.enum(['active', 'paused']) }),
  responses: { 200: { description: 'The template with its new status', schema: templateDetailView } },
  errors: { 404: 'template_not_found / integration_not_found (not enabled)' },
  async handler({ params, body, customer, deps }) {
    await setTemplateStatus(deps.sql, { vendorId: customer.vendorId, customerId: customer.id, templateId: params.templateId, status: body.status });
    return { status: 200, body: await customerTemplateDetail(deps.sql, customer, params.templateId) };
  },
});

export const removeCustomerTemplateRoute = defineRoute({
  operationId: 'removeCustomerTemplate',
  method: 'DELETE',
  path: '/api/v1/customers/:customerId/templates/:templateId',
  tag: 'Templates',
  summary: 'Remove a customer\'s template: its automations and contact sync stop, the contacts it copied leave the CDP; nothing is deleted in the CRM',
  auth: { kind: 'apiKey' },
  params: templateParams,
  paramsNotFound: 'template_not_found',
  responses: { 200: { description: 'Removed', schema: z.object({ removed: z.literal(true), deletedContacts: z.number().int(), whatHappened: z.string() }) } },
  errors: { 404: 'template_not_found / integration_not_found (not enabled)' },
  async handler({ params, customer, deps }) {
    return { status: 200, body: await removeTemplate(deps.sql, { vendorId: customer.vendorId, customerId: customer.id, templateId: params.templateId }) };
  },
});
