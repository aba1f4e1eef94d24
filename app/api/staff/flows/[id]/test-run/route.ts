import { z } from 'zod';
import { json, withStaff } from '@/lib/auth/with-staff';
import { getHost } from '@/lib/engine-host/host';
import { InvalidInput } from '@/lib/errors';
import { compileForTest, pickTestCustomer, runTestFlow, triggerProblems } from '@/lib/runs/test-run';
import { readBody, requireUuid } from '@/lib/staff-api/parse-input';
import type { TestRunResult } from '@/lib/staff-api/contract';
import { stepToWire } from '@/lib/staff-api/wire-shapes';

const Body = z.object({ definition: z.unknown(), input: z.unknown().default({}), customer: z.string().min(1).max(200).optional() });

// Runs with real connections (a CRM step may write), so it needs editor rights like saving does.
export const POST = withStaff<{ id: string }>(async ({ req, params, sql, vendorId }) => {
  const id = requireUuid(params.id, 'flow');
  const body = await readBody(req, Body);
  const customer = await pickTestCustomer(sql, vendorId, body.customer);
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
  const out = await runTestFlow(sql, getHost(), { vendorId, flowId: id, compiled, input: body.input, customer });
  const result: TestRunResult = { runId: out.runId, status: out.status, response: out.response ?? null, error: out.error ?? null, steps: out.steps.map(stepToWire) };
  return json(result);
}, { role: 'editor' });
