// Test runs from the editor: the unsaved definition runs in test mode for one customer of the vendor,
// with that customer's connections and integration options, and is recorded like any run.
import type postgres from 'postgres';
import { checkTriggerInput, compileFlow, registry, type CompiledFlow, type StepRecord, type TriggerField } from '@/engine';
import type { EngineHost, ExecuteOutcome } from '../engine-host/host';
import { NotFound } from '../errors';
import { getFlow } from '../flows/flows';
import { resolveCustomer, type CustomerRef } from '../tenancy/customers';

/** The named customer, else "demo", else the vendor's oldest customer; null when the vendor has none. */
export async function pickTestCustomer(sql: postgres.Sql, vendorId: string, externalId?: string): Promise<CustomerRef | null> {
  if (externalId) return resolveCustomer(sql, vendorId, externalId);
  const rows = await sql<{ external_id: string }[]>`
    select external_id from customers where vendor_id = ${vendorId} order by (external_id = 'demo') desc, created_at limit 1`;
  return rows.length ? resolveCustomer(sql, vendorId, rows[0].external_id) : null;
}

/** Throws the engine's `invalid_flow` error (with every issue in `details`) when the definition cannot run. */
export function compileForTest(definition: unknown): CompiledFlow {
  return compileFlow(definition, registry);
}

/** Throws NotFound flow_not_found when the flow is not the vendor's. */
export async function runTestFlow(sql: postgres.Sql, host: EngineHost, p: { vendorId: string; flowId: string; compiled: CompiledFlow; input: unknown; customer: CustomerRef }): Promise<ExecuteOutcome & { steps: StepRecord[] }> {
  if (!(await getFlow(sql, p.vendorId, p.flowId))) throw new NotFound('flow_not_found', `No flow "${p.flowId}"`);
  const [integ] = await sql<{ options: Record<string, unknown> }[]>`
    select options from integrations where customer_id = ${p.customer.id} and automation = ${p.compiled.flow.automation}`;
  const out = await host.execute({
    vendorId: p.vendorId,
    customer: { id: p.customer.id, defaultCountry: p.customer.defaultCountry },
    flowId: p.flowId,
    flowVersion: null,
    compiled: p.compiled,
    options: { ...p.compiled.flow.options, ...(integ?.options ?? {}) },
    trigger: p.input,
    mode: 'test',
    recordNow: true,
  });
  return { ...out, steps: out.result?.steps ?? [] };
}

/** What the automation URL would answer 400 for: the trigger's declared fields missing or mistyped in `input`. */
export function triggerProblems(compiled: CompiledFlow, input: unknown): { path: string; message: string }[] {
  const node = compiled.nodes.get(compiled.triggerId);
  const params = compiled.flow.nodes.find((n) => n.id === compiled.triggerId)?.params ?? {};
  const parsed = node?.block.params.safeParse(params);
  const fields = parsed?.success ? ((parsed.data as { fields?: TriggerField[] }).fields ?? []) : [];
  return checkTriggerInput(fields, input);
}
