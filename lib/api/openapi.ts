// The OpenAPI 3.1 document, generated from the route declarations (routes.ts): paths, auth schemes,
// parameters, request and response schemas (zod 4's JSON Schema, draft 2020-12, which OpenAPI 3.1 uses as is)
// and the error answers each route can give, all in the one documented error body.
import { z } from 'zod';
import { PORTAL_COOKIE } from '../portal/portal-session';
import type { ResponseDoc, RouteDef } from './route';

type Json = Record<string, unknown>;

const ERROR_REF = { $ref: '#/components/schemas/Error' };

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete s.$schema;
  return s;
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const pathParamNames = (path: string) => [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);

function parameters(route: RouteDef): Json[] {
  const out: Json[] = [];
  const params = route.params ? jsonSchema(route.params, 'input') : null;
  const pProps = (params?.properties ?? {}) as Record<string, Json>;
  for (const name of pathParamNames(route.path)) {
    const { description, ...schema } = pProps[name] ?? { type: 'string' };
    out.push({ name, in: 'path', required: true, schema, ...(description ? { description } : {}) });
  }
  if (route.query) {
    const q = jsonSchema(route.query, 'input');
    const required = new Set((q.required as string[] | undefined) ?? []);
    for (const [name, prop] of Object.entries((q.properties ?? {}) as Record<string, Json>)) {
      const { description, ...schema } = prop;
      out.push({ name, in: 'query', required: required.has(name), schema, ...(description ? { description } : {}) });
    }
  }
  return out;
}

/** The error statuses a route can answer: those its auth, params, query and body imply, plus its own. */
export function errorStatuses(route: RouteDef): Record<number, string> {
  const e: Record<number, string> = {};
  const hasCustomer = route.path.includes(':customerId');
  if (route.auth.kind === 'apiKey') {
    e[401] = 'unauthorized: missing or bad API key';
    if (!route.auth.customerKeys) e[403] = 'customer_key_not_allowed: a key confined to one customer cannot call this';
    if (hasCustomer) e[404] = 'customer_not_found (another vendor\'s customers look the same as missing ones, and so do other customers for a customer key)';
  }
  if (route.auth.kind === 'staffSession') {
    e[401] = 'unauthenticated: no staff session (sign in)';
    if (route.auth.role !== 'viewer') e[403] = `forbidden: needs the ${route.auth.role} role; cross_site: writes only from Patchbay's own pages`;
  }
  if (route.auth.kind === 'portalSession') {
    e[401] = 'unauthenticated: no portal session';
    e[404] = 'customer_not_found: the session is another customer\'s';
    if (route.method !== 'GET') e[403] = 'cross_site: writes only from the portal\'s own pages';
  }
  if (route.auth.kind === 'webhookSignature') e[401] = 'bad_signature';
  if (route.auth.kind === 'widgetToken') {
    e[401] = 'unauthorized / token_expired: missing, altered or expired widget token';
    e[403] = 'origin_not_allowed: the calling page is not one of the vendor\'s allowed origins';
    e[404] = 'customer_not_found: the token is another customer\'s';
  }
  if (route.params) e[404] ??= route.paramsNotFound ?? 'not_found';
  if (route.query) e[400] = 'invalid_input (or invalid_query for a bad percent-escape) naming the query field';
  if (route.body && !route.rawBody) {
    e[400] = 'invalid_input naming the field, or invalid_json';
    e[413] = 'body_too_large';
    e[415] = 'unsupported_media_type: send application/json';
  }
  return { ...e, ...route.errors };
}

function response(doc: ResponseDoc): Json {
  const headers = doc.headers ? { headers: Object.fromEntries(Object.entries(doc.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {};
  if (doc.contentType === 'text/html') return { description: doc.description, content: { 'text/html': { schema: { type: 'string' } } }, ...headers };
  if (!doc.schema) return { description: doc.description, ...headers };
  return { description: doc.description, content: { 'application/json': { schema: jsonSchema(doc.schema, 'output') } }, ...headers };
}

const SECURITY: Record<string, string> = { apiKey: 'apiKey', portalSession: 'portalSession', staffSession: 'staffSession', widgetToken: 'widgetToken' };

function operation(route: RouteDef): Json {
  const responses: Json = {};
  for (const [status, doc] of Object.entries(route.responses)) responses[status] = response(doc);
  for (const [status, why] of Object.entries(errorStatuses(route))) {
    if (responses[status]) continue;
    responses[status] = { description: why, content: { 'application/json': { schema: ERROR_REF } } };
  }
  const op: Json = {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(route.auth.kind === 'staffSession' ? { 'x-patchbay-role': route.auth.role } : {}),
    parameters: parameters(route),
    responses,
  };
  if (route.auth.kind === 'webhookSignature') op.security = [{ [`signature_${route.auth.header}`]: [] }];
  else if (SECURITY[route.auth.kind]) op.security = [{ [SECURITY[route.auth.kind]]: [] }];
  else op.security = [];
  if (route.body) {
    op.requestBody = { required: !route.bodyOptional, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } };
  }
  return op;
}

export function buildOpenApiDocument(routes: readonly RouteDef[], version: string): Json {
  const paths: Record<string, Json> = {};
  const securitySchemes: Record<string, Json> = {
    apiKey: { type: 'http', scheme: 'bearer', description: 'The vendor\'s API key: Authorization: Bearer pb_…' },
    portalSession: { type: 'apiKey', in: 'cookie', name: PORTAL_COOKIE, description: 'The customer portal session, set by opening a portal link' },
    staffSession: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token', description: 'A staff member\'s session (sign in at /login; `__Secure-next-auth.session-token` when Patchbay runs on https). Each operation names the least role it needs: viewer, editor or owner.' },
    widgetToken: { type: 'http', scheme: 'bearer', description: 'A widget token (pbw_…) for one customer, minted with POST /api/v1/customers/{customerId}/widget-tokens' },
  };
  for (const r of routes) {
    if (r.undocumented) continue;
    if (r.auth.kind === 'webhookSignature') {
      securitySchemes[`signature_${r.auth.header}`] = { type: 'apiKey', in: 'header', name: r.auth.header, description: 'A signature over the raw body, checked with the sender\'s secret' };
    }
    (paths[openApiPath(r.path)] ??= {})[r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Patchbay API',
      version,
      description: 'Run named automations, manage customers, their CDP, integrations and portal links, and receive webhooks. '
        + 'The Staff operations (tags starting with "Staff") are the staff app\'s own API, called with a staff session. '
        + 'Every error is JSON: {"error":{"code","message","path"?}}; `path` names the field of a bad input.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.filter((r) => !r.undocumented).map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes,
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', description: 'Stable, machine-readable: invalid_input, unauthorized, customer_not_found …' },
                message: { type: 'string', description: 'What went wrong, in words a caller can act on' },
                path: { type: 'array', items: { type: ['string', 'integer'] }, description: 'The field of a bad input' },
                issues: { type: 'array', items: { type: 'object' } },
              },
            },
          },
        },
      },
    },
  };
}
