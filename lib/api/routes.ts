// Every route the node:http edge serves, in one list: the router (edge.ts), the OpenAPI document
// (openapi.ts) and the contract test (tests/api/contract.test.ts) all read it.
import { describeRoutes, docsAsset, docsPage, openApiJson } from './docs';
import { enableCatalogueTemplate, getCatalogueTemplate, listCatalogue, pauseCatalogueTemplate, removeCatalogueTemplate, resumeCatalogueTemplate, updateCatalogueOptions } from './portal/catalogue';
import { connectApiKey, disconnectRoute, listConnections, startOAuthRoute, testConnectionRoute } from './portal/connections';
import { oauthCallback } from './portal/oauth';
import { openPortalLink, signOut } from './portal/session';
import type { RouteDef } from './route';
import { createKeyRoute, listKeysRoute, revokeKeyRoute, rotateKeyRoute } from './staff/api-keys';
import { listAuditRoute } from './staff/audit-log';
import { getEmbeddingRoute, previewWidgetTokenRoute, saveEmbeddingRoute } from './staff/embedding';
import { listCallsRoute } from './staff/calls';
import { createCustomerRoute as staffCreateCustomerRoute, listCustomersRoute } from './staff/customers';
import { getCustomerPhoneSystemRoute, putCustomerPhoneSystemRoute } from './staff/phone-system';
import { getVersionRoute, publishFlowRoute, saveVersionRoute } from './staff/flow-versions';
import { createFlowRoute, deleteFlowRoute, duplicateFlowRoute, exportFlowRoute, getFlowRoute, importFlowRoute, listFlowsRoute } from './staff/flows';
import { getRunRoute, listRunsRoute, runStatsRoute } from './staff/runs';
import { storageStatusRoute } from './staff/storage';
import { listSyncSourcesRoute, listSyncsRoute, startSyncRoute } from './staff/syncs';
import { testRunRoute } from './staff/test-runs';
import { validateRoute } from './staff/validate';
import { blocksRoute } from './staff/blocks';
import { meRoute } from './staff/me';
import { customerDetailRoute, customersOverviewRoute } from './staff/customer-overview';
import { createTemplateStaffRoute, getTemplateStaffRoute, listRolloutsStaffRoute, listTemplatesStaffRoute, pinCustomerTemplateStaffRoute, publishTemplateStaffRoute, rollbackStaffRoute, rolloutStaffRoute, saveTemplateVersionStaffRoute, shadowReplayStaffRoute } from './staff/templates';
import { runAutomation } from './v1/automations';
import { deleteCdpContact, upsertCdpContacts } from './v1/cdp';
import { createCustomerRoute, getCustomer, setCustomerTrace } from './v1/customers';
import { health, ready } from './v1/health';
import { hubspotHook, phoneSystemHook } from './v1/hooks';
import { deleteIntegrationRoute, disableIntegrationRoute, enableIntegrationRoute, listIntegrationsRoute, reenableIntegrationRoute } from './v1/integrations';
import { createPortalLinkRoute } from './v1/portal-links';
import { getPhoneSystemConnection, putPhoneSystemConnection } from './v1/phone-system';
import { getRun } from './v1/runs';
import { customerTemplatesRoute, enableCustomerTemplateRoute, listTemplatesRoute, removeCustomerTemplateRoute, setCustomerTemplateStatusRoute } from './v1/templates';
import { contactsDeleted } from './v1/webhooks';
import { createWidgetTokenRoute } from './v1/widget-tokens';
import { runWidgetAction, widgetCard, widgetScript } from './widget/widget';

export const publicRoutes: readonly RouteDef[] = [
  runAutomation,
  getRun,
  createCustomerRoute,
  getCustomer,
  setCustomerTrace,
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
  createWidgetTokenRoute,
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
  widgetScript,
  widgetCard,
  runWidgetAction,
];

/** The staff app's API (/api/staff/*, staff session with a role), served by the same edge. */
export const staffRoutes: readonly RouteDef[] = [
  meRoute,
  blocksRoute,
  listFlowsRoute,
  createFlowRoute,
  importFlowRoute,
  getFlowRoute,
  deleteFlowRoute,
  duplicateFlowRoute,
  exportFlowRoute,
  saveVersionRoute,
  getVersionRoute,
  publishFlowRoute,
  validateRoute,
  testRunRoute,
  listRunsRoute,
  runStatsRoute,
  storageStatusRoute,
  getRunRoute,
  listCustomersRoute,
  staffCreateCustomerRoute,
  customersOverviewRoute,
  customerDetailRoute,
  listTemplatesStaffRoute,
  createTemplateStaffRoute,
  getTemplateStaffRoute,
  saveTemplateVersionStaffRoute,
  publishTemplateStaffRoute,
  listRolloutsStaffRoute,
  rolloutStaffRoute,
  rollbackStaffRoute,
  shadowReplayStaffRoute,
  pinCustomerTemplateStaffRoute,
  getCustomerPhoneSystemRoute,
  putCustomerPhoneSystemRoute,
  listCallsRoute,
  listSyncsRoute,
  listSyncSourcesRoute,
  startSyncRoute,
  listKeysRoute,
  createKeyRoute,
  rotateKeyRoute,
  revokeKeyRoute,
  listAuditRoute,
  getEmbeddingRoute,
  saveEmbeddingRoute,
  previewWidgetTokenRoute,
];

/** Everything the edge serves: the router, the OpenAPI document and the contract test read this list. */
export const routes: readonly RouteDef[] = [...publicRoutes, ...staffRoutes];

describeRoutes(routes);
