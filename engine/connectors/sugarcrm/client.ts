// The SugarCRM HTTP client: the shared client on the instance's REST v11 API, signed in through Sugar's OAuth 2
// token endpoint (the password grant with the connection's user, then refresh_token; the OAuth-Token header on
// every request), Sugar's `{ error, error_message }` bodies, and the filter API paged by max_num/offset until
// `next_offset` is -1.
import { createHttpClient, type AuthStrategy } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { renewAccessToken, tokenIn } from '../kit/oauth2';

export const SUGAR_NAME = 'SugarCRM';
/** REST v11_4 is served by every Sugar 8+ instance (on-site and SugarCloud); the instance URL is the base URL. */
export const SUGAR_REST = '/rest/v11_4';
export const SUGAR_TOKEN_PATH = `${SUGAR_REST}/oauth2/token`;
export const SUGAR_DEFAULT_BASE_URL = 'https://your-instance.sugarondemand.com';
/** Sugar signs in API clients on a platform; a dedicated one keeps browser logins from ending the API session. */
export const SUGAR_DEFAULT_PLATFORM = 'patchbay';
/** The largest page Sugar answers (its default max_num is 20). */
export const SUGAR_MAX_PAGE = 1000;

export interface SugarCredentials {
  username?: string;
  password?: string;
  /** OAuth key of the instance; "sugar" (no secret) exists on every instance. */
  clientId?: string;
  clientSecret?: string;
  platform?: string;
  accessToken?: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt?: number;
}

export interface SugarPage<T> { next_offset: number; records: T[] }

export function sugarErrorMessage(_status: number, body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  const b = body as { error?: unknown; error_message?: unknown; error_description?: unknown };
  const msg = typeof b.error_message === 'string' ? b.error_message : typeof b.error_description === 'string' ? b.error_description : undefined;
  return msg ?? (typeof b.error === 'string' ? b.error : undefined);
}

/** POST /oauth2/token as Sugar documents it (a JSON body); the tokens are saved on the connection. */
async function tokenRequest(call: ConnectorCall, body: Record<string, string>): Promise<SugarCredentials> {
  const base = (call.conn.baseUrl || SUGAR_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const creds = call.conn.credentials as SugarCredentials;
  const started = performance.now();
  const entry = { method: 'POST', url: SUGAR_TOKEN_PATH, status: null as number | null, durationMs: 0, attempt: 1 };
  call.requestLog.push(entry);
  let res: Response;
  try {
    res = await call.fetch(base + SUGAR_TOKEN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: creds.clientId || 'sugar', client_secret: creds.clientSecret ?? '', platform: creds.platform || SUGAR_DEFAULT_PLATFORM, ...body }),
      signal: call.signal,
    });
  } catch (err) {
    throw new PatchbayError('network_error', `${SUGAR_NAME} could not be reached (${(err as Error).message})`);
  }
  entry.status = res.status;
  entry.durationMs = Math.round(performance.now() - started);
  const out = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || typeof out.access_token !== 'string') {
    throw new PatchbayError('connection_auth', `${SUGAR_NAME} refused the sign-in (${sugarErrorMessage(res.status, out) ?? res.status}): reconnect ${SUGAR_NAME}`, { details: { status: res.status } });
  }
  return {
    accessToken: out.access_token,
    refreshToken: typeof out.refresh_token === 'string' ? out.refresh_token : body.refresh_token,
    expiresAt: typeof out.expires_in === 'number' ? Date.now() + out.expires_in * 1000 : undefined,
  };
}

/**
 * OAuth-Token auth: signs in with the password grant when the connection holds no token yet, refreshes an
 * expiring token (or after a 401), and falls back to the password grant when Sugar has dropped the refresh
 * token (it keeps one per platform and user). New tokens are stored with the connection (see `renewAccessToken`:
 * a token another run stored meanwhile is used instead of signing in again) so every later run uses them.
 */
function sugarAuth(call: ConnectorCall): AuthStrategy {
  const conn = call.conn;
  const creds = conn.credentials as SugarCredentials & { token?: string };
  const login = async (latest: SugarCredentials): Promise<Record<string, unknown> | null> => {
    if (!latest.username || !latest.password) return null;
    return { ...await tokenRequest(call, { grant_type: 'password', username: latest.username, password: latest.password }) };
  };
  const refresh = async (latest: SugarCredentials): Promise<Record<string, unknown> | null> => {
    if (latest.refreshToken) {
      try {
        return { ...await tokenRequest(call, { grant_type: 'refresh_token', refresh_token: latest.refreshToken }) };
      } catch (err) {
        if (!(err instanceof PatchbayError && err.code === 'connection_auth') || !latest.password) throw err;
      }
    }
    return login(latest);
  };
  const renew = (used: string | undefined, how: typeof login) => renewAccessToken(conn, { used, renew: (latest) => how(latest as SugarCredentials) });
  return {
    async apply(req) {
      if (!creds.accessToken && !creds.token) await renew(undefined, login);
      else if (creds.expiresAt && creds.expiresAt < Date.now() + 30_000) await renew(creds.accessToken, refresh);
      req.headers['oauth-token'] = String(creds.accessToken ?? creds.token ?? '');
    },
    refresh: (refused) => renew(refused ? tokenIn(refused.headers, 'oauth-token') : creds.accessToken, refresh),
  };
}

export function createSugarClient(call: ConnectorCall) {
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl: (call.conn.baseUrl || SUGAR_DEFAULT_BASE_URL).replace(/\/+$/, '') + SUGAR_REST,
    systemName: SUGAR_NAME,
    auth: sugarAuth(call),
    onRateLimit: call.onRateLimit,
    errorMessage: sugarErrorMessage,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });

  async function get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    return (await http.request<T>({ path, query })).body;
  }

  /** GET that answers null on 404 (a record that does not exist or was deleted). */
  async function getOrNull<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T | null> {
    try {
      return await get<T>(path, query);
    } catch (err) {
      if (err instanceof PatchbayError && err.code === 'not_found') return null;
      throw err;
    }
  }

  async function send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return (await http.request<T>({ method, path, body })).body;
  }

  /** POST /<module>/filter, page by page (max_num/offset) until Sugar answers next_offset -1. Filtering is a read. */
  async function* filterPages<T>(module: string, args: { filter?: unknown[]; fields?: string; order_by?: string; max_num?: number }): AsyncGenerator<T[]> {
    let offset = 0;
    while (offset >= 0) {
      const res = await http.request<SugarPage<T>>({ method: 'POST', path: `/${module}/filter`, body: { ...args, offset }, retry: true });
      yield res.body.records ?? [];
      const next = Number(res.body.next_offset);
      offset = Number.isInteger(next) && next > offset ? next : -1;
    }
  }

  async function count(module: string, filter: unknown[] | undefined): Promise<number> {
    const res = await http.request<{ record_count: number }>({ method: 'POST', path: `/${module}/filter/count`, body: { filter }, retry: true });
    return Number(res.body.record_count ?? 0);
  }

  const webBase = (call.conn.baseUrl || SUGAR_DEFAULT_BASE_URL).replace(/\/+$/, '');
  return { ...http, get, getOrNull, send, filterPages, count, recordUrl: (module: string, id: string) => `${webBase}/#${module}/${id}` };
}

export type SugarClient = ReturnType<typeof createSugarClient>;

/** Sugar ids are UUIDs (or short ids such as "1" for the admin user): anything else is refused before a request. */
export function sugarId(v: string | undefined, what: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  const s = v.trim();
  if (!/^[A-Za-z0-9-]{1,36}$/.test(s)) throw new PatchbayError('invalid_params', `${what} must be a SugarCRM record id, got "${v}"`, { path: [what] });
  return s;
}

