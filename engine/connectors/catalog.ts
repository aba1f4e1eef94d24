// Every connector Patchbay ships, by id (hand-written: adding one is a line here).
import type { ConnectorDefinition } from './kit/define-connector';
import type { ContactSource } from './kit/contact-source';

export interface CatalogEntry {
  connector: ConnectorDefinition;
  /** CRM connectors that can feed contact sync. */
  contactSource?: ContactSource;
}

export const catalog: Record<string, CatalogEntry> = {
  // hubspot: { connector: hubspotConnector, contactSource: hubspotContactSource },
};

export function connectorBlocks() {
  return Object.values(catalog).flatMap((e) => e.connector.blocks);
}
