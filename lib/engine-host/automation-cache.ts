// The hot path never parses a flow: compiled flows are cached by (flow, version) forever (versions are
// immutable) and the customer's automation → version binding is re-read at most every few seconds.
import type postgres from 'postgres';
import { compileFlow, DEFAULT_DEADLINE_MS, recordingSchema, registry, type CompiledFlow, type RecordingPolicy, type TriggerField } from '@/engine';
import { envValue } from '../config';

export interface ResolvedAutomation {
  flowId: string;
  version: number;
  compiled: CompiledFlow;
  options: Record<string, unknown>;
  triggerFields: TriggerField[];
  /**
   * The deadline of a synchronous call: the integration's, else the flow's, else DEFAULT_DEADLINE_MS when the flow
   * has a fallback answer; null: the host's flow timeout (PATCHBAY_FLOW_TIMEOUT_MS).
   */
  deadlineMs: number | null;
  /** Recording policy: the integration's override, else the flow's; null: the default (lib/runs/recording-policy.ts). */
  recording: RecordingPolicy | null;
  /** The customer's "trace the next N runs" switch as the database had it (lib/runs/trace-switch.ts). */
  trace: { runs: number; setAt: Date | null };
}

type BindingRow = { flow_id: string; version: number; options: Record<string, unknown>; deadline_ms: number | null; automation: string; recording: unknown; trace_runs: number; trace_set_at: Date | null };

let bindingTtlMs: number | undefined;
const compiledCache = new Map<string, CompiledFlow>();
/** `disabled`: the integration is switched off — 'paused' when a template the customer paused did it, else 'disabled'. */
const bindings = new Map<string, { value: ResolvedAutomation | null; disabled?: 'disabled' | 'paused' | false; expires: number }>();

export function compileCached(flowId: string, version: number, definition: unknown): CompiledFlow {
  const k = `${flowId}@${version}`;
  let c = compiledCache.get(k);
  if (!c) {
    c = compileFlow(definition, registry);
    if (compiledCache.size > 5000) compiledCache.clear();
    compiledCache.set(k, c);
  }
  return c;
}

export async function resolveAutomation(sql: postgres.Sql, customerId: string, automation: string): Promise<ResolvedAutomation | null> {
  const k = `${customerId}|${automation}`;
  const now = Date.now();
  const hit = bindings.get(k);
  if (hit && hit.expires > now) return hit.value;
  // `enabled` is read rather than filtered on, so a disabled integration is told apart from a missing one for free.
  const rows = await sql<(BindingRow & { enabled: boolean; from_template: boolean })[]>`
    select i.flow_id, coalesce(i.flow_version, f.published_version) as version, i.options, i.deadline_ms, i.automation, i.enabled,
      i.recording, c.trace_runs, c.trace_set_at, i.customer_template_id is not null as from_template
    from integrations i join flows f on f.id = i.flow_id join customers c on c.id = i.customer_id
    where i.customer_id = ${customerId} and i.automation = ${automation} and f.deleted_at is null
      and coalesce(i.flow_version, f.published_version) is not null`;
  // Switched off by a template the customer paused, or through the integrations API.
  const disabled = rows.length > 0 && !rows[0].enabled ? (rows[0].from_template ? 'paused' as const : 'disabled' as const) : false;
  const value = rows.length && !disabled ? await toResolved(sql, rows[0]) : null;
  remember(k, value, now, disabled);
  return value;
}

/**
 * After resolveAutomation answered null: why it is switched off, from the same read — 'paused' (a template the
 * customer paused in the portal), 'disabled' (the integration was disabled through the API), or null (missing).
 */
export function automationOffReason(customerId: string, automation: string): 'paused' | 'disabled' | null {
  return bindings.get(`${customerId}|${automation}`)?.disabled || null;
}

/**
 * The customer's enabled automation that answers this phone-system event on the webhook (its integration lists
 * the event in `answer_events`), with its automation name; null when none does (the event is queued as usual).
 */
export async function resolveAnsweringAutomation(sql: postgres.Sql, customerId: string, event: string): Promise<(ResolvedAutomation & { automation: string }) | null> {
  const k = `${customerId}|answers:${event}`;
  const now = Date.now();
  const hit = bindings.get(k);
  if (hit && hit.expires > now) return hit.value as (ResolvedAutomation & { automation: string }) | null;
  const rows = await sql<BindingRow[]>`
    select i.flow_id, coalesce(i.flow_version, f.published_version) as version, i.options, i.deadline_ms, i.automation,
      i.recording, c.trace_runs, c.trace_set_at
    from integrations i join flows f on f.id = i.flow_id join customers c on c.id = i.customer_id
    where i.customer_id = ${customerId} and ${event} = any(i.answer_events) and i.enabled and f.deleted_at is null
      and coalesce(i.flow_version, f.published_version) is not null
    order by i.automation limit 1`;
  const value = rows.length ? { ...(await toResolved(sql, rows[0])), automation: rows[0].automation } : null;
  remember(k, value, now);
  return value;
}

async function toResolved(sql: postgres.Sql, r: BindingRow): Promise<ResolvedAutomation> {
  let compiled = compiledCache.get(`${r.flow_id}@${r.version}`);
  if (!compiled) {
    const [v] = await sql<{ definition: unknown }[]>`select definition from flow_versions where flow_id = ${r.flow_id} and version = ${r.version}`;
    compiled = compileCached(r.flow_id, r.version, v.definition);
  }
  const trigger = compiled.nodes.get(compiled.triggerId)!;
  const triggerParams = compiled.flow.nodes.find((n) => n.id === compiled!.triggerId)?.params ?? {};
  const parsed = trigger.block.params.safeParse(triggerParams);
  return {
    flowId: r.flow_id,
    version: r.version,
    compiled,
    options: { ...compiled.flow.options, ...r.options },
    triggerFields: parsed.success ? ((parsed.data as { fields?: TriggerField[] }).fields ?? []) : [],
    deadlineMs: r.deadline_ms ?? compiled.flow.deadlineMs ?? (compiled.fallback ? DEFAULT_DEADLINE_MS : null),
    recording: (r.recording ? recordingSchema.safeParse(r.recording).data : undefined) ?? compiled.flow.recording ?? null,
    trace: { runs: r.trace_runs, setAt: r.trace_set_at },
  };
}

function remember(k: string, value: ResolvedAutomation | null, now: number, disabled: 'disabled' | 'paused' | false = false): void {
  if (bindings.size > 50_000) bindings.clear();
  bindings.set(k, { value, disabled, expires: now + (bindingTtlMs ??= envValue('PATCHBAY_AUTOMATION_CACHE_MS') ?? 2000) });
}

export function invalidateAutomations(): void { bindings.clear(); }

/** A change made by this process applies to its next request at once (others re-read within the cache time). */
export function invalidateAutomation(customerId: string, automation: string): void {
  bindings.delete(`${customerId}|${automation}`);
  // Which automation answers an event on the webhook may have changed too.
  for (const k of bindings.keys()) if (k.startsWith(`${customerId}|answers:`)) bindings.delete(k);
}

