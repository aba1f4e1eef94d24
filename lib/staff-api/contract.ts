// The Staff API's wire shapes (JSON, dates as ISO strings). Route handlers produce them; the UI's
// api-client and hooks consume them. Types only: safe to import from client components.
import type { Flow, FlowIssue, HttpRequestLogEntry, SerializedError } from '@/engine';

export type StaffRole = 'owner' | 'editor' | 'viewer';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'waiting' | 'timeout';

export interface ApiErrorBody {
  error: { code: string; message: string; path?: (string | number)[]; issues?: { path: (string | number)[]; nodeId?: string; message: string }[] };
}

/** `vendor.slug` names the vendor in the URLs other systems call (webhooks). */
export interface StaffMe { id: string; email: string; name: string; role: StaffRole; vendor: { id: string; name: string; slug: string } }

export interface FlowListItem {
  id: string;
  name: string;
  automation: string;
  description: string | null;
  latestVersion: number;
  /** The version the automation URL runs; null while a draft. */
  publishedVersion: number | null;
  updatedAt: string;
  lastRun: { status: RunStatus; startedAt: string } | null;
  /** Customers whose integration points at this flow (deleting it stops their automation). */
  enabledCustomers: number;
}

export interface FlowVersionInfo { version: number; createdAt: string; message: string | null; createdBy: string | null }

export interface FlowDetail { flow: FlowListItem; definition: Flow; version: number; versions: FlowVersionInfo[] }
export interface FlowVersionDetail { version: number; definition: Flow; createdAt: string; message: string | null }

export type { FlowIssue };
export interface ValidateResult { issues: FlowIssue[] }
export interface CreatedFlow { id: string; version: number; automation?: string; renamedFrom?: string }
/** `issues` lists what keeps the draft from being published (a draft may be saved with issues). */
export interface SavedVersion { version: number; issues: FlowIssue[]; publishedVersion?: number }
export interface PublishedFlow { publishedVersion: number }
export interface DuplicatedFlow { id: string }

export interface BlockInfo {
  id: string;
  version: number;
  title: string;
  description: string;
  category: string;
  icon: string;
  ports: { id: string; label: string }[];
  isTrigger: boolean;
  connector?: string;
  example?: unknown;
  /** Safe to run twice: a flow may give it retries. */
  idempotent?: boolean;
  /** JSON schema (draft 2020-12) of the block's params, input side (defaults are optional). */
  params: Record<string, unknown>;
  output: Record<string, unknown>;
}

export interface RunStep {
  seq: number;
  nodeId: string;
  blockId: string;
  status: string;
  input: unknown;
  output: unknown;
  port: string | null;
  error: SerializedError | null;
  startedAt: string;
  durationMs: number;
  requestLog: HttpRequestLogEntry[] | null;
  /** Runs of the block when retries were used. */
  attempts?: number;
  /** The step failed and its on-error setting let the run go on. */
  errorHandled?: 'continue' | 'error';
}

export interface TestRunResult {
  runId: string;
  status: RunStatus;
  response: { status: number; body: unknown; headers?: Record<string, string> } | null;
  error: SerializedError | null;
  steps: RunStep[];
}

export interface RunListItem {
  id: string;
  automation: string;
  /** The vendor's own id of the customer (null for runs without one). */
  customer: string | null;
  status: RunStatus;
  mode: 'live' | 'test' | string;
  startedAt: string;
  durationMs: number | null;
  flowId: string | null;
  flowVersion: number | null;
  flowName: string | null;
}

export interface RunPage { runs: RunListItem[]; nextCursor: string | null }

/** Flow duration figures (ms) of live runs: per time bucket and over the whole window. */
export interface LatencyFigures { count: number; failed: number; p50: number | null; p95: number | null; p99: number | null; max: number | null }
/** Per automation over the window: live runs, and how many answered the flow's fallback (a failed step, the deadline). */
export interface FallbackFigures { automation: string; runs: number; fallbacks: number; failed: number; deadline: number }
export interface RunStatsWire { from: string; to: string; bucketMs: number; buckets: (LatencyFigures & { t: string })[]; total: LatencyFigures; fallbacks?: FallbackFigures[] }

export interface RunFilters {
  automation?: string;
  customer?: string;
  status?: RunStatus;
  flowId?: string;
  from?: string;
  to?: string;
}

export interface RunDetail {
  id: string;
  status: RunStatus;
  automation: string;
  customer: string | null;
  mode: string;
  flowId: string | null;
  flowVersion: number | null;
  flowName: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  trigger: unknown;
  response: unknown;
  error: SerializedError | null;
  steps: RunStep[];
}

export interface CustomerListItem { id: string; externalId: string; name: string; defaultCountry: string }
