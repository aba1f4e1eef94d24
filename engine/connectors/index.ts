// The connectors' public entry for lib/, the CLI and the benchmarks: the catalog, the CRM contract and what the
// host needs from individual connectors (webhook signatures, the phonebook destination). lib/ imports the
// engine only through engine/index.ts and this file (ESLint enforces it), so connector internals can move.
export { catalog, connectorBlocks, crmCatalog, type CatalogEntry } from './catalog';
export type { AuthKind, ConnectorDefinition, ConnectorEmulator } from './kit/define-connector';
export type { ChangedPage, ConnectorCall, ContactSource, ObjectKind } from './kit/contact-source';
export { buildAuthorizeUrl, exchangeCode, refreshTokens, type OAuthConfig, type OAuthTokens } from './kit/oauth2';
export { syntheticPerson, phoneFor, type SyntheticPerson } from './kit/synthetic';
export type { RunningEmulator, CrmEmulatorOptions } from './kit/emulator-server';
export * from './kit/crm-contract';
export { defineCrmConnector, toCrmContact, type CrmApi, type CrmConnectorDefinition, type CrmOperations } from './kit/define-crm-connector';
export { crmApiOf, crmSystems, crmBlocks } from './crm-blocks';
// HubSpot's own deletion webhooks (lib/api/crm-webhooks.ts).
export { HUBSPOT_SIGNATURE_HEADER, HUBSPOT_TIMESTAMP_HEADER, verifyHubspotRequest, deletionsByPortal, signHubspotRequest, type HubspotWebhookEvent } from './hubspot/webhooks';
// The phone system: its webhooks (lib/api/phone-webhooks.ts) and its phonebook as a sync destination.
export { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhookBody, verifyWebhookSignature } from './phone-system/webhook-signature';
export { createPhonebookClient, type PhonebookClient } from './phone-system/client';
export { deletePhonebookContact } from './phone-system/delete-contact';
export { listAllPhonebookIds } from './phone-system/list-contacts';
export { listPhonebookChanges, type PhonebookChange, type PhonebookChangesPage } from './phone-system/list-changes';
export { readWireContact, writeWireContact, type PhonebookContact } from './phone-system/map-contact';
export { updatePhonebookEntries, type EntryUpdateResult } from './phone-system/update-contacts';
export { toPhonebookContact } from './phone-system/map-contact';
export { upsertPhonebookEntry } from './phone-system/upsert-contact';
