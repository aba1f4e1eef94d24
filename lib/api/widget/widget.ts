// The agent widget's API (issue 16, item 6), called from the vendor's agent desktop with the widget token:
// the script itself, the caller card of the current call, and running one of the widget's actions. CORS:
// the edge answers preflights and echoes the Origin; a page outside the vendor's allowed origins gets 403.
import { z } from 'zod';
import { checkTriggerInput } from '@/engine';
import { InvalidInput, NotFound } from '../../errors';
import { textProblem } from '../input-guard';
import { getWidgetAction } from '../../embed/embed-settings';
import { resolveAutomation } from '../../engine-host/automation-cache';
import { buildCallerCard } from '../../widget/caller-card';
import { WIDGET_SCRIPT } from '../../widget/widget-client';
import { defineRoute } from '../route';

const customerParam = z.string().describe("The vendor's own id of the customer (the token must be this customer's)");
// Query strings are not walked by the body guard: NUL or a lone surrogate is refused here (PostgreSQL would).
const storable = (s: string) => textProblem(s) === null;
const phone = z.string().trim().min(1, 'a phone number').max(40, 'at most 40 characters').refine(storable, 'holds a NUL character or an unpaired surrogate');
const callId = z.string().min(1, 'a call id').max(200, 'at most 200 characters').refine(storable, 'holds a NUL character or an unpaired surrogate');

let scriptBytes: Buffer | null = null;

export const widgetScript = defineRoute({
  operationId: 'widgetScript',
  method: 'GET',
  path: '/api/widget/v1/widget.js',
  tag: 'Agent widget',
  summary: 'The widget script for the agent desktop (one <script> tag; no framework needed)',
  description: '<script src="{patchbay}/api/widget/v1/widget.js" data-customer="acme" data-token="pbw_…" data-phone="+14155550123"></script> '
    + 'mounts a <patchbay-widget> (shadow DOM) after the tag; or call window.PatchbayWidget.mount(target, {customer, token, getToken, phone, callId}) '
    + 'and element.setCall({phone, callId}) when the current call changes.',
  auth: { kind: 'none' },
  responses: { 200: { description: 'JavaScript (text/javascript)', contentType: 'text/javascript' } },
  async handler({ res }) {
    scriptBytes ??= Buffer.from(WIDGET_SCRIPT, 'utf8');
    res.writeHead(200, {
      'content-type': 'text/javascript; charset=utf-8', 'content-length': scriptBytes.length, 'cache-control': 'public, max-age=300',
      'cross-origin-resource-policy': 'cross-origin',
    });
    res.end(scriptBytes);
  },
});

const card = z.object({
  customer: z.object({ id: z.string(), name: z.string() }),
  brand: z.object({ name: z.string().nullable(), primaryColor: z.string().nullable() }),
  phone: z.string().nullable(),
  call: z.object({
    callId: z.string(), state: z.string(), direction: z.string().nullable(), from: z.string().nullable(), to: z.string().nullable(),
    agentEmail: z.string().nullable(), startedAt: z.string().nullable(),
  }).nullable(),
  contact: z.object({
    source: z.string(), externalId: z.string(), displayName: z.string(), company: z.string().nullable(), email: z.string().nullable(),
    phones: z.array(z.string()), crmUrl: z.string().nullable(), custom: z.record(z.string(), z.unknown()),
  }).nullable(),
  actions: z.array(z.object({ key: z.string(), label: z.string(), automation: z.string() })),
});

export const widgetCard = defineRoute({
  operationId: 'widgetCallerCard',
  method: 'GET',
  path: '/api/widget/v1/customers/:customerId/card',
  tag: 'Agent widget',
  summary: 'The caller card for the current call, and the actions the widget offers',
  description: 'The caller is looked up in the customer\'s CDP by `phone` (any format; national numbers take the customer\'s default country), '
    + 'else by the remote party of the call session `callId`. Actions are the vendor\'s widget actions whose automation this customer has enabled.',
  auth: { kind: 'widgetToken' },
  params: z.object({ customerId: customerParam }),
  query: z.object({ phone: phone.optional().describe('The caller\'s number'), callId: callId.optional().describe('The phone system\'s call id') }),
  responses: { 200: { description: 'The caller card', schema: card } },
  errors: { 403: 'origin_not_allowed: the page is not one of the vendor\'s allowed origins' },
  async handler({ query, customer, deps }) {
    return { status: 200, body: await buildCallerCard(deps.sql, customer, query) };
  },
});

const ran = z.object({
  ok: z.boolean().describe('The run succeeded and its answer is not an HTTP error'),
  runId: z.string(),
  status: z.string().describe('The run\'s status: succeeded, failed, timeout, waiting …'),
  responseStatus: z.number().nullable(),
  response: z.unknown().describe('What the automation\'s respond.json block answered (the widget shows its `message` when it has one)'),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const runWidgetAction = defineRoute({
  operationId: 'runWidgetAction',
  method: 'POST',
  path: '/api/widget/v1/customers/:customerId/actions/:action/run',
  tag: 'Agent widget',
  summary: 'Run a widget action: its named automation, for this customer, with the current call',
  description: 'The automation gets {"phone","callId","action","source":"widget"} as its trigger input and runs synchronously; '
    + 'the answer says whether it worked and what it answered (a failed run is a 200 with ok=false and the error in plain words).',
  auth: { kind: 'widgetToken' },
  params: z.object({ customerId: customerParam, action: z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, 'an action key') }),
  paramsNotFound: 'action_not_found',
  body: z.object({ phone: phone.optional(), callId: callId.optional() }),
  bodyOptional: true,
  bodyLimit: 16 * 1024,
  responses: { 200: { description: 'The run and what it answered', schema: ran, headers: { 'x-patchbay-run-id': 'The run\'s id' } } },
  errors: { 403: 'origin_not_allowed: the page is not one of the vendor\'s allowed origins', 404: 'action_not_found / automation_not_found (not enabled for this customer) / customer_not_found' },
  async handler({ params, body, customer, deps }) {
    const action = await getWidgetAction(deps.sql, customer.vendorId, params.action);
    if (!action) throw new NotFound('action_not_found', `The widget has no action "${params.action}"`);
    const automation = await resolveAutomation(deps.sql, customer.id, action.automation);
    if (!automation) throw new NotFound('automation_not_found', `"${action.label}" is not enabled for this customer (automation ${action.automation})`);
    const trigger: Record<string, string> = { action: action.key, source: 'widget' };
    if (body.phone) trigger.phone = body.phone;
    if (body.callId) trigger.callId = body.callId;
    const problems = checkTriggerInput(automation.triggerFields, trigger);
    if (problems.length) throw new InvalidInput(`${action.label} needs more than the widget knows: ${problems[0].message}`, problems[0].path ? problems[0].path.split('.') : [], { issues: problems });
    const out = await deps.host.execute({
      vendorId: customer.vendorId, customer: { id: customer.id, defaultCountry: customer.defaultCountry },
      flowId: automation.flowId, flowVersion: automation.version, compiled: automation.compiled, options: automation.options, trigger,
    });
    const responseStatus = out.response?.status ?? null;
    const ok = out.status === 'succeeded' && (responseStatus === null || responseStatus < 400);
    const error = out.error ? { code: out.error.code ?? 'run_failed', message: out.error.message ?? 'The automation failed' }
      : !ok && responseStatus !== null ? { code: `http_${responseStatus}`, message: `The automation answered ${responseStatus}` } : null;
    return {
      status: 200,
      body: { ok, runId: out.runId, status: out.status, responseStatus, response: out.response?.body ?? null, error },
      headers: { 'x-patchbay-run-id': out.runId },
    };
  },
});
