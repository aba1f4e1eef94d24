import type postgres from 'postgres';
import { completeOnRead } from '../cdp/explain-miss';
import { compileCached } from '../engine-host/automation-cache';

export interface RunView {
  id: string; status: string; automation: string; customerId: string | null; customerExternalId?: string | null; mode: string;
  flowId?: string | null; flowVersion?: number | null;
  startedAt: string; finishedAt: string | null; durationMs: number | null; trigger: unknown; response: unknown; error: unknown;
  /** Why the response is the flow's fallback answer: `failed` or `deadline` (the error names the step); null: it is not. */
  fallbackReason?: string | null;
  /** Why a caller lookup found nobody (lib/cdp/explain-miss.ts); absent for other runs. */
  explanation?: unknown;
  steps: { seq: number; nodeId: string; blockId: string; status: string; input: unknown; output: unknown; port: string | null; error: unknown; requestLog?: unknown; startedAt: string; durationMs: number; attempts?: number; errorHandled?: 'continue' | 'error' }[];
}

/** The block of each node of a flow version (compact step records leave blockId out: run-recorder.ts). */
async function blocksOf(sql: postgres.Sql, flowId: string, version: number): Promise<Map<string, string>> {
  const [v] = await sql<{ definition: unknown }[]>`select definition from flow_versions where flow_id = ${flowId} and version = ${version}`;
  const out = new Map<string, string>();
  if (!v) return out;
  try {
    for (const [id, n] of compileCached(flowId, version, v.definition).nodes) out.set(id, n.block.id);
  } catch { /* a version that no longer compiles: the steps show no block */ }
  return out;
}

/** Puts back what a step output shares with the response body (`{"$body": field}`). */
function withBody(output: unknown, body: unknown): unknown {
  const ref = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { $body?: unknown }).$body === 'string' ? (v as { $body: string }).$body : undefined);
  const at = (k: string) => (k === '' ? body : (body as Record<string, unknown> | null)?.[k]);
  const whole = ref(output);
  if (whole !== undefined) return at(whole);
  if (output === null || typeof output !== 'object' || Array.isArray(output)) return output;
  return Object.fromEntries(Object.entries(output).map(([k, v]) => { const r = ref(v); return [k, r === undefined ? v : at(r)]; }));
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
  const raw = (r.steps ?? []) as any[];
  const blocks = r.flow_id && r.flow_version !== null && raw.some((s) => s.blockId === undefined) ? await blocksOf(sql, r.flow_id, r.flow_version) : null;
  const t0 = new Date(r.started_at).getTime();
  const steps: RunView['steps'] = raw.map((s) => ({
    seq: s.seq, nodeId: s.nodeId, blockId: s.blockId ?? blocks?.get(s.nodeId) ?? '', status: s.status ?? 'succeeded',
    input: s.asResponse && echo ? echo : s.input ?? null,
    output: s.asResponse && echo ? echo : s.asTrigger ? r.trigger : s.bodyRefs ? withBody(s.output, response?.body) : s.output ?? null,
    port: s.port, error: s.error ?? null, requestLog: s.requestLog ?? undefined,
    startedAt: new Date(s.at !== undefined ? t0 + s.at : s.startedAt).toISOString(), durationMs: s.durationMs,
    ...(s.attempts ? { attempts: s.attempts } : {}), ...(s.errorHandled ? { errorHandled: s.errorHandled } : {}),
  }));
  // "Why no match" whose search was skipped at the miss (rate budget): searched now, and kept.
  const explanation = r.explanation ? await completeOnRead(sql, { id: r.id, customerId: r.customer_id, automation: r.automation, steps: steps as never, explanation: r.explanation }) : null;
  return {
    id: r.id, status: r.status, automation: r.automation, customerId: r.customer_id, customerExternalId: r.customer_external_id, mode: r.mode,
    flowId: r.flow_id, flowVersion: r.flow_version,
    startedAt: new Date(r.started_at).toISOString(), finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null, durationMs: r.duration_ms,
    trigger: r.trigger, response: r.response, error: r.error, fallbackReason: r.fallback_reason ?? null,
    ...(explanation ? { explanation } : {}),
    steps,
  };
}
