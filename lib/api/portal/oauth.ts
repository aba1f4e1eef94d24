// The OAuth callback (GET /api/portal/oauth/callback): the CRM sends the browser back here with a code; the
// state must be this portal session's own round trip (signed state + nonce cookie). Answers by redirecting
// to the connections page with what happened in plain words.
import { portalActor, recordAudit } from '../../audit/record-audit';
import { z } from 'zod';
import { PatchbayError } from '@/engine';
import { describeConnectionError } from '../../connections/describe-connection-error';
import { findConnector } from '../../connections/manage-connections';
import { finishOAuth, nonceMatches, OAUTH_CALLBACK_PATH, readOAuthState } from '../../connections/oauth-connect';
import { testConnection } from '../../connections/test-connection';
import { createGuardedFetch } from '../../engine-host/guarded-fetch';
import { cookie, OAUTH_NONCE_COOKIE, portalPath, readCookie, readLivePortalSession } from '../../portal/portal-session';
import { portalSecret } from '../../portal/portal-tokens';
import { publicBaseUrl } from '../../config';
import { defineRoute } from '../route';
import { redirect, secureCookies, sendPage } from './page';

export const oauthCallback = defineRoute({
  operationId: 'portalOAuthCallback',
  method: 'GET',
  path: OAUTH_CALLBACK_PATH,
  tag: 'Portal',
  summary: 'OAuth redirect target: finishes connecting and returns to the connections page',
  description: 'Needs the portal session cookie and the nonce cookie set by …/oauth/start.',
  auth: { kind: 'none' },
  query: z.object({
    state: z.string().max(4096).optional(),
    code: z.string().max(4096).optional(),
    error: z.string().max(200).optional(),
    error_description: z.string().max(1000).optional(),
  }).loose(),
  responses: {
    303: { description: 'Back to /portal/{customerId}/connections?connected=… or ?error=… (plain words)', headers: { location: 'The connections page' } },
    401: { description: 'No portal session (HTML page)', contentType: 'text/html' },
  },
  async handler({ req, res, query: q, deps }) {
    const secret = portalSecret();
    const session = await readLivePortalSession(deps.sql, secret, req.headers.cookie);
    if (!session) return sendPage(res, 401, 'Your portal session has expired', 'Open the integrations page from your provider again, then connect once more.');
    const key = deps.host.opts.encryptionKey;
    const outboundFetch = createGuardedFetch(deps.host.opts.allowPrivateHosts);
    const back = (query: Record<string, string>) => `${portalPath(session.externalId)}/connections?${new URLSearchParams(query)}`;
    const clearNonce = cookie(OAUTH_NONCE_COOKIE, '', 0, secureCookies(), session.embedded);
    let state;
    try {
      state = readOAuthState(secret, q.state ?? null);
    } catch (err) {
      return redirect(res, back({ error: (err as Error).message }), [clearNonce]);
    }
    const name = findConnector(state.system).name;
    if (state.customerId !== session.customerId || state.vendorId !== session.vendorId || !nonceMatches(state, readCookie(req.headers.cookie, OAUTH_NONCE_COOKIE))) {
      return redirect(res, back({ system: state.system, error: `This ${name} sign-in was not started from this portal session: start "Connect with OAuth" again` }), [clearNonce]);
    }
    if (q.error || !q.code) {
      const why = q.error === 'access_denied' ? `You declined access at ${name}` : `${name} did not complete the sign-in${q.error_description ? ` (${q.error_description})` : q.error ? ` (${q.error})` : ''}`;
      return redirect(res, back({ system: state.system, error: `${why}: Patchbay is not connected to ${name}` }), [clearNonce]);
    }
    try {
      await finishOAuth(deps.sql, key, outboundFetch, { state, code: q.code, redirectUri: publicBaseUrl() + OAUTH_CALLBACK_PATH });
    } catch (err) {
      if (!(err instanceof PatchbayError)) console.warn(`[patchbay] ${name} OAuth code exchange failed:`, (err as Error).message);
      const message = describeConnectionError(err, { name, authKind: 'oauth2', baseUrl: state.baseUrl });
      return redirect(res, back({ system: state.system, error: message }), [clearNonce]);
    }
    await recordAudit(deps.sql, { vendorId: session.vendorId, customerId: session.customerId, actor: portalActor({ id: session.customerId, externalId: session.externalId }), action: 'connection.connect', target: { kind: 'connection', id: state.system, label: `${state.system} of ${session.externalId}` }, details: { authKind: 'oauth2', baseUrl: state.baseUrl } });
    // Record the new connection's health right away, so the portal shows it working (or why not).
    const test = findConnector(state.system).testConnection
      ? await testConnection(deps.sql, key, outboundFetch, state.customerId, state.system).catch(() => null)
      : null;
    return redirect(res, back(test && !test.ok && test.error ? { system: state.system, error: test.error } : { connected: state.system }), [clearNonce]);
  },
});
