// OAuth 2.0 authorization-code flow with refresh, as an AuthStrategy for the shared HTTP client.
import type { ConnectionHandle } from '../../core/define-block';
import type { AuthStrategy } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';

export interface OAuthConfig {
  /** Token endpoint, absolute URL. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

export interface OAuthTokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt?: number;
  [k: string]: unknown;
}

export function buildAuthorizeUrl(authorizeUrl: string, p: { clientId: string; redirectUri: string; state: string; scopes: string[] }): string {
  const u = new URL(authorizeUrl);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', p.clientId);
  u.searchParams.set('redirect_uri', p.redirectUri);
  u.searchParams.set('state', p.state);
  if (p.scopes.length) u.searchParams.set('scope', p.scopes.join(' '));
  return u.toString();
}

/** How the client authenticates at the token endpoint: client_id/client_secret in the form, or HTTP Basic (Keap's refresh). */
export type ClientAuth = 'form' | 'basic';

async function tokenRequest(fetchImpl: typeof fetch, cfg: OAuthConfig, form: Record<string, string>, clientAuth: ClientAuth = 'form'): Promise<OAuthTokens & { raw: Record<string, unknown> }> {
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(cfg.clientId)}:${encodeURIComponent(cfg.clientSecret)}`).toString('base64')}`;
  const res = await fetchImpl(cfg.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...(clientAuth === 'basic' ? { authorization: basic } : {}) },
    body: new URLSearchParams(clientAuth === 'basic' ? form : { ...form, client_id: cfg.clientId, client_secret: cfg.clientSecret }).toString(),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || typeof body.access_token !== 'string') {
    throw new PatchbayError('connection_auth', `The authorization server refused the token request: ${String(body.error_description ?? body.error ?? res.status)}; reconnect`, { details: body });
  }
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : form.refresh_token,
    expiresAt: typeof body.expires_in === 'number' ? Date.now() + body.expires_in * 1000 : undefined,
    raw: body,
  };
}

export function exchangeCode(fetchImpl: typeof fetch, cfg: OAuthConfig, code: string, redirectUri: string) {
  return tokenRequest(fetchImpl, cfg, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
}

export function refreshTokens(fetchImpl: typeof fetch, cfg: OAuthConfig, refreshToken: string, clientAuth: ClientAuth = 'form') {
  return tokenRequest(fetchImpl, cfg, { grant_type: 'refresh_token', refresh_token: refreshToken }, clientAuth);
}

/**
 * Bearer auth from a connection's stored OAuth tokens; refreshes when expired or on a 401, and saves
 * the new tokens through the connection so every later run uses them.
 */
export function oauthBearer(conn: ConnectionHandle, fetchImpl: typeof fetch, tokenUrl: string, o: { clientAuth?: ClientAuth } = {}): AuthStrategy {
  const creds = conn.credentials as Partial<OAuthTokens> & { clientId?: string; clientSecret?: string };
  const refresh = async (): Promise<boolean> => {
    if (!creds.refreshToken || !creds.clientId) return false;
    const next = await refreshTokens(fetchImpl, { tokenUrl, clientId: creds.clientId, clientSecret: creds.clientSecret ?? '' }, creds.refreshToken, o.clientAuth);
    creds.accessToken = next.accessToken;
    creds.refreshToken = next.refreshToken;
    creds.expiresAt = next.expiresAt;
    const { raw: _raw, ...tokens } = next;
    await conn.saveCredentials({ ...conn.credentials, ...tokens });
    return true;
  };
  return {
    async apply(req) {
      if (creds.expiresAt && creds.expiresAt < Date.now() + 30_000 && creds.refreshToken) await refresh();
      req.headers.authorization = `Bearer ${creds.accessToken ?? creds.token ?? ''}`;
    },
    refresh,
  };
}
