// The portal session's two ends: opening a signed portal link (GET /portal/{customerId}?token=…) swaps it,
// once, for the httpOnly session cookie; sign-out drops it.
import { z } from 'zod';
import { cookie, createSessionToken, OAUTH_NONCE_COOKIE, PORTAL_COOKIE, portalPath, readPortalSession, revokePortalSession, SESSION_TTL_SEC, verifyPortalLink } from '../../portal/portal-session';
import { portalSecret } from '../../portal/portal-tokens';
import { refuseCrossSite } from '../auth';
import { defineRoute } from '../route';
import { redirect, secureCookies, sendPage } from './page';

const html = (description: string) => ({ description, contentType: 'text/html' });

export const openPortalLink = defineRoute({
  operationId: 'openPortalLink',
  method: 'GET',
  path: '/portal/:customerId',
  tag: 'Portal',
  summary: 'Open a portal link: sets the session cookie and redirects to the connections page',
  description: 'The token (from POST /api/v1/customers/{customerId}/portal-links) is the credential. A link opens once. Without a token this path is the portal\'s web page.',
  auth: { kind: 'none' },
  query: z.object({ token: z.string().max(4096) }),
  claim: (query) => /(^|&)token=/.test(query),
  responses: {
    303: { description: 'Signed in: redirect to /portal/{customerId}/connections with the session cookie', headers: { location: 'The connections page', 'set-cookie': 'pb_portal session cookie (httpOnly, 8 hours; an embed link\'s is SameSite=None; Secure; Partitioned)' } },
    401: html('An expired, altered or foreign link (HTML page)'),
    410: html('A link opened before (HTML page)'),
  },
  async handler({ res, params, query, deps }) {
    const externalId = params.customerId;
    const secret = portalSecret();
    const verified = verifyPortalLink(secret, query.token);
    if (!verified.ok) {
      return sendPage(res, 401, verified.reason === 'expired' ? 'This portal link has expired' : 'This portal link is not valid',
        'Portal links work for a few minutes only. Go back to your provider’s app and open the integrations page again to get a fresh link.');
    }
    const rows = await deps.sql<{ external_id: string }[]>`select external_id from customers where id = ${verified.payload.c} and vendor_id = ${verified.payload.v}`;
    if (!rows.length || rows[0].external_id !== externalId) return sendPage(res, 401, 'This portal link is not valid', 'The link does not belong to this page. Open the integrations page from your provider’s app again.');
    const nonce = verified.payload.n;
    if (typeof nonce !== 'string' || nonce.length < 16 || nonce.length > 64) return sendPage(res, 401, 'This portal link is not valid', 'Open the integrations page from your provider’s app again to get a fresh link.');
    // A link opens once: copied from a browser history, a log or a forwarded mail it leads nowhere.
    const first = await deps.sql`
      insert into portal_link_uses (nonce, customer_id, expires_at) values (${nonce}, ${verified.payload.c}, ${new Date(verified.payload.e * 1000).toISOString()}::timestamptz)
      on conflict (nonce) do nothing returning nonce`;
    if (!first.length) {
      return sendPage(res, 410, 'This portal link has already been used',
        'For your security each portal link opens once. Go back to your provider’s app and open the integrations page again to get a fresh link.');
    }
    const embed = verified.payload.m === 'embed';
    const session = createSessionToken(secret, { id: verified.payload.c, vendorId: verified.payload.v, externalId }, Date.now(), { embed });
    redirect(res, `${portalPath(externalId)}/connections`, [cookie(PORTAL_COOKIE, session, SESSION_TTL_SEC, secureCookies(), embed)]);
  },
});

// Sign out: the session is revoked server-side at once (a copy of the cookie stops working too) and the
// cookie dropped; coming back takes a fresh link from the vendor's app.
export const signOut = defineRoute({
  operationId: 'portalSignOut',
  method: 'POST',
  path: '/api/portal/:customerId/sign-out',
  tag: 'Portal',
  summary: 'Sign out: revokes the portal session server-side and drops its cookie',
  auth: { kind: 'none' },
  responses: { 204: { description: 'Signed out', headers: { 'set-cookie': 'expired pb_portal and pb_portal_oauth cookies' } } },
  errors: { 403: 'cross_site: only from the portal\'s own pages' },
  async handler({ req, deps }) {
    refuseCrossSite(req);
    // A partitioned (embedded) cookie is dropped only by a Set-Cookie with the same attributes.
    const embedded = readPortalSession(portalSecret(), req.headers.cookie)?.embedded ?? false;
    await revokePortalSession(deps.sql, portalSecret(), req.headers.cookie);
    return { status: 204, headers: { 'set-cookie': [cookie(PORTAL_COOKIE, '', 0, secureCookies(), embedded), cookie(OAUTH_NONCE_COOKIE, '', 0, secureCookies(), embedded)], 'cache-control': 'no-store' } };
  },
});
