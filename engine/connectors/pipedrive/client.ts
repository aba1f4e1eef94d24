// The Pipedrive HTTP client: the shared client with Pipedrive's auth (x-api-token header or OAuth bearer),
// its burst rate-limit headers, its error envelope, and helpers for the v2 cursor pages and the web UI links.
import { createHttpClient, HttpError, type AuthStrategy, type HttpRequest, type HttpResponse, type RateLimitInfo } from '../../core/http-client';
import type { ConnectionHandle } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { oauthBearer } from '../kit/oauth2';
import { callOf } from '../kit/contact-source';

export const PIPEDRIVE_NAME = 'Pipedrive';
export const PIPEDRIVE_DEFAULT_BASE_URL = 'https://api.pipedrive.com';
export const PIPEDRIVE_OAUTH_AUTHORIZE_URL = 'https://oauth.pipedrive.com/oauth/authorize';
export const PIPEDRIVE_OAUTH_TOKEN_URL = 'https://oauth.pipedrive.com/oauth/token';

/** Pipedrive's answer envelope: `{ success, data, additional_data }`, errors `{ success: false, error, error_info }`. */
export interface PipedriveEnvelope<T> {
  success: boolean;
  data: T;
  additional_data?: { next_cursor?: string | null; pagination?: { start: number; limit: number; more_items_in_collection: boolean; next_start?: number } } | null;
  error?: string;
  error_info?: string;
}

export interface PipedriveCredentials {
  /** Personal API token (Settings → Personal preferences → API). */
  apiToken?: string;
  /** Company subdomain ("acme" for acme.pipedrive.com), used for links to records. */
  companyDomain?: string;
  accessToken?: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** OAuth token endpoint; defaults to oauth.pipedrive.com (or the emulator's when the base URL is not Pipedrive's). */
  tokenUrl?: string;
}

const GENERIC_INFO = /^please check developers\.pipedrive\.com/i;

export function readPipedriveRateLimit(headers: Headers): RateLimitInfo {
  const num = (name: string) => {
    const v = headers.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  return { limit: num('x-ratelimit-limit'), remaining: num('x-ratelimit-remaining'), resetSeconds: num('x-ratelimit-reset') };
}

export function pipedriveErrorMessage(_status: number, body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  const b = body as Record<string, unknown>;
  const error = typeof b.error === 'string' ? b.error : typeof b.message === 'string' ? b.message : undefined;
  const info = typeof b.error_info === 'string' && !GENERIC_INFO.test(b.error_info) ? b.error_info : undefined;
  if (error && info) return `${error}: ${info}`;
  return error ?? info;
}

function isPipedriveHost(baseUrl: string): boolean {
  try { return /(^|\.)pipedrive\.com$/i.test(new URL(baseUrl).hostname); } catch { return false; }
}

export function pipedriveTokenUrl(conn: ConnectionHandle): string {
  const creds = conn.credentials as PipedriveCredentials;
  if (creds.tokenUrl) return creds.tokenUrl;
  return isPipedriveHost(conn.baseUrl) ? PIPEDRIVE_OAUTH_TOKEN_URL : conn.baseUrl.replace(/\/+$/, '') + '/oauth/token';
}

/**
 * Where records open in Pipedrive's web app: the company's own domain when known (credentials or an OAuth
 * api_domain base URL), app.pipedrive.com (which redirects to the user's company) for api.pipedrive.com, and the
 * base URL itself for anything else (the emulator).
 */
export function pipedriveWebBase(conn: ConnectionHandle): string {
  const creds = conn.credentials as PipedriveCredentials;
  if (creds.companyDomain) return `https://${creds.companyDomain.replace(/\.pipedrive\.com$/i, '')}.pipedrive.com`;
  try {
    const u = new URL(conn.baseUrl);
    if (/^api\.pipedrive\.com$/i.test(u.hostname)) return 'https://app.pipedrive.com';
    return u.origin;
  } catch {
    return 'https://app.pipedrive.com';
  }
}

function apiTokenAuth(conn: ConnectionHandle): AuthStrategy {
  return {
    apply(req) {
      const creds = conn.credentials as PipedriveCredentials & { token?: string };
      req.headers['x-api-token'] = String(creds.apiToken ?? creds.token ?? '');
    },
  };
}

export function createPipedriveClient(call: ConnectorCall) {
  const { conn } = call;
  const creds = conn.credentials as PipedriveCredentials;
  const auth = typeof creds.accessToken === 'string' && creds.accessToken ? oauthBearer(conn, call.fetch, pipedriveTokenUrl(conn)) : apiTokenAuth(conn);
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl: conn.baseUrl || PIPEDRIVE_DEFAULT_BASE_URL,
    systemName: PIPEDRIVE_NAME,
    auth,
    readRateLimit: readPipedriveRateLimit,
    onRateLimit: call.onRateLimit,
    errorMessage: pipedriveErrorMessage,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });

  /** Pipedrive sometimes answers 200 with `success: false`; treat it as the error it is. */
  function unwrap<T>(res: HttpResponse<PipedriveEnvelope<T>>): T {
    const body = res.body;
    if (!body || typeof body !== 'object' || body.success === false) {
      const detail = pipedriveErrorMessage(res.status, body) ?? 'unexpected answer';
      throw new HttpError('bad_request', `${PIPEDRIVE_NAME} rejected the request: ${detail}`, res.status, body, http.requestLog);
    }
    return body.data;
  }

  async function get<T>(path: string, query?: HttpRequest['query']): Promise<T> {
    return unwrap(await http.request<PipedriveEnvelope<T>>({ path, query }));
  }

  async function send<T>(method: 'POST' | 'PUT' | 'PATCH', path: string, body: unknown): Promise<T> {
    return unwrap(await http.request<PipedriveEnvelope<T>>({ method, path, body }));
  }

  /** GET that answers null on 404 (a record that does not exist or was deleted). */
  async function getOrNull<T>(path: string, query?: HttpRequest['query']): Promise<T | null> {
    try {
      return await get<T>(path, query);
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return null;
      throw err;
    }
  }

  /**
   * Pages of a v2 list endpoint (cursor in `additional_data.next_cursor`), fetched lazily. `nextQuery` changes
   * parameters from the second page on (the cursor marks a position, so e.g. the limit may change).
   */
  async function* pagesV2<T>(path: string, query: NonNullable<HttpRequest['query']>, nextQuery: HttpRequest['query'] = {}): AsyncGenerator<{ items: T[]; nextCursor: string | null }> {
    const pages = http.paginate<T, PipedriveEnvelope<T[]>>(
      { path, query },
      (res, req) => {
        const next = res.body?.additional_data?.next_cursor;
        return next ? { ...req, query: { ...req.query, ...nextQuery, cursor: next } } : null;
      },
      (res) => unwrap(res) ?? [],
    );
    for await (const page of pages) yield { items: page.items, nextCursor: page.response.body?.additional_data?.next_cursor ?? null };
  }

  const webBase = pipedriveWebBase(conn);
  return {
    ...http,
    unwrap,
    get,
    getOrNull,
    send,
    pagesV2,
    personUrl: (id: number | string) => `${webBase}/person/${id}`,
    organizationUrl: (id: number | string) => `${webBase}/organization/${id}`,
  };
}

export type PipedriveClient = ReturnType<typeof createPipedriveClient>;

/** The ConnectorCall a block builds from its run context. */
export function callFromContext(ctx: { fetch: typeof fetch; requestLog: ConnectorCall['requestLog']; signal?: AbortSignal }, conn: ConnectionHandle): ConnectorCall {
  return callOf(ctx, conn);
}

/** Pipedrive ids are positive integers; blocks take them as strings. */
export function toPipedriveId(v: string | number | null | undefined, what: string): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new PatchbayError('invalid_params', `${what} must be a Pipedrive id (a positive whole number), got "${String(v)}"`);
  return n;
}
