// Keap (Infusionsoft): contacts for caller lookup and contact sync, Call notes for call logging, Call tasks for
// call-backs, users as the agents, through the REST API v1.
import type { ConnectionHandle } from '../../core/define-block';
import type { ContactSource } from '../kit/contact-source';
import { defineCrmConnector } from '../kit/define-crm-connector';
import { createKeapClient, KEAP_DEFAULT_BASE_URL, KEAP_OAUTH_AUTHORIZE_URL, KEAP_OAUTH_TOKEN_URL } from './client';
import { keapCrmOperations } from './crm';

export const keapConnector = defineCrmConnector({
  id: 'keap',
  name: 'Keap',
  defaultBaseUrl: KEAP_DEFAULT_BASE_URL,
  emulator: {
    start: async (o) => (await import('./emulator')).startKeapEmulator(o),
    demo: { port: 4021, oauthClient: { clientId: 'patchbay-demo-keap', clientSecret: 'patchbay-demo-keap-secret' } },
    bench: { pageSize: 1000, credentials: (token) => ({ apiKey: token }) },
  },
  rateLimitHeaders: 'x-keap-product-throttle-limit / -available / -used (per minute) and x-keap-product-quota-* (per day); 429 {"message":"Quota Exceeded","status":"Request Throttled"}',
  capabilities: {
    supportsCompanies: false,
    callLogUpdate: 'in_place',
    nativeCallObject: 'Note of type Call on the contact by the agent (user_id): the subject as its title, the call details then the notes as its body',
    callIdField: 'a "Call id:" line in the note body',
    taskCallIdField: 'a "Call id:" line heading the task description, found among the contact\'s tasks (GET /crm/rest/v1/tasks?contact_id=)',
  },
  operations: keapCrmOperations,
  auth: [
    {
      type: 'oauth2',
      authorizePath: KEAP_OAUTH_AUTHORIZE_URL,
      tokenPath: KEAP_OAUTH_TOKEN_URL,
      scopes: ['full'],
      help: 'Connect with Keap: Patchbay is a registered Keap app. Access tokens last 24 hours; Patchbay refreshes them and keeps the new ones.',
    },
    {
      type: 'apiKey',
      fields: [
        { id: 'apiKey', label: 'Personal Access Token or Service Account Key', secret: true },
        { id: 'appName', label: 'App name (optional, e.g. ab123, for links to contacts)', secret: false },
      ],
      help: 'Keap → Settings → API: a Service Account Key (or your Personal Access Token from the developer portal). Sent as X-Keap-API-Key.',
    },
  ],
  blocks: [],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const info = await createKeapClient({ fetch: fetchImpl, conn, requestLog: [] }).get<{ infusionsoft_id?: string; email?: string }>('/oauth/connect/userinfo');
    return { ok: true as const, account: info.infusionsoft_id ?? info.email, ...(info.infusionsoft_id ? { accountId: info.infusionsoft_id } : {}) };
  },
});

export const keapContactSource: ContactSource = keapConnector.contactSource;
