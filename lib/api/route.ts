// One declaration per HTTP endpoint: method, path, auth kind, zod schemas for path params, query, body and
// responses, and the handler. The node:http edge (edge.ts) routes and checks requests from these, the
// OpenAPI document (openapi.ts) is generated from them, and the contract test walks them.
import type { KeyInput } from '../crypto/credentials';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type postgres from 'postgres';
import type { z } from 'zod';
import type { StaffPrincipal } from '../auth/staff-users';
import type { EngineHost } from '../engine-host/host';
import type { KeyPrincipal } from '../tenancy/api-keys';
import type { CustomerRef } from '../tenancy/customers';

/** What the readiness check asks of the process (lib/boot.ts builds it). */
export interface Lifecycle {
  /** SIGTERM arrived: load balancers should stop sending. */
  stopping(): boolean;
  /** This process runs the job worker (PATCHBAY_WORKER / a worker process) and it is polling. */
  worker: { expected: boolean; running(): boolean };
}

export interface ApiDeps { sql: postgres.Sql; host: EngineHost; encryptionKey: KeyInput; lifecycle?: Lifecycle }

/**
 * Who may call: the vendor's API key (bearer; `customerKeys: true` lets a key confined to one customer in too,
 * for that customer only — elsewhere such a key is refused with 403), the customer portal's session cookie (for
 * the customer named by `:customerId`), a staff session with at least a role (the staff app's API, /api/staff/*),
 * a webhook signature over the raw body (checked by the handler, whose secret depends on the sender), or nobody.
 */
export type RouteAuth =
  | { kind: 'apiKey'; customerKeys?: boolean }
  | { kind: 'portalSession' }
  | { kind: 'staffSession'; role: 'viewer' | 'editor' | 'owner' }
  | { kind: 'webhookSignature'; header: string }
  /** The agent widget's short-lived bearer token (lib/widget/widget-tokens.ts) for the customer `:customerId` names; CORS for the vendor's origins. */
  | { kind: 'widgetToken' }
  | { kind: 'none' };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ResponseDoc {
  description: string;
  /** JSON body schema; omitted for an empty answer. */
  schema?: z.ZodType;
  /** text/html pages (portal link opening, OAuth callback, the docs page); default application/json. */
  contentType?: string;
  /** Response headers worth documenting (name → description). */
  headers?: Record<string, string>;
}

/** What a handler answers; undefined when it wrote the response itself (the hot path, HTML pages, redirects). */
export interface Reply { status: number; body?: unknown; headers?: Record<string, string | string[]> }

export interface RouteContext<P, Q, B> {
  req: IncomingMessage;
  res: ServerResponse;
  params: P;
  query: Q;
  body: B;
  deps: ApiDeps;
  /** apiKey routes: the key's vendor (and customer, for a customer-scoped key). */
  principal: KeyPrincipal;
  /** staffSession routes: the signed-in staff member (every query is scoped to `staff.vendorId`). */
  staff: StaffPrincipal;
  /** Routes with `:customerId` under apiKey, portalSession or widgetToken auth: that customer, already checked against the caller. */
  customer: CustomerRef;
}

export interface RouteDef<P = Record<string, string>, Q = Record<string, unknown>, B = unknown> {
  operationId: string;
  method: HttpMethod;
  /** find-my-way syntax: /api/v1/customers/:customerId */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  auth: RouteAuth;
  params?: z.ZodType<P>;
  /** A path parameter failing `params` names nothing: 404 with this code (default not_found). */
  paramsNotFound?: string;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The body may be left out (no content-length): then `{}` is validated. */
  bodyOptional?: boolean;
  /** The handler reads the raw body itself (signatures are computed over the exact bytes); `body` documents it. */
  rawBody?: boolean;
  bodyLimit?: number;
  /** Success answers by status. */
  responses: Record<number, ResponseDoc>;
  /** Error statuses beyond those the auth kind, params, query and body imply. */
  errors?: Record<number, string>;
  /** Only requests this accepts are served here; the rest go on to the Next.js app (e.g. /portal/{id} without a token). */
  claim?: (query: string) => boolean;
  /** Not in the OpenAPI document: static files of the docs page. */
  undocumented?: 'static';
  handler: (ctx: RouteContext<P, Q, B>) => Promise<Reply | void>;
}

/** Declares a route; the generics come from the schemas so the handler is typed by them. */
export function defineRoute<P = Record<string, string>, Q = Record<string, never>, B = undefined>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}
