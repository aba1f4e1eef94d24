// The Copper HTTP client: the shared client on the developer API v1 with Copper's headers (X-PW-AccessToken,
// X-PW-Application: developer_api, X-PW-UserEmail of the key's owner) or an OAuth bearer token, its
// `{ success: false, status, message }` errors, and search paging (page_number/page_size, X-PW-TOTAL) that steps
// past Copper's 100,000-record search cap by restarting from the last date seen.
import { createHttpClient, type AuthStrategy } from '../../core/http-client';
import type { ConnectionHandle } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { oauthBearer } from '../kit/oauth2';

export const COPPER_NAME = 'Copper';
export const COPPER_DEFAULT_BASE_URL = 'https://api.copper.com';
export const COPPER_API = '/developer_api/v1';
export const COPPER_OAUTH_AUTHORIZE_URL = 'https://app.copper.com/oauth/authorize';
export const COPPER_OAUTH_TOKEN_URL = 'https://app.copper.com/oauth/token';
export const COPPER_MAX_PAGE = 200;
/** Copper's searches return at most the first 100,000 matches, whatever the paging. */
export const COPPER_SEARCH_CAP = 100_000;

export interface CopperCredentials {
  apiKey?: string;
  /** The email of the user who owns the API key. */
  email?: string;
  accessToken?: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
}

export function copperErrorMessage(_status: number, body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  const b = body as { message?: unknown; error?: unknown };
  return typeof b.message === 'string' ? b.message : typeof b.error === 'string' ? b.error : undefined;
}

function isCopperHost(baseUrl: string): boolean {
  try { return /(^|\.)copper\.com$/i.test(new URL(baseUrl).hostname); } catch { return false; }
}

export function copperTokenUrl(conn: ConnectionHandle): string {
  return isCopperHost(conn.baseUrl || COPPER_DEFAULT_BASE_URL) ? COPPER_OAUTH_TOKEN_URL : conn.baseUrl.replace(/\/+$/, '') + '/oauth/token';
}

function apiKeyAuth(conn: ConnectionHandle): AuthStrategy {
  return {
    apply(req) {
      const creds = conn.credentials as CopperCredentials & { token?: string };
      req.headers['x-pw-accesstoken'] = String(creds.apiKey ?? creds.token ?? '');
      req.headers['x-pw-useremail'] = String(creds.email ?? '');
    },
  };
}

export function createCopperClient(call: ConnectorCall) {
  const { conn } = call;
  const creds = conn.credentials as CopperCredentials;
  const auth = creds.accessToken ? oauthBearer(conn, call.fetch, copperTokenUrl(conn)) : apiKeyAuth(conn);
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl: (conn.baseUrl || COPPER_DEFAULT_BASE_URL).replace(/\/+$/, '') + COPPER_API,
    systemName: COPPER_NAME,
    auth,
    defaultHeaders: { 'x-pw-application': 'developer_api' },
    onRateLimit: call.onRateLimit,
    errorMessage: copperErrorMessage,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });

  async function get<T>(path: string): Promise<T> {
    return (await http.request<T>({ path })).body;
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

  /** One search page; searches are reads, so they are retried like GETs. */
  async function search<T>(entity: string, body: Record<string, unknown>): Promise<{ records: T[]; total: number | null }> {
    const res = await http.request<T[]>({ method: 'POST', path: `/${entity}/search`, body, retry: true });
    const total = res.headers.get('x-pw-total');
    return { records: Array.isArray(res.body) ? res.body : [], total: total === null ? null : Number(total) };
  }

  /**
   * Every match of a search sorted by a date ascending, page by page. Near the 100,000 cap it starts a new search
   * from the last date seen (`minimum_<x>_date`, inclusive) and skips the records it already delivered.
   */
  async function* searchAll<T extends { id: number }>(entity: string, o: { dateField: 'date_modified' | 'date_created'; from?: number; pageSize: number; extra?: Record<string, unknown> }): AsyncGenerator<T[]> {
    const minKey = o.dateField === 'date_modified' ? 'minimum_modified_date' : 'minimum_created_date';
    const pageSize = Math.max(1, Math.min(COPPER_MAX_PAGE, o.pageSize));
    let from = o.from;
    let seenAtFrom = new Set<number>();
    for (;;) {
      let lastDate: number | undefined;
      let atLast = new Set<number>();
      let full = false;
      let inWindow = 0;
      for (let page = 1; ; page++) {
        const { records, total } = await search<T & Record<string, unknown>>(entity, { ...o.extra, sort_by: o.dateField, sort_direction: 'asc', page_size: pageSize, page_number: page, ...(from !== undefined ? { [minKey]: from } : {}) });
        inWindow += records.length;
        const fresh = records.filter((r) => !(r[o.dateField] === from && seenAtFrom.has(r.id)));
        for (const r of records) {
          const d = r[o.dateField] as number;
          if (d !== lastDate) { lastDate = d; atLast = new Set(); }
          atLast.add(r.id);
        }
        if (fresh.length) yield fresh;
        // A short page ends the search, unless X-PW-TOTAL says more matched: then the cap cut it off.
        if (records.length < pageSize) { full = total !== null && inWindow < total; break; }
        if (page * pageSize >= COPPER_SEARCH_CAP) { full = true; break; }
      }
      // A window that moved no further (more than 100,000 records with one date) cannot be paged past: stop.
      if (!full || lastDate === undefined || (lastDate === from && [...atLast].every((id) => seenAtFrom.has(id)))) return;
      if (lastDate === from) seenAtFrom = new Set([...seenAtFrom, ...atLast]);
      else seenAtFrom = atLast;
      from = lastDate;
    }
  }

  /** Copper's web links name the account; without its id (credentials.accountId) a real record gets no link. */
  function recordUrl(type: 'person' | 'company' | 'task', id: number | string): string | null {
    const base = conn.baseUrl || COPPER_DEFAULT_BASE_URL;
    if (!isCopperHost(base)) return `${base.replace(/\/+$/, '')}/${type}/${id}`;
    const account = (conn.credentials as { accountId?: unknown }).accountId;
    const list = type === 'person' ? 'people' : type === 'company' ? 'companies' : 'tasks';
    return account ? `https://app.copper.com/companies/${String(account)}/app#/browse/list/${list}/default?fullProfile=${list}-${id}` : null;
  }

  return {
    ...http,
    get,
    getOrNull,
    send,
    search,
    searchAll,
    recordUrl,
  };
}

export type CopperClient = ReturnType<typeof createCopperClient>;

/** Copper ids are positive integers; the contract passes them as strings. */
export function copperId(v: string | undefined, what: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n <= 0) throw new PatchbayError('invalid_params', `${what} must be a Copper id (a positive whole number), got "${v}"`, { path: [what] });
  return n;
}
