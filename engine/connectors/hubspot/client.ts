// HubSpot's HTTP client: a private app token (or OAuth tokens) as Bearer, HubSpot's rate-limit headers
// and error bodies ({ status: "error", message, correlationId, category }), plus the account's portal id
// that record links in the HubSpot UI need.
import { createHttpClient, type AuthStrategy, type HttpClient, type RateLimitInfo } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import { oauthBearer } from '../kit/oauth2';
import type { ConnectorCall } from '../kit/contact-source';

export const HUBSPOT_API_BASE = 'https://api.hubapi.com';
/** The authorize page lives on the UI host, not the API host. */
export const HUBSPOT_AUTHORIZE_URL = 'https://app.hubspot.com/oauth/authorize';
export const HUBSPOT_TOKEN_PATH = '/oauth/v1/token';
export const HUBSPOT_SCOPES = ['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.companies.read', 'crm.objects.owners.read'];

export function readHubspotRateLimit(headers: Headers): RateLimitInfo {
  const num = (name: string) => {
    const v = headers.get(name);
    return v === null || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v);
  };
  const intervalMs = num('x-hubspot-ratelimit-interval-milliseconds');
  // HubSpot does not say when the window resets; its length is the safe upper bound.
  return { limit: num('x-hubspot-ratelimit-max'), remaining: num('x-hubspot-ratelimit-remaining'), resetSeconds: intervalMs === undefined ? undefined : intervalMs / 1000 };
}

export function hubspotErrorMessage(_status: number, body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body.slice(0, 300) : undefined;
  const b = body as Record<string, unknown>;
  const message = typeof b.message === 'string' ? b.message : undefined;
  const kind = typeof b.category === 'string' ? b.category : typeof b.errorType === 'string' ? b.errorType : undefined;
  if (!message) return kind;
  return kind ? `${message} [${kind}]` : message;
}

export function createHubspotClient(call: ConnectorCall): HttpClient {
  const { conn } = call;
  const creds = conn.credentials;
  const baseUrl = conn.baseUrl || HUBSPOT_API_BASE;
  let auth: AuthStrategy;
  if (typeof creds.accessToken === 'string' && creds.accessToken) {
    auth = oauthBearer(conn, call.fetch, baseUrl.replace(/\/+$/, '') + HUBSPOT_TOKEN_PATH);
  } else if (typeof creds.token === 'string' && creds.token) {
    const token = creds.token;
    auth = { apply: (req) => { req.headers.authorization = `Bearer ${token}`; } };
  } else {
    throw new PatchbayError('connection_auth', 'The HubSpot connection has no access token: reconnect HubSpot');
  }
  return createHttpClient({
    fetch: call.fetch,
    baseUrl,
    systemName: 'HubSpot',
    auth,
    readRateLimit: readHubspotRateLimit,
    onRateLimit: call.onRateLimit,
    errorMessage: hubspotErrorMessage,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });
}

export interface HubspotPortal {
  portalId: string;
  /** app.hubspot.com, or app-eu1.hubspot.com for EU-hosted accounts. */
  uiDomain: string;
}

const portalCache = new Map<string, Promise<HubspotPortal>>();

/**
 * The account's portal id and UI host, for record links. Taken from the connection when stored there,
 * else read once per connection from /account-info/v3/details and kept for the life of the process.
 */
export function getPortal(call: ConnectorCall, http: HttpClient): Promise<HubspotPortal> {
  const creds = call.conn.credentials;
  if (creds.portalId !== undefined && creds.portalId !== null && creds.portalId !== '') {
    return Promise.resolve({ portalId: String(creds.portalId), uiDomain: typeof creds.uiDomain === 'string' ? creds.uiDomain : 'app.hubspot.com' });
  }
  const key = `${call.conn.id}|${call.conn.baseUrl}`;
  let p = portalCache.get(key);
  if (!p) {
    p = http.request<{ portalId: number; uiDomain?: string }>({ path: '/account-info/v3/details' }).then((res) => ({
      portalId: String(res.body.portalId),
      uiDomain: res.body.uiDomain || 'app.hubspot.com',
    }));
    portalCache.set(key, p);
    p.catch(() => portalCache.delete(key));
  }
  return p;
}

export type HubspotObjectType = 'contacts' | 'companies' | 'calls' | 'tasks' | 'notes';

export interface HubspotRecord {
  id: string;
  properties: Record<string, string | null | undefined>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
}

export interface HubspotFilter {
  propertyName: string;
  operator: 'EQ' | 'NEQ' | 'LT' | 'LTE' | 'GT' | 'GTE' | 'BETWEEN' | 'IN' | 'NOT_IN' | 'HAS_PROPERTY' | 'NOT_HAS_PROPERTY' | 'CONTAINS_TOKEN' | 'NOT_CONTAINS_TOKEN';
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface HubspotSearchRequest {
  filterGroups?: { filters: HubspotFilter[] }[];
  sorts?: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
  properties?: string[];
  limit?: number;
  after?: string;
  query?: string;
}

export interface HubspotSearchResponse {
  total: number;
  results: HubspotRecord[];
  paging?: { next?: { after: string } };
}

/** POST /crm/v3/objects/{type}/search. Read-only, so it is retried like a GET. */
export async function searchObjects(http: HttpClient, type: HubspotObjectType, body: HubspotSearchRequest): Promise<HubspotSearchResponse> {
  const res = await http.request<HubspotSearchResponse>({ method: 'POST', path: `/crm/v3/objects/${type}/search`, body, retry: true });
  return res.body;
}
