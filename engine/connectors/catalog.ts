// Every connector Patchbay ships, by id (hand-written: adding one is a line here).
import type { ConnectorDefinition } from './kit/define-connector';
import type { ContactSource } from './kit/contact-source';
import { hubspotConnector, hubspotContactSource } from './hubspot/manifest';
import { zohoConnector, zohoContactSource } from './zoho/manifest';
import { dynamicsConnector, dynamicsContactSource } from './dynamics/manifest';
import { pipedriveConnector, pipedriveContactSource } from './pipedrive/manifest';
import { phonesystemConnector } from './phone-system/manifest';
import { salesforceConnector, salesforceContactSource } from './salesforce/manifest';

export interface CatalogEntry {
  connector: ConnectorDefinition;
  /** CRM connectors that can feed contact sync. */
  contactSource?: ContactSource;
}

export const catalog: Record<string, CatalogEntry> = {
  dynamics: { connector: dynamicsConnector, contactSource: dynamicsContactSource },
  hubspot: { connector: hubspotConnector, contactSource: hubspotContactSource },
  pipedrive: { connector: pipedriveConnector, contactSource: pipedriveContactSource },
  phonesystem: { connector: phonesystemConnector },
  salesforce: { connector: salesforceConnector, contactSource: salesforceContactSource },
  zoho: { connector: zohoConnector, contactSource: zohoContactSource },
};

export function connectorBlocks() {
  return Object.values(catalog).flatMap((e) => e.connector.blocks);
}
