// Intercom: contacts (users and leads) for caller lookup and contact sync, notes on the contact for call logging,
// Back-office tickets for call-backs, admins as the agents, through the REST API (Intercom-Version 2.11).
import type { ConnectionHandle } from '../../core/define-block';
import type { ContactSource } from '../kit/contact-source';
import { defineCrmConnector } from '../kit/define-crm-connector';
import { createIntercomClient, INTERCOM_DEFAULT_BASE_URL, INTERCOM_OAUTH_AUTHORIZE_URL, INTERCOM_OAUTH_TOKEN_URL } from './client';
import { intercomCrmOperations } from './crm';

export const intercomConnector = defineCrmConnector({
  id: 'intercom',
  name: 'Intercom',
  defaultBaseUrl: INTERCOM_DEFAULT_BASE_URL,
  emulator: {
    start: async (o) => (await import('./emulator')).startIntercomEmulator(o),
    demo: { port: 4015, oauthClient: { clientId: 'patchbay-demo-intercom', clientSecret: 'patchbay-demo-intercom-secret' } },
    bench: { pageSize: 150, credentials: (token) => ({ accessToken: token }) },
  },
  rateLimitHeaders: 'X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset (Unix time of the next window); 429 with an error.list body',
  capabilities: {
    supportsCompanies: false,
    callLogUpdate: 'note',
    nativeCallObject: 'Note on the contact written by the agent (admin), the call details heading its text; Intercom has no call object and its API cannot edit a note, so a change is a second note naming the call',
    callIdField: 'a "Call id:" line in the note',
    taskCallIdField: 'a "Call id:" line in the call-back ticket\'s description, found among the contact\'s tickets (POST /tickets/search on contact_ids)',
  },
  operations: intercomCrmOperations,
  auth: [
    {
      type: 'apiKey',
      fields: [
        { id: 'accessToken', label: 'Access token', secret: true },
        { id: 'workspaceId', label: 'Workspace id (optional, for links to contacts)', secret: false },
      ],
      help: 'Intercom → Developer Hub → your app → Authentication: the access token. Base URL https://api.intercom.io (EU workspaces: https://api.eu.intercom.io, Australia: https://api.au.intercom.io).',
    },
    {
      type: 'oauth2',
      authorizePath: INTERCOM_OAUTH_AUTHORIZE_URL,
      tokenPath: INTERCOM_OAUTH_TOKEN_URL,
      scopes: [],
      help: 'Connect with Intercom: Patchbay is a registered Intercom app (its permissions are set on the app, not asked for here). Intercom tokens do not expire.',
    },
  ],
  blocks: [],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const me = await createIntercomClient({ fetch: fetchImpl, conn, requestLog: [] }).get<{ name: string; app?: { name?: string; id_code?: string } }>('/me');
    return { ok: true as const, account: me.app?.name ?? me.name, ...(me.app?.id_code ? { accountId: me.app.id_code } : {}) };
  },
});

export const intercomContactSource: ContactSource = intercomConnector.contactSource;
