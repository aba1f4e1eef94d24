// Every connector Patchbay ships: the one list to edit. Adding a CRM is its folder (engine/connectors/<system>/,
// declared with defineCrmConnector, emulator in emulator/) and one line here; the registry, the generic crm.*
// blocks, contact sync, `npm run emulator`, the portal's OAuth apps and the benchmarks all read this list.
import type { ConnectorDefinition } from './kit/define-connector';
import type { ContactSource } from './kit/contact-source';
import type { CrmConnectorDefinition } from './kit/define-crm-connector';
import { activecampaignConnector } from './activecampaign/manifest';
import { copperConnector } from './copper/manifest';
import { dynamicsConnector } from './dynamics/manifest';
import { hubspotConnector } from './hubspot/manifest';
import { intercomConnector } from './intercom/manifest';
import { keapConnector } from './keap/manifest';
import { phonesystemConnector } from './phone-system/manifest';
import { pipedriveConnector } from './pipedrive/manifest';
import { s3Connector } from './s3/manifest';
import { salesforceConnector } from './salesforce/manifest';
import { slackConnector } from './slack/manifest';
import { sugarcrmConnector } from './sugarcrm/manifest';
import { zendeskConnector } from './zendesk/manifest';
import { zohoConnector } from './zoho/manifest';

const connectors: ConnectorDefinition[] = [
  dynamicsConnector,
  hubspotConnector,
  pipedriveConnector,
  phonesystemConnector,
  salesforceConnector,
  sugarcrmConnector,
  copperConnector,
  activecampaignConnector,
  zendeskConnector,
  zohoConnector,
  intercomConnector,
  keapConnector,
  s3Connector,
  slackConnector,
];

export interface CatalogEntry {
  connector: ConnectorDefinition;
  /** CRM connectors (the contract's listChanged / listAllIds) feed contact sync. */
  contactSource?: ContactSource;
}

const isCrm = (c: ConnectorDefinition): c is CrmConnectorDefinition => 'crm' in c;

export const catalog: Record<string, CatalogEntry> = Object.fromEntries(
  connectors.map((c) => [c.id, isCrm(c) ? { connector: c, contactSource: c.contactSource } : { connector: c }]),
);

/** The connectors that implement the CRM contract, by id. */
export function crmCatalog(): Record<string, CrmConnectorDefinition> {
  return Object.fromEntries(connectors.filter(isCrm).map((c) => [c.id, c]));
}

export function connectorBlocks() {
  return connectors.flatMap((c) => c.blocks);
}
