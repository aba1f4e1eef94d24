// The Zendesk Support HTTP client: the shared client on the API v2 (https://<subdomain>.zendesk.com/api/v2) with
// Basic auth as `email/token:api_token` or an OAuth bearer token (refreshed at /oauth/tokens), Zendesk's error
// bodies (`{ error, description, details: { field: [{ description }] } }`), its rate-limit headers
// (X-Rate-Limit / X-Rate-Limit-Remaining, ratelimit-limit / -remaining / -reset) and cursor paging.
import { createHttpClient, type AuthStrategy, type RateLimitInfo } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { oauthBearer } from '../kit/oauth2';

export const ZENDESK_NAME = 'Zendesk';
export const ZENDESK_DEFAULT_BASE_URL = 'https://yoursubdomain.zendesk.com';
export const ZENDESK_API = '/api/v2';
export const ZENDESK_MAX_PAGE = 100;

export interface ZendeskCredentials {
  email?: string;
  apiToken?: string;
  token?: string;
  accessToken?: string;
  refreshToken?: string;
  /** Where calls are logged: "notes" (the end user's notes, default) or "ticket" (an internal comment on the caller's ticket). */
  callLogTarget?: string;
}

export function zendeskErrorMessage(_status: number, body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  const b = body as { error?: unknown; description?: unknown; details?: Record<string, { description?: string }[]> };
  const details = b.details && typeof b.details === 'object'
    ? Object.entries(b.details).flatMap(([field, list]) => (Array.isArray(list) ? list : []).map((d) => `${field}: ${d.description ?? 'invalid'}`)) : [];
  if (details.length) return details.join('; ');
  if (typeof b.description === 'string') return b.description;
  if (typeof b.error === 'string') return b.error;
  if (b.error && typeof b.error === 'object') return (b.error as { message?: string; title?: string }).message ?? (b.error as { title?: string }).title;
  return undefined;
}

export function readZendeskRateLimit(h: Headers): RateLimitInfo {
  const num = (v: string | null) => (v === null || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));
  return {
    limit: num(h.get('x-rate-limit')) ?? num(h.get('ratelimit-limit')),
    remaining: num(h.get('x-rate-limit-remaining')) ?? num(h.get('ratelimit-remaining')),
    resetSeconds: num(h.get('ratelimit-reset')),
  };
}

export const zendeskBase = (baseUrl: string) => (baseUrl || ZENDESK_DEFAULT_BASE_URL).replace(/\/+$/, '').replace(/\/api\/v2$/, '');

function tokenAuth(call: ConnectorCall): AuthStrategy {
  return {
    apply(req) {
      const c = call.conn.credentials as ZendeskCredentials;
      req.headers.authorization = `Basic ${Buffer.from(`${c.email ?? ''}/token:${c.apiToken ?? c.token ?? ''}`, 'utf8').toString('base64')}`;
    },
  };
}

export function createZendeskClient(call: ConnectorCall) {
  const { conn } = call;
  const base = zendeskBase(conn.baseUrl);
  const creds = conn.credentials as ZendeskCredentials;
  const target = (creds.callLogTarget ?? '').trim().toLowerCase();
  if (target && target !== 'notes' && target !== 'ticket') {
    throw new PatchbayError('invalid_params', `Zendesk connection: callLogTarget must be "notes" or "ticket", not "${creds.callLogTarget}"`, { path: ['credentials', 'callLogTarget'] });
  }
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl: base + ZENDESK_API,
    systemName: ZENDESK_NAME,
    auth: creds.accessToken ? oauthBearer(conn, call.fetch, `${base}/oauth/tokens`) : tokenAuth(call),
    readRateLimit: readZendeskRateLimit,
    onRateLimit: call.onRateLimit,
    errorMessage: zendeskErrorMessage,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });

  async function get<T>(path: string, query?: Record<string, string | number | undefined | (string | number)[]>): Promise<T> {
    return (await http.request<T>({ path, query })).body;
  }
  async function getOrNull<T>(path: string): Promise<T | null> {
    try {
      return await get<T>(path);
    } catch (err) {
      if (err instanceof PatchbayError && err.code === 'not_found') return null;
      throw err;
    }
  }
  async function send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return (await http.request<T>({ method, path, body })).body;
  }

  /** Every record of a cursor-paged list (page[size], meta.has_more, meta.after_cursor), page by page. */
  async function* cursorPages<T>(path: string, key: string, query: Record<string, string | number | (string | number)[]> = {}, maxPages = 1000): AsyncGenerator<T[]> {
    let after: string | null = null;
    for (let i = 0; i < maxPages; i++) {
      const body: Record<string, unknown> & { meta?: { has_more?: boolean; after_cursor?: string | null } } = await get(path, { ...query, 'page[size]': ZENDESK_MAX_PAGE, ...(after ? { 'page[after]': after } : {}) });
      const rows = (body[key] as T[] | undefined) ?? [];
      if (rows.length) yield rows;
      if (!body.meta?.has_more || !body.meta.after_cursor) return;
      after = body.meta.after_cursor;
    }
  }

  /** The agent interface's address of a user or ticket. */
  const recordUrl = (type: 'users' | 'tickets', id: number | string) => `${base}/agent/${type}/${id}`;

  return { ...http, get, getOrNull, send, cursorPages, recordUrl, callLogTarget: target === 'ticket' ? 'ticket' as const : 'notes' as const };
}

export type ZendeskClient = ReturnType<typeof createZendeskClient>;

/** Zendesk ids are positive integers; the contract passes them as strings. */
export function zendeskId(v: string | undefined, what: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const s = v.trim();
  if (!/^[1-9]\d{0,17}$/.test(s)) throw new PatchbayError('invalid_params', `${what} must be a Zendesk id (a positive whole number), got "${v}"`, { path: [what] });
  return Number(s);
}
