// POST /api/v1/customers/{customerId}/automations/{name}: runs the customer's enabled automation. The hot
// path (caller_lookup): key and customer from the edge's caches, compiled flow from the automation cache,
// one indexed CDP query, the respond.json body out.
import { z } from 'zod';
import { AUTOMATION_NAME, checkTriggerInput } from '@/engine';
import { ApiError, Conflict, InvalidInput, NotFound, Unavailable } from '../../errors';
import { automationOffReason, resolveAutomation } from '../../engine-host/automation-cache';
import { newRunId } from '../../runs/run-id';
import { sendJson } from '../http-io';
import { defineRoute, type Reply } from '../route';

const queued = z.object({ runId: z.string(), status: z.enum(['queued', 'waiting']), links: z.object({ run: z.string() }).optional() });

export const runAutomation = defineRoute({
  operationId: 'runAutomation',
  method: 'POST',
  path: '/api/v1/customers/:customerId/automations/:name',
  tag: 'Automations',
  summary: 'Run a named automation',
  description: 'Runs the customer\'s enabled automation synchronously and answers with what its respond.json block produced (any JSON). '
    + 'The body is the trigger input; its declared fields are checked. `?async=true` queues the run and answers 202 with its id. '
    + 'Every run is counted; whether it is stored in full follows the automation\'s recording policy: `X-Patchbay-Trace: 1` (vendor key) stores this one.',
  auth: { kind: 'apiKey', customerKeys: true },
  params: z.object({ customerId: z.string().describe("The vendor's own id of the customer"), name: z.string().regex(AUTOMATION_NAME, 'automation names are lower_snake_case').describe('Automation name, e.g. caller_lookup') }),
  paramsNotFound: 'automation_not_found',
  query: z.object({ async: z.enum(['true', 'false'], { error: 'true or false' }).optional().describe('true: queue the run and answer 202 at once') }),
  body: z.record(z.string(), z.unknown()).describe('The trigger input, e.g. {"phone":"+1 415-704-0007"} for caller_lookup'),
  responses: {
    200: { description: 'What the flow\'s respond.json block produced (its status may differ), the flow\'s fallback answer when a step failed or the deadline passed, or {runId,status} when the flow responds nothing', schema: z.unknown(), headers: { 'x-patchbay-run-id': 'The run\'s id', 'x-patchbay-fallback': 'Present when the answer is the flow\'s fallback: failed or deadline' } },
    202: { description: 'Queued (async=true) or waiting on a durable step', schema: queued },
  },
  errors: { 404: 'automation_not_found / customer_not_found / automation_disabled (the integration is disabled)', 409: 'automation_paused: the customer paused the template this automation belongs to (portal or PUT …/templates/{id}/status); it answers again once resumed', 502: 'run_failed: the flow failed without an answer', 503: 'jobs_unavailable', 504: 'timeout: the flow ran past its deadline (the flow\'s or integration\'s deadlineMs, else PATCHBAY_FLOW_TIMEOUT_MS) and has no fallback answer (runId given)' },
  async handler({ req, res, params, query, body, principal, customer, deps }): Promise<Reply | void> {
    const arrivedAt = Date.now();
    const { name } = params;
    const automation = await resolveAutomation(deps.sql, customer.id, name);
    if (!automation) {
      // Why it is off comes from the same binding read (no extra query): a paused template answers 409 (it comes back once
      // the customer resumes it), an integration disabled through the API 404 automation_disabled.
      const off = automationOffReason(customer.id, name);
      if (off === 'paused') throw new Conflict('automation_paused', `Customer "${customer.externalId}" paused the automation "${name}": it answers again once resumed`);
      if (off === 'disabled') throw new NotFound('automation_disabled', `Customer "${customer.externalId}"'s automation "${name}" is disabled (POST /api/v1/customers/${customer.externalId}/integrations/${name}/enable turns it back on)`);
      throw new NotFound('automation_not_found', `Customer "${customer.externalId}" has no enabled automation "${name}"`);
    }
    const problems = checkTriggerInput(automation.triggerFields, body);
    if (problems.length) throw new InvalidInput(problems[0].message, problems[0].path ? problems[0].path.split('.') : [], { issues: problems });
    if (query.async === 'true') {
      const runId = newRunId();
      await deps.host.recorder.recordNow({
        id: runId, vendorId: principal.vendorId, customerId: customer.id, flowId: automation.flowId, flowVersion: automation.version, automation: name,
        mode: 'live', status: 'queued', trigger: body, response: null, error: null, startedAt: new Date(), finishedAt: null, durationMs: null, steps: [],
      });
      if (!deps.host.opts.enqueueRun) throw new Unavailable('jobs_unavailable', 'The job engine is not running; try again shortly');
      await deps.host.opts.enqueueRun(runId);
      return { status: 202, body: { runId, status: 'queued', links: { run: `/api/v1/runs/${runId}` } }, headers: { location: `/api/v1/runs/${runId}` } };
    }
    // Traced runs are recorded in full whatever the policy: on request (X-Patchbay-Trace: 1 with the vendor's
    // key) or while the customer's "trace the next N runs" switch lasts (lib/runs/trace-switch.ts).
    const trace = deps.host.trace;
    trace.observe(customer.id, automation.trace.runs, automation.trace.setAt);
    const out = await deps.host.execute({
      vendorId: principal.vendorId, customer: { id: customer.id, defaultCountry: customer.defaultCountry },
      flowId: automation.flowId, flowVersion: automation.version, compiled: automation.compiled, options: automation.options, trigger: body,
      synchronous: true, recording: automation.recording, traced: (req.headers['x-patchbay-trace'] === '1' && !principal.customerId) || trace.take(customer.id),
      timeoutMs: automation.deadlineMs ?? undefined, fallbackOnDeadline: true, arrivedAt,
    });
    if (out.status === 'timeout' && !out.response) throw new ApiError(504, 'timeout', out.error!.message, { runId: out.runId });
    if (out.response) {
      const headers = out.fallback ? { 'x-patchbay-run-id': out.runId, 'x-patchbay-fallback': out.fallback, ...out.response.headers } : { 'x-patchbay-run-id': out.runId, ...out.response.headers };
      const sent = sendJson(res, out.response.status, out.response.body, headers);
      // The run record stores the body as sent instead of serialising it again.
      if (out.record && out.record.response === out.response) out.record.responseBodyJson = sent;
      return;
    }
    if (out.status === 'failed') throw new ApiError(502, out.error?.code ?? 'run_failed', out.error?.message ?? 'The flow failed', { runId: out.runId, nodeId: out.error?.nodeId });
    if (out.status === 'waiting') return { status: 202, body: { runId: out.runId, status: 'waiting' }, headers: { 'x-patchbay-run-id': out.runId } };
    return { status: 200, body: { runId: out.runId, status: out.status }, headers: { 'x-patchbay-run-id': out.runId } };
  },
});
