// The customer portal's HTTP side, served by the custom server beside the public API (so it answers the
// same with or without the Next.js UI): opening a signed portal link (/portal/{customerId}?token=…), and
// /api/portal/{customerId}/… — the portal's JSON API, each call checked against the httpOnly session
// cookie and scoped to the customer it names — plus the OAuth callback. Handlers stay thin: zod at the
// edge, lib/connections for the work.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type postgres from 'postgres';
import { z } from 'zod';
import { PatchbayError } from '@/engine';
import { describeConnectionError } from '../connections/describe-connection-error';
import { connectWithApiKey, disconnect, findConnector, findCustomerConnector, listConnectorViews } from '../connections/manage-connections';
import { finishOAuth, nonceMatches, OAUTH_CALLBACK_PATH, readOAuthState, startOAuth } from '../connections/oauth-connect';
import { testConnection } from '../connections/test-connection';
import type { EngineHost } from '../engine-host/host';
import { createGuardedFetch } from '../engine-host/guarded-fetch';
import { cookie, createSessionToken, OAUTH_NONCE_COOKIE, PORTAL_COOKIE, portalPath, readCookie, readLivePortalSession, revokePortalSession, SESSION_TTL_SEC, verifyPortalLink } from '../portal/portal-session';
import { portalSecret } from '../portal/portal-tokens';
import { resolveCustomer, type CustomerRef } from '../tenancy/customers';
import { ApiError, hasBody, readJson, sendError, sendJson } from './http-io';
import { publicBaseUrl } from '../config';

export interface PortalApiDeps { sql: postgres.Sql; host: EngineHost }

interface Ctx { req: IncomingMessage; res: ServerResponse; url: URL; params: string[]; deps: PortalApiDeps }
type Handler = (ctx: Ctx) => Promise<void>;

const routes: [string, RegExp, Handler][] = [];
const route = (method: string, re: RegExp, h: Handler) => routes.push([method, re, h]);

const SYSTEM = /^[a-z][a-z0-9-]{0,39}$/;

const secureCookies = () => publicBaseUrl().startsWith('https:');

function invalid(err: z.ZodError, what: string): ApiError {
  const i = err.issues[0];
  const path = i.path as (string | number)[];
  return new ApiError(400, 'invalid_input', `${path.length ? `"${path.join('.')}"` : what}: ${i.message}`, { path });
}

function redirect(res: ServerResponse, location: string, cookies: string[] = []): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', ...(cookies.length ? { 'set-cookie': cookies } : {}) });
  res.end();
}

function sendPage(res: ServerResponse, status: number, title: string, text: string): void {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>`
    + `<body style="font:15px/1.5 system-ui,sans-serif;max-width:34rem;margin:15vh auto;padding:0 1rem;color:#1b1d23"><h1 style="font-size:20px">${esc(title)}</h1><p>${esc(text)}</p></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

/** The customer named in the URL, if the portal session is that customer's; 401 without a session, 404 for any other customer. */
async function sessionCustomer(ctx: Ctx, externalId: string): Promise<CustomerRef> {
  const session = await readLivePortalSession(ctx.deps.sql, portalSecret(), ctx.req.headers.cookie);
  if (!session) throw new ApiError(401, 'unauthenticated', 'Your portal session is missing or has expired: open the integrations page from your provider again');
  const customer = session.externalId === externalId ? await resolveCustomer(ctx.deps.sql, session.vendorId, externalId) : null;
  if (!customer || customer.id !== session.customerId) throw new ApiError(404, 'customer_not_found', `No customer "${externalId}"`);
  return customer;
}

/** Writes must come from Patchbay's own pages: a cookie must not act for a foreign site. */
function refuseCrossSite(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (!origin) return;
  let host: string | null = null;
  try { host = new URL(origin).host; } catch { /* refused below */ }
  if (host !== req.headers.host) throw new ApiError(403, 'cross_site', 'Changes are only accepted from the portal’s own pages');
}

function systemOf(raw: string): string {
  if (!SYSTEM.test(raw)) throw new ApiError(404, 'connector_not_found', `Patchbay has no connector "${raw}"`);
  findCustomerConnector(raw);
  return raw;
}

const key = (deps: PortalApiDeps) => deps.host.opts.encryptionKey;
const outboundFetch = (deps: PortalApiDeps) => createGuardedFetch(deps.host.opts.allowPrivateHosts);

route('GET', /^\/api\/portal\/([^/]+)\/connections$/, async (ctx) => {
  const customer = await sessionCustomer(ctx, ctx.params[0]);
  const connectors = await listConnectorViews(ctx.deps.sql, customer.id);
  sendJson(ctx.res, 200, { customer: { id: customer.externalId, name: customer.name }, connectors });
});

const connectBody = z.object({
  authKind: z.literal('apiKey', { error: 'only "apiKey" connects with a form; OAuth starts at …/oauth/start' }).default('apiKey'),
  /** Which API-key form (its index in the connector's auth options); the first when left out. */
  option: z.number().int().min(0).max(20).optional(),
  baseUrl: z.string().max(500).nullish(),
  credentials: z.record(z.string().max(100), z.string().max(8000)),
});

route('PUT', /^\/api\/portal\/([^/]+)\/connections\/([^/]+)$/, async (ctx) => {
  refuseCrossSite(ctx.req);
  const customer = await sessionCustomer(ctx, ctx.params[0]);
  const system = systemOf(ctx.params[1]);
  const body = connectBody.safeParse(await readJson(ctx.req, 64 * 1024));
  if (!body.success) throw invalid(body.error, 'body');
  await connectWithApiKey(ctx.deps.sql, key(ctx.deps), { customerId: customer.id, system, option: body.data.option, baseUrl: body.data.baseUrl, credentials: body.data.credentials });
  const view = (await listConnectorViews(ctx.deps.sql, customer.id)).find((c) => c.system === system);
  sendJson(ctx.res, 200, view);
});

route('DELETE', /^\/api\/portal\/([^/]+)\/connections\/([^/]+)$/, async (ctx) => {
  refuseCrossSite(ctx.req);
  const customer = await sessionCustomer(ctx, ctx.params[0]);
  const system = systemOf(ctx.params[1]);
  if (!(await disconnect(ctx.deps.sql, customer.id, system))) throw new ApiError(404, 'connection_not_found', `${findConnector(system).name} is not connected`);
  ctx.res.writeHead(204, { 'cache-control': 'no-store' });
  ctx.res.end();
});

route('POST', /^\/api\/portal\/([^/]+)\/connections\/([^/]+)\/test$/, async (ctx) => {
  refuseCrossSite(ctx.req);
  const customer = await sessionCustomer(ctx, ctx.params[0]);
  const system = systemOf(ctx.params[1]);
  const result = await testConnection(ctx.deps.sql, key(ctx.deps), outboundFetch(ctx.deps), customer.id, system);
  if (!result) throw new ApiError(404, 'connection_not_found', `${findConnector(system).name} is not connected`);
  sendJson(ctx.res, 200, result);
});

const startBody = z.object({ baseUrl: z.string().max(500).nullish() });

// A POST (not a link): a cross-site page cannot start an OAuth round trip in the customer's session
// (SameSite=Lax keeps the cookie off cross-site POSTs, and the Origin check refuses them), so nobody can
// slip their own account or authorization server into a customer's connection. The page then navigates
// to `authorizeUrl` itself.
route('POST', /^\/api\/portal\/([^/]+)\/connections\/([^/]+)\/oauth\/start$/, async (ctx) => {
  refuseCrossSite(ctx.req);
  const customer = await sessionCustomer(ctx, ctx.params[0]);
  const system = systemOf(ctx.params[1]);
  const body = startBody.safeParse(hasBody(ctx.req) ? await readJson(ctx.req, 16 * 1024) : {});
  if (!body.success) throw invalid(body.error, 'body');
  const start = startOAuth(portalSecret(), {
    customerId: customer.id, vendorId: customer.vendorId, externalId: customer.externalId, system, baseUrl: body.data.baseUrl,
    redirectUri: publicBaseUrl() + OAUTH_CALLBACK_PATH,
  });
  sendJson(ctx.res, 200, { authorizeUrl: start.authorizeUrl }, { 'set-cookie': cookie(OAUTH_NONCE_COOKIE, start.nonce, start.maxAgeSec, secureCookies()) });
});

const callbackQuery = z.object({
  state: z.string().max(4096).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

// Sign out: the session is revoked server-side (a copy of the cookie stops working too) and the cookie
// dropped; coming back takes a fresh link from the vendor's app.
route('POST', /^\/api\/portal\/([^/]+)\/sign-out$/, async (ctx) => {
  refuseCrossSite(ctx.req);
  await revokePortalSession(ctx.deps.sql, portalSecret(), ctx.req.headers.cookie);
  ctx.res.writeHead(204, { 'set-cookie': [cookie(PORTAL_COOKIE, '', 0, secureCookies()), cookie(OAUTH_NONCE_COOKIE, '', 0, secureCookies())], 'cache-control': 'no-store' });
  ctx.res.end();
});

route('GET', new RegExp(`^${OAUTH_CALLBACK_PATH.replace(/\//g, '\\/')}$`), async (ctx) => {
  const { req, res, deps } = ctx;
  const secret = portalSecret();
  const session = await readLivePortalSession(deps.sql, secret, req.headers.cookie);
  if (!session) return sendPage(res, 401, 'Your portal session has expired', 'Open the integrations page from your provider again, then connect once more.');
  const back = (query: Record<string, string>) => `${portalPath(session.externalId)}/connections?${new URLSearchParams(query)}`;
  const clearNonce = cookie(OAUTH_NONCE_COOKIE, '', 0, secureCookies());
  const parsed = callbackQuery.safeParse(Object.fromEntries(ctx.url.searchParams));
  if (!parsed.success) {
    const field = String(parsed.error.issues[0].path[0] ?? 'query');
    return sendPage(res, 400, 'This sign-in answer is not valid', `The "${field}" parameter is malformed or too long. Start "Connect with OAuth" again from the portal.`);
  }
  const q = parsed.data;
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
    await finishOAuth(deps.sql, key(deps), outboundFetch(deps), { state, code: q.code, redirectUri: publicBaseUrl() + OAUTH_CALLBACK_PATH });
  } catch (err) {
    if (!(err instanceof PatchbayError)) console.warn(`[patchbay] ${name} OAuth code exchange failed:`, (err as Error).message);
    const message = describeConnectionError(err, { name, authKind: 'oauth2', baseUrl: state.baseUrl });
    return redirect(res, back({ system: state.system, error: message }), [clearNonce]);
  }
  // Record the new connection's health right away, so the portal shows it working (or why not).
  const test = findConnector(state.system).testConnection
    ? await testConnection(deps.sql, key(deps), outboundFetch(deps), state.customerId, state.system).catch(() => null)
    : null;
  return redirect(res, back(test && !test.ok && test.error ? { system: state.system, error: test.error } : { connected: state.system }), [clearNonce]);
});

/** GET /portal/{customerId}?token=…: a valid link becomes the session cookie; anything else is refused. */
async function openPortalLink(req: IncomingMessage, res: ServerResponse, url: URL, externalId: string, deps: PortalApiDeps): Promise<void> {
  const secret = portalSecret();
  const verified = verifyPortalLink(secret, url.searchParams.get('token'));
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
  const session = createSessionToken(secret, { id: verified.payload.c, vendorId: verified.payload.v, externalId });
  redirect(res, `${portalPath(externalId)}/connections`, [cookie(PORTAL_COOKIE, session, SESSION_TTL_SEC, secureCookies())]);
}

const PORTAL_LINK = /^\/portal\/([^/]+)\/?$/;

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { throw new ApiError(404, 'not_found', 'No such page'); }
}

/** Handles the portal's own paths; returns false for everything else (the Next.js pages under /portal). */
export async function handlePortalRequest(req: IncomingMessage, res: ServerResponse, deps: PortalApiDeps): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const link = PORTAL_LINK.exec(url.pathname);
  const isLink = !!link && url.searchParams.has('token') && req.method === 'GET';
  if (!isLink && !url.pathname.startsWith('/api/portal/')) return false;
  try {
    if (isLink) {
      await openPortalLink(req, res, url, safeDecode(link![1]), deps);
      return true;
    }
    const matching = routes.filter(([, re]) => re.test(url.pathname));
    if (!matching.length) throw new ApiError(404, 'not_found', `No portal route ${url.pathname}`);
    const r = matching.find(([m]) => m === req.method);
    if (!r) throw new ApiError(405, 'method_not_allowed', `${req.method} is not allowed here (use ${matching.map(([m]) => m).join(', ')})`);
    const params = r[1].exec(url.pathname)!.slice(1).map(safeDecode);
    await r[2]({ req, res, url, params, deps });
  } catch (err) {
    if (res.headersSent) { res.end(); return true; }
    if (err instanceof ApiError) sendError(res, err);
    else if (err instanceof PatchbayError && (err.code === 'invalid_params' || err.code === 'oauth_unavailable')) {
      sendError(res, new ApiError(400, err.code === 'invalid_params' ? 'invalid_input' : err.code, err.message, { path: err.path ?? [] }));
    } else if (err instanceof PatchbayError && err.code === 'connector_not_found') sendError(res, new ApiError(404, err.code, err.message));
    else {
      console.error('[patchbay] portal error', err);
      sendError(res, new ApiError(500, 'internal_error', 'Something went wrong on our side; the error was logged'));
    }
  }
  return true;
}
