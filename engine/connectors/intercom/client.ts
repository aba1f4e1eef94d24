// The Intercom HTTP client: the shared client on the REST API with a Bearer access token (an app's access token or
// an OAuth token; Intercom's tokens do not expire and have no refresh token), the Intercom-Version header, the
// X-RateLimit-Limit / -Remaining / -Reset headers (Reset is a Unix time) and `{"type":"error.list"}` error bodies.
import { createHttpClient, type RateLimitInfo } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';

export const INTERCOM_NAME = 'Intercom';
export const INTERCOM_DEFAULT_BASE_URL = 'https://api.intercom.io';
export const INTERCOM_VERSION = '2.11';
export const INTERCOM_OAUTH_AUTHORIZE_URL = 'https://app.intercom.com/oauth';
export const INTERCOM_OAUTH_TOKEN_URL = 'https://api.intercom.io/auth/eagle/token';
export const INTERCOM_MAX_PAGE = 150;

export interface IntercomCredentials { accessToken?: string; token?: string; adminId?: string }

export function intercomErrorMessage(_status: number, body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  const errors = (body as { errors?: { code?: string; message?: string }[] }).errors;
  if (Array.isArray(errors) && errors.length) return errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  const m = (body as { message?: unknown }).message;
  return typeof m === 'string' ? m : undefined;
}

export function readIntercomRateLimit(h: Headers): RateLimitInfo {
  const num = (k: string) => { const v = h.get(k); return v === null || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v); };
  const reset = num('x-ratelimit-reset');
  return { limit: num('x-ratelimit-limit'), remaining: num('x-ratelimit-remaining'), resetSeconds: reset === undefined ? undefined : Math.max(0, reset - Math.floor(Date.now() / 1000)) };
}

export function createIntercomClient(call: ConnectorCall) {
  const { conn } = call;
  const creds = conn.credentials as IntercomCredentials;
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl: (conn.baseUrl || INTERCOM_DEFAULT_BASE_URL).replace(/\/+$/, ''),
    systemName: INTERCOM_NAME,
    auth: { apply(req) { req.headers.authorization = `Bearer ${creds.accessToken ?? creds.token ?? ''}`; } },
    defaultHeaders: { 'intercom-version': INTERCOM_VERSION },
    readRateLimit: readIntercomRateLimit,
    onRateLimit: call.onRateLimit,
    errorMessage: intercomErrorMessage,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });

  async function get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    return (await http.request<T>({ path, query })).body;
  }
  async function getOrNull<T>(path: string): Promise<T | null> {
    try { return await get<T>(path); } catch (err) {
      if (err instanceof PatchbayError && err.code === 'not_found') return null;
      throw err;
    }
  }
  async function send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, retry?: boolean): Promise<T> {
    return (await http.request<T>({ method, path, body, retry })).body;
  }

  /** Intercom web links name the workspace (app id); without it (credentials.workspaceId) a record gets no link. */
  function contactUrl(id: string): string | null {
    const base = conn.baseUrl || INTERCOM_DEFAULT_BASE_URL;
    if (!/(^|\.)intercom\.io$/i.test(safeHost(base))) return `${base.replace(/\/+$/, '')}/contacts/${id}`;
    const ws = (conn.credentials as { workspaceId?: unknown }).workspaceId;
    return ws ? `https://app.intercom.com/a/apps/${String(ws)}/users/${id}/all-conversations` : null;
  }

  return { ...http, get, getOrNull, send, contactUrl };
}

function safeHost(u: string): string {
  try { return new URL(u).hostname; } catch { return ''; }
}

export type IntercomClient = ReturnType<typeof createIntercomClient>;
