// Every route the node:http edge serves, in one list: the router (edge.ts), the OpenAPI document
// (openapi.ts) and the contract test (tests/api/contract.test.ts) all read it.
import { describeRoutes, docsAsset, docsPage, openApiJson } from './docs';
import { enableCatalogueTemplate, getCatalogueTemplate, listCatalogue, pauseCatalogueTemplate, removeCatalogueTemplate, resumeCatalogueTemplate, updateCatalogueOptions } from './portal/catalogue';
import { connectApiKey, disconnectRoute, listConnections, startOAuthRoute, testConnectionRoute } from './portal/connections';
import { oauthCallback } from './portal/oauth';
import { openPortalLink, signOut } from './portal/session';
import type { RouteDef } from './route';
import { runAutomation } from './v1/automations';
import { deleteCdpContact, upsertCdpContacts } from './v1/cdp';
import { createCustomerRoute, getCustomer } from './v1/customers';
import { health, ready } from './v1/health';
import { hubspotHook, phoneSystemHook } from './v1/hooks';
import { deleteIntegrationRoute, disableIntegrationRoute, enableIntegrationRoute, listIntegrationsRoute, reenableIntegrationRoute } from './v1/integrations';
import { createPortalLinkRoute } from './v1/portal-links';
import { getPhoneSystemConnection, putPhoneSystemConnection } from './v1/phone-system';
import { getRun } from './v1/runs';
import { customerTemplatesRoute, enableCustomerTemplateRoute, listTemplatesRoute, removeCustomerTemplateRoute, setCustomerTemplateStatusRoute } from './v1/templates';
import { contactsDeleted } from './v1/webhooks';

export const routes: readonly RouteDef[] = [
  runAutomation,
  getRun,
  createCustomerRoute,
  getCustomer,
  upsertCdpContacts,
  deleteCdpContact,
  enableIntegrationRoute,
  listIntegrationsRoute,
  disableIntegrationRoute,
  reenableIntegrationRoute,
  deleteIntegrationRoute,
  listTemplatesRoute,
  customerTemplatesRoute,
  enableCustomerTemplateRoute,
  setCustomerTemplateStatusRoute,
  removeCustomerTemplateRoute,
  createPortalLinkRoute,
  contactsDeleted,
  putPhoneSystemConnection,
  getPhoneSystemConnection,
  phoneSystemHook,
  hubspotHook,
  health,
  ready,
  openApiJson,
  docsPage,
  docsAsset,
  listConnections,
  connectApiKey,
  disconnectRoute,
  testConnectionRoute,
  startOAuthRoute,
  listCatalogue,
  getCatalogueTemplate,
  enableCatalogueTemplate,
  updateCatalogueOptions,
  pauseCatalogueTemplate,
  resumeCatalogueTemplate,
  removeCatalogueTemplate,
  signOut,
  oauthCallback,
  openPortalLink,
];

describeRoutes(routes);
