// SugarCRM: Contacts and Accounts for caller lookup and contact sync, Calls (plus a Note) for call logging,
// through the REST v11 API of the customer's own instance.
import type { ConnectionHandle } from '../../core/define-block';
import type { ContactSource } from '../kit/contact-source';
import { defineCrmConnector } from '../kit/define-crm-connector';
import { createSugarClient, SUGAR_DEFAULT_BASE_URL, SUGAR_DEFAULT_PLATFORM } from './client';
import { sugarCrmOperations } from './crm';

export const sugarcrmConnector = defineCrmConnector({
  id: 'sugarcrm',
  name: 'SugarCRM',
  defaultBaseUrl: SUGAR_DEFAULT_BASE_URL,
  emulator: {
    start: async (o) => (await import('./emulator')).startSugarEmulator(o),
    // Sign in as admin / patchbay-demo with the built-in "sugar" OAuth key (password grant).
    demo: { port: 4016 },
    bench: { pageSize: 1000, credentials: (token) => ({ accessToken: token }) },
  },
  rateLimitHeaders: 'no rate-limit headers; 429 {"error":"too_many_requests"} with Retry-After',
  capabilities: {
    supportsCompanies: true,
    callLogUpdate: 'in_place',
    nativeCallObject: 'Calls record (Inbound/Outbound, Held/Not Held, parent and contacts link = the contact, assigned to the agent) plus a Note on the call and the contact',
    callIdField: 'a "Call id:" line in the call description',
    taskCallIdField: 'a "Call id:" line in the task description, found on the task\'s parent (the contact or account) by POST /Tasks/filter with description $contains',
  },
  operations: sugarCrmOperations,
  auth: [
    {
      type: 'apiKey',
      fields: [
        { id: 'username', label: 'User name', secret: false },
        { id: 'password', label: 'Password', secret: true },
        { id: 'clientId', label: 'OAuth key (default: sugar, which has no secret)', secret: false },
        { id: 'platform', label: `API platform (default: ${SUGAR_DEFAULT_PLATFORM})`, secret: false },
      ],
      help: `The base URL is your instance (https://acme.sugarondemand.com). Patchbay signs in as this user through Sugar's OAuth 2 password grant and refreshes its token; calls, notes and tasks are created in their name. Register the platform "${SUGAR_DEFAULT_PLATFORM}" under Admin → Configure API Platforms so browser logins do not end the API session.`,
    },
  ],
  blocks: [],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const client = createSugarClient({ fetch: fetchImpl, conn, requestLog: [] });
    const me = await client.get<{ current_user: { user_name: string; full_name?: string } }>('/me');
    return { ok: true as const, account: [conn.baseUrl.replace(/^https?:\/\//, ''), me.current_user.full_name ?? me.current_user.user_name].filter(Boolean).join(' — ') };
  },
});

export const sugarcrmContactSource: ContactSource = sugarcrmConnector.contactSource;
