// The engine host: fills the run context with real adapters (Postgres CDP, encrypted connections,
// guarded fetch, clock, logger) and runs automations with a timeout, recording every run.
import type { KeyInput } from '../crypto/credentials';
import { newRunId } from '../runs/run-id';
import type postgres from 'postgres';
import { fallbackResponse, PatchbayError, newRunProgress, runFlow, type CdpPort, type CompiledFlow, type ConnectionHandle, type HttpRequestLogEntry, type RateLimitInfo, type RunContext, type RunResult, type RunState, type SyncStartRequest, type SerializedError } from '@/engine';
import { createPgCdp } from '../cdp/pg-cdp';
import type { PhoneCache } from '../cdp/phone-cache';
import { explainMiss, missOf, takeExplainBudget } from '../cdp/explain-miss';
import { clientMessage } from '../db/database-error';
import { createCallSessionPort } from '../calls/call-sessions';
import { reportRunHealth } from './connection-health';
import { loadConnection } from './connections';
import { RateBudget, REAL_TIME_RESERVE } from '../connections/rate-budget';
import { createGuardedFetch } from './guarded-fetch';
import { RunRecorder, type RunRecord } from './run-recorder';
import { RecordingPolicies, type RecordingPolicy } from '../runs/recording-policy';
import { RunAggregates, type RunOutcome } from '../runs/run-aggregates';
import { TraceSwitch } from '../runs/trace-switch';
import { jsonLogs, runLog } from '../log';

export interface HostOptions {
  sql: postgres.Sql;
  /** A connection of its own for run records, so a batch insert never holds up a lookup on the shared pool. */
  recorderSql?: postgres.Sql;
  /** Connections for caller lookups (lib/db/pipelined-pool.ts); the shared pool when absent. */
  lookupSql?: () => postgres.Sql;
  /** The process's coherent cache of caller lookups (lib/cdp/phone-cache.ts), when its change listener runs. */
  phoneCache?: PhoneCache;
  encryptionKey: KeyInput;
  flowTimeoutMs: number;
  allowPrivateHosts: boolean;
  /** Hands a suspended run to the job engine (set once the job engine runs). */
  scheduleResume?: (runId: string, resumeAt: Date) => Promise<void>;
  /** Resumes a run waiting on a call session now (the event it waited for came); set by the job engine. */
  wakeRun?: (runId: string) => Promise<void>;
  /** Hands a queued (async) run to the job engine. */
  enqueueRun?: (runId: string) => Promise<void>;
  /** Starts a durable contact sync for the customer (set by lib/sync when the job engine runs): ctx.sync. */
  startSync?: (customer: { id: string; defaultCountry: string }, req: SyncStartRequest) => Promise<{ syncRunId: string; status: 'queued' | 'already_running' }>;
  /** Counts every finished run for /metrics (lib/metrics/metrics.ts). */
  metrics?: { observeRun(o: RunOutcome, recorded: boolean): void };
  /** How often the per-minute aggregates are added into the database (default 5000 ms). */
  aggregateFlushMs?: number;
  /** Decides which successful runs are recorded in full (tests pass a seeded one). */
  policies?: RecordingPolicies;
}

export interface ExecuteRequest {
  vendorId: string;
  customer: { id: string; defaultCountry: string };
  flowId: string | null;
  flowVersion: number | null;
  compiled: CompiledFlow;
  options: Record<string, unknown>;
  trigger: unknown;
  mode?: 'live' | 'test';
  runId?: string;
  resume?: RunState;
  /** Wait for the run record to be written before returning (test runs, async runs). */
  recordNow?: boolean;
  /** Overrides the flow timeout (background runs of the job engine may upload a recording for minutes). */
  timeoutMs?: number;
  /** The recording policy (integration's override, else the flow's); null/absent: the default. */
  recording?: RecordingPolicy | null;
  /** A synchronous call of the named URL: the hot path's default policy applies (lib/runs/recording-policy.ts). */
  synchronous?: boolean;
  /** Record this run in full whatever the policy (X-Patchbay-Trace, the customer's trace switch). */
  traced?: boolean;
  /**
   * A caller is waiting (the named URL, a webhook answered synchronously): when the deadline passes and the flow
   * has a fallback answer, the caller gets it before the deadline, the step in flight is cancelled, and the run
   * records why (`fallbackReason: 'deadline'`, the error names the step and how long it ran).
   */
  fallbackOnDeadline?: boolean;
  /** When the caller's request arrived (`Date.now()`): the deadline counts from there. Default: now. */
  arrivedAt?: number;
}

/** Why a run answered the flow's fallback: a step failed (and nothing handled it), or the deadline passed. */
export type FallbackReason = 'failed' | 'deadline';

export interface ExecuteOutcome {
  runId: string;
  status: RunRecord['status'];
  result: RunResult | null;
  response?: { status: number; body: unknown; headers?: Record<string, string> };
  error?: SerializedError;
  durationMs: number;
  /** The run record handed to the recorder (finished runs the recording policy keeps). */
  record?: RunRecord;
  /** Set when the response is the flow's fallback answer. */
  fallback?: FallbackReason;
}

/**
 * Flow timeouts without a timer per run: one sweep every few milliseconds fires the deadlines that passed
 * (a run may overrun its timeout by up to one sweep interval).
 */
class Deadlines {
  static readonly SWEEP_MS = 20;
  private readonly entries = new Set<{ at: number; fire: () => void }>();
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly everyMs = Deadlines.SWEEP_MS) {}

  add(entry: { at: number; fire: () => void }): void {
    this.entries.add(entry);
    if (!this.timer) { this.timer = setInterval(() => this.sweep(), this.everyMs); this.timer.unref(); }
  }

  delete(entry: { at: number; fire: () => void }): void { this.entries.delete(entry); }

  private sweep(): void {
    if (!this.entries.size) { clearInterval(this.timer!); this.timer = null; return; }
    const now = Date.now();
    for (const e of this.entries) if (e.at <= now) { this.entries.delete(e); e.fire(); }
  }
}

const clock = { now: () => new Date() };

/** Share of a synchronous deadline kept for answering the fallback (evaluate, store, send) after the steps are cut off. */
const FALLBACK_RESERVE = 0.1;

/**
 * One run's context. Built for every request on the hot path, so what most runs never use (the abort
 * controller, the connection map, the CDP adapter) is created only when a block asks for it.
 */
class HostRunContext implements RunContext {
  requestLog: HttpRequestLogEntry[] = [];
  readonly clock = clock;
  /** The connections the run loaded (each once per run), for the health report after it. */
  used: Map<string, Promise<ConnectionHandle>> | null = null;
  private cancelled = false;
  private ac: AbortController | null = null;
  private cdpPort: CdpPort | null = null;
  private callsPort: RunContext['calls'] | null = null;
  private connectionsPort: RunContext['connections'] | null = null;
  /** The origins of the connections this run loaded, by system: requests to them spend the customer's rate budget. */
  private origins: Map<string, string> | null = null;
  private pacedFetch: typeof fetch | null = null;

  constructor(
    private readonly host: EngineHost,
    readonly runId: string,
    readonly mode: 'live' | 'test',
    readonly customer: { id: string; defaultCountry: string },
    readonly options: Record<string, unknown>,
    /** Shadow replay: blocks with effects are not run (the runner), and the ports below refuse writes as a second guard. */
    readonly dryRun = false,
  ) {}

  /**
   * Requests to a system the run has a connection to ask that customer's shared rate budget first (the real-time
   * share: the whole window, the syncs' reserve included), so a sync on any worker sees what calls spend. Other
   * requests (an HTTP block to a webhook) go straight out.
   */
  get fetch(): typeof fetch {
    return (this.pacedFetch ??= this.pace(this.host.fetchImpl));
  }
  /** This run's view of each system's shared budget (its own wait stats and last window). */
  private budgets: Map<string, RateBudget> | null = null;
  private budgetOf(system: string): RateBudget {
    const budgets = (this.budgets ??= new Map());
    let b = budgets.get(system);
    if (!b) budgets.set(system, (b = new RateBudget(this.host.opts.sql, this.customer.id, system, REAL_TIME_RESERVE, 0)));
    return b;
  }
  /**
   * What a connected system's answer said of its rate limit (the shared HTTP client reads the headers): the shared
   * budget learns the limit and what other clients spent, so real-time work alone (no sync running) is paced too.
   */
  onRateLimit(system: string, info: RateLimitInfo): void {
    if (!this.dryRun) this.budgetOf(system).observe(info);
  }
  private pace(fetchImpl: typeof fetch): typeof fetch {
    return (async (input: RequestInfo | URL, init?: RequestInit) => {
      let system: string | undefined;
      if (this.origins) {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        try { system = this.origins.get(new URL(url).origin); } catch { /* not a URL: fetch says so */ }
      }
      if (system) await this.budgetOf(system).acquire(this.signal);
      return fetchImpl(input, init);
    }) as typeof fetch;
  }
  get cdp(): CdpPort {
    if (this.cdpPort) return this.cdpPort;
    const port = createPgCdp(this.host.opts.sql, this.customer, this.host.opts.lookupSql, this.host.opts.phoneCache);
    return (this.cdpPort = this.dryRun ? { ...port, upsert: refuseInDryRun('write to the CDP'), delete: refuseInDryRun('delete from the CDP') } : port);
  }
  get signal(): AbortSignal {
    if (!this.ac) { this.ac = new AbortController(); if (this.cancelled) this.ac.abort(); }
    return this.ac.signal;
  }
  get calls(): RunContext['calls'] {
    if (this.callsPort) return this.callsPort;
    const port = createCallSessionPort(this.host.opts.sql, this.customer.id, this.runId);
    return (this.callsPort = this.dryRun ? { get: port.get, waitFor: refuseInDryRun('wait on a call'), saveRecord: refuseInDryRun('store a call record') } : port);
  }
  get sync(): RunContext['sync'] {
    const start = this.host.opts.startSync;
    if (this.dryRun) return { start: refuseInDryRun('start a contact sync') };
    return start ? { start: (req) => start(this.customer, req) } : undefined;
  }
  get connections(): RunContext['connections'] {
    return (this.connectionsPort ??= {
      get: (system) => {
        const used = (this.used ??= new Map());
        let conn = used.get(system);
        if (!conn) {
          conn = loadConnection(this.host.opts.sql, this.host.opts.encryptionKey, this.customer.id, system);
          used.set(system, conn);
          conn.then((c: ConnectionHandle) => {
            try { if (c.baseUrl && !this.dryRun) (this.origins ??= new Map()).set(new URL(c.baseUrl).origin, system); } catch { /* no usable base URL */ }
          }, () => used.delete(system));
        }
        return conn;
      },
    });
  }

  isCancelled(): boolean { return this.cancelled; }
  cancel(): void { this.cancelled = true; this.ac?.abort(); }

  /** Set by the host: the automation, for log lines. */
  automation = '';

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void {
    if (level === 'error' || level === 'warn') runLog(level, message, { runId: this.runId, automation: this.automation, customerId: this.customer.id }, data);
  }
}

function refuseInDryRun(what: string): () => Promise<never> {
  return async () => { throw new PatchbayError('dry_run_write', `A dry run may not ${what}: the block must declare its effect`); };
}

export interface DryRunRequest {
  customer: { id: string; defaultCountry: string };
  compiled: CompiledFlow;
  options: Record<string, unknown>;
  trigger: unknown;
  timeoutMs?: number;
}

export class EngineHost {
  readonly recorder: RunRecorder;
  /** Every finished live run counted per customer, automation and minute (whatever is recorded in detail). */
  readonly aggregates: RunAggregates;
  readonly policies: RecordingPolicies;
  /** The customers' "trace the next N runs" switches. */
  readonly trace: TraceSwitch;
  /** @internal used by run contexts */
  readonly fetchImpl: typeof fetch;
  private readonly deadlines = new Deadlines();
  /** Runs held back from the recorder while their "why no match" explanation is computed (a few ms, after the answer). */
  private readonly explaining = new Map<string, { record: RunRecord; done: Promise<void> }>();

  constructor(readonly opts: HostOptions) {
    this.recorder = new RunRecorder(opts.recorderSql ?? opts.sql, { durableSql: opts.sql });
    this.aggregates = new RunAggregates(opts.recorderSql ?? opts.sql, opts.aggregateFlushMs);
    this.policies = opts.policies ?? new RecordingPolicies();
    this.trace = new TraceSwitch(opts.sql);
    this.fetchImpl = createGuardedFetch(opts.allowPrivateHosts);
  }

  createContext(runId: string, mode: 'live' | 'test', customer: { id: string; defaultCountry: string }, options: Record<string, unknown>): HostRunContext {
    return new HostRunContext(this, runId, mode, customer, options);
  }

  /**
   * Runs a flow without side effects (shadow replay): reads run (CDP, CRM lookups), blocks that declare an effect
   * report what they would have done, waits do not wait. Nothing is recorded and connection health is not touched.
   */
  async dryRun(req: DryRunRequest): Promise<RunResult> {
    const ctx = new HostRunContext(this, newRunId(), 'test', req.customer, req.options, true);
    const timer = setTimeout(() => ctx.cancel(), req.timeoutMs ?? Math.max(this.opts.flowTimeoutMs, 10_000));
    try {
      return await runFlow(req.compiled, req.trigger, ctx);
    } finally {
      clearTimeout(timer);
    }
  }

  private reportHealth(r: RunResult, ctx: HostRunContext): void {
    if (ctx.used) void reportRunHealth(r.steps, ctx.used).catch((e) => console.error('[patchbay] connection health report failed:', (e as Error).message));
  }

  /**
   * Counts a finished run (aggregates, metrics, a log line when it failed) and tells whether the recording
   * policy keeps it in full. Runs that others depend on (queued, waiting, recordNow) are always written.
   */
  private count(r: RunRecord, fallback: boolean | undefined, req: ExecuteRequest): boolean {
    const keep = !!req.recordNow || r.status === 'waiting' || this.policies.keep({
      mode: r.mode, status: r.status, fallback, traced: req.traced, policy: req.recording, synchronous: req.synchronous, customerId: r.customerId, automation: r.automation,
    });
    if (r.mode === 'live' && r.status !== 'waiting') {
      const o: RunOutcome = { vendorId: r.vendorId, customerId: r.customerId, automation: r.automation, status: r.status, fallback, durationMs: r.durationMs, startedAt: r.startedAt };
      this.aggregates.add(o);
      this.opts.metrics?.observeRun(o, keep);
    }
    // One JSON line per run that went wrong (plain-text logs stay as they were: quiet on the hot path).
    if ((r.status === 'failed' || r.status === 'timeout' || fallback) && jsonLogs()) {
      runLog('warn', `run ${r.status}${fallback ? ' (fallback answered)' : ''}: ${r.error?.code ?? ''} ${r.error?.message ?? ''}`.trim(), { runId: r.id, automation: r.automation, customerId: r.customerId });
    }
    return keep;
  }

  /** Runs a flow to its end (or suspension), bounded by the flow timeout; the recording policy decides what is stored. */
  async execute(req: ExecuteRequest): Promise<ExecuteOutcome> {
    const runId = req.runId ?? newRunId();
    const mode = req.mode ?? 'live';
    const startedAt = new Date();
    const ctx = this.createContext(runId, mode, req.customer, req.options);
    ctx.automation = req.compiled.flow.automation;
    const timeoutMs = req.timeoutMs ?? this.opts.flowTimeoutMs;
    const withFallback = !!req.fallbackOnDeadline && !!req.compiled.fallback;
    const progress = withFallback ? newRunProgress() : undefined;
    const running = runFlow(req.compiled, req.trigger, ctx, { resume: req.resume, progress });
    const winner = await new Promise<RunResult | 'timeout'>((resolve, reject) => {
      // A fallback must reach the caller before the deadline: it is answered at 90% of it (at least one sweep
      // early), leaving the rest for evaluating, storing (a webhook's answer) and sending it.
      const at = (req.arrivedAt ?? startedAt.getTime()) + timeoutMs - (withFallback ? Math.max(Deadlines.SWEEP_MS, Math.round(timeoutMs * FALLBACK_RESERVE)) : 0);
      const deadline = { at, fire: () => resolve('timeout') };
      this.deadlines.add(deadline);
      running.then((r) => { this.deadlines.delete(deadline); resolve(r); }, (err) => { this.deadlines.delete(deadline); reject(err); });
    });
    const trigger = req.resume ? req.resume.trigger : req.trigger;
    const automation = req.compiled.flow.automation;
    if (winner === 'timeout') {
      // What was in flight, and for how long, before the cancel aborts it.
      const inFlight = progress?.nodeId ? { nodeId: progress.nodeId, seq: progress.seq, stepMs: performance.now() - progress.stepStartedAt } : null;
      ctx.cancel();
      const durationMs = Date.now() - startedAt.getTime();
      const fallback = withFallback ? await fallbackResponse(req.compiled, progress!.scope) : null;
      let error: SerializedError = { code: 'timeout', message: `The flow did not finish within ${timeoutMs} ms` };
      if (fallback) {
        const node = inFlight ? req.compiled.nodes.get(inFlight.nodeId) : undefined;
        const stepMs = inFlight ? Math.round(inFlight.stepMs) : 0;
        error = {
          code: 'deadline',
          message: node
            ? `${node.name} was still running at the ${timeoutMs} ms deadline (for ${stepMs} ms): it was cancelled and the fallback answered`
            : `The run passed its ${timeoutMs} ms deadline: the fallback answered`,
          ...(inFlight ? { nodeId: inFlight.nodeId } : {}),
          details: { deadlineMs: timeoutMs, stepMs, elapsedMs: durationMs },
        };
      }
      // Counted now (a run that never notices the abort still counts); recorded with its partial steps once it does
      // (a timed-out run is always kept in full).
      this.count({
        id: runId, vendorId: req.vendorId, customerId: req.customer.id, flowId: req.flowId, flowVersion: req.flowVersion, automation, mode, trigger, startedAt,
        status: 'timeout', response: fallback, error, finishedAt: new Date(), durationMs, steps: [],
      }, !!fallback, req);
      // Record the partial steps once the run notices the abort.
      void running.then((r) => {
        const steps = r.steps.map((st) => (inFlight && st.seq === inFlight.seq && st.status === 'failed'
          ? { ...st, error: { code: 'cancelled', message: `Cancelled at the ${timeoutMs} ms deadline after ${Math.round(inFlight.stepMs)} ms (${st.error?.message ?? 'aborted'})`, nodeId: st.nodeId } }
          : st));
        const record: RunRecord = {
          id: runId, vendorId: req.vendorId, customerId: req.customer.id, flowId: req.flowId, flowVersion: req.flowVersion, automation, mode, trigger, startedAt,
          status: 'timeout', response: fallback ?? r.response ?? null, error, finishedAt: new Date(), durationMs, steps,
          fallbackReason: fallback ? 'deadline' : null,
        };
        // A queued run's end is written durably (its earlier 'running' row must not outlive a crash as the last word).
        if (req.recordNow) void this.recorder.recordNow(record).catch((e) => console.error('[patchbay] recording a timed-out run failed:', (e as Error).message));
        else this.recorder.record(record);
        this.reportHealth(r, ctx);
      });
      if (fallback) return { runId, status: 'timeout', result: null, response: fallback, error, durationMs, fallback: 'deadline' };
      return { runId, status: 'timeout', result: null, error, durationMs };
    }
    const result = winner;
    this.reportHealth(result, ctx);
    const status: RunRecord['status'] = result.status;
    const record: RunRecord = {
      id: runId, vendorId: req.vendorId, customerId: req.customer.id, flowId: req.flowId, flowVersion: req.flowVersion, automation, mode, trigger, startedAt,
      status, response: result.response ?? null, error: result.error ?? null,
      state: result.state ?? null, resumeAt: result.resumeAt ?? null,
      finishedAt: status === 'waiting' ? null : new Date(), durationMs: result.durationMs, steps: result.steps,
      fallbackReason: result.fallback ? 'failed' : null,
    };
    const keep = this.count(record, result.fallback, req);
    // A run the recording policy does not store needs no explanation.
    const explained = status === 'waiting' || (!keep && !req.recordNow) ? null : this.explainIfMiss(record, req.customer);
    if (req.recordNow || status === 'waiting') {
      if (explained) await explained;
      await this.recorder.recordNow(record);
    } else if (!keep) return { runId, status, result, response: result.response, error: result.error, durationMs: result.durationMs };
    else if (explained) {
      // The answer goes out first; the record follows its explanation to the recorder.
      const done = explained.then(() => { this.explaining.delete(runId); void this.recorder.record(record); });
      this.explaining.set(runId, { record, done });
    } else {
      // Waits only when the record backlog is past its high-water mark (backpressure, nothing dropped).
      const backlog = this.recorder.record(record);
      if (backlog) await backlog;
    }
    if (status === 'waiting' && result.resumeAt) {
      if (!this.opts.scheduleResume) throw new Error('A flow suspended but no job engine is running to resume it');
      await this.opts.scheduleResume(runId, result.resumeAt);
    }
    return { runId, status, result, response: result.response, error: result.error, durationMs: result.durationMs, record, ...(result.fallback ? { fallback: 'failed' as const } : {}) };
  }

  /**
   * A run whose cdp.lookup found nobody gets `explanation` (lib/cdp/explain-miss.ts), computed after the current
   * answer went out (setImmediate) and never failing the run; null for every other run (no cost).
   */
  private explainIfMiss(record: RunRecord, customer: { id: string; defaultCountry: string }): Promise<void> | null {
    const miss = missOf(record.steps, customer.defaultCountry, record.automation);
    if (!miss) return null;
    return new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => explainMiss(this.opts.sql, customer, miss, { search: takeExplainBudget() }))
      .then((e) => { record.explanation = e; }, (err: unknown) => {
        record.explanation = { summary: `The explanation could not be computed: ${clientMessage(err, 'explaining a lookup miss')}` };
      });
  }

  /** A finished run not written yet (in the recorder's buffer, or waiting for its explanation). */
  pendingRun(id: string): RunRecord | undefined {
    return this.recorder.pending.get(id) ?? this.explaining.get(id)?.record;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.explaining.values()].map((e) => e.done));
    await this.recorder.close();
    await this.aggregates.close();
    await this.trace.close();
  }
}

const g = globalThis as unknown as { __patchbayHost?: EngineHost };
export function setHost(h: EngineHost | undefined): void { g.__patchbayHost = h; }
/** The process's host when one runs (the staff API in the server process), else undefined. */
export function currentHost(): EngineHost | undefined { return g.__patchbayHost; }
export function getHost(): EngineHost {
  if (!g.__patchbayHost) throw new Error('The engine host is not started (run Patchbay through server.ts)');
  return g.__patchbayHost;
}
