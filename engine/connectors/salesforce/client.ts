// The Salesforce REST client: bearer auth (a session/access token, or OAuth tokens refreshed at the
// instance's /services/oauth2/token), Sforce-Limit-Info usage, and Salesforce's array-shaped error bodies.
import type { RunContext } from '../../core/define-block';
import { createHttpClient, type AuthStrategy, type RateLimitInfo } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { oauthBearer } from '../kit/oauth2';
import { callOf } from '../kit/contact-source';

export const SALESFORCE_NAME = 'Salesforce';
export const TOKEN_PATH = '/services/oauth2/token';
export const AUTHORIZE_PATH = '/services/oauth2/authorize';

/**
 * The org's instance URL. OAuth answers it as `instance_url`; a host that stored it in the credentials
 * (instanceUrl / instance_url) wins over the connection's base URL, which may still be login.salesforce.com.
 */
export function instanceUrlOf(conn: ConnectorCall['conn']): string {
  const c = conn.credentials;
  const fromCreds = typeof c.instanceUrl === 'string' ? c.instanceUrl : typeof c.instance_url === 'string' ? c.instance_url : '';
  return (fromCreds || conn.baseUrl).replace(/\/+$/, '');
}

/** `Sforce-Limit-Info: api-usage=18/5000` → used 18 of the org's 5000 daily calls. */
export function readSalesforceRateLimit(headers: Headers): RateLimitInfo {
  const m = /api-usage=(\d+)\/(\d+)/.exec(headers.get('sforce-limit-info') ?? '');
  if (!m) return {};
  const used = Number(m[1]);
  const limit = Number(m[2]);
  return { limit, remaining: Math.max(0, limit - used) };
}

/** Salesforce errors are `[{ message, errorCode, fields? }]`; OAuth errors are `{ error, error_description }`. */
/**
 * Salesforce answers 403 REQUEST_LIMIT_EXCEEDED when the org's rolling 24-hour API allocation is used up (and
 * for too many concurrent long requests): a rate limit to wait out, not a broken connection, so it must not send
 * the customer to reconnect. There is no Retry-After; requests succeed again as the window rolls on.
 */
export function classifySalesforceError(status: number, body: unknown): { kind: 'rate_limited'; message: string } | undefined {
  const first = Array.isArray(body) ? body[0] : body;
  if (status !== 403 || !first || typeof first !== 'object' || (first as { errorCode?: unknown }).errorCode !== 'REQUEST_LIMIT_EXCEEDED') return undefined;
  const detail = String((first as { message?: unknown }).message ?? 'Limit exceeded.');
  return {
    kind: 'rate_limited',
    message: `${SALESFORCE_NAME} API request limit reached (${detail}): the org's API allocation is used up for now; requests succeed again as its 24-hour window rolls on, or ask the Salesforce admin to raise it`,
  };
}

export function salesforceErrorMessage(_status: number, body: unknown): string | undefined {
  const first = Array.isArray(body) ? body[0] : body;
  if (!first || typeof first !== 'object') return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  const b = first as Record<string, unknown>;
  if (typeof b.message === 'string') {
    const msg = b.message.trim().split('\n').pop()!.trim();
    return typeof b.errorCode === 'string' ? `${b.errorCode}: ${msg}` : msg;
  }
  if (typeof b.error_description === 'string') return b.error_description;
  if (typeof b.error === 'string') return b.error;
  return undefined;
}

function staticBearer(token: string): AuthStrategy {
  return { apply(req) { req.headers.authorization = `Bearer ${token}`; } };
}

export function createSalesforceClient(call: ConnectorCall) {
  const { conn } = call;
  const baseUrl = instanceUrlOf(conn);
  const creds = conn.credentials;
  const auth: AuthStrategy = typeof creds.accessToken === 'string'
    ? oauthBearer(conn, call.fetch, typeof creds.tokenUrl === 'string' ? creds.tokenUrl : baseUrl + TOKEN_PATH)
    : staticBearer(String(creds.token ?? ''));
  const http = createHttpClient({
    fetch: call.fetch,
    baseUrl,
    systemName: SALESFORCE_NAME,
    auth,
    readRateLimit: readSalesforceRateLimit,
    onRateLimit: call.onRateLimit,
    errorMessage: salesforceErrorMessage,
    classifyError: classifySalesforceError,
    requestLog: call.requestLog,
    signal: call.signal,
    ...call.http,
  });
  return { ...http, instanceUrl: baseUrl };
}

export type SalesforceClient = ReturnType<typeof createSalesforceClient>;

/** The ConnectorCall a block builds from its run context. */
export async function connectorCall(ctx: RunContext): Promise<ConnectorCall> {
  const conn = await ctx.connections.get('salesforce');
  return callOf(ctx, conn);
}
