// The engine host: fills the run context with real adapters (Postgres CDP, encrypted connections,
// guarded fetch, clock, logger) and runs automations with a timeout, recording every run.
import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { runFlow, type CompiledFlow, type ConnectionHandle, type RunContext, type RunResult, type RunState, type SyncStartRequest, type SerializedError } from '@/engine';
import { createPgCdp } from '../cdp/pg-cdp';
import { reportRunHealth } from './connection-health';
import { loadConnection } from './connections';
import { createGuardedFetch } from './guarded-fetch';
import { RunRecorder, type RunRecord } from './run-recorder';

export interface HostOptions {
  sql: postgres.Sql;
  encryptionKey: Buffer;
  flowTimeoutMs: number;
  allowPrivateHosts: boolean;
  /** Hands a suspended run to the job engine (set once the job engine runs). */
  scheduleResume?: (runId: string, resumeAt: Date) => Promise<void>;
  /** Hands a queued (async) run to the job engine. */
  enqueueRun?: (runId: string) => Promise<void>;
  /** Starts a durable contact sync for the customer (set by lib/sync when the job engine runs): ctx.sync. */
  startSync?: (customer: { id: string; defaultCountry: string }, req: SyncStartRequest) => Promise<{ syncRunId: string; status: 'queued' | 'already_running' }>;
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
}

export interface ExecuteOutcome {
  runId: string;
  status: RunRecord['status'];
  result: RunResult | null;
  response?: { status: number; body: unknown; headers?: Record<string, string> };
  error?: SerializedError;
  durationMs: number;
}

export class EngineHost {
  readonly recorder: RunRecorder;
  private readonly fetchImpl: typeof fetch;

  constructor(readonly opts: HostOptions) {
    this.recorder = new RunRecorder(opts.sql);
    this.fetchImpl = createGuardedFetch(opts.allowPrivateHosts);
  }

  /** `used` collects the connections the run loads (each once per run), for the health report after it. */
  createContext(runId: string, mode: 'live' | 'test', customer: { id: string; defaultCountry: string }, options: Record<string, unknown>, signal?: AbortSignal, used = new Map<string, Promise<ConnectionHandle>>()): RunContext {
    const { sql, encryptionKey } = this.opts;
    return {
      runId,
      mode,
      customer,
      options,
      cdp: createPgCdp(sql, customer),
      fetch: this.fetchImpl,
      connections: {
        get: (system) => {
          let conn = used.get(system);
          if (!conn) {
            conn = loadConnection(sql, encryptionKey, customer.id, system);
            used.set(system, conn);
            conn.catch(() => used.delete(system));
          }
          return conn;
        },
      },
      clock: { now: () => new Date() },
      log: (level, message, data) => { if (level === 'error' || level === 'warn') console[level](`[run ${runId}] ${message}`, data ?? ''); },
      signal,
      requestLog: [],
      sync: this.opts.startSync ? { start: (req) => this.opts.startSync!(customer, req) } : undefined,
    };
  }

  /** Runs a flow to its end (or suspension), bounded by the flow timeout; the run is always recorded. */
  async execute(req: ExecuteRequest): Promise<ExecuteOutcome> {
    const runId = req.runId ?? randomUUID();
    const mode = req.mode ?? 'live';
    const startedAt = new Date();
    const ac = new AbortController();
    const used = new Map<string, Promise<ConnectionHandle>>();
    const ctx = this.createContext(runId, mode, req.customer, req.options, ac.signal, used);
    const reportHealth = (r: RunResult) => { void reportRunHealth(r.steps, used).catch((e) => console.error('[patchbay] connection health report failed:', (e as Error).message)); };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), this.opts.flowTimeoutMs); });
    const running = runFlow(req.compiled, req.trigger, ctx, { resume: req.resume });
    const winner = await Promise.race([running, timeout]);
    clearTimeout(timer);
    const base = {
      id: runId, vendorId: req.vendorId, customerId: req.customer.id, flowId: req.flowId, flowVersion: req.flowVersion,
      automation: req.compiled.flow.automation, mode, trigger: req.resume ? req.resume.trigger : req.trigger, startedAt,
    };
    if (winner === 'timeout') {
      ac.abort();
      const error: SerializedError = { code: 'timeout', message: `The flow did not finish within ${this.opts.flowTimeoutMs} ms` };
      const durationMs = Date.now() - startedAt.getTime();
      // Record the partial steps once the run notices the abort.
      void running.then((r) => { this.recorder.record({ ...base, status: 'timeout', response: r.response ?? null, error, finishedAt: new Date(), durationMs, steps: r.steps }); reportHealth(r); });
      return { runId, status: 'timeout', result: null, error, durationMs };
    }
    const result = winner;
    reportHealth(result);
    const status: RunRecord['status'] = result.status === 'waiting' ? 'waiting' : result.status;
    const record: RunRecord = {
      ...base, status, response: result.response ?? null, error: result.error ?? null,
      state: result.state ?? null, resumeAt: result.resumeAt ?? null,
      finishedAt: result.status === 'waiting' ? null : new Date(), durationMs: result.durationMs, steps: result.steps,
    };
    if (req.recordNow || status === 'waiting') await this.recorder.recordNow(record);
    else this.recorder.record(record);
    if (status === 'waiting' && result.resumeAt) {
      if (!this.opts.scheduleResume) throw new Error('A flow suspended but no job engine is running to resume it');
      await this.opts.scheduleResume(runId, result.resumeAt);
    }
    return { runId, status, result, response: result.response, error: result.error, durationMs: result.durationMs };
  }

  async close(): Promise<void> {
    await this.recorder.close();
  }
}

const g = globalThis as unknown as { __patchbayHost?: EngineHost };
export function setHost(h: EngineHost | undefined): void { g.__patchbayHost = h; }
export function getHost(): EngineHost {
  if (!g.__patchbayHost) throw new Error('The engine host is not started (run Patchbay through server.ts)');
  return g.__patchbayHost;
}
