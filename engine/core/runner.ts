// Walks a compiled flow from its trigger: evaluates each node's params against the run scope,
// validates them with the block's schema, runs the block, records the step, follows the chosen port.
import type { ZodError } from 'zod';
import type { CompiledFlow, CompiledNode } from './compile-flow';
import { humanizeParam, type BlockResult, type RunContext, type StepRecord, type WouldDo } from './define-block';
import { PatchbayError, serializeError, type SerializedError } from './errors';
import type { ExpressionScope } from './expressions';
import { ERROR_PORT } from './flow-schema';

export interface RunState {
  trigger: unknown;
  outputs: Record<string, unknown>;
  queue: string[];
  seq: number;
}

export interface RunResult {
  status: 'succeeded' | 'failed' | 'waiting';
  response?: { status: number; body: unknown; headers?: Record<string, string> };
  steps: StepRecord[];
  error?: SerializedError;
  /** The run failed and the flow's fallback answer is the response. */
  fallback?: boolean;
  /** Present when status is `waiting`: persist it and resume at `resumeAt`. */
  state?: RunState;
  resumeAt?: Date;
  durationMs: number;
}

export interface RunOptions {
  /** Resume a suspended run instead of starting from the trigger. */
  resume?: RunState;
  /** Called as soon as a respond block produced the answer (the run may go on). */
  onRespond?: (response: NonNullable<RunResult['response']>) => void;
  /** Record full inputs/outputs (test mode) or only sizes on the hot path. */
  maxSteps?: number;
  /** Filled as the run goes: the host reads it when a deadline passes (which step was in flight, since when). */
  progress?: RunProgress;
}

/** Where a run is: the step in flight (its node, `performance.now()` when it started) and the scope so far. */
export interface RunProgress {
  nodeId: string | null;
  seq: number;
  stepStartedAt: number;
  scope: ExpressionScope | null;
}

export const newRunProgress = (): RunProgress => ({ nodeId: null, seq: 0, stepStartedAt: 0, scope: null });

const parsedStatic = new WeakMap<CompiledNode, unknown>();

function formatZod(node: CompiledNode, raw: unknown, err: ZodError): { message: string; path: (string | number)[] } {
  const i = err.issues[0];
  const path = i.path as (string | number)[];
  const [key, ...rest] = path;
  const missing = key !== undefined && rest.length === 0 && (raw === null || typeof raw !== 'object' || (raw as Record<string, unknown>)[String(key)] === undefined);
  const field = key === undefined ? 'Params' : `${humanizeParam(String(key))}${rest.length ? ` (${rest.join('.')})` : ''}`;
  return { message: `${node.name} → ${field} ${missing ? 'has no value' : `: ${i.message}`}`.replace(' : ', ': '), path };
}

class ParamsError extends PatchbayError {
  constructor(message: string, readonly raw: unknown, extra: ConstructorParameters<typeof PatchbayError>[2]) { super('invalid_params', message, extra); }
}

function checkParams(node: CompiledNode, raw: unknown): unknown {
  const r = node.block.params.safeParse(raw ?? {});
  if (!r.success) {
    const { message, path } = formatZod(node, raw, r.error);
    throw new ParamsError(message, raw, { nodeId: node.id, path, details: raw });
  }
  if (node.staticParams) parsedStatic.set(node, r.data);
  return r.data;
}

/** The node's params, evaluated and validated: synchronously unless an expression needs JSONata. */
function resolveParams(node: CompiledNode, scope: ExpressionScope): unknown {
  if (node.staticParams && parsedStatic.has(node)) return parsedStatic.get(node);
  const evaluated = node.params.evaluate(scope);
  return evaluated instanceof Promise ? evaluated.then((raw) => checkParams(node, raw)) : checkParams(node, evaluated);
}

export async function runFlow(compiled: CompiledFlow, trigger: unknown, ctx: RunContext, opts: RunOptions = {}): Promise<RunResult> {
  const t0 = performance.now();
  const state: RunState = opts.resume
    ? { ...opts.resume, outputs: { ...opts.resume.outputs }, queue: [...opts.resume.queue] }
    : { trigger, outputs: {}, queue: [compiled.triggerId], seq: 0 };
  const scope: ExpressionScope = {
    trigger: state.trigger,
    steps: state.outputs,
    options: ctx.options,
    customer: ctx.customer,
    run: { id: ctx.runId, mode: ctx.mode },
  };
  const steps: StepRecord[] = [];
  let response: RunResult['response'];
  const maxSteps = opts.maxSteps ?? 1000;
  const progress = opts.progress;
  if (progress) progress.scope = scope;

  while (state.queue.length) {
    if (ctx.isCancelled ? ctx.isCancelled() : ctx.signal?.aborted) {
      return { status: 'failed', steps, response, error: { code: 'cancelled', message: 'The run was cancelled (timeout or shutdown)' }, durationMs: performance.now() - t0 };
    }
    if (state.seq >= maxSteps) {
      return fail(compiled, scope, { status: 'failed', steps, response, error: { code: 'block_failed', message: `The run exceeded ${maxSteps} steps` }, durationMs: performance.now() - t0 }, opts);
    }
    const nodeId = state.queue.shift()!;
    const node = compiled.nodes.get(nodeId)!;
    const startedAt = new Date();
    const s0 = performance.now();
    const seq = ++state.seq;
    if (progress) { progress.nodeId = nodeId; progress.seq = seq; progress.stepStartedAt = s0; }
    // A fresh log per step; an empty one (most steps make no HTTP call) is reused.
    if (!ctx.requestLog || ctx.requestLog.length) ctx.requestLog = [];
    let params: unknown;
    let result: BlockResult;
    let attempts = 1;
    let wouldDo: WouldDo | undefined;
    try {
      for (;;) {
        try {
          const resolved = resolveParams(node, scope);
          params = resolved instanceof Promise ? await resolved : resolved;
          const effect = ctx.dryRun ? node.block.effect : undefined;
          if (effect && (!effect.when || effect.when(params))) {
            wouldDo = { what: effect.what, system: effectSystem(node, params), params };
            result = effect.simulate?.(params) ?? { output: { simulated: true } };
            break;
          }
          result = await node.block.run(ctx, params, { trigger: state.trigger, nodeId });
          break;
        } catch (err) {
          if (!node.retry || attempts > node.retry.count || !isRetryable(err) || (ctx.isCancelled ? ctx.isCancelled() : ctx.signal?.aborted)) throw err;
          await sleep(node.retry.backoffMs * 2 ** (attempts - 1), ctx.signal);
          attempts++;
        }
      }
    } catch (err) {
      const error = serializeError(err, nodeId);
      // The failing step's input is what its params evaluated to, even when they did not fit the block.
      if (params === undefined && err instanceof ParamsError) params = err.raw;
      const step: StepRecord = {
        seq, nodeId, blockId: node.block.id, status: 'failed', input: params, output: null, port: null,
        startedAt: startedAt.toISOString(), durationMs: performance.now() - s0, error,
        requestLog: ctx.requestLog.length ? ctx.requestLog : undefined,
        ...(attempts > 1 ? { attempts } : {}),
      };
      steps.push(step);
      const handled = await handleError(node, error, scope);
      if (!handled) return fail(compiled, scope, { status: 'failed', steps, response, error, durationMs: performance.now() - t0 }, opts);
      step.output = handled.output;
      step.port = handled.port;
      step.errorHandled = node.onError === 'continue' ? 'continue' : 'error';
      state.outputs[nodeId] = handled.output;
      state.queue.push(...(node.next.get(handled.port) ?? []));
      continue;
    }
    const port = result.port ?? node.block.ports[0]?.id ?? null;
    state.outputs[nodeId] = result.output;
    steps.push({
      ...(attempts > 1 ? { attempts } : {}),
      // A trigger's params are flow configuration, not data: its output (the payload) is what matters.
      seq, nodeId, blockId: node.block.id, status: result.suspend && !ctx.dryRun ? 'suspended' : 'succeeded', input: node.block.isTrigger ? null : params, output: result.output, port,
      startedAt: startedAt.toISOString(), durationMs: performance.now() - s0,
      requestLog: ctx.requestLog.length ? ctx.requestLog : undefined,
      ...(wouldDo ? { wouldDo } : {}),
    });
    if (result.respond && !response) {
      response = result.respond;
      opts.onRespond?.(response);
    }
    const next = port ? node.next.get(port) ?? [] : [];
    state.queue.push(...next);
    // A dry run does not wait: it goes on as if the wait had ended.
    if (result.suspend && !ctx.dryRun) {
      return { status: 'waiting', steps, response, state, resumeAt: result.suspend.resumeAt, durationMs: performance.now() - t0 };
    }
  }
  return { status: 'succeeded', steps, response, durationMs: performance.now() - t0 };
}

/** Which system a block's effect would touch: its declared one, the connector param's value, or its connector. */
function effectSystem(node: CompiledNode, params: unknown): string | null {
  const b = node.block;
  if (b.effect?.system) return b.effect.system;
  if (b.connectorParam && params && typeof params === 'object') {
    const v = (params as Record<string, unknown>)[b.connectorParam];
    if (typeof v === 'string') return v;
  }
  return b.connector ?? null;
}

/** Errors worth another attempt: not the ones the same params would raise again. */
function isRetryable(err: unknown): boolean {
  const code = err instanceof PatchbayError ? err.code : 'block_failed';
  return !['invalid_params', 'expression_error', 'invalid_input', 'invalid_flow', 'unknown_block', 'connection_missing', 'connection_auth', 'cancelled'].includes(code);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The node's on-error setting: where the run goes on, with what output; null when it stops. */
async function handleError(node: CompiledNode, error: SerializedError, scope: ExpressionScope): Promise<{ output: unknown; port: string } | null> {
  const summary = { error: { code: error.code, message: error.message } };
  if (node.onError === 'error') return { output: summary, port: ERROR_PORT };
  if (node.onError !== 'continue' || !node.errorContinuePort) return null;
  let output: unknown = summary;
  if (node.errorOutput) {
    try {
      const v = node.errorOutput.evaluate(scope);
      output = (v instanceof Promise ? await v : v) ?? summary;
    } catch {
      output = summary;
    }
  }
  return { output, port: node.errorContinuePort };
}

/**
 * The flow's fallback answer on the run's data so far (null when the flow has none). The runner answers it when a
 * run fails; the host when a synchronous run passes its deadline.
 */
export async function fallbackResponse(compiled: CompiledFlow, scope: ExpressionScope | null): Promise<{ status: number; body: unknown } | null> {
  if (!compiled.fallback) return null;
  let body: unknown = null;
  try {
    const v = compiled.fallback.body.evaluate(scope ?? { trigger: undefined, steps: {}, options: {}, customer: undefined, run: undefined } as unknown as ExpressionScope);
    body = (v instanceof Promise ? await v : v) ?? null;
  } catch {
    // A fallback whose expression fails still answers: with no body rather than not at all.
  }
  return { status: compiled.fallback.status, body };
}

/** A failed run answers the flow's fallback when nothing answered yet (a phone system must not get a 502). */
async function fail(compiled: CompiledFlow, scope: ExpressionScope, result: RunResult, opts: RunOptions): Promise<RunResult> {
  if (result.response || !compiled.fallback) return result;
  const response = (await fallbackResponse(compiled, scope))!;
  opts.onRespond?.(response);
  return { ...result, response, fallback: true };
}
