// The Dataverse Web API client (Dynamics 365): the shared HTTP client on <environment>/api/data/v9.2 with OData
// headers, bearer auth from one of three credential kinds (an S2S app registration's client credentials against
// Microsoft Entra ID, a delegated OAuth sign-in with refresh, or a ready access token), the service-protection
// headers, OData error bodies, and `@odata.nextLink` paging with `Prefer: odata.maxpagesize`.
import type { ConnectionHandle } from '../../core/define-block';
import { createHttpClient, type AuthStrategy, type HttpRequest, type RateLimitInfo } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { oauthBearer, renewAccessToken, tokenIn } from '../kit/oauth2';

export const DYNAMICS_NAME = 'Microsoft Dynamics 365';
export const API = '/api/data/v9.2';
export const ENTRA_AUTHORITY = 'https://login.microsoftonline.com';
/** Dataverse's own page-size ceiling. */
export const MAX_PAGE_SIZE = 5000;

export interface DynamicsCredentials {
  /** Microsoft Entra directory (tenant) id or domain of the app registration. */
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Cached access token (client credentials) or the delegated sign-in's token. */
  accessToken?: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt?: number;
  /** Overrides the token endpoint (sovereign clouds, tests). */
  tokenUrl?: string;
  /** A ready bearer token (development). */
  token?: string;
}

/** A Dataverse environment of Microsoft's clouds (commercial, GCC, China …), not an emulator or proxy. */
export function isDynamicsHost(baseUrl: string): boolean {
  try { return /\.(dynamics\.com|crm\d*\.dynamics\.com|dynamics\.cn|microsoftdynamics\.us|appsplatform\.us)$/i.test(new URL(baseUrl).hostname); } catch { return false; }
}

export function environmentUrl(conn: ConnectionHandle): string {
  return (conn.baseUrl || '').replace(/\/+$/, '').replace(/\/api\/data\/v9\.\d$/, '');
}

/** Entra ID's v2.0 token endpoint for the tenant; an emulator serves the same path on its own host. */
export function dynamicsTokenUrl(conn: ConnectionHandle): string {
  const c = conn.credentials as DynamicsCredentials;
  if (c.tokenUrl) return c.tokenUrl;
  const tenant = encodeURIComponent(c.tenantId || 'organizations');
  return `${isDynamicsHost(conn.baseUrl) ? ENTRA_AUTHORITY : environmentUrl(conn)}/${tenant}/oauth2/v2.0/token`;
}

/** Service-protection headers: requests left in the 5-minute window (x-ms-ratelimit-burst-remaining-xrm-requests). */
export function readDynamicsRateLimit(headers: Headers): RateLimitInfo {
  const v = headers.get('x-ms-ratelimit-burst-remaining-xrm-requests');
  const n = v === null || v === '' ? NaN : Number(v);
  return Number.isFinite(n) ? { remaining: n } : {};
}

/** OData errors are {"error":{"code":"0x80040217","message":"…"}}; Entra's are {"error","error_description"}. */
export function dynamicsErrorMessage(_status: number, body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  const b = body as Record<string, unknown>;
  if (b.error && typeof b.error === 'object') {
    const e = b.error as Record<string, unknown>;
    return typeof e.message === 'string' ? e.message : undefined;
  }
  if (typeof b.error_description === 'string') return b.error_description.split('\r\n')[0];
  return typeof b.error === 'string' ? b.error : undefined;
}

/** Client credentials: a token per app registration, fetched when missing or expiring and stored with the connection (see `renewAccessToken`). */
function clientCredentialsAuth(conn: ConnectionHandle, fetchImpl: typeof fetch): AuthStrategy {
  const creds = conn.credentials as DynamicsCredentials;
  const fetchToken = async (latest: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const c = latest as DynamicsCredentials;
    const res = await fetchImpl(dynamicsTokenUrl(conn), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId ?? '', client_secret: c.clientSecret ?? '', scope: `${environmentUrl(conn)}/.default` }).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok || typeof body.access_token !== 'string') {
      throw new PatchbayError('connection_auth', `Microsoft Entra ID refused the app registration's credentials (${dynamicsErrorMessage(res.status, body) ?? res.status}): check the tenant id, client id and secret, then reconnect ${DYNAMICS_NAME}`, { details: { tokenEndpointStatus: res.status } });
    }
    return { accessToken: body.access_token, expiresAt: Date.now() + Number(body.expires_in ?? 3599) * 1000 };
  };
  // A token without an expiry counts as expiring here: client-credential tokens always carry one.
  const usable = (c: Record<string, unknown>) => typeof c.accessToken === 'string' && c.accessToken !== '' && Number(c.expiresAt ?? 0) >= Date.now() + 60_000;
  const renew = (used: string | undefined) => renewAccessToken(conn, { used, usable, renew: fetchToken });
  return {
    async apply(req) {
      if (!usable(conn.credentials)) await renew(creds.accessToken);
      req.headers.authorization = `Bearer ${creds.accessToken}`;
    },
    refresh: (refused) => renew(refused ? tokenIn(refused.headers, 'authorization', 'Bearer') : creds.accessToken),
  };
}

function authFor(conn: ConnectionHandle, fetchImpl: typeof fetch): AuthStrategy {
  const c = conn.credentials as DynamicsCredentials;
  if (c.clientId && c.clientSecret && !c.refreshToken && c.tenantId) return clientCredentialsAuth(conn, fetchImpl);
  if (c.accessToken && c.refreshToken) return oauthBearer(conn, fetchImpl, dynamicsTokenUrl(conn));
  return { apply(req) { req.headers.authorization = `Bearer ${c.accessToken ?? c.token ?? ''}`; } };
}

export interface ODataPage<T> { value: T[]; '@odata.nextLink'?: string; '@odata.count'?: number }

export function createDynamicsClient(call: ConnectorCall) {
  const { conn } = call;
  const env = environmentUrl(conn);
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl: env,
    systemName: DYNAMICS_NAME,
    auth: authFor(conn, call.fetch),
    defaultHeaders: { 'odata-version': '4.0', 'odata-maxversion': '4.0', accept: 'application/json' },
    readRateLimit: readDynamicsRateLimit,
    onRateLimit: call.onRateLimit,
    errorMessage: dynamicsErrorMessage,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });

  const annotations = 'odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname"';

  async function get<T>(path: string, query?: HttpRequest['query']): Promise<T> {
    return (await http.request<T>({ path: API + path, query, headers: { prefer: annotations } })).body;
  }

  /** GET that answers null on 404 (no such row). */
  async function getOrNull<T>(path: string, query?: HttpRequest['query']): Promise<T | null> {
    try { return await get<T>(path, query); } catch (err) {
      if (err instanceof PatchbayError && err.code === 'not_found') return null;
      throw err;
    }
  }

  /** Pages of a collection, following `@odata.nextLink` (it carries every query option; the page size is a preference). */
  async function* pages<T>(set: string, query: NonNullable<HttpRequest['query']>, pageSize = MAX_PAGE_SIZE): AsyncGenerator<T[]> {
    const prefer = `odata.maxpagesize=${Math.min(Math.max(1, pageSize), MAX_PAGE_SIZE)},${annotations}`;
    const it = http.paginate<T, ODataPage<T>>(
      { path: `${API}/${set}`, query, headers: { prefer } },
      (res) => (res.body?.['@odata.nextLink'] ? { path: res.body['@odata.nextLink'], headers: { prefer } } : null),
      (res) => res.body?.value ?? [],
    );
    for await (const p of it) yield p.items;
  }

  /** Creates a row; Dataverse answers 204 with its URL in OData-EntityId. */
  async function create(set: string, body: Record<string, unknown>): Promise<string> {
    const res = await http.request({ method: 'POST', path: `${API}/${set}`, body });
    const id = /\(([0-9a-fA-F-]{36})\)\s*$/.exec(res.headers.get('odata-entityid') ?? '')?.[1];
    if (!id) throw new PatchbayError('upstream_error', `${DYNAMICS_NAME} created a ${set} row but did not say its id (no OData-EntityId)`);
    return id.toLowerCase();
  }

  /** Updates a row that must exist (If-Match: * keeps PATCH from creating one). */
  async function update(set: string, id: string, body: Record<string, unknown>): Promise<void> {
    await http.request({ method: 'PATCH', path: `${API}/${set}(${id})`, body, headers: { 'if-match': '*' }, retry: true });
  }

  return {
    ...http,
    env,
    get,
    getOrNull,
    pages,
    create,
    update,
    recordUrl: (logical: string, id: string) => `${env}/main.aspx?pagetype=entityrecord&etn=${logical}&id=${id}`,
  };
}

export type DynamicsClient = ReturnType<typeof createDynamicsClient>;

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** Dataverse ids are GUIDs; blocks take them as strings (braces allowed, as Dynamics shows them). */
export function toGuid(v: string | null | undefined, what: string): string | undefined {
  if (v === null || v === undefined || v.trim() === '') return undefined;
  const m = GUID.exec(v.trim());
  if (!m) throw new PatchbayError('invalid_params', `${what} must be a ${DYNAMICS_NAME} id (a GUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301), got "${v}"`, { path: [what] });
  return m[1].toLowerCase();
}

export function isGuid(v: string): boolean {
  return GUID.test(v.trim());
}

/** An OData string literal: single quotes doubled. */
export function odataString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
