// The customer portal's connections (/api/portal/{customerId}/connections…): each call is checked by the edge
// against the portal session cookie and scoped to the customer it names; writes must come from the portal's
// own pages. lib/connections does the work.
import { z } from 'zod';
import { catalog } from '@/engine/connectors';
import { NotFound } from '../../errors';
import { portalActor, recordAudit } from '../../audit/record-audit';
import { connectWithApiKey, disconnect, findConnector, listConnectorViews, VENDOR_MANAGED_SYSTEMS } from '../../connections/manage-connections';
import { OAUTH_CALLBACK_PATH, startOAuth } from '../../connections/oauth-connect';
import { testConnection } from '../../connections/test-connection';
import { createGuardedFetch } from '../../engine-host/guarded-fetch';
import { cookie, OAUTH_NONCE_COOKIE, readPortalSession } from '../../portal/portal-session';
import { portalSecret } from '../../portal/portal-tokens';
import { publicBaseUrl } from '../../config';
import { defineRoute, type ApiDeps } from '../route';
import { secureCookies } from './page';

const SYSTEM = /^[a-z][a-z0-9-]{0,39}$/;
const systemParams = z.object({
  customerId: z.string(),
  // Vendor-managed connectors (the phone system) are not the customer's to connect: they look like missing ones.
  system: z.string().refine((s) => SYSTEM.test(s) && Object.prototype.hasOwnProperty.call(catalog, s) && !VENDOR_MANAGED_SYSTEMS.has(s), { error: (iss) => `Patchbay has no connector "${String(iss.input).slice(0, 60)}"` }).describe('A connector id: hubspot, salesforce, pipedrive …'),
});

const outboundFetch = (deps: ApiDeps) => createGuardedFetch(deps.host.opts.allowPrivateHosts);
const notConnected = (system: string) => new NotFound('connection_not_found', `${findConnector(system).name} is not connected`);

const connectionView = z.object({
  authKind: z.string(), baseUrl: z.string(), status: z.enum(['unknown', 'ok', 'error']),
  lastSuccessAt: z.string().nullable(), lastErrorAt: z.string().nullable(), lastError: z.string().nullable(), updatedAt: z.string(),
});
const authOption = z.union([
  z.object({ option: z.number().int(), type: z.literal('apiKey'), fields: z.array(z.object({ id: z.string(), label: z.string(), secret: z.boolean() })), help: z.string().nullable() }),
  z.object({ option: z.number().int(), type: z.literal('oauth2'), available: z.boolean(), help: z.string().nullable(), unavailableReason: z.string().nullable() }),
]);
const connectorView = z.object({
  system: z.string(), name: z.string(), defaultBaseUrl: z.string(), suggestedBaseUrl: z.string(),
  auth: z.array(authOption), canTest: z.boolean(), connection: connectionView.nullable(),
});

export const listConnections = defineRoute({
  operationId: 'portalListConnections',
  method: 'GET',
  path: '/api/portal/:customerId/connections',
  tag: 'Portal',
  summary: 'Every connector with the customer\'s connection and its health',
  auth: { kind: 'portalSession' },
  responses: { 200: { description: 'The catalog as this customer sees it', schema: z.object({ customer: z.object({ id: z.string(), name: z.string() }), connectors: z.array(connectorView) }) } },
  async handler({ customer, deps }) {
    const connectors = await listConnectorViews(deps.sql, customer.id);
    return { status: 200, body: { customer: { id: customer.externalId, name: customer.name }, connectors } };
  },
});

export const connectApiKey = defineRoute({
  operationId: 'portalConnect',
  method: 'PUT',
  path: '/api/portal/:customerId/connections/:system',
  tag: 'Portal',
  summary: 'Connect with an API-key form (fields as the connector declares them)',
  auth: { kind: 'portalSession' },
  params: systemParams,
  paramsNotFound: 'connector_not_found',
  body: z.object({
    authKind: z.literal('apiKey', { error: 'only "apiKey" connects with a form; OAuth starts at …/oauth/start' }).default('apiKey'),
    /** Which API-key form (its index in the connector's auth options); the first when left out. */
    option: z.number().int().min(0).max(20).optional(),
    baseUrl: z.string().max(500).nullish(),
    credentials: z.record(z.string().max(100), z.string().max(8000)),
  }),
  bodyLimit: 64 * 1024,
  responses: { 200: { description: 'The connector with its new connection', schema: connectorView } },
  errors: { 400: 'invalid_input naming the credential field or baseUrl' },
  async handler({ params, body, customer, deps }) {
    await connectWithApiKey(deps.sql, deps.host.opts.encryptionKey, { customerId: customer.id, system: params.system, option: body.option, baseUrl: body.baseUrl, credentials: body.credentials });
    await recordAudit(deps.sql, { vendorId: customer.vendorId, customerId: customer.id, actor: portalActor(customer), action: 'connection.connect', target: { kind: 'connection', id: params.system, label: `${params.system} of ${customer.externalId}` }, details: { authKind: 'apiKey', ...(body.baseUrl ? { baseUrl: body.baseUrl } : {}) } });
    const view = (await listConnectorViews(deps.sql, customer.id)).find((c) => c.system === params.system);
    return { status: 200, body: view };
  },
});

export const disconnectRoute = defineRoute({
  operationId: 'portalDisconnect',
  method: 'DELETE',
  path: '/api/portal/:customerId/connections/:system',
  tag: 'Portal',
  summary: 'Disconnect (the stored credentials are deleted)',
  auth: { kind: 'portalSession' },
  params: systemParams,
  paramsNotFound: 'connector_not_found',
  responses: { 204: { description: 'Disconnected' } },
  errors: { 404: 'connection_not_found / connector_not_found' },
  async handler({ params, customer, deps }) {
    if (!(await disconnect(deps.sql, customer.id, params.system))) throw notConnected(params.system);
    await recordAudit(deps.sql, { vendorId: customer.vendorId, customerId: customer.id, actor: portalActor(customer), action: 'connection.disconnect', target: { kind: 'connection', id: params.system, label: `${params.system} of ${customer.externalId}` } });
    return { status: 204 };
  },
});

export const testConnectionRoute = defineRoute({
  operationId: 'portalTestConnection',
  method: 'POST',
  path: '/api/portal/:customerId/connections/:system/test',
  tag: 'Portal',
  summary: 'One cheap authenticated call; the result is recorded on the connection',
  auth: { kind: 'portalSession' },
  params: systemParams,
  paramsNotFound: 'connector_not_found',
  responses: { 200: { description: 'The result in plain words', schema: z.object({ ok: z.boolean(), account: z.string().nullable(), error: z.string().nullable(), connection: connectionView }) } },
  errors: { 404: 'connection_not_found / connector_not_found' },
  async handler({ params, customer, deps }) {
    const result = await testConnection(deps.sql, deps.host.opts.encryptionKey, outboundFetch(deps), customer.id, params.system);
    if (!result) throw notConnected(params.system);
    return { status: 200, body: result };
  },
});

// A POST (not a link): a cross-site page cannot start an OAuth round trip in the customer's session
// (SameSite=Lax keeps the cookie off cross-site POSTs, and the Origin check refuses them), so nobody can
// slip their own account or authorization server into a customer's connection. The page then navigates
// to `authorizeUrl` itself.
export const startOAuthRoute = defineRoute({
  operationId: 'portalStartOAuth',
  method: 'POST',
  path: '/api/portal/:customerId/connections/:system/oauth/start',
  tag: 'Portal',
  summary: 'Start connecting with OAuth: answers the authorize URL to navigate to',
  auth: { kind: 'portalSession' },
  params: systemParams,
  paramsNotFound: 'connector_not_found',
  body: z.object({ baseUrl: z.string().max(500).nullish() }),
  bodyOptional: true,
  bodyLimit: 16 * 1024,
  responses: { 200: { description: 'Where to send the browser (a nonce cookie binds the round trip to this session)', schema: z.object({ authorizeUrl: z.string() }) } },
  errors: { 400: 'invalid_input / oauth_unavailable' },
  async handler({ req, params, body, customer }) {
    const embedded = readPortalSession(portalSecret(), req.headers.cookie)?.embedded ?? false;
    const start = startOAuth(portalSecret(), {
      customerId: customer.id, vendorId: customer.vendorId, externalId: customer.externalId, system: params.system, baseUrl: body.baseUrl,
      redirectUri: publicBaseUrl() + OAUTH_CALLBACK_PATH,
    });
    return { status: 200, body: { authorizeUrl: start.authorizeUrl }, headers: { 'set-cookie': cookie(OAUTH_NONCE_COOKIE, start.nonce, start.maxAgeSec, secureCookies(), embedded) } };
  },
});
