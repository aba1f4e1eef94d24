// The common plumbing of every emulator: a real HTTP server on loopback with routing, JSON bodies,
// the vendor's auth check, a request budget that answers 429 with the vendor's headers, fault injection
// for tests (next N requests fail with 5xx), and OAuth authorize/token endpoints when the vendor uses OAuth.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

export interface EmuRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
  body: any;
  rawBody: string;
}

export interface EmuResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A streamed body (a recording, a file) instead of `body`: piped, never held in memory. */
  stream?: NodeJS.ReadableStream;
}

export type EmuHandler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

export interface RateLimitPolicy {
  /** Requests allowed per window; 0 or undefined = unlimited. */
  limit: number;
  windowMs: number;
  /** Vendor headers on every answer (remaining, limit, reset). */
  headers?: (s: { limit: number; remaining: number; resetMs: number }) => Record<string, string>;
  /** Body of the 429 answer, in the vendor's error shape. */
  body?: (s: { retryAfterSec: number }) => unknown;
}

export interface OAuthEmulation {
  /** Path of the authorize endpoint (browser redirect), e.g. /oauth/authorize */
  authorizePath: string;
  /** Path of the token endpoint, e.g. /oauth/v1/token */
  tokenPath: string;
  clientId: string;
  clientSecret: string;
  /** Access token lifetime in seconds. */
  accessTokenTtlSec?: number;
  /** Extra fields in the token response (Salesforce's instance_url, …). */
  extraTokenFields?: (baseUrl: string) => Record<string, unknown>;
  /** Also grant `client_credentials` (server-to-server apps, e.g. Microsoft Entra ID): an access token, no refresh token. */
  clientCredentials?: boolean;
  /** Accept the resource-owner password grant (SugarCRM): true when the form's username/password are valid. */
  passwordGrant?: (form: Record<string, string>) => boolean;
  /** The vendor's token-endpoint error body (default: RFC 6749's `{ error, error_description }`). */
  tokenError?: (status: number, error: string, description: string) => EmuResponse;
  /** Access tokens that never expire and no refresh token (Intercom): the code exchange answers only the access token. */
  nonExpiring?: boolean;
  /** Each refresh answers a new refresh token and the one used stops working (Keap's rotation). */
  rotateRefreshTokens?: boolean;
  /** The refresh grant authenticates the client only with HTTP Basic (Keap), not with client_id/client_secret in the form. */
  refreshNeedsBasicAuth?: boolean;
}

/** What every CRM emulator is started with; each adds its vendor's own knobs. */
export interface CrmEmulatorOptions {
  port?: number;
  /** How many synthetic contacts, companies and users (agents) to seed. */
  contacts?: number;
  companies?: number;
  users?: number;
  /** The static token accepted (private app token, API token, session id); OAuth-issued tokens are added at run time. */
  token?: string;
  /** Requests per window before the vendor's rate-limit answer; 0 = unlimited. */
  rateLimit?: number;
  rateWindowMs?: number;
  /** Emulate the vendor's OAuth authorize/token endpoints for this client. */
  oauth?: { clientId: string; clientSecret: string };
  accessTokenTtlSec?: number;
}

export interface EmulatorOptions {
  name: string;
  routes: [method: string, pattern: string, handler: EmuHandler][];
  /** Returns the token the request carries in this vendor's way, or null. */
  extractToken: (req: EmuRequest) => string | null;
  /** Static tokens accepted (private app token, API key). OAuth-issued tokens are added at run time. */
  tokens: string[];
  /** The vendor's 401 body. */
  unauthorized: (req: EmuRequest) => EmuResponse;
  notFound?: (req: EmuRequest) => EmuResponse;
  rateLimit?: RateLimitPolicy;
  oauth?: OAuthEmulation;
  /** Paths that need no auth (besides OAuth endpoints). */
  publicPaths?: RegExp[];
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Makes the next `n` authenticated requests fail with `status` (default 503). */
  failNext(n: number, status?: number): void;
  /** Changes the request budget (limit 0 = unlimited). */
  setRateLimit(limit: number, windowMs?: number): void;
  /** Invalidate every OAuth access token (forces a refresh; revokes them where tokens never expire). */
  expireAccessTokens(): void;
  /**
   * Slow answers (latency injection): authenticated requests wait `ms` before they are handled — every one, every
   * `every`-th one (10: one in ten), or the next `count` ones; `delay(0)` ends it. A caller that gives up meanwhile
   * (closes the connection) is counted in `stats.aborted` and its request is not handled.
   */
  delay(ms: number, o?: { every?: number; count?: number }): void;
  stats: { requests: number; rateLimited: number; failed: number; aborted: number; byRoute: Map<string, number> };
}

function compile(pattern: string): { re: RegExp; keys: string[] } {
  const keys: string[] = [];
  const re = new RegExp('^' + pattern.replace(/\/:([A-Za-z_]+)/g, (_m, k) => { keys.push(k); return '/([^/]+)'; }) + '/?$');
  return { re, keys };
}

export async function startEmulator(opts: EmulatorOptions, port = 0, host = '127.0.0.1'): Promise<RunningEmulator> {
  const routes = opts.routes.map(([method, pattern, handler]) => ({ method, pattern, handler, ...compile(pattern) }));
  const tokens = new Set(opts.tokens);
  const oauthAccess = new Map<string, number>(); // token -> expiresAt
  const oauthCodes = new Map<string, string>(); // code -> redirect_uri
  const refreshTokens = new Set<string>();
  let failRemaining = 0;
  let failStatus = 503;
  let limit = opts.rateLimit?.limit ?? 0;
  let windowMs = opts.rateLimit?.windowMs ?? 10_000;
  let windowStart = Date.now();
  let used = 0;
  const stats = { requests: 0, rateLimited: 0, failed: 0, aborted: 0, byRoute: new Map<string, number>() };
  let slow = { ms: 0, every: 1, count: Infinity, seen: 0 };
  let baseUrl = '';

  const send = (res: ServerResponse, r: EmuResponse) => {
    const headers: Record<string, string> = { ...r.headers };
    if (r.stream) {
      res.writeHead(r.status, headers);
      r.stream.pipe(res);
      return;
    }
    let payload = '';
    if (r.body !== undefined) {
      if (typeof r.body === 'string' && headers['content-type']) payload = r.body;
      else { payload = JSON.stringify(r.body); headers['content-type'] ??= 'application/json;charset=UTF-8'; }
    }
    res.writeHead(r.status, headers);
    res.end(payload);
  };

  const handleOAuth = (req: EmuRequest): EmuResponse | null => {
    const o = opts.oauth;
    if (!o) return null;
    if (req.path === o.authorizePath && req.method === 'GET') {
      const redirect = req.query.get('redirect_uri');
      if (req.query.get('client_id') !== o.clientId || !redirect) return { status: 400, body: { error: 'invalid_client', error_description: 'unknown client_id or missing redirect_uri' } };
      const code = 'code_' + randomBytes(12).toString('hex');
      oauthCodes.set(code, redirect);
      const u = new URL(redirect);
      u.searchParams.set('code', code);
      const state = req.query.get('state');
      if (state) u.searchParams.set('state', state);
      return { status: 302, headers: { location: u.toString() } };
    }
    if (req.path === o.tokenPath && req.method === 'POST') {
      const form = typeof req.body === 'object' && req.body ? req.body : Object.fromEntries(new URLSearchParams(req.rawBody));
      const fail = o.tokenError ?? ((status: number, error: string, description: string) => ({ status, body: { error, error_description: description } }));
      // The client authenticates with HTTP Basic (RFC 6749 2.3.1) or with client_id/client_secret in the form.
      const basic = /^basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
      const decoded = basic ? Buffer.from(basic[1], 'base64').toString('utf8') : null;
      const f = decoded && decoded.includes(':') ? { ...form, client_id: decodeURIComponent(decoded.slice(0, decoded.indexOf(':'))), client_secret: decodeURIComponent(decoded.slice(decoded.indexOf(':') + 1)) } : form;
      if (f.grant_type === 'refresh_token' && o.refreshNeedsBasicAuth && !decoded) return fail(401, 'invalid_client', 'client authentication (HTTP Basic) is required to refresh a token');
      if (f.client_id !== o.clientId || (f.client_secret ?? '') !== o.clientSecret) return fail(401, 'invalid_client', 'client authentication failed');
      if (f.grant_type === 'authorization_code') {
        const redirect = oauthCodes.get(f.code);
        if (!redirect || redirect !== f.redirect_uri) return fail(400, 'invalid_grant', 'authorization code is invalid or expired');
        oauthCodes.delete(f.code);
      } else if (f.grant_type === 'refresh_token' && !o.nonExpiring) {
        if (!refreshTokens.has(f.refresh_token)) return fail(400, 'invalid_grant', 'refresh token is invalid');
      } else if (f.grant_type === 'password' && o.passwordGrant) {
        if (!o.passwordGrant(f)) return fail(401, 'need_login', 'You must specify a valid username and password.');
      } else if (f.grant_type !== 'client_credentials' || !o.clientCredentials) return fail(400, 'unsupported_grant_type', `grant_type ${String(f.grant_type)} is not supported`);
      const ttl = o.accessTokenTtlSec ?? 1800;
      const access = 'at_' + randomBytes(16).toString('hex');
      if (o.nonExpiring) {
        oauthAccess.set(access, Infinity);
        return { status: 200, body: { access_token: access, token_type: 'Bearer', ...o.extraTokenFields?.(baseUrl) } };
      }
      oauthAccess.set(access, Date.now() + ttl * 1000);
      if (f.grant_type === 'client_credentials') return { status: 200, body: { access_token: access, token_type: 'Bearer', expires_in: ttl, ...o.extraTokenFields?.(baseUrl) } };
      const rotate = f.grant_type === 'refresh_token' && o.rotateRefreshTokens;
      if (rotate) refreshTokens.delete(f.refresh_token);
      const refresh = f.grant_type === 'refresh_token' && !rotate ? f.refresh_token : 'rt_' + randomBytes(16).toString('hex');
      refreshTokens.add(refresh);
      return { status: 200, body: { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: ttl, ...o.extraTokenFields?.(baseUrl) } };
    }
    return null;
  };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body: any = undefined;
    if (rawBody) {
      if ((req.headers['content-type'] ?? '').includes('json')) {
        try { body = JSON.parse(rawBody); } catch { return send(res, { status: 400, body: { message: 'Malformed JSON body' } }); }
      } else if ((req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(rawBody));
      // Vendors' SDKs post token requests as multipart forms too (Zoho's Node SDK does): its text fields.
      else if ((req.headers['content-type'] ?? '').startsWith('multipart/form-data')) body = multipartFields(rawBody, req.headers['content-type']!);
      else body = rawBody;
    }
    const r: EmuRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, params: {}, body, rawBody };
    try {
      const oauth = handleOAuth(r);
      if (oauth) return send(res, oauth);
      const isPublic = opts.publicPaths?.some((p) => p.test(r.path));
      if (!isPublic) {
        const token = opts.extractToken(r);
        const oauthExp = token ? oauthAccess.get(token) : undefined;
        if (!token || !(tokens.has(token) || (oauthExp !== undefined && oauthExp > Date.now()))) return send(res, opts.unauthorized(r));
      }
      stats.requests++;
      // request budget
      let rlHeaders: Record<string, string> = {};
      if (limit > 0) {
        const now = Date.now();
        if (now - windowStart >= windowMs) { windowStart = now; used = 0; }
        const resetMs = windowStart + windowMs - now;
        if (used >= limit) {
          stats.rateLimited++;
          const retryAfterSec = Math.max(1, Math.ceil(resetMs / 1000));
          return send(res, {
            status: 429,
            headers: { 'retry-after': String(retryAfterSec), ...opts.rateLimit?.headers?.({ limit, remaining: 0, resetMs }) },
            body: opts.rateLimit?.body?.({ retryAfterSec }) ?? { message: 'Too many requests' },
          });
        }
        used++;
        rlHeaders = opts.rateLimit?.headers?.({ limit, remaining: limit - used, resetMs }) ?? {};
      }
      if (slow.ms > 0 && slow.count > 0 && ++slow.seen % slow.every === 0) {
        slow.count--;
        const ms = slow.ms;
        const gaveUp = await new Promise<boolean>((resolve) => {
          const onClose = () => { clearTimeout(t); resolve(true); };
          const t = setTimeout(() => { res.off('close', onClose); resolve(false); }, ms);
          res.once('close', onClose);
        });
        if (gaveUp) { stats.aborted++; return; }
      }
      if (failRemaining > 0) {
        failRemaining--;
        stats.failed++;
        return send(res, { status: failStatus, body: { message: 'Service temporarily unavailable (injected by the emulator)' } });
      }
      for (const route of routes) {
        if (route.method !== r.method) continue;
        const m = route.re.exec(r.path);
        if (!m) continue;
        route.keys.forEach((k, i) => (r.params[k] = decodeURIComponent(m[i + 1])));
        stats.byRoute.set(`${route.method} ${route.pattern}`, (stats.byRoute.get(`${route.method} ${route.pattern}`) ?? 0) + 1);
        const out = await route.handler(r);
        return send(res, { ...out, headers: { ...rlHeaders, ...out.headers } });
      }
      return send(res, opts.notFound?.(r) ?? { status: 404, body: { message: `No route ${r.method} ${r.path}` } });
    } catch (err) {
      return send(res, { status: 500, body: { message: (err as Error).message } });
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  baseUrl = `http://${host}:${actualPort}`;
  return {
    url: baseUrl,
    port: actualPort,
    stats,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    failNext(n, status = 503) { failRemaining = n; failStatus = status; },
    setRateLimit(l, w) { limit = l; if (w) windowMs = w; used = 0; windowStart = Date.now(); },
    expireAccessTokens() { for (const k of oauthAccess.keys()) oauthAccess.set(k, 0); },
    delay(ms, o = {}) { slow = { ms, every: Math.max(1, Math.floor(o.every ?? 1)), count: o.count ?? Infinity, seen: 0 }; },
  };
}

/** The text fields of a multipart/form-data body (files are not read by any emulator). */
export function multipartFields(raw: string, contentType: string): Record<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const out: Record<string, string> = {};
  if (!boundary) return out;
  for (const part of raw.split(`--${boundary[1] ?? boundary[2]}`)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue;
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(part.slice(0, sep));
    if (name && !/filename=/i.test(part.slice(0, sep))) out[name[1]] = part.slice(sep + 4).replace(/\r\n$/, '');
  }
  return out;
}
