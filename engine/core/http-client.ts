// The one HTTP client every connector uses: timeouts, retries with exponential backoff and jitter on
// 5xx/network errors, Retry-After and rate-limit headers on 429, OAuth refresh on 401, pagination as
// async iterators, and a compact request log (secrets never logged). No connector loops by hand.
import type { HttpRequestLogEntry } from './define-block';
import { PatchbayError } from './errors';

export interface AuthStrategy {
  /** Add credentials to an outgoing request (headers or query). */
  apply(req: { headers: Record<string, string>; query: URLSearchParams }): Promise<void> | void;
  /**
   * Called once on 401 with the refused request's headers and query (which credentials it carried: another
   * caller may have renewed them since); return true when new credentials were obtained and the request should be retried.
   */
  refresh?(refused?: { headers: Record<string, string>; query: URLSearchParams }): Promise<boolean>;
}

export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  /** Seconds until the window resets. */
  resetSeconds?: number;
}

export interface HttpClientOptions {
  fetch: typeof fetch;
  baseUrl: string;
  /** Human name of the remote system for error messages: "HubSpot". */
  systemName: string;
  auth?: AuthStrategy;
  timeoutMs?: number;
  maxRetries?: number;
  /** Base backoff in ms (doubles each attempt, with jitter). */
  backoffMs?: number;
  /** Longest Retry-After the client waits out before failing with rate_limited. */
  maxRetryAfterMs?: number;
  requestLog?: HttpRequestLogEntry[];
  defaultHeaders?: Record<string, string>;
  /** Reads vendor-specific rate-limit headers (e.g. X-HubSpot-RateLimit-Remaining). */
  readRateLimit?: (headers: Headers) => RateLimitInfo;
  onRateLimit?: (info: RateLimitInfo) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Extracts a readable message from an error body. */
  errorMessage?: (status: number, body: unknown) => string | undefined;
  /**
   * Vendor-specific error meaning that the status alone misstates, e.g. Salesforce's 403 REQUEST_LIMIT_EXCEEDED
   * (the org's daily API allocation is used up: a rate limit, not a permissions problem).
   */
  classifyError?: (status: number, body: unknown) => { kind: HttpErrorKind; message: string } | undefined;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined | null | (string | number)[]>;
  body?: unknown;
  /** Sends the body as application/x-www-form-urlencoded instead of JSON. */
  form?: Record<string, string>;
  /**
   * Sends these bytes as they are (an upload chunk); the caller sets content-type. They go out as a stream of
   * views with their Content-Length: fetch copies a buffer body (and keeps the copy while sending), a stream not.
   */
  raw?: Uint8Array;
  headers?: Record<string, string>;
  /** Do not retry (non-idempotent POSTs without an idempotency key). Network errors before a response are still retried for GET. */
  retry?: boolean;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  rateLimit: RateLimitInfo;
}

export type HttpErrorKind = 'auth' | 'forbidden' | 'not_found' | 'bad_request' | 'conflict' | 'rate_limited' | 'server' | 'network' | 'timeout';

export class HttpError extends PatchbayError {
  constructor(
    readonly kind: HttpErrorKind,
    message: string,
    readonly status: number | null,
    readonly body: unknown,
    readonly requestLog: HttpRequestLogEntry[],
  ) {
    const code = kind === 'auth' || kind === 'forbidden' ? 'connection_auth' : kind === 'rate_limited' ? 'rate_limited' : kind === 'not_found' ? 'not_found' : kind === 'network' || kind === 'timeout' ? 'network_error' : 'upstream_error';
    super(code, message, { details: { status, body, requestLog } });
    this.name = 'HttpError';
  }
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new PatchbayError('cancelled', 'cancelled'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); reject(new PatchbayError('cancelled', 'cancelled')); }, { once: true });
  });

export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

function redactUrl(url: URL): string {
  const u = new URL(url.toString());
  // Also upload sessions' own credentials: SharePoint's tempauth, Google's upload_id.
  for (const k of [...u.searchParams.keys()]) if (/token|key|secret|password|sig|auth|upload_id/i.test(k)) u.searchParams.set(k, '***');
  return u.pathname + (u.search ? u.search : '');
}

export function createHttpClient(opts: HttpClientOptions) {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxRetries = opts.maxRetries ?? 4;
  const backoffMs = opts.backoffMs ?? 250;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
  const sleep = opts.sleep ?? defaultSleep;
  const log = opts.requestLog ?? [];
  const base = opts.baseUrl.replace(/\/+$/, '');

  function buildUrl(req: HttpRequest): URL {
    const url = new URL(/^https?:\/\//.test(req.path) ? req.path : base + (req.path.startsWith('/') ? req.path : '/' + req.path));
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, String(item));
      else url.searchParams.set(k, String(v));
    }
    return url;
  }

  async function request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = req.method ?? 'GET';
    const idempotent = req.retry ?? (method === 'GET' || method === 'PUT' || method === 'DELETE');
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const url = buildUrl(req);
      const headers: Record<string, string> = { accept: 'application/json', ...opts.defaultHeaders, ...req.headers };
      let body: string | ReadableStream<Uint8Array> | undefined;
      if (req.raw !== undefined) {
        body = viewsOf(req.raw);
        headers['content-length'] = String(req.raw.length);
      } else if (req.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(req.form).toString();
      } else if (req.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(req.body);
      }
      await opts.auth?.apply({ headers, query: url.searchParams });
      const started = performance.now();
      const entry: HttpRequestLogEntry = { method, url: redactUrl(url), status: null, durationMs: 0, attempt };
      log.push(entry);
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), timeoutMs);
      const onAbort = () => ac.abort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      let res: Response;
      try {
        res = await opts.fetch(url, { method, headers, body, signal: ac.signal, ...(req.raw !== undefined ? { duplex: 'half' } : {}) } as RequestInit);
      } catch (err) {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        entry.durationMs = Math.round(performance.now() - started);
        const timedOut = ac.signal.aborted && !opts.signal?.aborted;
        entry.error = timedOut ? `timeout after ${timeoutMs} ms` : (err as Error).message;
        if (opts.signal?.aborted) throw new PatchbayError('cancelled', 'The request was cancelled');
        if (attempt <= maxRetries && (idempotent || !timedOut)) {
          await sleep(backoff(attempt), opts.signal);
          continue;
        }
        throw new HttpError(timedOut ? 'timeout' : 'network', `${opts.systemName} could not be reached (${entry.error})`, null, null, log);
      }
      const text = await res.text().catch(() => '');
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      entry.status = res.status;
      entry.durationMs = Math.round(performance.now() - started);
      const parsed = parseBody(text, res.headers.get('content-type'));
      const rateLimit = opts.readRateLimit?.(res.headers) ?? {};
      if (rateLimit.remaining !== undefined || rateLimit.limit !== undefined) opts.onRateLimit?.(rateLimit);

      if (res.status === 401 && opts.auth?.refresh && !refreshed) {
        refreshed = true;
        if (await opts.auth.refresh({ headers, query: url.searchParams })) continue;
      }
      if (res.status === 429) {
        const wait = parseRetryAfter(res.headers.get('retry-after')) ?? (rateLimit.resetSeconds !== undefined ? rateLimit.resetSeconds * 1000 : backoff(attempt));
        if (attempt <= maxRetries + 2 && wait <= maxRetryAfterMs) {
          await sleep(wait + jitter(50), opts.signal);
          continue;
        }
        throw new HttpError('rate_limited', `${opts.systemName} rate limit reached; retry after ${Math.ceil(wait / 1000)} s`, 429, parsed, log);
      }
      if (res.status >= 500 && attempt <= maxRetries && idempotent) {
        const wait = parseRetryAfter(res.headers.get('retry-after')) ?? backoff(attempt);
        await sleep(Math.min(wait, maxRetryAfterMs), opts.signal);
        continue;
      }
      if (res.status >= 400) throw toError(res.status, parsed);
      return { status: res.status, headers: res.headers, body: parsed as T, rateLimit };
    }
  }

  function toError(status: number, body: unknown): HttpError {
    const special = opts.classifyError?.(status, body);
    if (special) return new HttpError(special.kind, special.message, status, body, log);
    const detail = opts.errorMessage?.(status, body) ?? genericMessage(body);
    const name = opts.systemName;
    if (status === 401) return new HttpError('auth', `${name} rejected the credentials: reconnect ${name}${detail ? ` (${detail})` : ''}`, status, body, log);
    if (status === 403) return new HttpError('forbidden', `${name} refused access: check the connection's permissions${detail ? ` (${detail})` : ''}`, status, body, log);
    if (status === 404) return new HttpError('not_found', `${name}: not found${detail ? ` (${detail})` : ''}`, status, body, log);
    if (status === 409) return new HttpError('conflict', `${name}: conflict${detail ? ` (${detail})` : ''}`, status, body, log);
    if (status >= 500) return new HttpError('server', `${name} failed with ${status}${detail ? `: ${detail}` : ''}`, status, body, log);
    return new HttpError('bad_request', `${name} rejected the request (${status})${detail ? `: ${detail}` : ''}`, status, body, log);
  }

  function backoff(attempt: number): number {
    return backoffMs * 2 ** (attempt - 1) + jitter(backoffMs);
  }

  /**
   * Pages through any paginated endpoint. `first` is the first request; `next` derives the following request
   * from a response (or null when done); `items` extracts the records. Pages are fetched lazily, one at a time,
   * so memory stays flat however many records there are.
   */
  async function* paginate<T, B = unknown>(first: HttpRequest, next: (res: HttpResponse<B>, req: HttpRequest) => HttpRequest | null, items: (res: HttpResponse<B>) => T[]): AsyncGenerator<{ items: T[]; response: HttpResponse<B> }> {
    let req: HttpRequest | null = first;
    while (req) {
      const res: HttpResponse<B> = await request<B>(req);
      yield { items: items(res), response: res };
      req = next(res, req);
    }
  }

  return { request, paginate, requestLog: log };
}

export type HttpClient = ReturnType<typeof createHttpClient>;

/** A stream over the bytes in 64 KiB views (no copy); a new one per attempt. */
function viewsOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) { c.close(); return; }
      const n = Math.min(65_536, bytes.length - at);
      c.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset + at, n));
      at += n;
    },
  });
}

function jitter(max: number): number {
  return Math.floor(Math.random() * max);
}

function parseBody(text: string, contentType: string | null): unknown {
  if (!text) return null;
  if (contentType?.includes('json') || /^[\s]*[[{]/.test(text)) {
    try { return JSON.parse(text); } catch { return text; }
  }
  return text;
}

function genericMessage(body: unknown): string | undefined {
  if (!body) return undefined;
  if (typeof body === 'string') return body.slice(0, 200);
  if (Array.isArray(body)) return genericMessage(body[0]);
  const b = body as Record<string, unknown>;
  for (const k of ['message', 'error_description', 'error', 'errorCode', 'detail']) if (typeof b[k] === 'string') return b[k] as string;
  return undefined;
}
