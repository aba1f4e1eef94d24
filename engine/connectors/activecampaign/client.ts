// The ActiveCampaign HTTP client: the shared client on the API v3 (<account>.api-us1.com/api/3) with the
// Api-Token header, ActiveCampaign's error bodies (`{ errors: [{ title, source: { pointer } }] }` on 422,
// `{ message }` otherwise) and limit/offset paging with meta.total.
import { createHttpClient, type AuthStrategy } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';

export const AC_NAME = 'ActiveCampaign';
export const AC_DEFAULT_BASE_URL = 'https://youraccount.api-us1.com';
export const AC_API = '/api/3';
export const AC_MAX_PAGE = 100;

export interface AcCredentials { apiToken?: string; token?: string }

export function acErrorMessage(_status: number, body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  const b = body as { errors?: { title?: string; detail?: string; source?: { pointer?: string } }[]; message?: unknown };
  if (Array.isArray(b.errors) && b.errors.length) {
    return b.errors.map((e) => {
      const field = e.source?.pointer?.split('/').pop();
      return `${field ? `${field}: ` : ''}${e.title ?? ''}${e.detail ? ` (${e.detail})` : ''}`;
    }).join('; ');
  }
  return typeof b.message === 'string' ? b.message : undefined;
}

function tokenAuth(call: ConnectorCall): AuthStrategy {
  return {
    apply(req) {
      const creds = call.conn.credentials as AcCredentials;
      req.headers['api-token'] = String(creds.apiToken ?? creds.token ?? '');
    },
  };
}

export function createAcClient(call: ConnectorCall) {
  const { conn } = call;
  const base = (conn.baseUrl || AC_DEFAULT_BASE_URL).replace(/\/+$/, '').replace(/\/api\/3$/, '');
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl: base + AC_API,
    systemName: AC_NAME,
    auth: tokenAuth(call),
    onRateLimit: call.onRateLimit,
    errorMessage: acErrorMessage,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });

  async function get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
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

  /** The web app's address of a record: the API host without "api-us1" (acme.api-us1.com → acme.activehosted.com). */
  function recordUrl(type: 'contact', id: string): string {
    const host = (() => { try { return new URL(base).host; } catch { return ''; } })();
    const m = /^([^.]+)\.api-us\d+\.com$/i.exec(host);
    return m ? `https://${m[1]}.activehosted.com/app/contacts/${id}` : `${base}/app/contacts/${id}`;
  }

  return { ...http, get, getOrNull, send, recordUrl };
}

export type AcClient = ReturnType<typeof createAcClient>;

/** ActiveCampaign ids are positive integers sent as strings. */
export function acId(v: string | undefined, what: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  const s = v.trim();
  if (!/^[1-9]\d{0,15}$/.test(s)) throw new PatchbayError('invalid_params', `${what} must be an ActiveCampaign id (a positive whole number), got "${v}"`, { path: [what] });
  return s;
}
