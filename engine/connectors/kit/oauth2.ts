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

/** A stored access token another caller may use as is: present, and not expiring within `marginMs`. */
export function tokenUsable(c: Record<string, unknown>, marginMs: number): boolean {
  return typeof c.accessToken === 'string' && c.accessToken !== '' && !(typeof c.expiresAt === 'number' && c.expiresAt < Date.now() + marginMs);
}

export interface TokenRenewal {
  /** The access token this caller sent (and got a 401 for) or found expiring; undefined when it had none. */
  used: string | undefined;
  /** Whether credentials hold a token to use as is; by default `tokenUsable` with a 30 s margin. */
  usable?: (c: Record<string, unknown>) => boolean;
  /** Asks the token endpoint for new tokens from these (the stored, newest) credentials: the fields to change, or null when it cannot. */
  renew: (latest: Record<string, unknown>) => Promise<Record<string, unknown> | null>;
}

// Renewals queued per credentials object: the concurrent calls of one run share one handle, and only the first
// of them needs to ask the host; the others find its token in memory.
const renewals = new WeakMap<object, Promise<boolean>>();

/**
 * Renews a connection's access token without racing other callers. Through the host's `renewCredentials` (one
 * renewal at a time across every process), a token that another caller stored meanwhile is adopted instead of
 * renewing again (with a rotating refresh token such as Keap's, the second renewal would be refused and could
 * overwrite the newer tokens); otherwise the stored refresh token, the newest, is used. Hosts without
 * `renewCredentials` renew from the handle's own copy and save, as before. Updates the handle's credentials in
 * place and answers whether they now hold a token other than `used`.
 */
export function renewAccessToken(conn: ConnectionHandle, r: TokenRenewal): Promise<boolean> {
  const creds = conn.credentials;
  const usable = r.usable ?? ((c: Record<string, unknown>) => tokenUsable(c, 30_000));
  const once = async (): Promise<boolean> => {
    // A call on this same handle renewed while this one waited.
    if (usable(creds) && creds.accessToken !== r.used) return true;
    if (!conn.renewCredentials) {
      const patch = await r.renew(creds);
      if (!patch) return false;
      Object.assign(creds, patch);
      await conn.saveCredentials({ ...creds });
      return true;
    }
    let renewed = false;
    const stored = await conn.renewCredentials(async (latest) => {
      if (usable(latest) && latest.accessToken !== r.used) return null;
      const patch = await r.renew(latest);
      if (!patch) return null;
      renewed = true;
      return { ...latest, ...patch };
    });
    // What is stored is the truth: a field it lacks (an expiry the last token came without) is cleared here too.
    for (const k of ['accessToken', 'refreshToken', 'expiresAt']) if (!(k in stored)) delete creds[k];
    Object.assign(creds, stored);
    return renewed || (typeof creds.accessToken === 'string' && creds.accessToken !== r.used);
  };
  const mine = (renewals.get(creds) ?? Promise.resolve(false)).then(once, once);
  renewals.set(creds, mine);
  const forget = () => { if (renewals.get(creds) === mine) renewals.delete(creds); };
  mine.then(forget, forget);
  return mine;
}

/** The token after a scheme ("Bearer …") in a refused request's header; undefined without that header. */
export function tokenIn(headers: Record<string, string> | undefined, name: string, scheme = ''): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  return scheme && v.toLowerCase().startsWith(scheme.toLowerCase() + ' ') ? v.slice(scheme.length + 1) : v;
}

/**
 * Bearer auth from a connection's stored OAuth tokens; renews them when expired or on a 401 (see
 * `renewAccessToken`), so every later run uses the new ones.
 */
export function oauthBearer(conn: ConnectionHandle, fetchImpl: typeof fetch, tokenUrl: string, o: { clientAuth?: ClientAuth } = {}): AuthStrategy {
  const creds = conn.credentials as Partial<OAuthTokens> & { clientId?: string; clientSecret?: string };
  const renew = (used: string | undefined) => renewAccessToken(conn, {
    used,
    renew: async (latest) => {
      const c = latest as typeof creds;
      if (!c.refreshToken || !c.clientId) return null;
      const { raw: _raw, ...tokens } = await refreshTokens(fetchImpl, { tokenUrl, clientId: c.clientId, clientSecret: c.clientSecret ?? '' }, c.refreshToken, o.clientAuth);
      return tokens;
    },
  });
  return {
    async apply(req) {
      if (creds.expiresAt && creds.expiresAt < Date.now() + 30_000 && creds.refreshToken) await renew(creds.accessToken);
      req.headers.authorization = `Bearer ${creds.accessToken ?? creds.token ?? ''}`;
    },
    refresh: (refused) => renew(refused ? tokenIn(refused.headers, 'authorization', 'Bearer') : creds.accessToken),
  };
}
