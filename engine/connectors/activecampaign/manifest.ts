// ActiveCampaign: contacts for caller lookup and contact sync, a "Call" task plus a contact note for call logging,
// call-back tasks and notes, through the API v3 of the customer's account (https://<account>.api-us1.com).
import type { ConnectionHandle } from '../../core/define-block';
import type { ContactSource } from '../kit/contact-source';
import { defineCrmConnector } from '../kit/define-crm-connector';
import { AC_DEFAULT_BASE_URL, createAcClient } from './client';
import { acCrmOperations } from './crm';

export const activecampaignConnector = defineCrmConnector({
  id: 'activecampaign',
  name: 'ActiveCampaign',
  defaultBaseUrl: AC_DEFAULT_BASE_URL,
  emulator: {
    start: async (o) => (await import('./emulator')).startActiveCampaignEmulator(o),
    demo: { port: 4013 },
    bench: { pageSize: 100, credentials: (token) => ({ apiToken: token }) },
  },
  rateLimitHeaders: 'no rate-limit headers; 5 requests per second per account, then 429 with Retry-After',
  capabilities: {
    supportsCompanies: false,
    callLogUpdate: 'in_place',
    nativeCallObject: 'A completed task of the "Call" task type on the contact (reltype Subscriber), assigned to the agent, the call details in its note, plus a contact note with the details and the call notes',
    callIdField: 'a "Call id:" line in the task and in the note',
    taskCallIdField: 'a "Call id:" line heading the call-back task\'s note, found among the contact\'s Call tasks by GET /dealTasks?filters[reltype]=Subscriber&filters[relid]=<contact>&filters[d_tasktypeid]=<Call type>',
  },
  operations: acCrmOperations,
  auth: [
    {
      type: 'apiKey',
      fields: [{ id: 'apiToken', label: 'API token', secret: true }],
      help: 'The base URL is your API URL and the token your API key, both under Settings → Developer (https://youraccount.api-us1.com). Each user has their own key: tasks and notes are created as that user unless a flow names the agent.',
    },
  ],
  blocks: [],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const me = await createAcClient({ fetch: fetchImpl, conn, requestLog: [] }).get<{ user: { username: string; email: string } }>('/users/me');
    return { ok: true as const, account: [conn.baseUrl.replace(/^https?:\/\//, '').replace(/\/.*$/, ''), me.user.email].filter(Boolean).join(' — ') };
  },
});

export const activecampaignContactSource: ContactSource = activecampaignConnector.contactSource;
