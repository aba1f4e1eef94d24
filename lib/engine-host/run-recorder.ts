// Run records are written off the request path: buffered and flushed in batches every few milliseconds
// (and on shutdown), so recording costs the hot path a push onto an array. A run still in the buffer is
// readable through `pending`.
import type postgres from 'postgres';
import type { SerializedError, StepRecord } from '@/engine';
import { clientMessage } from '../db/database-error';

export interface RunRecord {
  id: string;
  vendorId: string;
  customerId: string | null;
  flowId: string | null;
  flowVersion: number | null;
  automation: string;
  mode: 'live' | 'test';
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'waiting' | 'timeout';
  trigger: unknown;
  response: unknown;
  error: SerializedError | null;
  state?: unknown;
  resumeAt?: Date | null;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  steps: StepRecord[];
  /** Why the response is the flow's fallback answer (`failed`: a step failed; `deadline`: the deadline passed); null: it is not. */
  fallbackReason?: 'failed' | 'deadline' | null;
  /**
   * The response body exactly as it was sent on the wire, when the caller has it (the public API sets it
   * after answering): the record reuses that text instead of serialising the body a second time.
   */
  responseBodyJson?: string;
  /** Why a caller lookup found nobody (lib/cdp/explain-miss.ts), for runs whose cdp.lookup missed. */
  explanation?: unknown;
}

const MAX_JSON = 64 * 1024;
/** JSON text of a value, replaced by a marker when it is too large to keep (serialised once). */
function clipJson(v: unknown): string {
  if (v === undefined) return 'null';
  const s = JSON.stringify(v);
  if (s === undefined) return 'null';
  return s.length > MAX_JSON ? JSON.stringify({ truncated: true, bytes: s.length, preview: s.slice(0, 2000) }) : s;
}
const U_ESCAPE = /\\+u([0-9a-fA-F]{4})/g;
/**
 * JSON text PostgreSQL can turn into values: JSON.stringify writes NUL as \u0000 and a lone surrogate as
 * \udXXX, both of which PostgreSQL refuses when json_to_recordset hands a value on ("unsupported Unicode
 * escape sequence"); they become U+FFFD. An escaped backslash followed by "u…" is text and stays as it is.
 */
export function storableJson(s: string): string {
  if (!s.includes('\\u')) return s;
  return s.replace(U_ESCAPE, (m: string, hex: string, offset: number) => {
    const slashes = m.length - 5;
    if (slashes % 2 === 0) return m;
    const code = parseInt(hex, 16);
    const before = m.slice(0, slashes - 1);
    const at = offset + slashes - 1;
    if (code === 0) return `${before}\\ufffd`;
    if (code >= 0xd800 && code <= 0xdbff) return /^\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(s.slice(at + 6, at + 12)) ? m : `${before}\\ufffd`;
    if (code >= 0xdc00 && code <= 0xdfff) return /\\u[dD][89abAB][0-9a-fA-F]{2}$/.test(s.slice(Math.max(0, at - 6), at)) ? m : `${before}\\ufffd`;
    return m;
  });
}

/**
 * Errors that belong to the records rather than to the connection: PostgreSQL data exceptions (class 22) and
 * integrity violations (23, e.g. a run of a customer deleted meanwhile), and anything thrown while building the
 * JSON. Retrying such a batch would fail forever; its runs are written one by one instead.
 */
function isRecordError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return true;
  return err instanceof RangeError || err instanceof TypeError;
}

const validDate = (d: Date | null | undefined) => !d || Number.isFinite(d.getTime());

/** What can still be kept of a run whose record was refused: its outline, with the payloads replaced by the reason. */
function outlineOf(r: RunRecord, err: unknown): RunRecord {
  const note = { unstorable: `The run's data could not be stored: ${clientMessage(err, 'run recording')}` };
  return {
    ...r,
    flowId: null,
    trigger: note, response: null, responseBodyJson: undefined, state: null,
    error: r.error ? { code: r.error.code, message: String(r.error.message ?? '') } : null,
    startedAt: validDate(r.startedAt) ? r.startedAt : new Date(),
    finishedAt: validDate(r.finishedAt) ? r.finishedAt : new Date(),
    resumeAt: validDate(r.resumeAt) ? r.resumeAt : null,
    steps: r.steps.map((st) => ({ ...st, input: null, output: null, requestLog: undefined, error: st.error ? { code: st.error.code, message: String(st.error.message ?? '') } : undefined, startedAt: typeof st.startedAt === 'string' ? st.startedAt : new Date().toISOString() })),
  };
}

const SAFE = /^[\w.:+-]*$/;
/** A JSON string literal; ids, enum values and timestamps (the most common) skip the escaping pass. */
const str = (v: string | null | undefined) => (v === null || v === undefined ? 'null' : SAFE.test(v) ? `"${v}"` : JSON.stringify(v));
/** Durations are kept to the microsecond. */
const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'null' : String(Math.round(v * 1000) / 1000));

/**
 * Values that are already stored elsewhere in the run are stored once: a respond step's input and output are
 * the run's response (`asResponse`), a trigger step's output is the run's trigger (`asTrigger`);
 * lib/runs/read-run.ts puts them back when a run is read.
 */
const isResponseEcho = (s: StepRecord, response: unknown) =>
  s.blockId.startsWith('respond.') && response !== null && typeof response === 'object' && (response as { body?: unknown }).body === (s.output as { body?: unknown } | null)?.body;

// ── Compact step records (issue 18) ─────────────────────────────────────────────────────────────────────────
// What else a stored step repeats is left out, and read-run.ts restores it:
// - `blockId` when the run names its flow version (the node's block, from the compiled flow);
// - `status` when it is "succeeded";
// - `startedAt` as `at`, milliseconds after the run's start instead of an ISO timestamp;
// - an output (or one of its fields) that is the very object the response body holds (a lookup's contact,
//   answered as is) as `"output":{"contact":{"$body":"contact"}},"bodyRefs":true` (`{"$body":""}` for the whole body).
// Failed steps keep everything (plus attempts and how an error was handled).

/** The response body and its object fields, by identity: what a step's output may share with the response. */
function bodyRefs(r: RunRecord): Map<unknown, string> | null {
  const body = (r.response as { body?: unknown } | null)?.body;
  if (body === null || typeof body !== 'object') return null;
  const refs = new Map<unknown, string>([[body, '']]);
  if (!Array.isArray(body)) for (const [k, v] of Object.entries(body)) if (v !== null && typeof v === 'object' && !refs.has(v)) refs.set(v, k);
  return refs;
}

/** The output's JSON, with what it shares with the response body as `{"$body": field}`; `refs` says whether it did. */
function outputJson(output: unknown, refs: Map<unknown, string> | null): { json: string; refs: boolean } {
  if (!refs || output === null || typeof output !== 'object') return { json: clipJson(output), refs: false };
  const whole = refs.get(output);
  if (whole !== undefined) return { json: `{"$body":${JSON.stringify(whole)}}`, refs: true };
  if (Array.isArray(output)) return { json: clipJson(output), refs: false };
  let shared = false;
  for (const v of Object.values(output)) if (v !== null && typeof v === 'object' && refs.has(v)) { shared = true; break; }
  if (!shared) return { json: clipJson(output), refs: false };
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(output)) copy[k] = v !== null && typeof v === 'object' && refs.has(v) ? { $body: refs.get(v) } : v;
  return { json: clipJson(copy), refs: true };
}

function stepJson(s: StepRecord, r: RunRecord, refs: Map<unknown, string> | null, t0: number): string {
  const io = isResponseEcho(s, r.response) ? '"asResponse":true'
    : s.output === r.trigger && s.output !== null && typeof s.output === 'object' ? `"asTrigger":true,"input":${clipJson(s.input)}`
    : ((o) => `"input":${clipJson(s.input)},"output":${o.json}${o.refs ? ',"bodyRefs":true' : ''}`)(outputJson(s.output, refs));
  const at = Date.parse(s.startedAt);
  const when = Number.isFinite(at) && Number.isFinite(t0) ? `"at":${at - t0}` : `"startedAt":${str(s.startedAt)}`;
  const block = r.flowId && r.flowVersion !== null ? '' : `"blockId":${str(s.blockId)},`;
  const status = s.status === 'succeeded' ? '' : `"status":${str(s.status)},`;
  return `{"seq":${s.seq},"nodeId":${str(s.nodeId)},${block}${status}${io},"port":${str(s.port)},${when},"durationMs":${num(s.durationMs)}`
    + `${s.error ? `,"error":${clipJson(s.error)}` : ''}${s.attempts ? `,"attempts":${s.attempts}` : ''}${s.errorHandled ? `,"errorHandled":${str(s.errorHandled)}` : ''}`
    + `${s.requestLog ? `,"requestLog":${clipJson(s.requestLog)}` : ''}}`;
}

function responseJson(r: RunRecord): string {
  const resp = r.response as { status?: unknown; body?: unknown; headers?: unknown } | null;
  if (r.responseBodyJson === undefined || !resp || typeof resp !== 'object' || r.responseBodyJson.length > MAX_JSON) return clipJson(resp);
  return `{"status":${num(resp.status as number)},"body":${r.responseBodyJson}${resp.headers ? `,"headers":${clipJson(resp.headers)}` : ''}}`;
}

function runJson(r: RunRecord): string {
  let steps = '[';
  const refs = r.steps.length ? bodyRefs(r) : null;
  const t0 = r.startedAt.getTime();
  for (let i = 0; i < r.steps.length; i++) steps += (i ? ',' : '') + stepJson(r.steps[i], r, refs, t0);
  steps += ']';
  return `{"id":${str(r.id)},"vendor_id":${str(r.vendorId)},"customer_id":${str(r.customerId)},"flow_id":${str(r.flowId)},"flow_version":${num(r.flowVersion)},`
    + `"automation":${str(r.automation)},"mode":${str(r.mode)},"status":${str(r.status)},"trigger":${clipJson(r.trigger)},"response":${responseJson(r)},`
    + `"error":${clipJson(r.error)},"state":${clipJson(r.state ?? null)},"steps":${steps},"resume_at":${str(r.resumeAt?.toISOString())},`
    + `"started_at":${str(r.startedAt.toISOString())},"finished_at":${str(r.finishedAt?.toISOString())},"duration_ms":${num(r.durationMs)},"fallback_reason":${str(r.fallbackReason)}`
    + `${r.explanation === undefined ? '' : `,"explanation":${clipJson(r.explanation)}`}}`;
}

export interface RecorderOptions {
  /** How long a run may wait in the buffer for others to share its insert. */
  intervalMs?: number;
  /** Rows per insert statement. */
  maxBatch?: number;
  /** Buffered runs past which `record` asks its caller to wait (the database is not keeping up). */
  highWater?: number;
  /** Pause after a failed write before the next attempt. */
  retryMs?: number;
  /**
   * Where `recordNow` writes (runs something depends on), when `sql` commits asynchronously (the server gives
   * the recorder a connection of its own with synchronous_commit off). Default: `sql`.
   */
  durableSql?: postgres.Sql;
}

export class RunRecorder {
  private buffer: RunRecord[] = [];
  readonly pending = new Map<string, RunRecord>();
  private timer: NodeJS.Timeout | null = null;
  /** The one write loop in progress (true when it wrote everything it took). */
  private writing: Promise<boolean> | null = null;
  private backoffUntil = 0;
  private waiters: (() => void)[] = [];
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private readonly highWater: number;
  private readonly retryMs: number;
  private readonly durableSql: postgres.Sql;

  constructor(private sql: postgres.Sql, opts: RecorderOptions | number = {}) {
    const o = typeof opts === 'number' ? { intervalMs: opts } : opts;
    this.durableSql = o.durableSql ?? sql;
    this.intervalMs = o.intervalMs ?? 50;
    this.maxBatch = o.maxBatch ?? 300;
    this.highWater = o.highWater ?? 20_000;
    this.retryMs = o.retryMs ?? 1000;
  }

  /** Runs waiting to be written. */
  get backlog(): number { return this.buffer.length; }

  /**
   * Buffers the run for the next batch. Returns a promise only when the backlog is past the high-water mark:
   * the caller waits on it, so a database that cannot keep up slows requests down instead of filling memory
   * (and no record is dropped).
   */
  record(run: RunRecord): Promise<void> | undefined {
    this.buffer.push(run);
    this.pending.set(run.id, run);
    if (!this.writing) {
      if (this.buffer.length >= this.maxBatch && Date.now() >= this.backoffUntil) void this.kick(false);
      else this.arm(Math.max(this.intervalMs, this.backoffUntil - Date.now()));
    }
    if (this.buffer.length >= this.highWater) return new Promise<void>((resolve) => this.waiters.push(resolve));
    return undefined;
  }

  /** Writes immediately (async runs must be readable before we answer 202). */
  async recordNow(run: RunRecord): Promise<void> {
    await this.write([run], true);
  }

  /** Writes everything buffered; stops (keeping the rest buffered and a retry armed) when a write fails. */
  async flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    while (this.buffer.length || this.writing) {
      const ok = await this.kick(true);
      if (!ok) return;
    }
  }

  private arm(ms: number): void {
    if (!this.timer) this.timer = setTimeout(() => { this.timer = null; void this.kick(false); }, ms);
  }

  /** Starts the write loop unless one is running (then its promise); a single loop at any time. */
  private kick(all: boolean): Promise<boolean> {
    if (!this.writing) {
      this.writing = this.writeBatches(all).finally(() => {
        this.writing = null;
        if (this.buffer.length) this.arm(Math.max(this.intervalMs, this.backoffUntil - Date.now()));
      });
    }
    return this.writing;
  }

  /** One batch, then more while full batches are waiting (or everything, for a flush). */
  private async writeBatches(all: boolean): Promise<boolean> {
    do {
      const batch = this.buffer.length <= this.maxBatch ? this.buffer : this.buffer.slice(0, this.maxBatch);
      this.buffer = batch === this.buffer ? [] : this.buffer.slice(this.maxBatch);
      try {
        try {
          await this.write(batch);
        } catch (err) {
          if (!isRecordError(err)) throw err;
          await this.writeOneByOne(batch, err);
        }
      } catch (err) {
        // The database is unreachable: keep them for the next attempt rather than lose them.
        this.buffer = batch.concat(this.buffer);
        this.backoffUntil = Date.now() + this.retryMs;
        console.error('[patchbay] writing run records failed, will retry:', (err as Error).message);
        return false;
      }
      for (const r of batch) if (this.pending.get(r.id) === r) this.pending.delete(r.id);
      if (this.waiters.length && this.buffer.length < this.highWater) for (const w of this.waiters.splice(0)) w();
    } while (this.buffer.length && (all || this.buffer.length >= this.maxBatch));
    return true;
  }

  /** A batch one of whose records is refused: the others are written, the refused one as its outline. */
  private async writeOneByOne(batch: RunRecord[], batchError: unknown): Promise<void> {
    console.error(`[patchbay] a run record was refused (${(batchError as Error).message}); writing ${batch.length} records one by one`);
    for (const r of batch) {
      try {
        await this.write([r]);
      } catch (err) {
        if (!isRecordError(err)) throw err;
        try {
          await this.write([outlineOf(r, err)]);
          console.error(`[patchbay] run ${r.id}: stored without its data (${(err as Error).message})`);
        } catch (err2) {
          if (!isRecordError(err2)) throw err2;
          // e.g. its customer was deleted meanwhile: the run would have gone with it
          console.error(`[patchbay] run ${r.id} could not be recorded: ${(err2 as Error).message}`);
        }
      }
    }
  }

  /**
   * `durable`: on `durableSql`, committed synchronously: runs that others depend on — a queued run answered 202,
   * a run waiting on a delay, a run a worker finished. The batches of finished live runs (`record`) go through
   * `sql`, which in the server commits asynchronously: a crash may lose the last ~0.6 s of them, which loses
   * history only; nothing was promised on them and nothing resumes from them (ARCHITECTURE.md, "Durability").
   */
  private async write(batch: RunRecord[], durable = false): Promise<void> {
    // The same run may appear twice in a batch (running → finished); keep the last.
    const last = new Map<string, RunRecord>();
    for (const r of batch) last.set(r.id, r);
    const runs = [...last.values()];
    // Built as JSON text directly so every value is serialised exactly once.
    let rowsJson = '[';
    for (let i = 0; i < runs.length; i++) {
      // A big batch is serialised in slices, letting requests in between (no multi-millisecond stall).
      if (i && i % 100 === 0) await new Promise<void>((r) => setImmediate(r));
      rowsJson += (i ? ',' : '') + runJson(runs[i]);
    }
    rowsJson = storableJson(rowsJson + ']');
    await this.insert(durable ? this.durableSql : this.sql, rowsJson);
  }

  private async insert(sql: postgres.Sql, rowsJson: string): Promise<void> {
    // One row per run, one statement per batch: recording stays a small fraction of the hot path's cost.
    await sql`
      insert into runs (id, vendor_id, customer_id, flow_id, flow_version, automation, mode, status, trigger, response, error, state, steps, resume_at, started_at, finished_at, duration_ms, fallback_reason, explanation)
      select * from json_to_recordset(${rowsJson}::text::json) as x(id uuid, vendor_id uuid, customer_id uuid, flow_id uuid, flow_version int, automation text, mode text,
        status run_status, trigger json, response json, error json, state json, steps json, resume_at timestamptz, started_at timestamptz, finished_at timestamptz, duration_ms real, fallback_reason text,
        explanation json)
      on conflict (id) do update set status = excluded.status, response = excluded.response, error = excluded.error, state = excluded.state,
        -- merge by step seq (a resumed run adds steps to the ones recorded before its delay)
        steps = (select coalesce(json_agg(d.s order by d.seq), '[]'::json) from (
                   select distinct on ((u.s->>'seq')::int) (u.s->>'seq')::int as seq, u.s from (
                     select e.s, 1 as pri from json_array_elements(coalesce(excluded.steps, '[]'::json)) e(s)
                     union all select e.s, 2 from json_array_elements(coalesce(runs.steps, '[]'::json)) e(s)) u
                   order by (u.s->>'seq')::int, u.pri) d),
        resume_at = excluded.resume_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, fallback_reason = excluded.fallback_reason,
        explanation = coalesce(excluded.explanation, runs.explanation)`;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.buffer.length) console.error(`[patchbay] ${this.buffer.length} run records could not be written before shutdown`);
    for (const w of this.waiters.splice(0)) w();
  }
}
