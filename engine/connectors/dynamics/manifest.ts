// Microsoft Dynamics 365 (Dataverse Web API v9.2): contacts and accounts for caller lookup and contact sync,
// Phone Call activities and notes (annotations) for call logging, tasks. Lookups and writes are the generic
// crm.* blocks (crm-blocks.ts).
import type { ConnectionHandle } from '../../core/define-block';
import type { ContactSource } from '../kit/contact-source';
import { defineCrmConnector } from '../kit/define-crm-connector';
import { createDynamicsClient, ENTRA_AUTHORITY, isDynamicsHost } from './client';
import { dynamicsCrmOperations } from './crm';

export const dynamicsConnector = defineCrmConnector({
  id: 'dynamics',
  name: 'Microsoft Dynamics 365',
  // Every organisation has its own environment URL (https://<org>.crm<N>.dynamics.com); this is the shape.
  defaultBaseUrl: 'https://org.crm.dynamics.com',
  emulator: {
    start: async (o) => (await import('./emulator')).startDynamicsEmulator(o),
    demo: { port: 4018, oauthClient: { clientId: 'patchbay-demo-dynamics', clientSecret: 'patchbay-demo-dynamics-secret' } },
    bench: { pageSize: 5000, credentials: (token) => ({ token }) },
  },
  rateLimitHeaders: 'x-ms-ratelimit-burst-remaining-xrm-requests, x-ms-ratelimit-time-remaining-xrm-requests (service protection, 5-minute sliding window); 429 with Retry-After',
  capabilities: {
    supportsCompanies: true,
    callLogUpdate: 'in_place',
    nativeCallObject: 'Phone Call activity (phonecall) regarding the contact or account, owned by the agent, completed as Made or Received, plus a note (annotation) on the contact',
    callIdField: 'a "Call id:" line in the phone call description',
    taskCallIdField: 'a "Call id:" line opening the task description',
  },
  operations: dynamicsCrmOperations,
  auth: [
    {
      type: 'apiKey',
      fields: [
        { id: 'tenantId', label: 'Directory (tenant) ID', secret: false },
        { id: 'clientId', label: 'Application (client) ID', secret: false },
        { id: 'clientSecret', label: 'Client secret', secret: true },
      ],
      help: 'Register an app in Microsoft Entra ID (client credentials), add it in the Power Platform admin center as an application user with a security role that can read contacts and accounts and write phone calls, tasks and notes, and use your environment URL (https://<org>.crm.dynamics.com) as the base URL.',
    },
    {
      type: 'oauth2',
      authorizePath: `${ENTRA_AUTHORITY}/organizations/oauth2/v2.0/authorize`,
      tokenPath: `${ENTRA_AUTHORITY}/organizations/oauth2/v2.0/token`,
      scopes: ['user_impersonation', 'offline_access'],
      // A real environment: Entra ID's multi-tenant endpoints, with the environment's own user_impersonation scope.
      forBaseUrl: (baseUrl) => (isDynamicsHost(baseUrl) ? {
        authorizeUrl: `${ENTRA_AUTHORITY}/organizations/oauth2/v2.0/authorize`,
        tokenUrl: `${ENTRA_AUTHORITY}/organizations/oauth2/v2.0/token`,
        scopes: [`${baseUrl.replace(/\/+$/, '')}/user_impersonation`, 'offline_access'],
      } : undefined),
      help: 'Signs in as a Dynamics 365 user; records and activities are created in their name. Use your environment URL as the base URL.',
    },
  ],
  blocks: [],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const client = createDynamicsClient({ fetch: fetchImpl, conn, requestLog: [] });
    const me = await client.get<{ UserId: string; OrganizationId: string }>('/WhoAmI');
    const org = await client.getOrNull<{ name?: string }>(`/organizations(${me.OrganizationId})`, { $select: 'name' });
    return { ok: true as const, account: org?.name ?? client.env, accountId: me.OrganizationId };
  },
});

export const dynamicsContactSource: ContactSource = dynamicsConnector.contactSource;
