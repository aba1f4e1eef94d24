// The vendor's own phone system: a configurable REST phonebook (add / update / delete / find by phone /
// find by external id / list / change feed) plus call routing and its users (agents: list, create, update, deactivate), and the helpers the contact sync and the call webhook
// endpoint build on. No contact source: the phonebook is where synced contacts go; a two-way sync (lib/sync/two-way/) also reads its change feed.
import type { AnyBlock, ConnectionHandle } from '../../core/define-block';
import { defineConnector } from '../kit/define-connector';
import { deleteContactBlock } from './delete-contact';
import { findByExternalIdBlock } from './find-by-external-id';
import { findByPhoneBlock } from './find-by-phone';
import { listContactsBlock, listPhonebookContacts } from './list-contacts';
import { routeCallBlock } from './route-call';
import { upsertContactBlock } from './upsert-contact';
import { listUsersBlock } from './users';

export { phonebookConfigSchema, resolvePhonebookConfig, type PhonebookConfig, type PhonebookConfigInput } from './config';
export { fromPhonebookContact, phonebookContactSchema, toPhonebookContact, type PhonebookContact } from './map-contact';
export { upsertPhonebookContact, type UpsertAction } from './upsert-contact';
export { deletePhonebookContact } from './delete-contact';
export { findPhonebookContactByPhone } from './find-by-phone';
export { findPhonebookContactByExternalId } from './find-by-external-id';
export { listAllPhonebookIds, listPhonebookContacts } from './list-contacts';
export { listPhonebookChanges, type PhonebookChange, type PhonebookChangesPage } from './list-changes';
export { updatePhonebookEntries, type EntryUpdateResult } from './update-contacts';
export { routeCall } from './route-call';
export { createPhoneUser, deactivatePhoneUser, findPhoneUserByEmail, listPhoneUsers, phoneUserSchema, updatePhoneUser, type PhoneUserFields, type PhoneUserRecord } from './users';
export { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhookBody, verifyWebhookSignature } from './webhook-signature';

const CONFIG_HELP =
  'Optional JSON describing your phone system API when it differs from the reference API: auth ({"kind":"bearer"|"header"|"basic"|"query", …}), ' +
  'operations (method, path template with {id} {externalId} {phone} {callId}, resultPath, bodyPath; listContacts.pagination cursor|page|none), fields (wire field names). ' +
  'Empty: the reference API (/api/v1/phonebook/contacts, Bearer token, cursor paging).';

export const phonesystemConnector = defineConnector({
  id: 'phonesystem',
  name: 'Phone system',
  defaultBaseUrl: 'http://127.0.0.1:4020',
  emulator: {
    start: async (o) => (await import('./emulator')).startPhoneSystemEmulator({
      port: o.port, contacts: o.contacts, users: 5, token: o.token, rateLimit: o.rateLimit, webhookUrl: o.env?.PHONESYSTEM_WEBHOOK_URL, webhookSecret: o.env?.PHONESYSTEM_WEBHOOK_SECRET,
    }),
    demo: { port: 4020 },
  },
  auth: [
    {
      type: 'apiKey',
      fields: [
        { id: 'token', label: 'API token', secret: true },
        { id: 'config', label: 'API description (JSON, optional)', secret: false },
      ],
      help: 'The API token of your phone system (sent as Bearer unless the API description says otherwise). ' + CONFIG_HELP,
    },
    {
      type: 'apiKey',
      fields: [
        { id: 'username', label: 'API user', secret: false },
        { id: 'password', label: 'API password', secret: true },
        { id: 'config', label: 'API description (JSON, with "auth": {"kind": "basic"})', secret: false },
      ],
      help: 'HTTP Basic credentials for phone systems that use them. ' + CONFIG_HELP,
    },
  ],
  blocks: [upsertContactBlock, deleteContactBlock, findByPhoneBlock, findByExternalIdBlock, listContactsBlock, routeCallBlock, listUsersBlock] as AnyBlock[],
  async testConnection(conn: ConnectionHandle, fetchImpl: typeof fetch) {
    const page = await listPhonebookContacts({ fetch: fetchImpl, conn, requestLog: [] }, { pageSize: 1 });
    return { ok: true as const, account: page.contacts.length ? 'phonebook reachable' : 'phonebook reachable (empty)' };
  },
});
