// Patchbay's HTTP edge in the custom node:http server, before Next.js: the declared routes (routes.ts)
// matched by find-my-way, each request authenticated by its route's auth kind, its path params, query and
// body checked with the route's zod schemas, then handed to the handler; whatever is thrown becomes the
// documented error body (error-reply.ts). The hot path (caller_lookup) is: match, cached key, cached
// customer, handler — no URL object, no query parsing unless the route has a query.
import type { IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import type { z } from 'zod';
import { InvalidInput, NotFound, ApiError } from '../errors';
import { assertStorableText } from './input-guard';
import { apiKeyPrincipal, keyCustomer, portalCustomer, refuseCrossSite, refuseCustomerKey, refuseForeignOrigin, staffCaller, widgetCustomer } from './auth';
import { invalidInputFromZod } from './error-reply';
import { readJson, sendError, sendJson } from './http-io';
import type { ApiDeps, RouteDef } from './route';

/** Paths the edge answers; everything else (and /portal/… pages without a route) goes to Next.js. */
const OWNED = ['/api/v1/', '/api/portal/', '/api/staff/', '/api/widget/', '/api/docs', '/portal/'];
const WIDGET_PREFIX = '/api/widget/';
const EMPTY = Object.freeze({});
const ANY_METHOD = ['GET', 'POST', 'PUT', 'DELETE'] as const;
const noop = () => {};

export type EdgeHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createEdge(routes: readonly RouteDef[], deps: ApiDeps): EdgeHandler {
  const router = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 1000 });
  for (const r of routes) {
    // A route whose query is all optional parses an absent query string once, here, not per request.
    const empty = r.query?.safeParse({});
    router.on(r.method, r.path, noop, { route: r, emptyQuery: empty?.success ? Object.freeze(empty.data) : undefined });
  }

  function miss(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    try {
      try { decodeURIComponent(pathname); } catch {
        throw new InvalidInput(`The path "${pathname.slice(0, 200)}" is not valid percent-encoding`, ['url'], {}, 'invalid_path');
      }
      const allowed = (['GET', 'POST', 'PUT', 'DELETE'] as const).filter((m) => m !== req.method && router.find(m, pathname));
      if (allowed.length) throw new ApiError(405, 'method_not_allowed', `${req.method} is not allowed here (use ${allowed.join(', ')})`, { allow: allowed });
      throw new NotFound('not_found', `No API route ${pathname.slice(0, 200)}`);
    } catch (err) {
      sendError(res, err);
    }
  }

  return function handle(req, res) {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    let owned = false;
    for (const prefix of OWNED) if (pathname.startsWith(prefix)) { owned = true; break; }
    if (!owned) return false;
    // The agent widget calls from the vendor's agent desktop (another origin): CORS. The preflight tells
    // nothing and is answered for any origin; the answer itself is refused (403) to a page outside the
    // vendor's configured origins once the token names the vendor (refuseForeignOrigin below).
    if (pathname.startsWith(WIDGET_PREFIX) && allowCors(req, res)) return true;
    const found = router.find(req.method as 'GET', pathname);
    if (!found) {
      if (pathname.startsWith('/portal/')) return false;
      // A staff path no declared route knows (any method) may still be a Next.js handler not declared yet
      // (lib/auth/with-staff.ts); the contract test reports those.
      if (pathname.startsWith('/api/staff/') && !ANY_METHOD.some((m) => router.find(m, pathname))) return false;
      miss(req, res, pathname);
      return true;
    }
    const { route, emptyQuery } = (found as unknown as { store: Registered }).store;
    const rawQuery = q < 0 ? '' : raw.slice(q + 1);
    if (route.claim && !route.claim(rawQuery)) return false;
    serve(route, found.params as Record<string, string>, rawQuery, emptyQuery, req, res, deps).catch((err) => {
      if (res.headersSent) res.end();
      else sendError(res, err);
    });
    return true;
  };
}

function allowCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  res.setHeader('vary', 'Origin');
  if (origin) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', 'x-patchbay-run-id');
  }
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': '600',
    'cache-control': 'no-store',
  });
  res.end();
  return true;
}

/**
 * A query string whose escapes do not decode (a bad percent-escape, or bytes that are not UTF-8) is refused
 * naming the parameter; URLSearchParams would quietly turn them into U+FFFD.
 */
function checkedQuery(rawQuery: string): string {
  if (!rawQuery.includes('%')) return rawQuery;
  for (const part of rawQuery.split('&')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      let field = name;
      try { field = decodeURIComponent(name); } catch { field = 'query'; }
      throw new InvalidInput(`The query parameter "${field.slice(0, 100)}" is not valid percent-encoding`, [field.slice(0, 100)], {}, 'invalid_query');
    }
  }
  return rawQuery;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, onError: (e: z.ZodError) => Error): T {
  const r = schema.safeParse(value);
  if (!r.success) throw onError(r.error);
  return r.data;
}

interface Registered { route: RouteDef; emptyQuery: unknown }

/**
 * The query string as an object. A bad percent-escape is 400 invalid_query (checkedQuery); a value PostgreSQL
 * could not store (NUL, a lone surrogate) is 400 invalid_input; both name the parameter.
 */
function queryObject(rawQuery: string): Record<string, string> {
  const out = Object.fromEntries(new URLSearchParams(checkedQuery(rawQuery)));
  for (const [k, v] of Object.entries(out)) { assertStorableText(k, [k]); assertStorableText(v, [k]); }
  return out;
}

async function serve(route: RouteDef, rawParams: Record<string, string>, rawQuery: string, emptyQuery: unknown, req: IncomingMessage, res: ServerResponse, deps: ApiDeps): Promise<void> {
  const auth = route.auth.kind;
  let principal = null;
  let staff = null;
  if (auth === 'apiKey') {
    principal = await apiKeyPrincipal(deps.sql, req.headers.authorization);
    if (principal.customerId !== null && !(route.auth as { customerKeys?: boolean }).customerKeys) refuseCustomerKey();
  } else if (auth === 'portalSession' && req.method !== 'GET') refuseCrossSite(req);
  else if (auth === 'staffSession') staff = await staffCaller(deps.sql, req, (route.auth as { role: 'viewer' | 'editor' | 'owner' }).role);
  // A path parameter that fails its schema names nothing: 404, like a missing object.
  const params = route.params ? parse(route.params, rawParams, (e) => new NotFound(route.paramsNotFound ?? 'not_found', e.issues[0].message, { path: e.issues[0].path })) : rawParams;
  let customer = null;
  const customerId = rawParams.customerId;
  if (customerId !== undefined) {
    if (principal) customer = await keyCustomer(deps.sql, principal, customerId);
    else if (auth === 'portalSession') customer = await portalCustomer(deps.sql, req.headers.cookie, customerId);
    else if (auth === 'widgetToken') {
      customer = await widgetCustomer(deps.sql, req.headers.authorization, customerId);
      await refuseForeignOrigin(deps.sql, req, customer.vendorId);
    }
  }
  const query = !route.query ? EMPTY
    : !rawQuery && emptyQuery ? emptyQuery
      : parse(route.query, queryObject(rawQuery), (e) => invalidInputFromZod(e, [], 'query'));
  let body: unknown;
  if (route.body && !route.rawBody) {
    const hasBody = !route.bodyOptional || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
    body = parse(route.body, hasBody ? await readJson(req, route.bodyLimit) : {}, (e) => invalidInputFromZod(e));
  }
  const reply = await route.handler({ req, res, params, query, body, deps, principal: principal!, customer: customer!, staff: staff! } as never);
  if (reply) {
    if (reply.body === undefined) { res.writeHead(reply.status, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...reply.headers }); res.end(); }
    else sendJson(res, reply.status, reply.body, reply.headers);
  }
}
