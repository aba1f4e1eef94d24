// What a CRM connector offers the sync engine: changed records in pages with a resumable cursor,
// and every id for delete detection. Pages are streamed, never collected, so memory stays flat.
import type { ConnectionHandle, HttpRequestLogEntry, RunContext } from '../../core/define-block';
import type { RateLimitInfo } from '../../core/http-client';
import type { UnifiedContact } from '../../core/contact';

/** What a connector function needs to call its API (built from a RunContext or by the sync worker). */
export interface ConnectorCall {
  fetch: typeof fetch;
  conn: ConnectionHandle;
  requestLog: HttpRequestLogEntry[];
  signal?: AbortSignal;
  /** Rate-limit headers of every answer, for the per-customer budget. */
  onRateLimit?: (info: RateLimitInfo) => void;
  /** Overrides of the HTTP client (tests shorten backoff). */
  http?: { maxRetries?: number; backoffMs?: number; timeoutMs?: number; maxRetryAfterMs?: number };
}

/** A block's call to a connected system: the run's fetch, log and signal, and its rate-limit headers to the host. */
export function callOf(ctx: Pick<RunContext, 'fetch' | 'requestLog' | 'signal' | 'onRateLimit'>, conn: ConnectionHandle): ConnectorCall {
  const report = ctx.onRateLimit;
  return { fetch: ctx.fetch, conn, requestLog: ctx.requestLog, signal: ctx.signal, onRateLimit: report ? (info) => report.call(ctx, conn.system, info) : undefined };
}

export type ObjectKind = 'person' | 'company';

export interface ChangedPage {
  kind: ObjectKind;
  contacts: UnifiedContact[];
  /**
   * Opaque cursor to store once this page is committed; passing it back as `cursor` resumes right after
   * this page. Typically the last record's modified time + id.
   */
  cursor: string;
}

export interface ContactSource {
  system: string;
  /** Records modified after `cursor` (null = everything), oldest first, one page at a time. */
  listChanged(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncIterable<ChangedPage>;
  /** Every live record id of that kind, in pages. */
  listAllIds(call: ConnectorCall, opts: { kind: ObjectKind; pageSize?: number }): AsyncIterable<string[]>;
  /** Optional: about how many records `listChanged` would deliver from `cursor` (progress bars); null when unknown. */
  countChanged?(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null }): Promise<number | null>;
}
