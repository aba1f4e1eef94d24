// Walks a compiled flow from its trigger: evaluates each node's params against the run scope,
// validates them with the block's schema, runs the block, records the step, follows the chosen port.
import type { ZodError } from 'zod';
import type { CompiledFlow, CompiledNode } from './compile-flow';
import type { BlockResult, RunContext, StepRecord } from './define-block';
import { PatchbayError, serializeError, type SerializedError } from './errors';
import type { ExpressionScope } from './expressions';

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
}

const parsedStatic = new WeakMap<CompiledNode, unknown>();

function formatZod(err: ZodError): { message: string; path: (string | number)[] } {
  const i = err.issues[0];
  const path = i.path as (string | number)[];
  return { message: `${path.length ? `"${path.join('.')}"` : 'params'}: ${i.message}`, path };
}

function checkParams(node: CompiledNode, raw: unknown): unknown {
  const r = node.block.params.safeParse(raw ?? {});
  if (!r.success) {
    const { message, path } = formatZod(r.error);
    throw new PatchbayError('invalid_params', `${node.block.title} (${node.id}) got invalid params: ${message}`, { nodeId: node.id, path, details: raw });
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

  while (state.queue.length) {
    if (ctx.isCancelled ? ctx.isCancelled() : ctx.signal?.aborted) {
      return { status: 'failed', steps, response, error: { code: 'cancelled', message: 'The run was cancelled (timeout or shutdown)' }, durationMs: performance.now() - t0 };
    }
    if (state.seq >= maxSteps) {
      return { status: 'failed', steps, response, error: { code: 'block_failed', message: `The run exceeded ${maxSteps} steps` }, durationMs: performance.now() - t0 };
    }
    const nodeId = state.queue.shift()!;
    const node = compiled.nodes.get(nodeId)!;
    const startedAt = new Date();
    const s0 = performance.now();
    const seq = ++state.seq;
    // A fresh log per step; an empty one (most steps make no HTTP call) is reused.
    if (!ctx.requestLog || ctx.requestLog.length) ctx.requestLog = [];
    let params: unknown;
    let result: BlockResult;
    try {
      const resolved = resolveParams(node, scope);
      params = resolved instanceof Promise ? await resolved : resolved;
      result = await node.block.run(ctx, params, { trigger: state.trigger, nodeId });
    } catch (err) {
      const error = serializeError(err, nodeId);
      steps.push({
        seq, nodeId, blockId: node.block.id, status: 'failed', input: params, output: null, port: null,
        startedAt: startedAt.toISOString(), durationMs: performance.now() - s0, error,
        requestLog: ctx.requestLog.length ? ctx.requestLog : undefined,
      });
      return { status: 'failed', steps, response, error, durationMs: performance.now() - t0 };
    }
    const port = result.port ?? node.block.ports[0]?.id ?? null;
    state.outputs[nodeId] = result.output;
    steps.push({
      // A trigger's params are flow configuration, not data: its output (the payload) is what matters.
      seq, nodeId, blockId: node.block.id, status: result.suspend ? 'suspended' : 'succeeded', input: node.block.isTrigger ? null : params, output: result.output, port,
      startedAt: startedAt.toISOString(), durationMs: performance.now() - s0,
      requestLog: ctx.requestLog.length ? ctx.requestLog : undefined,
    });
    if (result.respond && !response) {
      response = result.respond;
      opts.onRespond?.(response);
    }
    const next = port ? node.next.get(port) ?? [] : [];
    state.queue.push(...next);
    if (result.suspend) {
      return { status: 'waiting', steps, response, state, resumeAt: result.suspend.resumeAt, durationMs: performance.now() - t0 };
    }
  }
  return { status: 'succeeded', steps, response, durationMs: performance.now() - t0 };
}
