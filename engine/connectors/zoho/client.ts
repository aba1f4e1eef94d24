// The Zoho CRM REST client (API v6): the shared HTTP client on the account's data centre (www.zohoapis.com, .eu,
// .in, .com.au, .jp, .ca, .sa, .com.cn) with `Authorization: Zoho-oauthtoken …`, refreshed at that data centre's
// accounts server (accounts.zoho.<dc>/oauth/v2/token) when it expires or is refused, Zoho's error bodies
// ({"code","details","message","status"}, per record inside {"data":[…]} for writes), 204/304 as "nothing", and
// paging with page/per_page, then page_token (Zoho refuses page numbers past 2,000 records).
import type { ConnectionHandle } from '../../core/define-block';
import { createHttpClient, HttpError, type AuthStrategy, type HttpRequest } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { refreshTokens, renewAccessToken, tokenIn, tokenUsable } from '../kit/oauth2';

export const ZOHO_NAME = 'Zoho CRM';
export const API = '/crm/v6';
export const ZOHO_DEFAULT_BASE_URL = 'https://www.zohoapis.com';
/** Data centre → API domain and accounts server (Zoho's multi-DC table). */
export const ZOHO_DATA_CENTRES: Record<string, { api: string; accounts: string }> = {
  us: { api: 'https://www.zohoapis.com', accounts: 'https://accounts.zoho.com' },
  eu: { api: 'https://www.zohoapis.eu', accounts: 'https://accounts.zoho.eu' },
  in: { api: 'https://www.zohoapis.in', accounts: 'https://accounts.zoho.in' },
  au: { api: 'https://www.zohoapis.com.au', accounts: 'https://accounts.zoho.com.au' },
  jp: { api: 'https://www.zohoapis.jp', accounts: 'https://accounts.zoho.jp' },
  ca: { api: 'https://www.zohoapis.ca', accounts: 'https://accounts.zohocloud.ca' },
  sa: { api: 'https://www.zohoapis.sa', accounts: 'https://accounts.zoho.sa' },
  cn: { api: 'https://www.zohoapis.com.cn', accounts: 'https://accounts.zoho.com.cn' },
};

export interface ZohoCredentials {
  accessToken?: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** Epoch ms. */
  expiresAt?: number;
  /** The accounts server's token endpoint; by default the one of the API domain's data centre. */
  tokenUrl?: string;
  /** A ready access token (development). */
  token?: string;
}

export function apiDomainOf(conn: ConnectionHandle): string {
  return (conn.baseUrl || ZOHO_DEFAULT_BASE_URL).replace(/\/+$/, '').replace(/\/crm\/v\d+(\.\d)?$/, '');
}

/** accounts.zoho.<dc>/oauth/v2/token for a Zoho API domain; anything else (an emulator) serves it itself. */
export function zohoTokenUrl(conn: ConnectionHandle): string {
  const c = conn.credentials as ZohoCredentials;
  if (c.tokenUrl) return c.tokenUrl;
  const api = apiDomainOf(conn);
  const dc = Object.values(ZOHO_DATA_CENTRES).find((d) => d.api === api);
  return `${dc ? dc.accounts : api}/oauth/v2/token`;
}

interface ZohoError { code?: string; details?: Record<string, unknown>; message?: string; status?: string }

function describeError(e: ZohoError): string | undefined {
  if (!e.code && !e.message) return undefined;
  const d = e.details ?? {};
  const where = [d.api_name, d.param_name, d.header_name].filter(Boolean).join(', ');
  return `${e.message ?? e.code}${e.code ? ` (${e.code}${where ? `: ${where}` : ''})` : ''}`;
}

export function zohoErrorMessage(_status: number, body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  const b = body as ZohoError & { data?: ZohoError[]; error?: string };
  if (Array.isArray(b.data) && b.data[0]) return describeError(b.data[0]);
  if (typeof b.error === 'string') return b.error;
  return describeError(b);
}

/** Zoho-oauthtoken auth: renewed (and stored with the connection, see `renewAccessToken`) when missing, expiring or refused. */
function zohoAuth(conn: ConnectionHandle, fetchImpl: typeof fetch): AuthStrategy {
  const creds = conn.credentials as ZohoCredentials;
  const renew = (used: string | undefined) => renewAccessToken(conn, {
    used,
    usable: (c) => tokenUsable(c, 60_000),
    renew: async (latest) => {
      const c = latest as ZohoCredentials;
      if (!c.refreshToken || !c.clientId) return null;
      let next;
      try {
        next = await refreshTokens(fetchImpl, { tokenUrl: zohoTokenUrl(conn), clientId: c.clientId, clientSecret: c.clientSecret ?? '' }, c.refreshToken);
      } catch (err) {
        throw new PatchbayError('connection_auth', `${ZOHO_NAME} refused to renew the access token (${(err as Error).message.replace(/; reconnect$/, '')}): reconnect ${ZOHO_NAME}`);
      }
      // Zoho answers a refresh without a new refresh token: the first one stays valid.
      return { accessToken: next.accessToken, expiresAt: next.expiresAt, refreshToken: c.refreshToken };
    },
  });
  return {
    async apply(req) {
      if (creds.refreshToken && (!creds.accessToken || (creds.expiresAt !== undefined && creds.expiresAt < Date.now() + 60_000))) await renew(creds.accessToken);
      req.headers.authorization = `Zoho-oauthtoken ${creds.accessToken ?? creds.token ?? ''}`;
    },
    refresh: (refused) => renew(refused ? tokenIn(refused.headers, 'authorization', 'Zoho-oauthtoken') : creds.accessToken),
  };
}

export interface ZohoInfo { per_page: number; count: number; page: number; more_records: boolean; next_page_token?: string | null }
export interface ZohoList<T> { data: T[]; info: ZohoInfo }
interface WriteResult { code: string; details: Record<string, unknown> & { id?: string }; message: string; status: 'success' | 'error' }

export function createZohoClient(call: ConnectorCall) {
  const { conn } = call;
  const api = apiDomainOf(conn);
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl: api,
    systemName: ZOHO_NAME,
    auth: zohoAuth(conn, call.fetch),
    onRateLimit: call.onRateLimit,
    errorMessage: zohoErrorMessage,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });

  /** GET; null for Zoho's 204 (no records) and 304 (nothing modified since). */
  async function get<T>(path: string, query?: HttpRequest['query'], headers?: Record<string, string>): Promise<T | null> {
    const res = await http.request<T>({ path: API + path, query, headers });
    return res.status === 204 || res.status === 304 || !res.body ? null : res.body;
  }

  /** Every page of a list or search: page 1, then next_page_token while more_records. */
  async function* pages<T>(path: string, query: NonNullable<HttpRequest['query']>, headers?: Record<string, string>): AsyncGenerator<T[]> {
    const it = http.paginate<T, ZohoList<T> | null>(
      { path: API + path, query: { page: 1, ...query }, headers },
      (res, req) => {
        const info = res.body?.info;
        if (!info?.more_records) return null;
        const { page: _p, page_token: _t, ...rest } = req.query ?? {};
        return info.next_page_token ? { ...req, query: { ...rest, page_token: info.next_page_token } } : { ...req, query: { ...rest, page: info.page + 1 } };
      },
      (res) => res.body?.data ?? [],
    );
    for await (const p of it) yield p.items;
  }

  async function write(method: 'POST' | 'PUT', path: string, record: Record<string, unknown>): Promise<string> {
    const res = await http.request<{ data?: WriteResult[] }>({ method, path: API + path, body: { data: [record], trigger: [] }, retry: method === 'PUT' });
    const r = res.body?.data?.[0];
    if (!r || r.status !== 'success' || !r.details?.id) {
      throw new HttpError('bad_request', `${ZOHO_NAME} rejected the record: ${r ? describeError(r) : 'no answer'}`, res.status, res.body, http.requestLog);
    }
    return String(r.details.id);
  }

  return {
    ...http,
    api,
    get,
    pages,
    insert: (module: string, record: Record<string, unknown>) => write('POST', `/${module}`, record),
    update: (module: string, id: string, record: Record<string, unknown>) => write('PUT', `/${module}/${id}`, record),
    addNote: (module: string, id: string, note: { Note_Title: string; Note_Content: string }) => write('POST', `/${module}/${id}/Notes`, note),
    /** Where a record opens in Zoho CRM's web app. */
    recordUrl: (module: string, id: string) => `${webBase(api)}/crm/tab/${module}/${id}`,
  };
}

/** www.zohoapis.<dc> → crm.zoho.<dc> (Canada: crm.zohocloud.ca); an emulator links to itself. */
function webBase(api: string): string {
  const m = /^https:\/\/www\.zohoapis\.(.+)$/.exec(api);
  if (!m) return api;
  return m[1] === 'ca' ? 'https://crm.zohocloud.ca' : `https://crm.zoho.${m[1]}`;
}

export type ZohoClient = ReturnType<typeof createZohoClient>;

/** Zoho record ids are long digit strings; blocks take them as strings. */
export function toZohoId(v: string | null | undefined, what: string): string | undefined {
  if (v === null || v === undefined || v.trim() === '') return undefined;
  if (!/^\d{6,25}$/.test(v.trim())) throw new PatchbayError('invalid_params', `${what} must be a ${ZOHO_NAME} record id (digits), got "${v}"`, { path: [what] });
  return v.trim();
}

/** Zoho's date-time: 2026-03-02T09:30:00+00:00. */
export function zohoDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

/** A criteria value: parentheses, commas and backslashes escaped. */
export function criteriaValue(s: string): string {
  return s.replace(/([\\(),])/g, '\\$1');
}
