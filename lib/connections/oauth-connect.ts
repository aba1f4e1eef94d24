// "Connect with OAuth" for the portal: where a connector's authorize and token endpoints are for a given
// base URL (the real service, or a local emulator that serves both), the signed `state` that carries the
// attempt across the CRM's authorize page, and the code exchange that stores the tokens encrypted.
import type { KeyInput } from '../crypto/credentials';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type postgres from 'postgres';
import { PatchbayError } from '@/engine';
import { buildAuthorizeUrl, exchangeCode } from '@/engine/connectors';
import type { AuthKind, ConnectorDefinition } from '@/engine/connectors';
import { saveConnection } from '../engine-host/connections';
import { withAnswerDeadline } from './answer-deadline';
import { signPortalToken, verifyPortalToken } from '../portal/portal-tokens';
import { findConnector, normalizeBaseUrl, oauthAuth } from './manage-connections';
import { type Env, oauthClientFor } from './oauth-clients';

/** How long a customer may take on the CRM's authorize page. */
const STATE_TTL_SEC = 15 * 60;

export const OAUTH_CALLBACK_PATH = '/api/portal/oauth/callback';

const isAbsolute = (p: string) => /^https?:\/\//i.test(p);

function parentDomain(host: string): string | null {
  if (/^[\d.]+$/.test(host) || host.includes(':')) return null;
  return host.split('.').slice(-2).join('.');
}

/**
 * A manifest names its endpoints as paths on the base URL or as absolute URLs of the real service's own
 * authorization host (Pipedrive's oauth.pipedrive.com, HubSpot's app.hubspot.com). Absolute ones are used
 * when the connection talks to that service; any other base URL (an emulator, a proxy) serves the same paths itself.
 */
export function oauthEndpoints(def: ConnectorDefinition, auth: Extract<AuthKind, { type: 'oauth2' }>, baseUrl: string): { authorizeUrl: string; tokenUrl: string } {
  const base = normalizeBaseUrl(baseUrl);
  const own = auth.forBaseUrl?.(base);
  if (own) return { authorizeUrl: own.authorizeUrl, tokenUrl: own.tokenUrl };
  const baseHost = new URL(base).hostname;
  const resolve = (p: string): string => {
    if (!isAbsolute(p)) return base + (p.startsWith('/') ? p : `/${p}`);
    const abs = new URL(p);
    const realService = base === normalizeBaseUrl(def.defaultBaseUrl) || (parentDomain(abs.hostname) !== null && parentDomain(abs.hostname) === parentDomain(baseHost));
    return realService ? abs.toString() : base + abs.pathname;
  };
  return { authorizeUrl: resolve(auth.authorizePath), tokenUrl: resolve(auth.tokenPath) };
}

export interface OAuthStart {
  authorizeUrl: string;
  /** Goes into a short-lived httpOnly cookie; the callback only accepts a state whose nonce matches it. */
  nonce: string;
  maxAgeSec: number;
}

export function startOAuth(
  secret: string,
  p: { customerId: string; vendorId: string; externalId: string; system: string; baseUrl?: string | null; redirectUri: string; env?: Env; nowMs?: number },
): OAuthStart {
  const def = findConnector(p.system);
  const auth = oauthAuth(def);
  if (!auth) throw new PatchbayError('invalid_params', `${def.name} does not connect with OAuth: use its API key form`);
  const client = oauthClientFor(def.id, p.env);
  if (!client) throw new PatchbayError('oauth_unavailable', `OAuth for ${def.name} is not set up on this Patchbay: connect with an API key, or ask the administrator to configure it`);
  const baseUrl = normalizeBaseUrl(p.baseUrl || def.defaultBaseUrl);
  const { authorizeUrl } = oauthEndpoints(def, auth, baseUrl);
  const nonce = randomBytes(16).toString('base64url');
  const exp = Math.floor((p.nowMs ?? Date.now()) / 1000) + STATE_TTL_SEC;
  const state = signPortalToken(secret, 'oauth', { c: p.customerId, v: p.vendorId, x: p.externalId, e: exp, s: def.id, b: baseUrl, n: nonce });
  return { authorizeUrl: buildAuthorizeUrl(authorizeUrl, { clientId: client.clientId, redirectUri: p.redirectUri, state, scopes: auth.forBaseUrl?.(baseUrl)?.scopes ?? auth.scopes }), nonce, maxAgeSec: STATE_TTL_SEC };
}

export interface OAuthState { customerId: string; vendorId: string; externalId: string; system: string; baseUrl: string; nonce: string }

/** The state's claims, or a PatchbayError worded for the customer. */
export function readOAuthState(secret: string, state: string | null, nowMs = Date.now()): OAuthState {
  const r = verifyPortalToken(secret, 'oauth', state, nowMs);
  if (!r.ok) {
    throw new PatchbayError('oauth_state', r.reason === 'expired'
      ? 'The connect attempt took too long: start "Connect with OAuth" again'
      : 'This sign-in answer did not come from a connect attempt Patchbay started: start "Connect with OAuth" again');
  }
  const s = r.payload;
  return { customerId: s.c, vendorId: s.v, externalId: String(s.x ?? ''), system: String(s.s ?? ''), baseUrl: String(s.b ?? ''), nonce: String(s.n ?? '') };
}

export function nonceMatches(state: OAuthState, cookieNonce: string | null): boolean {
  if (!cookieNonce) return false;
  const a = Buffer.from(state.nonce);
  const b = Buffer.from(cookieNonce);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Exchanges the code and stores the tokens (and the client that can refresh them), encrypted. */
export async function finishOAuth(
  sql: postgres.Sql,
  key: KeyInput,
  fetchImpl: typeof fetch,
  p: { state: OAuthState; code: string; redirectUri: string; env?: Env },
): Promise<void> {
  const def = findConnector(p.state.system);
  const auth = oauthAuth(def);
  const client = oauthClientFor(def.id, p.env);
  if (!auth || !client) throw new PatchbayError('oauth_unavailable', `OAuth for ${def.name} is not set up on this Patchbay`);
  const { tokenUrl } = oauthEndpoints(def, auth, p.state.baseUrl);
  const tokens = await withAnswerDeadline(def.name, fetchImpl, (f) => exchangeCode(f, { tokenUrl, clientId: client.clientId, clientSecret: client.clientSecret }, p.code, p.redirectUri));
  const { raw, ...rest } = tokens;
  // Salesforce answers the org's instance_url and Pipedrive the company's api_domain: API calls go there.
  const instanceUrl = typeof raw.instance_url === 'string' ? normalizeBaseUrl(raw.instance_url) : undefined;
  const apiDomain = typeof raw.api_domain === 'string' ? normalizeBaseUrl(raw.api_domain) : undefined;
  const credentials: Record<string, unknown> = {
    accessToken: rest.accessToken, refreshToken: rest.refreshToken, expiresAt: rest.expiresAt,
    clientId: client.clientId, clientSecret: client.clientSecret, tokenUrl,
    ...(instanceUrl ? { instanceUrl } : {}),
    ...auth.extraCredentials?.(raw),
  };
  await saveConnection(sql, key, {
    customerId: p.state.customerId, system: def.id, name: def.name, authKind: 'oauth2', baseUrl: instanceUrl ?? apiDomain ?? p.state.baseUrl, credentials,
  });
}
