// Copper: people and companies for caller lookup and contact sync, Phone Call activities for call logging, tasks
// and notes, through the developer API v1.
import type { ConnectionHandle } from '../../core/define-block';
import type { ContactSource } from '../kit/contact-source';
import { defineCrmConnector } from '../kit/define-crm-connector';
import { COPPER_DEFAULT_BASE_URL, COPPER_OAUTH_AUTHORIZE_URL, COPPER_OAUTH_TOKEN_URL, createCopperClient } from './client';
import { copperCrmOperations } from './crm';
import { COPPER_EMULATOR_EMAIL } from './emulator/owner';

export const copperConnector = defineCrmConnector({
  id: 'copper',
  name: 'Copper',
  defaultBaseUrl: COPPER_DEFAULT_BASE_URL,
  emulator: {
    start: async (o) => (await import('./emulator')).startCopperEmulator(o),
    demo: { port: 4017, oauthClient: { clientId: 'patchbay-demo-copper', clientSecret: 'patchbay-demo-copper-secret' } },
    // An API key travels with its owner's email.
    bench: { pageSize: 200, credentials: (token) => ({ apiKey: token, email: COPPER_EMULATOR_EMAIL }) },
  },
  rateLimitHeaders: 'no rate-limit headers; 180 requests per minute (rolling), then 429',
  capabilities: {
    supportsCompanies: true,
    callLogUpdate: 'in_place',
    nativeCallObject: 'Activity of the account\'s "Phone Call" type (category user) on the person or company, performed by the agent (user_id), the call details heading its text',
    callIdField: 'a "Call id:" line in the activity details',
    taskCallIdField: 'a "Call id:" line in the task details, found among the person\'s (or company\'s) related tasks (GET /people/{id}/related/tasks, then POST /tasks/search with their ids)',
  },
  operations: copperCrmOperations,
  auth: [
    {
      type: 'apiKey',
      fields: [
        { id: 'apiKey', label: 'API key', secret: true },
        { id: 'email', label: 'Email of the API key owner', secret: false },
        { id: 'accountId', label: 'Account id (optional, for links to records)', secret: false },
      ],
      help: 'Copper → Settings → Integrations → API Keys (admins only). Records and activities are created as the key owner unless a flow names the agent.',
    },
    {
      type: 'oauth2',
      authorizePath: COPPER_OAUTH_AUTHORIZE_URL,
      tokenPath: COPPER_OAUTH_TOKEN_URL,
      scopes: ['developer/v1/all'],
      help: 'Connect with Copper: Patchbay is a registered Copper OAuth app.',
    },
  ],
  blocks: [],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const client = createCopperClient({ fetch: fetchImpl, conn, requestLog: [] });
    const account = await client.get<{ id: number; name: string }>('/account');
    return { ok: true as const, account: account.name, accountId: String(account.id) };
  },
});

export const copperContactSource: ContactSource = copperConnector.contactSource;
