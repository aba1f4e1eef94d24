// The Keap HTTP client: the shared client on the REST API v1 (/crm/rest/v1) with an OAuth 2 bearer token (it
// expires; the client refreshes it at the token endpoint, authenticating with HTTP Basic as Keap asks, and saves the
// new tokens — Keap rotates the refresh token too — through the connection) or a
// Personal Access Token / Service Account Key in X-Keap-API-Key, the x-keap-product-throttle-* headers, and Keap's
// `{"message"}` and gateway `{"fault":{"faultstring"}}` error bodies.
import { createHttpClient, type AuthStrategy, type RateLimitInfo } from '../../core/http-client';
import type { ConnectionHandle } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { oauthBearer } from '../kit/oauth2';

export const KEAP_NAME = 'Keap';
export const KEAP_DEFAULT_BASE_URL = 'https://api.infusionsoft.com';
export const KEAP_API = '/crm/rest/v1';
export const KEAP_OAUTH_AUTHORIZE_URL = 'https://accounts.infusionsoft.com/app/oauth/authorize';
export const KEAP_OAUTH_TOKEN_URL = 'https://api.infusionsoft.com/token';
export const KEAP_MAX_LIMIT = 1000;

export interface KeapCredentials { apiKey?: string; token?: string; accessToken?: string; refreshToken?: string; expiresAt?: number; clientId?: string; clientSecret?: string; appName?: string }

export function keapErrorMessage(_status: number, body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  const b = body as { message?: unknown; fault?: { faultstring?: unknown } };
  if (typeof b.message === 'string') return b.message;
  return typeof b.fault?.faultstring === 'string' ? b.fault.faultstring : undefined;
}

export function readKeapRateLimit(h: Headers): RateLimitInfo {
  const num = (k: string) => { const v = h.get(k); return v === null || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v); };
  return { limit: num('x-keap-product-throttle-limit'), remaining: num('x-keap-product-throttle-available') };
}

const isKeapHost = (baseUrl: string) => { try { return /(^|\.)(infusionsoft|keap)\.com$/i.test(new URL(baseUrl).hostname); } catch { return false; } };

export function keapTokenUrl(conn: ConnectionHandle): string {
  const base = conn.baseUrl || KEAP_DEFAULT_BASE_URL;
  return isKeapHost(base) ? KEAP_OAUTH_TOKEN_URL : base.replace(/\/+$/, '') + '/token';
}

function apiKeyAuth(conn: ConnectionHandle): AuthStrategy {
  return { apply(req) { const c = conn.credentials as KeapCredentials; req.headers['x-keap-api-key'] = String(c.apiKey ?? c.token ?? ''); } };
}

export function createKeapClient(call: ConnectorCall) {
  const { conn } = call;
  const creds = conn.credentials as KeapCredentials;
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl: (conn.baseUrl || KEAP_DEFAULT_BASE_URL).replace(/\/+$/, '') + KEAP_API,
    systemName: KEAP_NAME,
    auth: creds.accessToken ? oauthBearer(conn, call.fetch, keapTokenUrl(conn), { clientAuth: 'basic' }) : apiKeyAuth(conn),
    readRateLimit: readKeapRateLimit,
    onRateLimit: call.onRateLimit,
    errorMessage: keapErrorMessage,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });

  async function get<T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
    return (await http.request<T>({ path, query })).body;
  }
  async function getOrNull<T>(path: string): Promise<T | null> {
    try { return await get<T>(path); } catch (err) {
      if (err instanceof PatchbayError && err.code === 'not_found') return null;
      throw err;
    }
  }
  async function send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return (await http.request<T>({ method, path, body })).body;
  }

  /** Keap's web links name the app (credentials.appName, e.g. ab123); without it a real record gets no link. */
  function contactUrl(id: number | string): string | null {
    const base = conn.baseUrl || KEAP_DEFAULT_BASE_URL;
    if (!isKeapHost(base)) return `${base.replace(/\/+$/, '')}/Contact/manageContact.jsp?view=edit&ID=${id}`;
    return creds.appName ? `https://${creds.appName}.infusionsoft.com/Contact/manageContact.jsp?view=edit&ID=${id}` : null;
  }

  return { ...http, get, getOrNull, send, contactUrl };
}

export type KeapClient = ReturnType<typeof createKeapClient>;

/** Keap ids are positive integers; the contract passes them as strings. */
export function keapId(v: string | undefined, what: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n <= 0) throw new PatchbayError('invalid_params', `${what} must be a Keap id (a positive whole number), got "${v}"`, { path: [what] });
  return n;
}
