// A block is declared once: the palette, the inspector form, flow validation and `run` all come from this.
import type { z } from 'zod';
import type { CdpContact, CdpLookupHit, UnifiedContact } from './contact';
import type { SerializedError } from './errors';
import type { CallSessionPort } from './call-session';
import type { RateLimitInfo } from './http-client';

export interface HttpRequestLogEntry {
  method: string;
  url: string;
  status: number | null;
  durationMs: number;
  attempt: number;
  error?: string;
}

export interface CdpPort {
  /** The contact `CALLER_MATCH_RULE` picks among those with the number, with how many there are (`matches`). */
  lookupByPhone(e164: string): Promise<CdpLookupHit | null>;
  findByExternalId(source: string, externalId: string): Promise<CdpContact | null>;
  upsert(contacts: UnifiedContact[]): Promise<{ inserted: number; updated: number; unchanged: number; rejected: { externalId: string; reason: string }[] }>;
  delete(source: string, externalIds: string[]): Promise<number>;
}

export interface ConnectionHandle {
  id: string;
  system: string;
  /** Decrypted credentials (token, api key, oauth tokens …) and the base URL to talk to. */
  credentials: Record<string, unknown>;
  baseUrl: string;
  /** Persist refreshed OAuth tokens (last write wins: hosts with `renewCredentials` are not raced through this). */
  saveCredentials(next: Record<string, unknown>): Promise<void>;
  /**
   * Renews the connection's credentials one caller at a time across every process: `renew` receives the
   * credentials as stored now (another caller may have renewed them already) and answers the new credentials to
   * store, or null to keep those; answers what is stored after. Optional: hosts without it only save.
   */
  renewCredentials?(renew: (latest: Record<string, unknown>) => Promise<Record<string, unknown> | null>): Promise<Record<string, unknown>>;
  reportHealth(ok: boolean, message?: string): Promise<void>;
}

/** What a flow may ask of the durable contact sync (the host runs it in the job engine, never in the flow). */
export interface SyncStartRequest {
  /** The CRM to read from (a connector with a contact source): hubspot, salesforce, pipedrive … */
  source: string;
  /** incremental: changes since the stored cursor; full: that, then a comparison of all ids that deletes what is gone. */
  mode?: 'incremental' | 'full';
  kinds?: ('person' | 'company')[];
  destinations?: ('cdp' | 'phonebook')[];
  incrementalEveryMinutes?: number;
  fullEveryHours?: number;
  /** Share of a destination's records a full comparison may delete unasked (0.2 = 20%). */
  deleteThreshold?: number;
  /** two_way: phonebook edits also go to the CRM. */
  direction?: 'one_way' | 'two_way';
  /** Two-way: who wins a contact edited on both sides (crm_wins, phone_wins, newest, field_by_field). */
  conflictRule?: 'crm_wins' | 'phone_wins' | 'newest' | 'field_by_field';
}

export interface SyncPort {
  /** Queues a sync run; `already_running` (with that run's id) when one is queued or running for this customer and source. */
  start(req: SyncStartRequest): Promise<{ syncRunId: string; status: 'queued' | 'already_running' }>;
}

export interface RunContext {
  runId: string;
  mode: 'live' | 'test';
  customer: { id: string; defaultCountry: string };
  options: Record<string, unknown>;
  cdp: CdpPort;
  /** Outgoing HTTP (the host decides what is reachable). */
  fetch: typeof fetch;
  connections: { get(system: string): Promise<ConnectionHandle> };
  clock: { now(): Date };
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown) => void;
  signal?: AbortSignal;
  /** Cheaper than `signal.aborted` for the runner's check between steps (the host creates the signal lazily). */
  isCancelled?(): boolean;
  /** Request log of the step being run: the shared HTTP client appends here. */
  requestLog: HttpRequestLogEntry[];
  /**
   * The rate-limit headers of an answer from a connected system (read by the shared HTTP client): the host feeds
   * them to that customer's shared rate budget, so real-time work teaches it the vendor's limit as syncs do.
   */
  onRateLimit?(system: string, info: RateLimitInfo): void;
  /** Durable contact sync; absent where no job engine runs (the CLI, engine tests without a fake). */
  sync?: SyncPort;
  /** The customer's call sessions (built from the phone system's call events); absent without a database. */
  calls?: CallSessionPort;
  /**
   * A side-effect-free run (shadow replay of recorded inputs through a new flow version): the runner does not run
   * blocks that declare an `effect`, it records what they would have done, and a suspension does not wait. The
   * host's ports refuse writes in such a run too, so a block that forgot its declaration fails instead of writing.
   */
  dryRun?: boolean;
}

/** What a block with an `effect` would have done in a dry run: the step's `wouldDo`. */
export interface WouldDo {
  /** In words: "Log the call in the CRM". */
  what: string;
  /** The system it would have written to (a connector id, `cdp`, `sync` …). */
  system: string | null;
  /** The params it would have run with. */
  params: unknown;
}

export interface BlockResult<O = unknown> {
  output: O;
  /** Output port to follow; defaults to the block's first port. */
  port?: string;
  /** Set by respond.* blocks: what a synchronous automation URL answers. */
  respond?: { status: number; body: unknown; headers?: Record<string, string> };
  /** Durable wait: the run is persisted and resumed by the job engine at `resumeAt`. */
  suspend?: { resumeAt: Date };
}

export interface PortDeclaration {
  id: string;
  label: string;
}

export type BlockCategory = 'Triggers' | 'Data' | 'Logic' | 'Respond' | 'CDP' | 'CRM' | 'Phone system' | 'Messaging' | 'Storage' | 'Utility';

export interface BlockDefinition<P extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  id: string;
  version: number;
  title: string;
  description: string;
  category: BlockCategory;
  /** An icon name from the UI's icon set (emoji fallback allowed). */
  icon: string;
  params: P;
  output: O;
  ports: PortDeclaration[];
  /** Connector this block belongs to; the host must supply a connection of this system. */
  connector?: string;
  /** Generic blocks (crm.*): the param that names the connector at run time ("crm" → hubspot, salesforce …). */
  connectorParam?: string;
  /** Triggers only: a sample payload used by the test panel and for autocomplete. */
  example?: unknown;
  isTrigger?: boolean;
  /**
   * Running it twice with the same params does no harm (a lookup, an upsert): only such blocks may be given
   * retries in a flow.
   */
  idempotent?: boolean;
  /**
   * Params the editor insists on even though the schema lets a run go on without them, because an expression
   * may yield nothing at run time (a condition on a missing field is false, a lookup of no number finds nobody).
   */
  required?: string[];
  /**
   * The block changes something outside the run (a CRM record, the phonebook, the CDP, a stored object, a started
   * sync, a routed call). A dry run (`ctx.dryRun`) does not run it and records `wouldDo` instead; `when` limits the
   * effect to some params (an HTTP GET writes nothing); `simulate` gives the output and port the step takes then
   * (default: `{ simulated: true }` through the first port).
   */
  effect?: {
    what: string;
    /** The system written to when it is not the block's connector (or its connector param): `cdp`, `sync` … */
    system?: string;
    when?: (params: z.infer<P>) => boolean;
    simulate?: (params: z.infer<P>) => { output: unknown; port?: string };
  };
  /** One-line summary of params for the canvas node. */
  summarize?: (params: Record<string, unknown>) => string;
  run(ctx: RunContext, params: z.infer<P>, input: { trigger: unknown; nodeId: string }): Promise<BlockResult<z.infer<O>>>;
}

export const OUT_PORT: PortDeclaration[] = [{ id: 'out', label: 'next' }];

/** The two ports of every lookup block (CDP, CRM, phonebook): a flow branches on whether something was found. */
export const FOUND_PORTS: PortDeclaration[] = [
  { id: 'found', label: 'found' },
  { id: 'notFound', label: 'not found' },
];

export function defineBlock<P extends z.ZodType, O extends z.ZodType>(def: BlockDefinition<P, O>): BlockDefinition<P, O> {
  if (!/^[a-z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)*$/.test(def.id)) throw new Error(`Block id ${def.id} must look like "cdp.lookup" or "delay"`);
  if (def.ports.length === 0 && !def.id.startsWith('respond.')) throw new Error(`Block ${def.id} declares no ports`);
  return def;
}

export type AnyBlock = BlockDefinition<z.ZodType, z.ZodType>;

export interface StepRecord {
  seq: number;
  nodeId: string;
  blockId: string;
  status: 'succeeded' | 'failed' | 'suspended';
  input: unknown;
  output: unknown;
  port: string | null;
  startedAt: string;
  durationMs: number;
  error?: SerializedError;
  requestLog?: HttpRequestLogEntry[];
  /** How many times the block ran when its retries were used (absent: once). */
  attempts?: number;
  /** The step failed and its on-error setting let the run go on (`continue` or `error`). */
  errorHandled?: 'continue' | 'error';
  /** Dry runs: the block was not run; this is what it would have done. */
  wouldDo?: WouldDo;
}

/** "externalIds" → "External ids", "timeoutMs" → "Timeout ms": param names as people read them. */
export function humanizeParam(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase().trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
