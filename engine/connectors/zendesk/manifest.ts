// Zendesk Support: end users for caller lookup and contact sync, calls logged in the end user's notes or as an
// internal comment on the caller's ticket (a connection option), call-back task tickets and notes, through the API
// v2 of the customer's account (https://<subdomain>.zendesk.com).
import type { ConnectionHandle } from '../../core/define-block';
import type { ContactSource } from '../kit/contact-source';
import { defineCrmConnector } from '../kit/define-crm-connector';
import { createZendeskClient, ZENDESK_DEFAULT_BASE_URL } from './client';
import { zendeskCrmOperations } from './crm';
import { ZENDESK_EMULATOR_EMAIL } from './emulator/owner';

export const zendeskConnector = defineCrmConnector({
  id: 'zendesk',
  name: 'Zendesk',
  defaultBaseUrl: ZENDESK_DEFAULT_BASE_URL,
  emulator: {
    start: async (o) => (await import('./emulator')).startZendeskEmulator(o),
    demo: { port: 4014, oauthClient: { clientId: 'patchbay-demo-zendesk', clientSecret: 'patchbay-demo-zendesk-secret' } },
    // An API token travels with the email of an agent or admin.
    bench: { pageSize: 1000, credentials: (token) => ({ email: ZENDESK_EMULATOR_EMAIL, apiToken: token }) },
  },
  rateLimitHeaders: 'X-Rate-Limit / X-Rate-Limit-Remaining and ratelimit-limit / -remaining / -reset; 429 with Retry-After',
  capabilities: {
    supportsCompanies: false,
    callLogUpdate: 'in_place',
    nativeCallObject: 'A "[call <id>]" block in the end user\'s notes (default; rewritten in place on updates), or, with the connection\'s callLogTarget "ticket", an internal comment by the agent on the caller\'s unsolved ticket (a new ticket when there is none; comments cannot be edited, so an update adds an internal comment)',
    callIdField: 'the block\'s "[call <id>]" marker and a "Call id:" line (in the comment on tickets)',
    taskCallIdField: 'the task ticket\'s external_id, found with List Tickets (GET /api/v2/tickets?external_id=<call id>)',
  },
  operations: zendeskCrmOperations,
  auth: [
    {
      type: 'apiKey',
      fields: [
        { id: 'email', label: 'Email of an agent or admin', secret: false },
        { id: 'apiToken', label: 'API token', secret: true },
        { id: 'callLogTarget', label: 'Log calls in: notes (the end user\'s notes, default) or ticket (internal comment on the caller\'s ticket)', secret: false },
      ],
      help: 'The base URL is your Zendesk address (https://yoursubdomain.zendesk.com). Admin Center → Apps and integrations → Zendesk API → API tokens. Calls are logged in the caller\'s notes unless you choose ticket.',
    },
    {
      type: 'oauth2',
      authorizePath: '/oauth/authorizations/new',
      tokenPath: '/oauth/tokens',
      scopes: ['read', 'write'],
      help: 'Connect with Zendesk: Patchbay is registered as an OAuth client of your Zendesk account; calls are logged in the caller\'s notes.',
    },
  ],
  blocks: [],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const { user } = await createZendeskClient({ fetch: fetchImpl, conn, requestLog: [] }).get<{ user: { id: number; email: string; role: string } }>('/users/me.json');
    if (user.role === 'end-user') throw new Error('Zendesk: the credentials belong to an end user; use an agent or admin');
    return { ok: true as const, account: [conn.baseUrl.replace(/^https?:\/\//, '').replace(/\/.*$/, ''), user.email].join(' — ') };
  },
});

export const zendeskContactSource: ContactSource = zendeskConnector.contactSource;
