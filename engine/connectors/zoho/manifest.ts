// Zoho CRM (REST API v6): Contacts and Accounts for caller lookup and contact sync, Calls (Activities) and notes
// for call logging, Tasks. Lookups and writes are the generic crm.* blocks (crm-blocks.ts).
import type { ConnectionHandle } from '../../core/define-block';
import type { ContactSource } from '../kit/contact-source';
import { defineCrmConnector } from '../kit/define-crm-connector';
import { createZohoClient, ZOHO_DATA_CENTRES, ZOHO_DEFAULT_BASE_URL } from './client';
import { zohoCrmOperations } from './crm';

export const zohoConnector = defineCrmConnector({
  id: 'zoho',
  name: 'Zoho CRM',
  // The US data centre; others use their own API domain (https://www.zohoapis.eu, .in, .com.au, .jp, .ca, .sa, .com.cn).
  defaultBaseUrl: ZOHO_DEFAULT_BASE_URL,
  emulator: {
    start: async (o) => (await import('./emulator')).startZohoEmulator(o),
    demo: { port: 4019, oauthClient: { clientId: 'patchbay-demo-zoho', clientSecret: 'patchbay-demo-zoho-secret' } },
    bench: { pageSize: 200, credentials: (token) => ({ token }) },
  },
  rateLimitHeaders: 'none documented per answer; API credits per rolling 24 hours and a concurrency cap; 429 TOO_MANY_REQUESTS',
  capabilities: {
    supportsCompanies: true,
    callLogUpdate: 'in_place',
    nativeCallObject: 'Calls record (Activities) with Call_Type, Call_Start_Time and Call_Duration, Who_Id the contact, Owner the agent, plus a note on the contact',
    callIdField: 'a "Call id:" line in the call Description',
    taskCallIdField: 'a "Call id:" line in the task Description, found among the contact\'s (or account\'s) tasks by GET /Tasks/search?criteria=(Who_Id:equals:…)',
  },
  operations: zohoCrmOperations,
  auth: [
    {
      type: 'oauth2',
      // access_type=offline: Zoho issues a refresh token only when asked for one.
      authorizePath: `${ZOHO_DATA_CENTRES.us.accounts}/oauth/v2/auth?access_type=offline&prompt=consent`,
      tokenPath: `${ZOHO_DATA_CENTRES.us.accounts}/oauth/v2/token`,
      scopes: ['ZohoCRM.modules.ALL', 'ZohoCRM.users.READ', 'ZohoCRM.org.READ'],
      // A Zoho API domain signs in and exchanges codes at its own data centre's accounts server.
      forBaseUrl: (baseUrl) => {
        const dc = Object.values(ZOHO_DATA_CENTRES).find((d) => d.api === baseUrl.replace(/\/+$/, ''));
        return dc ? { authorizeUrl: `${dc.accounts}/oauth/v2/auth?access_type=offline&prompt=consent`, tokenUrl: `${dc.accounts}/oauth/v2/token` } : undefined;
      },
      help: 'Signs in at Zoho; calls, tasks and notes are created as that user. Outside the US data centre, use its API domain (https://www.zohoapis.eu, .in, .com.au …) as the base URL.',
    },
    {
      type: 'apiKey',
      fields: [
        { id: 'clientId', label: 'Client ID (Zoho API Console → Self Client)', secret: false },
        { id: 'clientSecret', label: 'Client secret', secret: true },
        { id: 'refreshToken', label: 'Refresh token (scopes ZohoCRM.modules.ALL, ZohoCRM.users.READ, ZohoCRM.org.READ)', secret: true },
      ],
      help: 'Create a Self Client in the Zoho API Console, generate a code with those scopes and exchange it for a refresh token at your data centre. Use its API domain (https://www.zohoapis.com, .eu, .in …) as the base URL.',
    },
  ],
  blocks: [],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const client = createZohoClient({ fetch: fetchImpl, conn, requestLog: [] });
    const org = await client.get<{ org: { id: string; company_name: string }[] }>('/org');
    const me = await client.get<{ users: { email: string }[] }>('/users', { type: 'CurrentUser' });
    return { ok: true as const, account: [org?.org[0]?.company_name, me?.users[0]?.email].filter(Boolean).join(' — '), accountId: org?.org[0]?.id };
  },
});

export const zohoContactSource: ContactSource = zohoConnector.contactSource;
