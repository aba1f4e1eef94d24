// The phone system's HTTP client: the shared client with the auth style, paths and pagination the
// connection's config describes, generic rate-limit headers (X-RateLimit-* / RateLimit-*), and error bodies
// read whatever their shape ({ error: { message } }, { message }, problem+json …).
import { createHttpClient, HttpError, type AuthStrategy, type HttpClient, type HttpRequest, type HttpResponse, type RateLimitInfo } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { resolvePhonebookConfig, type PhonebookConfig, type PhonebookOperation } from './config';
import { getPath, setPath } from './map-contact';

export function readPhonebookRateLimit(headers: Headers): RateLimitInfo {
  const num = (...names: string[]) => {
    for (const name of names) {
      const v = headers.get(name);
      if (v !== null && v !== '' && Number.isFinite(Number(v))) return Number(v);
    }
    return undefined;
  };
  let reset = num('x-ratelimit-reset', 'ratelimit-reset');
  // Some APIs send the reset as an epoch time rather than seconds from now.
  if (reset !== undefined && reset > 1_000_000_000) reset = Math.max(0, reset - Date.now() / 1000);
  return { limit: num('x-ratelimit-limit', 'ratelimit-limit'), remaining: num('x-ratelimit-remaining', 'ratelimit-remaining'), resetSeconds: reset };
}

export function phonebookErrorMessage(_status: number, body: unknown): string | undefined {
  if (!body) return undefined;
  if (typeof body === 'string') return body.slice(0, 300);
  if (typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const candidates = [getPath(b, 'error.message'), b.message, b.detail, b.title, b.error_description, b.error, getPath(b, 'errors.0.message'), getPath(b, 'errors.0')];
  const text = candidates.find((c): c is string => typeof c === 'string' && c.length > 0);
  const code = getPath(b, 'error.code');
  if (!text) return typeof code === 'string' ? code : undefined;
  return typeof code === 'string' && code !== text ? `${text} [${code}]` : text;
}

export function authStrategy(config: PhonebookConfig, creds: Record<string, unknown>): AuthStrategy {
  const token = typeof creds.token === 'string' && creds.token ? creds.token : typeof creds.apiKey === 'string' && creds.apiKey ? creds.apiKey : null;
  const missing = (what: string) => new PatchbayError('connection_auth', `The phone system connection has no ${what}: reconnect the phone system`);
  const a = config.auth;
  switch (a.kind) {
    case 'basic': {
      const user = typeof creds.username === 'string' ? creds.username : '';
      const pass = typeof creds.password === 'string' ? creds.password : '';
      if (!user) throw missing('username');
      const encoded = Buffer.from(`${user}:${pass}`).toString('base64');
      return { apply: (req) => { req.headers.authorization = `Basic ${encoded}`; } };
    }
    case 'header':
      if (!token) throw missing('API token');
      return { apply: (req) => { req.headers[a.name.toLowerCase()] = `${a.prefix}${token}`; } };
    case 'query':
      if (!token) throw missing('API token');
      return { apply: (req) => { req.query.set(a.param, token); } };
    case 'bearer':
      if (!token) throw missing('API token');
      return { apply: (req) => { req.headers.authorization = `Bearer ${token}`; } };
  }
}

/** Fills `{name}` placeholders: URL-encoded in the path; a `?k={v}` part of the template becomes query parameters. */
export function fillPathTemplate(template: string, vars: Record<string, string | undefined>, extraQuery: Record<string, string> = {}): { path: string; query: Record<string, string> } {
  const value = (name: string) => {
    const v = vars[name];
    if (v === undefined || v === null || v === '') throw new PatchbayError('invalid_params', `The phone system path "${template}" needs {${name}}, which is empty`);
    return v;
  };
  const fill = (s: string) => s.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (_m, name: string) => value(name));
  const q = template.indexOf('?');
  const pathPart = q < 0 ? template : template.slice(0, q);
  const path = pathPart.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (_m, name: string) => encodeURIComponent(value(name)));
  const query: Record<string, string> = {};
  if (q >= 0) {
    // Split by hand: URLSearchParams would read a literal "+" in the template as a space.
    for (const pair of template.slice(q + 1).split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const k = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      query[k] = fill(eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1)));
    }
  }
  for (const [k, v] of Object.entries(extraQuery)) query[k] = fill(v);
  return { path, query };
}

function rewriteAuthError(err: unknown, config: PhonebookConfig): unknown {
  if (err instanceof HttpError && err.kind === 'auth') {
    const detail = phonebookErrorMessage(401, err.body);
    return new HttpError('auth', `${config.name} rejected the credentials: reconnect the phone system${detail ? ` (${detail})` : ''}`, err.status, err.body, err.requestLog);
  }
  return err;
}

type PageStep<B> = (res: HttpResponse<B>, req: HttpRequest) => HttpRequest | null;

export interface PhonebookClient {
  config: PhonebookConfig;
  http: HttpClient;
  /** Calls one configured operation. */
  call<T = unknown>(op: PhonebookOperation, vars?: Record<string, string | undefined>, extra?: { query?: HttpRequest['query']; body?: unknown }): Promise<HttpResponse<T>>;
  /** The HttpRequest an operation makes (for paginate). */
  requestFor(op: PhonebookOperation, vars?: Record<string, string | undefined>, extra?: { query?: HttpRequest['query']; body?: unknown }): HttpRequest;
  /** http.paginate with the auth error made actionable. */
  paginate<T, B = unknown>(first: HttpRequest, next: PageStep<B>, items: (res: HttpResponse<B>) => T[]): AsyncGenerator<{ items: T[]; response: HttpResponse<B> }>;
}

export function createPhonebookClient(call: ConnectorCall): PhonebookClient {
  const config = resolvePhonebookConfig(call.conn);
  const baseUrl = config.baseUrl ?? call.conn.baseUrl;
  if (!baseUrl) throw new PatchbayError('connection_auth', 'The phone system connection has no base URL: reconnect the phone system');
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl,
    systemName: config.name,
    auth: authStrategy(config, call.conn.credentials ?? {}),
    readRateLimit: readPhonebookRateLimit,
    onRateLimit: call.onRateLimit,
    errorMessage: phonebookErrorMessage,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });

  function requestFor(op: PhonebookOperation, vars: Record<string, string | undefined> = {}, extra: { query?: HttpRequest['query']; body?: unknown } = {}): HttpRequest {
    const o = config.operations[op];
    const { path, query } = fillPathTemplate(o.path, vars, o.query);
    let body = extra.body;
    if (body !== undefined && o.bodyPath) {
      const wrapped: Record<string, unknown> = {};
      setPath(wrapped, o.bodyPath, body);
      body = wrapped;
    }
    return { method: o.method, path, query: { ...query, ...extra.query }, body };
  }

  return {
    config,
    http,
    requestFor,
    async call<T>(op: PhonebookOperation, vars?: Record<string, string | undefined>, extra?: { query?: HttpRequest['query']; body?: unknown }) {
      try {
        return await http.request<T>(requestFor(op, vars, extra));
      } catch (err) {
        throw rewriteAuthError(err, config);
      }
    },
    async *paginate<T, B = unknown>(first: HttpRequest, next: PageStep<B>, items: (res: HttpResponse<B>) => T[]) {
      try {
        yield* http.paginate<T, B>(first, next, items);
      } catch (err) {
        throw rewriteAuthError(err, config);
      }
    },
  };
}

/** The records of an answer: an array at `resultPath`, or one object there. */
export function recordsAt(body: unknown, resultPath: string): unknown[] {
  const v = getPath(body, resultPath);
  if (Array.isArray(v)) return v;
  return v && typeof v === 'object' ? [v] : [];
}
