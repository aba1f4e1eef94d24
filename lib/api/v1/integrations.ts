// A customer's integrations: an automation name pointed at a flow of the vendor. Enable (or re-point), list,
// disable, re-enable, delete. Every change applies at once in the process that made it and within
// PATCHBAY_AUTOMATION_CACHE_MS (default 2 s) in every other server process (the automation cache re-reads).
import type postgres from 'postgres';
import { z } from 'zod';
import { AUTOMATION_NAME, CALL_EVENTS, DEADLINE_MAX_MS, DEADLINE_MIN_MS, recordingSchema } from '@/engine';
import { keyActor, recordAudit } from '../../audit/record-audit';
import { enableIntegration } from '../../flows/flows';
import { deleteIntegration, listIntegrations, setIntegrationEnabled } from '../../flows/integrations';
import type { KeyPrincipal } from '../../tenancy/api-keys';
import type { CustomerRef } from '../../tenancy/customers';
import { defineRoute } from '../route';

const integration = z.object({
  id: z.string(),
  automation: z.string(),
  flowId: z.string(),
  flowName: z.string(),
  flowVersion: z.number().int().nullable().describe('The pinned version; null follows the flow\'s published version'),
  runsVersion: z.number().int().nullable().describe('The version the named URL runs now; null when none can run'),
  enabled: z.boolean(),
  state: z.enum(['active', 'disabled', 'flow_deleted', 'flow_not_published']).describe('active: the named URL runs it; disabled: it answers 404 automation_disabled; flow_deleted / flow_not_published: 404 automation_not_found'),
  options: z.record(z.string(), z.unknown()),
  deadlineMs: z.number().int().nullable().describe('Overrides the flow\'s deadline for this customer; null: the flow\'s'),
  answerEvents: z.array(z.string()).describe('Phone-system events whose webhook this automation answers synchronously'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const byName = z.object({
  customerId: z.string().describe("The vendor's own id of the customer"),
  automation: z.string().regex(AUTOMATION_NAME, 'automation names are lower_snake_case').describe('The automation name, e.g. caller_lookup'),
});

const applies = 'Applies at once on the server that answered; other server processes pick it up within PATCHBAY_AUTOMATION_CACHE_MS (default 2 s).';

export const enableIntegrationRoute = defineRoute({
  operationId: 'enableIntegration',
  method: 'POST',
  path: '/api/v1/customers/:customerId/integrations',
  tag: 'Integrations',
  summary: 'Enable an automation for the customer (follows the flow\'s published version unless flowVersion is given)',
  description: `Creates or re-points the customer's integration for the flow's automation name. "enabled": false stores it disabled. ${applies}`,
  auth: { kind: 'apiKey' },
  body: z.object({
    flowId: z.string().uuid('a flow id (uuid)'),
    flowVersion: z.number().int().positive().max(2_147_483_647, 'no flow has that many versions').nullish(),
    options: z.record(z.string(), z.unknown()).default({}),
    enabled: z.boolean().default(true).describe('false: stored disabled; the named URL answers 404 automation_disabled'),
    deadlineMs: z.number().int().min(DEADLINE_MIN_MS, `at least ${DEADLINE_MIN_MS} ms`).max(DEADLINE_MAX_MS, `at most ${DEADLINE_MAX_MS} ms`).nullish()
      .describe('Overrides the flow\'s deadline for this customer: past it a synchronous call gets the flow\'s fallback answer'),
    answerEvents: z.array(z.enum(CALL_EVENTS, { error: `one of ${CALL_EVENTS.join(', ')}` })).max(CALL_EVENTS.length).default([])
      .describe('Phone-system events whose webhook this automation answers synchronously with its JSON, e.g. ["call.ringing"] for call_routing'),
    recording: recordingSchema.nullish().describe('Overrides the flow\'s recording policy for this customer: {"policy":"all"|"errors"|"sampled","share":0.01}; null: the flow\'s'),
  }),
  responses: { 200: { description: 'Enabled (or stored disabled)', schema: z.object({ id: z.string(), automation: z.string(), enabled: z.boolean(), flowVersion: z.number().int().nullable() }) } },
  errors: {
    400: 'version_not_found (path flowVersion): the flow has no such version',
    404: 'flow_not_found (path flowId)',
    409: 'flow_not_published (path flowId): no flowVersion given and the flow was never published; version_has_problems (path flowVersion): that version cannot run',
  },
  async handler({ body, principal, customer, deps }) {
    const r = await enableIntegration(deps.sql, { vendorId: principal.vendorId, customerId: customer.id, ...body });
    await recordAudit(deps.sql, { vendorId: principal.vendorId, customerId: customer.id, actor: keyActor(principal), action: r.enabled ? 'integration.enable' : 'integration.store_disabled', target: { kind: 'integration', id: r.id, label: `${r.automation} for ${customer.externalId}` }, details: { flowId: body.flowId, flowVersion: r.flowVersion } });
    return { status: 200, body: r };
  },
});

export const listIntegrationsRoute = defineRoute({
  operationId: 'listIntegrations',
  method: 'GET',
  path: '/api/v1/customers/:customerId/integrations',
  tag: 'Integrations',
  summary: 'List the customer\'s integrations, with what each named URL does now',
  auth: { kind: 'apiKey' },
  responses: { 200: { description: 'The integrations, by automation name', schema: z.object({ integrations: z.array(integration) }) } },
  async handler({ customer, deps }) {
    return { status: 200, body: { integrations: await listIntegrations(deps.sql, customer.id) } };
  },
});

export const disableIntegrationRoute = defineRoute({
  operationId: 'disableIntegration',
  method: 'POST',
  path: '/api/v1/customers/:customerId/integrations/:automation/disable',
  tag: 'Integrations',
  summary: 'Disable an integration: its named URL answers 404 automation_disabled until it is enabled again',
  description: `Flow, version and options are kept. Disabling a disabled integration changes nothing. ${applies}`,
  auth: { kind: 'apiKey' },
  params: byName,
  paramsNotFound: 'integration_not_found',
  bodyOptional: true,
  responses: { 200: { description: 'The integration, disabled', schema: integration } },
  errors: { 404: 'integration_not_found' },
  async handler({ params, customer, principal, deps }) {
    const r = await setIntegrationEnabled(deps.sql, customer.id, params.automation, false);
    await auditIntegration(deps.sql, principal, customer, 'integration.disable', r.id, params.automation);
    return { status: 200, body: r };
  },
});

export const reenableIntegrationRoute = defineRoute({
  operationId: 'reenableIntegration',
  method: 'POST',
  path: '/api/v1/customers/:customerId/integrations/:automation/enable',
  tag: 'Integrations',
  summary: 'Re-enable a disabled integration with the flow, version and options it had',
  description: applies,
  auth: { kind: 'apiKey' },
  params: byName,
  paramsNotFound: 'integration_not_found',
  bodyOptional: true,
  responses: { 200: { description: 'The integration, enabled', schema: integration } },
  errors: { 404: 'integration_not_found', 409: 'flow_deleted: the flow behind it was deleted; enable the automation on another flow' },
  async handler({ params, customer, principal, deps }) {
    const r = await setIntegrationEnabled(deps.sql, customer.id, params.automation, true);
    await auditIntegration(deps.sql, principal, customer, 'integration.reenable', r.id, params.automation);
    return { status: 200, body: r };
  },
});

export const deleteIntegrationRoute = defineRoute({
  operationId: 'deleteIntegration',
  method: 'DELETE',
  path: '/api/v1/customers/:customerId/integrations/:automation',
  tag: 'Integrations',
  summary: 'Delete an integration (its runs stay); the named URL answers 404 automation_not_found',
  description: applies,
  auth: { kind: 'apiKey' },
  params: byName,
  paramsNotFound: 'integration_not_found',
  responses: { 200: { description: 'Deleted', schema: z.object({ deleted: z.literal(true), automation: z.string() }) } },
  errors: { 404: 'integration_not_found' },
  async handler({ params, customer, principal, deps }) {
    await deleteIntegration(deps.sql, customer.id, params.automation);
    await auditIntegration(deps.sql, principal, customer, 'integration.delete', null, params.automation);
    return { status: 200, body: { deleted: true, automation: params.automation } };
  },
});

function auditIntegration(sql: postgres.Sql, principal: KeyPrincipal, customer: CustomerRef, action: string, id: string | null, automation: string): Promise<void> {
  return recordAudit(sql, { vendorId: principal.vendorId, customerId: customer.id, actor: keyActor(principal), action, target: { kind: 'integration', id, label: `${automation} for ${customer.externalId}` } });
}
