// The flow JSON format, shared by the canvas, the API and the engine.
import { z } from 'zod';

/** Deadline of a synchronous automation with a fallback answer when neither flow nor integration sets one. */
export const DEFAULT_DEADLINE_MS = 800;
export const DEADLINE_MIN_MS = 50;
export const DEADLINE_MAX_MS = 60_000;

export const AUTOMATION_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** A line of text people read (names, labels): no control characters (NUL cannot even be stored). */
const text = (max: number) => z.string().max(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'no line breaks or control characters');

export const positionSchema = z.object({ x: z.number(), y: z.number() });

/**
 * What happens when a node's block fails (after its retries): `stop` fails the run (the flow's fallback, if any,
 * answers); `continue` records the error and goes on through `port` (default: the block's first port) with
 * `output` (default `{ error }`) as the step's output; `error` goes on through the node's `error` output port with
 * `{ error: { code, message } }` as its output.
 */
export const onErrorSchema = z.object({
  action: z.enum(['stop', 'continue', 'error']).default('stop'),
  output: z.unknown().optional(),
  port: z.string().min(1).optional(),
});

/** Retries for idempotent blocks: `count` more attempts, waiting `backoffMs`, then twice that, … */
export const retrySchema = z.object({
  count: z.number().int().min(0).max(5),
  backoffMs: z.number().int().min(0).max(30_000).default(200),
});

/** The port every node gets when its on-error action is `error`. */
export const ERROR_PORT = 'error';

export const flowNodeSchema = z.object({
  id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'node ids are letters, digits, _ and -, starting with a letter or _'),
  /** Block id, optionally pinned to a version: `cdp.lookup` or `cdp.lookup@1`. */
  type: z.string().min(1),
  label: text(120).optional(),
  params: z.record(z.string(), z.unknown()).default({}),
  position: positionSchema.default({ x: 0, y: 0 }),
  onError: onErrorSchema.optional(),
  retry: retrySchema.optional(),
});

export const flowEdgeSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  /** Output port of the source node: `out`, `true`/`false`, `found`/`notFound`, … */
  sourcePort: z.string().min(1).default('out'),
  target: z.string().min(1),
});

/**
 * Which runs are kept in full detail (every run is counted in the per-minute aggregates whatever this says):
 * `all`; `errors` (failed, timed-out and fallback runs only); `sampled` (those plus `share` of the successful
 * ones, 0..1). Test runs and traced runs are always kept. Unset: `all` for background runs, and for synchronous
 * calls of the named URL (the hot path) a sample of 1 % plus the first 10 successful runs per minute per customer
 * (lib/runs/recording-policy.ts). An integration may override it.
 */
export const recordingSchema = z.object({
  policy: z.enum(['all', 'errors', 'sampled'], { error: 'all, errors or sampled' }),
  share: z.number().min(0, 'a share from 0 to 1').max(1, 'a share from 0 to 1').optional(),
}).refine((r) => r.policy !== 'sampled' || r.share !== undefined, { message: 'sampled needs a share from 0 to 1, e.g. 0.01', path: ['share'] });
export type RecordingPolicy = z.infer<typeof recordingSchema>;

export const flowSchema = z.object({
  schemaVersion: z.literal(1).default(1),
  name: text(200).min(1),
  /** The fixed automation name the flow answers to: caller_lookup, call_logging, contact_sync, … */
  automation: z.string().regex(AUTOMATION_NAME, 'automation names are lower_snake_case'),
  description: z.string().max(2000).regex(/^[^\u0000]*$/, 'no NUL characters').optional(),
  nodes: z.array(flowNodeSchema).min(1, 'a flow needs at least a trigger'),
  edges: z.array(flowEdgeSchema).default([]),
  /** Options a customer sets when enabling the integration (defaults here). */
  options: z.record(z.string(), z.unknown()).default({}),
  /**
   * What a synchronous automation answers when a run fails before a respond block answered: a phone system
   * gets this instead of a 502. `body` may hold expressions over trigger, steps, options and customer.
   */
  fallback: z.object({ status: z.number().int().min(200).max(599).default(200), body: z.unknown().optional() }).optional(),
  /** Which runs are recorded in full (see recordingSchema). */
  recording: recordingSchema.optional(),
  /**
   * A synchronous automation's deadline: past it the caller gets the fallback (a 504 without one) and the step in
   * flight is cancelled. Unset: DEFAULT_DEADLINE_MS when the flow has a fallback, else PATCHBAY_FLOW_TIMEOUT_MS.
   * An integration may override it (`deadlineMs`).
   */
  deadlineMs: z.number().int().min(DEADLINE_MIN_MS, `a deadline of at least ${DEADLINE_MIN_MS} ms`).max(DEADLINE_MAX_MS, `a deadline of at most ${DEADLINE_MAX_MS} ms`).optional(),
});

export type FlowNode = z.infer<typeof flowNodeSchema>;
export type FlowEdge = z.infer<typeof flowEdgeSchema>;
export type Flow = z.infer<typeof flowSchema>;
export type FlowInput = z.input<typeof flowSchema>;
export type OnError = z.infer<typeof onErrorSchema>;
export type RetryPolicy = z.infer<typeof retrySchema>;
