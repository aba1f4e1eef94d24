// One run for the run page: the recorded run with its steps, the customer's own id and the flow's name.
// A run still in the recorder's buffer (finished a few ms ago) is served from memory.
import type postgres from 'postgres';
import type { RunRecord } from '../engine-host/run-recorder';
import { readRun, type RunView } from './read-run';

export interface RunDetailView extends RunView { flowName: string | null }

export async function readRunDetail(sql: postgres.Sql, vendorId: string, id: string, pending?: RunRecord): Promise<RunDetailView | null> {
  let run: RunView | null = null;
  if (pending && pending.vendorId === vendorId) {
    const [c] = pending.customerId ? await sql<{ external_id: string }[]>`select external_id from customers where id = ${pending.customerId}` : [];
    run = {
      id: pending.id, status: pending.status, automation: pending.automation, customerId: pending.customerId, customerExternalId: c?.external_id ?? null,
      mode: pending.mode, flowId: pending.flowId, flowVersion: pending.flowVersion, startedAt: pending.startedAt.toISOString(),
      finishedAt: pending.finishedAt?.toISOString() ?? null, durationMs: pending.durationMs, trigger: pending.trigger, response: pending.response, error: pending.error,
      fallbackReason: pending.fallbackReason ?? null,
      steps: pending.steps.map((s) => ({ ...s, error: s.error ?? null, port: s.port ?? null })),
      ...(pending.explanation ? { explanation: pending.explanation } : {}),
    };
  } else {
    run = await readRun(sql, vendorId, id);
  }
  if (!run) return null;
  // A deleted flow keeps its name here: the run happened under it.
  const [f] = run.flowId ? await sql<{ name: string }[]>`select name from flows where id = ${run.flowId} and vendor_id = ${vendorId}` : [];
  return { ...run, flowName: f?.name ?? null };
}
