import type postgres from 'postgres';

export interface RunView {
  id: string; status: string; automation: string; customerId: string | null; customerExternalId?: string | null; mode: string;
  flowId?: string | null; flowVersion?: number | null;
  startedAt: string; finishedAt: string | null; durationMs: number | null; trigger: unknown; response: unknown; error: unknown;
  /** Why the response is the flow's fallback answer: `failed` or `deadline` (the error names the step); null: it is not. */
  fallbackReason?: string | null;
  steps: { seq: number; nodeId: string; blockId: string; status: string; input: unknown; output: unknown; port: string | null; error: unknown; requestLog?: unknown; startedAt: string; durationMs: number }[];
}

/** A run of this vendor with its steps, or null (also for another vendor's run). */
export async function readRun(sql: postgres.Sql, vendorId: string, id: string): Promise<RunView | null> {
  const rows = await sql<any[]>`
    select r.*, c.external_id as customer_external_id from runs r left join customers c on c.id = r.customer_id
    where r.id = ${id} and r.vendor_id = ${vendorId}`;
  if (!rows.length) return null;
  const r = rows[0];
  const response = r.response as { status?: number; body?: unknown } | null;
  // respond steps are stored once, as the run's response, and a trigger step's output as its trigger (see run-recorder)
  const echo = response ? { status: response.status, body: response.body } : null;
  const steps: RunView['steps'] = ((r.steps ?? []) as any[]).map((s) => ({
    seq: s.seq, nodeId: s.nodeId, blockId: s.blockId, status: s.status,
    input: s.asResponse && echo ? echo : s.input, output: s.asResponse && echo ? echo : s.asTrigger ? r.trigger : s.output,
    port: s.port, error: s.error ?? null, requestLog: s.requestLog ?? undefined, startedAt: new Date(s.startedAt).toISOString(), durationMs: s.durationMs,
  }));
  return {
    id: r.id, status: r.status, automation: r.automation, customerId: r.customer_id, customerExternalId: r.customer_external_id, mode: r.mode,
    flowId: r.flow_id, flowVersion: r.flow_version,
    startedAt: new Date(r.started_at).toISOString(), finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null, durationMs: r.duration_ms,
    trigger: r.trigger, response: r.response, error: r.error, fallbackReason: r.fallback_reason ?? null,
    steps,
  };
}
