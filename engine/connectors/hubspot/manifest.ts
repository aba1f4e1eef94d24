// HubSpot CRM: connection kinds (private app token, OAuth), the blocks, and the contact source for sync.
import type { AnyBlock, ConnectionHandle } from '../../core/define-block';
import { defineCrmConnector } from '../kit/define-crm-connector';
import type { ContactSource } from '../kit/contact-source';
import { hubspotCrmOperations } from './crm';
import { createHubspotClient, HUBSPOT_API_BASE, HUBSPOT_AUTHORIZE_URL, HUBSPOT_SCOPES, HUBSPOT_TOKEN_PATH } from './client';
import { listAllIdsBlock } from './list-all-ids';
import { listCompaniesChangedBlock } from './list-companies-changed';
import { listContactsChangedBlock } from './list-contacts-changed';

export const hubspotConnector = defineCrmConnector({
  id: 'hubspot',
  name: 'HubSpot',
  defaultBaseUrl: HUBSPOT_API_BASE,
  emulator: {
    start: async (o) => (await import('./emulator')).startHubspotEmulator(o),
    demo: { port: 4010, oauthClient: { clientId: 'patchbay-demo-hubspot', clientSecret: 'patchbay-demo-hubspot-secret' } },
    bench: { pageSize: 200, credentials: (token) => ({ token }) },
  },
  rateLimitHeaders: 'X-HubSpot-RateLimit-Max, X-HubSpot-RateLimit-Remaining, X-HubSpot-RateLimit-Interval-Milliseconds; 429 with Retry-After',
  capabilities: {
    supportsCompanies: true,
    callLogUpdate: 'in_place',
    nativeCallObject: 'Call engagement (crm/v3/objects/calls) on the contact and company timelines',
    callIdField: 'hs_call_external_id',
    taskCallIdField: 'a "Call id:" line heading the task body (hs_task_body)',
  },
  operations: hubspotCrmOperations,
  auth: [
    {
      type: 'apiKey',
      fields: [{ id: 'token', label: 'Private app access token', secret: true }],
      help: 'In HubSpot: Settings › Integrations › Private apps › Create a private app with the CRM contacts, companies and owners scopes, then copy its access token (pat-…).',
    },
    {
      type: 'oauth2',
      // The authorize page is on the UI host (app.hubspot.com), not the API host the base URL names.
      authorizePath: HUBSPOT_AUTHORIZE_URL,
      tokenPath: HUBSPOT_TOKEN_PATH,
      scopes: HUBSPOT_SCOPES,
      help: 'Users authorize on https://app.hubspot.com/oauth/authorize (the UI host); the code is exchanged at https://api.hubapi.com/oauth/v1/token.',
    },
  ],
  // Lookups and writes are the generic crm.* blocks (crm-blocks.ts); these pages have no generic block yet.
  blocks: [listContactsChangedBlock, listCompaniesChangedBlock, listAllIdsBlock] as AnyBlock[],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    // Always a live call (never the cached portal): this is the health check.
    const http = createHubspotClient({ fetch: fetchImpl, conn, requestLog: [] });
    const res = await http.request<{ portalId: number }>({ path: '/account-info/v3/details' });
    return { ok: true as const, account: `HubSpot portal ${res.body.portalId}`, accountId: String(res.body.portalId) };
  },
});

export const hubspotContactSource: ContactSource = hubspotConnector.contactSource;
