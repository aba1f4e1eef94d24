// Every connector Patchbay ships, by id (hand-written: adding one is a line here).
import type { ConnectorDefinition } from './kit/define-connector';
import type { ContactSource } from './kit/contact-source';
import { hubspotConnector, hubspotContactSource } from './hubspot/manifest';
import { pipedriveConnector, pipedriveContactSource } from './pipedrive/manifest';
import { phonesystemConnector } from './phone-system/manifest';
import { s3Connector } from './s3/manifest';
import { salesforceConnector, salesforceContactSource } from './salesforce/manifest';

export interface CatalogEntry {
  connector: ConnectorDefinition;
  /** CRM connectors that can feed contact sync. */
  contactSource?: ContactSource;
}

export const catalog: Record<string, CatalogEntry> = {
  hubspot: { connector: hubspotConnector, contactSource: hubspotContactSource },
  pipedrive: { connector: pipedriveConnector, contactSource: pipedriveContactSource },
  phonesystem: { connector: phonesystemConnector },
  salesforce: { connector: salesforceConnector, contactSource: salesforceContactSource },
  s3: { connector: s3Connector },
};

export function connectorBlocks() {
  return Object.values(catalog).flatMap((e) => e.connector.blocks);
}
