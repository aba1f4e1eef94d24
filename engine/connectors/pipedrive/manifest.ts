// Pipedrive: persons and organizations for caller lookup and contact sync, call activities and notes for call logging.
import type { AnyBlock, ConnectionHandle } from '../../core/define-block';
import type { ContactSource } from '../kit/contact-source';
import { defineCrmConnector } from '../kit/define-crm-connector';
import { pipedriveCrmOperations } from './crm';
import { createPipedriveClient, PIPEDRIVE_DEFAULT_BASE_URL, PIPEDRIVE_OAUTH_AUTHORIZE_URL, PIPEDRIVE_OAUTH_TOKEN_URL } from './client';
import { listAllIdsBlock } from './list-all-ids';
import { listCompaniesChangedBlock } from './list-companies-changed';
import { listContactsChangedBlock } from './list-contacts-changed';

interface CurrentUser {
  id: number;
  name: string;
  email: string;
  company_name?: string;
  company_domain?: string;
}

export const pipedriveConnector = defineCrmConnector({
  id: 'pipedrive',
  name: 'Pipedrive',
  defaultBaseUrl: PIPEDRIVE_DEFAULT_BASE_URL,
  emulator: {
    start: async (o) => (await import('./emulator')).startPipedriveEmulator(o),
    demo: { port: 4012, oauthClient: { clientId: 'patchbay-demo-pipedrive', clientSecret: 'patchbay-demo-pipedrive-secret' } },
    bench: { pageSize: 500, credentials: (token) => ({ apiToken: token }) },
  },
  rateLimitHeaders: 'x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset (2-second burst window); 429 with Retry-After',
  capabilities: {
    supportsCompanies: true,
    callLogUpdate: 'in_place',
    nativeCallObject: 'Activity of type call (done, linked to the person/organization, owned by the agent) plus a note on the person',
    callIdField: 'a "Call id:" line in the activity note',
    taskCallIdField: 'a "Call id:" paragraph opening the task activity\'s note, found among the person\'s (else the organization\'s) activities',
  },
  operations: pipedriveCrmOperations,
  auth: [
    {
      type: 'apiKey',
      fields: [
        { id: 'apiToken', label: 'API token', secret: true },
        { id: 'companyDomain', label: 'Company domain (the "acme" of acme.pipedrive.com)', secret: false },
      ],
      help: 'Pipedrive → Settings → Personal preferences → API. The token acts as that user; records and activities are created in their name.',
    },
    {
      type: 'oauth2',
      // Pipedrive's authorization server is its own host; API calls then go to the company's api_domain from the token answer.
      authorizePath: PIPEDRIVE_OAUTH_AUTHORIZE_URL,
      tokenPath: PIPEDRIVE_OAUTH_TOKEN_URL,
      scopes: ['base', 'contacts:full', 'activities:full', 'users:read', 'search:read'],
      help: 'Install the Patchbay app from the Pipedrive Marketplace (or your private app); set the connection base URL to the api_domain answered with the tokens.',
    },
  ],
  // Lookups and writes are the generic crm.* blocks (crm-blocks.ts); these pages have no generic block yet.
  blocks: [listContactsChangedBlock, listCompaniesChangedBlock, listAllIdsBlock] as AnyBlock[],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const client = createPipedriveClient({ fetch: fetchImpl, conn, requestLog: [] });
    const me = await client.get<CurrentUser>('/v1/users/me');
    return { ok: true as const, account: [me.company_name ?? me.company_domain, me.email].filter(Boolean).join(' — ') };
  },
});

export const pipedriveContactSource: ContactSource = pipedriveConnector.contactSource;
