// Salesforce: the connector declaration (auth, blocks, health check) and its contact source for sync.
import { defineCrmConnector } from '../kit/define-crm-connector';
import { salesforceCrmOperations } from './crm';
import type { ContactSource } from '../kit/contact-source';
import { AUTHORIZE_PATH, createSalesforceClient, TOKEN_PATH } from './client';
import { salesforceListAllIds } from './list-all-ids';
import { salesforceListCompaniesChanged } from './list-companies-changed';
import { salesforceListContactsChanged } from './list-contacts-changed';
import { API_BASE } from './soql';
import type { AnyBlock } from '../../core/define-block';

export const salesforceConnector = defineCrmConnector({
  id: 'salesforce',
  name: 'Salesforce',
  rateLimitHeaders: 'Sforce-Limit-Info: api-usage=used/limit (rolling 24 hours); 403 REQUEST_LIMIT_EXCEEDED when used up',
  capabilities: {
    supportsCompanies: true,
    callLogUpdate: 'in_place',
    nativeCallObject: 'Task with TaskSubtype Call (completed, CallType, CallDurationInSeconds, CallDisposition), WhoId = contact, OwnerId = agent',
    callIdField: 'Task.CallObject',
    taskCallIdField: "Task.CallObject of the call-back Task (TaskSubtype 'Task')",
  },
  operations: salesforceCrmOperations,
  // OAuth starts at login.salesforce.com (test.salesforce.com for sandboxes); API calls then go to the
  // org's instance_url from the token answer, which becomes the connection's base URL.
  defaultBaseUrl: 'https://login.salesforce.com',
  emulator: {
    start: async (o) => (await import('./emulator')).startSalesforceEmulator(o),
    demo: { port: 4011, oauthClient: { clientId: 'patchbay-demo-salesforce', clientSecret: 'patchbay-demo-salesforce-secret' } },
    bench: { pageSize: 2000, credentials: (token) => ({ token }) },
  },
  auth: [
    {
      type: 'oauth2',
      authorizePath: AUTHORIZE_PATH,
      tokenPath: TOKEN_PATH,
      scopes: ['api', 'refresh_token'],
      help: 'Create a connected app with OAuth scopes "api" and "refresh_token"; the base URL becomes the org\'s instance URL.',
    },
    {
      type: 'apiKey',
      fields: [{ id: 'token', label: 'Access token (session ID)', secret: true }],
      help: 'A session ID or access token (e.g. from `sf org display`), sent as a Bearer token; set the base URL to the org\'s My Domain URL. It expires with the session.',
    },
  ],
  // Lookups and writes are the generic crm.* blocks (crm-blocks.ts); these pages have no generic block yet.
  blocks: [salesforceListContactsChanged, salesforceListCompaniesChanged, salesforceListAllIds] as AnyBlock[],
  async testConnection(conn, fetchImpl) {
    const sf = createSalesforceClient({ fetch: fetchImpl, conn, requestLog: [], http: { maxRetries: 1 } });
    await sf.request({ path: `${API_BASE}/limits` });
    return { ok: true, account: new URL(sf.instanceUrl).host };
  },
});

export const salesforceContactSource: ContactSource = salesforceConnector.contactSource;
