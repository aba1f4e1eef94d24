// Staff API: test-running an unsaved definition with one of the vendor's customers' connections.
import { z } from 'zod';
import { InvalidInput, NotFound } from '../../errors';
import { getFlow } from '../../flows/flows';
import { compileForTest, pickTestCustomer, runTestFlow, triggerProblems } from '../../runs/test-run';
import type { TestRunResult } from '../../staff-api/contract';
import { stepToWire } from '../../staff-api/wire-shapes';
import { defineRoute } from '../route';
import { flowParams } from './flows';
import { runStatus, runStep } from './shapes';

export const testRunRoute = defineRoute({
  operationId: 'staffTestRun', method: 'POST', path: '/api/staff/flows/:id/test-run', tag: 'Staff: flows',
  summary: 'Run an unsaved definition with a sample input for one of the vendor\'s customers (real connections: a CRM step may write)',
  auth: { kind: 'staffSession', role: 'editor' },
  params: flowParams, paramsNotFound: 'flow_not_found',
  body: z.object({ definition: z.unknown(), input: z.unknown().default({}), customer: z.string().min(1).max(200).optional() }),
  responses: {
    200: {
      description: 'The run, step by step',
      schema: z.object({ runId: z.string(), status: runStatus, response: z.looseObject({ status: z.number(), body: z.unknown() }).nullable(), error: z.unknown(), steps: z.array(runStep) }),
    },
  },
  errors: { 400: 'invalid_flow, invalid_input naming the input field, customer_not_found, no_customer', 404: 'flow_not_found' },
  async handler({ params, body, deps, staff }) {
    // Another vendor's flow is a 404 before anything about the body or this vendor's customers is said (the
    // body was parsed already, so only its shape, never this vendor's data, can have answered first).
    if (!(await getFlow(deps.sql, staff.vendorId, params.id))) throw new NotFound('flow_not_found', `No flow "${params.id}"`);
    const customer = await pickTestCustomer(deps.sql, staff.vendorId, body.customer);
    if (!customer) {
      throw body.customer
        ? new InvalidInput(`No customer "${body.customer}": test runs use one of your customers' connections`, ['customer'], {}, 'customer_not_found')
        : new InvalidInput('Test runs use a customer’s connections, and this workspace has no customer yet: create one first', ['customer'], {}, 'no_customer');
    }
    const compiled = compileForTest(body.definition);
    const problems = triggerProblems(compiled, body.input);
    if (problems.length) {
      throw new InvalidInput(`Test input: ${problems[0].message}`, ['input', ...(problems[0].path ? problems[0].path.split('.') : [])], { issues: problems.map((p) => ({ path: ['input', ...p.path.split('.').filter(Boolean)], message: p.message })) });
    }
    const out = await runTestFlow(deps.sql, deps.host, { vendorId: staff.vendorId, flowId: params.id, compiled, input: body.input, customer });
    const result: TestRunResult = { runId: out.runId, status: out.status, response: out.response ?? null, error: out.error ?? null, steps: out.steps.map(stepToWire) };
    return { status: 200, body: result };
  },
});
