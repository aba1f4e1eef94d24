// The Staff API's wire shapes (JSON, dates as ISO strings). The route declarations (lib/api/staff/) produce them;
// the UI's api-client and hooks consume them. Types only: safe to import from client components. Where the route's
// zod schema (lib/api/staff/shapes.ts) says all there is to say, the type is inferred from it.
import type { z } from 'zod';
import type { Flow, FlowIssue, HttpRequestLogEntry, SerializedError } from '@/engine';
import type { flowListItem, flowVersionInfo, runListItem, runStatus } from '@/lib/api/staff/shapes';

export type StaffRole = 'owner' | 'editor' | 'viewer';
export type RunStatus = z.infer<typeof runStatus>;

export interface ApiErrorBody {
  error: { code: string; message: string; path?: (string | number)[]; issues?: { path: (string | number)[]; nodeId?: string; message: string }[] };
}

/** `vendor.slug` names the vendor in the URLs other systems call (webhooks). */
export interface StaffMe { id: string; email: string; name: string; role: StaffRole; vendor: { id: string; name: string; slug: string } }

/** `publishedVersion`: the version the automation URL runs (null while a draft); `enabledCustomers`: customers whose integration points at it. */
export type FlowListItem = z.infer<typeof flowListItem>;

export type FlowVersionInfo = z.infer<typeof flowVersionInfo>;

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

/** "Why no match", as the run page shows it (the shape of lib/cdp/explain-miss.ts's MissExplanation). */
export interface MissExplanationWire {
  summary: string;
  number?: { raw: string; country: string | null; countryAssumed: string | null; countryCallingCode: string | null; type: string | null; valid: boolean; e164: string | null; nationalNumber: string | null; reason?: string };
  searched?: string | null;
  near?: { e164: string; kind: 'other_country' | 'one_digit'; detail: string; missingCountryCode?: { storedAs: string; readIn: string | null }; contact: { source: string; externalId: string; displayName: string } }[];
  rejected?: { source: string | null; externalId: string; displayName: string | null; phone: string; reason: string; seenIn: 'cdp' | 'sync' }[];
  skipped?: string;
}

/** `customer`: the vendor's own id of the customer (null for runs without one). */
export type RunListItem = z.infer<typeof runListItem>;

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
  /** Why a caller lookup found nobody (lib/cdp/explain-miss.ts). */
  explanation?: MissExplanationWire | null;
}

/** `health`: the last 24 hours from the run aggregates (lib/runs/customer-health.ts). */
export interface CustomerListItem { id: string; externalId: string; name: string; defaultCountry: string; health: { runs: number; failed: number; fallbacks: number; p95Ms: number | null } }
