// The OpenAPI document against the running server: it is a valid OpenAPI 3.1 document; every declared route is
// in it; every documented route called with valid input answers a documented status with a body that matches
// the documented schema; and every route called with the wrong credentials (none, another vendor's key,
// another customer's portal session or key, no signature, a foreign Origin for cookie writes; for the staff API
// no session, another vendor's staff member, a viewer where an editor is needed, an editor where an owner is)
// answers a documented 401/403/404 with the error body, never data.
import fs from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { HUBSPOT_SIGNATURE_HEADER, HUBSPOT_TIMESTAMP_HEADER, signHubspotRequest } from '@/engine/connectors/hubspot/webhooks';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhookBody } from '@/engine/connectors/phone-system/webhook-signature';
import callerLookupFlow from '@/engine/fixtures/caller-lookup.flow.json';
import { routes } from '@/lib/api/routes';
import { mintStaffSessionCookie } from '@/lib/auth/staff-session';
import { demoApp } from '@/lib/connections/oauth-clients';
import { replaceWidgetActions } from '@/lib/embed/embed-settings';
import { enableIntegration } from '@/lib/flows/flows';
import { saveConnection } from '@/lib/engine-host/connections';
import { createApiKey } from '@/lib/tenancy/api-keys';
import { createCustomer } from '@/lib/tenancy/customers';
import { createVendor } from '@/lib/tenancy/vendors';
import { createTemplate } from '@/lib/templates/templates';
import { api, apiKey, baseUrl, db } from './helpers';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
type Json = Record<string, any>;

const uniq = Math.random().toString(36).slice(2, 8);
const custA = `contract-a-${uniq}`;
const custB = `contract-b-${uniq}`;
const webhookSecret = `whsec_${uniq}_contract_test`;
let doc: Json;
let vendorSlug = '';
let otherVendorKey = '';
let flowId = '';
let runId = '';
let routingTemplateId = '';
let contractTemplateId = '';
let emu: HubspotEmulator;
const sessions: Record<'a' | 'b', string> = { a: '', b: '' };
/** Staff sessions: the demo vendor's owner, an editor and a viewer of it; the other vendor's owner. */
const staff: Record<'owner' | 'editor' | 'viewer' | 'otherOwner', string> = { owner: '', editor: '', viewer: '', otherOwner: '' };
/** A key confined to customer B, and one confined to customer A. */
let keyOfB = '';
let keyOfA = '';
let staffFlowId = '';
const staffFlow = (automation: string) => ({ ...callerLookupFlow, name: `Contract ${automation}`, automation });
const widgetTokens: Record<'a' | 'b', string> = { a: '', b: '' };

interface Call { method: string; path: string; body?: unknown; raw?: string; headers?: Record<string, string> }
interface Answer { status: number; contentType: string; text: string; json: unknown }

async function send(c: Call, auth: { key?: string | null; cookie?: string | null } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...c.headers };
  if (auth.key) headers.authorization = `Bearer ${auth.key}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  let body = c.raw;
  if (c.body !== undefined) body = JSON.stringify(c.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(baseUrl() + c.path, { method: c.method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = undefined; }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}

const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(';')[0] ?? '';

async function openSession(customer: string): Promise<string> {
  const link = await api(`/api/v1/customers/${customer}/portal-links`, { method: 'POST' });
  expect(link.status).toBe(201);
  const res = await fetch(baseUrl() + link.body.url, { redirect: 'manual' });
  expect(res.status).toBe(303);
  return cookieOf(res, 'pb_portal');
}

function phoneHook(customer: string, signed = true): Call {
  const raw = JSON.stringify({ event: 'call.ringing', callId: `c-${Math.random()}`, from: '+14155550100' });
  const headers: Record<string, string> = { [EVENT_HEADER]: 'call.ringing', [DELIVERY_HEADER]: `d-${Math.random().toString(36).slice(2)}` };
  if (signed) headers[SIGNATURE_HEADER] = signWebhookBody(webhookSecret, raw);
  return { method: 'POST', path: `/api/v1/hooks/${vendorSlug}/${customer}/phone-system`, raw, headers };
}

function hubspotHook(signed = true): Call {
  const p = `/api/v1/hooks/${vendorSlug}/hubspot`;
  const raw = JSON.stringify([{ portalId: 1, objectId: 1, subscriptionType: 'contact.propertyChange', eventId: 1, occurredAt: Date.now() }]);
  const ts = String(Date.now());
  const headers: Record<string, string> = signed
    ? { [HUBSPOT_TIMESTAMP_HEADER]: ts, [HUBSPOT_SIGNATURE_HEADER]: signHubspotRequest(demoApp('hubspot', inject('dataDir'))!.clientSecret, 'POST', baseUrl() + p, raw, ts) }
    : {};
  return { method: 'POST', path: p, raw, headers };
}

/** One valid request per documented operation, for customer A (built fresh each time: some consume state). */
const samples: Record<string, (customer: string) => Promise<Call> | Call> = {
  runAutomation: () => ({ method: 'POST', path: '/api/v1/customers/demo/automations/caller_lookup', body: { phone: '+1 415-704-0007' } }),
  getRun: () => ({ method: 'GET', path: `/api/v1/runs/${runId}` }),
  createCustomer: () => ({ method: 'POST', path: '/api/v1/customers', body: { externalId: `contract-new-${Math.random().toString(36).slice(2, 8)}`, name: 'New', defaultCountry: 'GB' } }),
  getCustomer: (c) => ({ method: 'GET', path: `/api/v1/customers/${c}` }),
  setCustomerTrace: (c) => ({ method: 'POST', path: `/api/v1/customers/${c}/trace`, body: { runs: 0 } }),
  upsertCdpContacts: (c) => ({ method: 'POST', path: `/api/v1/customers/${c}/cdp/contacts`, body: { contacts: [{ source: 'crm', externalId: 'k1', firstName: 'Ada', phones: ['+44 20 7946 0000', 'not a number'] }] } }),
  deleteCdpContact: async (c) => {
    await api(`/api/v1/customers/${c}/cdp/contacts`, { body: { contacts: [{ source: 'crm', externalId: 'gone', phones: ['+12025550111'] }] } });
    return { method: 'DELETE', path: `/api/v1/customers/${c}/cdp/contacts/crm/gone` };
  },
  enableIntegration: (c) => ({ method: 'POST', path: `/api/v1/customers/${c}/integrations`, body: { flowId, options: { tier: 'gold' } } }),
  listTemplates: () => ({ method: 'GET', path: '/api/v1/templates' }),
  listCustomerTemplates: (c) => ({ method: 'GET', path: `/api/v1/customers/${c}/templates` }),
  enableCustomerTemplate: async (c) => {
    await send({ method: 'DELETE', path: `/api/v1/customers/${c}/templates/${routingTemplateId}` }, { key: apiKey() });
    return { method: 'POST', path: `/api/v1/customers/${c}/templates/${routingTemplateId}`, body: { options: { defaultQueue: 'support' } } };
  },
  setCustomerTemplateStatus: async (c) => {
    await send({ method: 'POST', path: `/api/v1/customers/${c}/templates/${routingTemplateId}`, body: {} }, { key: apiKey() });
    return { method: 'PUT', path: `/api/v1/customers/${c}/templates/${routingTemplateId}/status`, body: { status: 'paused' } };
  },
  removeCustomerTemplate: async (c) => {
    await send({ method: 'POST', path: `/api/v1/customers/${c}/templates/${routingTemplateId}`, body: {} }, { key: apiKey() });
    return { method: 'DELETE', path: `/api/v1/customers/${c}/templates/${routingTemplateId}` };
  },
  listIntegrations: (c) => ({ method: 'GET', path: `/api/v1/customers/${c}/integrations` }),
  disableIntegration: async (c) => {
    await api(`/api/v1/customers/${c}/integrations`, { body: { flowId } });
    return { method: 'POST', path: `/api/v1/customers/${c}/integrations/caller_lookup/disable` };
  },
  reenableIntegration: async (c) => {
    await api(`/api/v1/customers/${c}/integrations`, { body: { flowId, enabled: false } });
    return { method: 'POST', path: `/api/v1/customers/${c}/integrations/caller_lookup/enable` };
  },
  deleteIntegration: async (c) => {
    await api(`/api/v1/customers/${c}/integrations`, { body: { flowId } });
    return { method: 'DELETE', path: `/api/v1/customers/${c}/integrations/caller_lookup` };
  },
  createPortalLink: (c) => ({ method: 'POST', path: `/api/v1/customers/${c}/portal-links`, body: { expiresInSeconds: 120 } }),
  contactsDeleted: (c) => ({ method: 'POST', path: `/api/v1/customers/${c}/webhooks/hubspot/contacts-deleted`, body: { ids: ['1', 2], kind: 'person' } }),
  putPhoneSystemConnection: (c) => ({ method: 'PUT', path: `/api/v1/customers/${c}/connections/phonesystem`, body: { baseUrl: 'http://127.0.0.1:1', credentials: { token: 't' }, webhookSecret } }),
  getPhoneSystemConnection: (c) => ({ method: 'GET', path: `/api/v1/customers/${c}/connections/phonesystem` }),
  phoneSystemWebhook: (c) => phoneHook(c),
  hubspotWebhook: () => hubspotHook(),
  health: () => ({ method: 'GET', path: '/api/v1/health' }),
  ready: () => ({ method: 'GET', path: '/api/v1/ready' }),
  openApiDocument: () => ({ method: 'GET', path: '/api/v1/openapi.json' }),
  docsPage: () => ({ method: 'GET', path: '/api/docs' }),
  portalListConnections: (c) => ({ method: 'GET', path: `/api/portal/${c}/connections` }),
  portalConnect: (c) => ({ method: 'PUT', path: `/api/portal/${c}/connections/hubspot`, body: { baseUrl: emu.url, credentials: { token: 'hs-contract' } } }),
  portalTestConnection: (c) => ({ method: 'POST', path: `/api/portal/${c}/connections/hubspot/test` }),
  portalStartOAuth: (c) => ({ method: 'POST', path: `/api/portal/${c}/connections/hubspot/oauth/start`, body: { baseUrl: emu.url } }),
  portalDisconnect: async (c) => {
    await send({ method: 'PUT', path: `/api/portal/${c}/connections/pipedrive`, body: { credentials: { apiToken: 'pd-contract' } } }, { cookie: sessions.a });
    return { method: 'DELETE', path: `/api/portal/${c}/connections/pipedrive` };
  },
  portalListCatalogue: (c) => ({ method: 'GET', path: `/api/portal/${c}/catalogue` }),
  portalGetTemplate: (c) => ({ method: 'GET', path: `/api/portal/${c}/catalogue/${routingTemplateId}` }),
  portalEnableTemplate: async (c) => {
    await send({ method: 'DELETE', path: `/api/portal/${c}/catalogue/${routingTemplateId}` }, { cookie: sessions.a });
    return { method: 'POST', path: `/api/portal/${c}/catalogue/${routingTemplateId}`, body: { options: { defaultQueue: 'support' } } };
  },
  portalUpdateTemplateOptions: async (c) => {
    await send({ method: 'POST', path: `/api/portal/${c}/catalogue/${routingTemplateId}`, body: {} }, { cookie: sessions.a });
    return { method: 'PUT', path: `/api/portal/${c}/catalogue/${routingTemplateId}/options`, body: { options: { defaultQueue: 'vip' } } };
  },
  portalPauseTemplate: async (c) => {
    await send({ method: 'POST', path: `/api/portal/${c}/catalogue/${routingTemplateId}`, body: {} }, { cookie: sessions.a });
    return { method: 'POST', path: `/api/portal/${c}/catalogue/${routingTemplateId}/pause` };
  },
  portalResumeTemplate: async (c) => {
    await send({ method: 'POST', path: `/api/portal/${c}/catalogue/${routingTemplateId}`, body: {} }, { cookie: sessions.a });
    return { method: 'POST', path: `/api/portal/${c}/catalogue/${routingTemplateId}/resume` };
  },
  portalRemoveTemplate: async (c) => {
    await send({ method: 'POST', path: `/api/portal/${c}/catalogue/${routingTemplateId}`, body: {} }, { cookie: sessions.a });
    return { method: 'DELETE', path: `/api/portal/${c}/catalogue/${routingTemplateId}` };
  },
  portalSignOut: (c) => ({ method: 'POST', path: `/api/portal/${c}/sign-out` }),
  portalOAuthCallback: () => ({ method: 'GET', path: '/api/portal/oauth/callback?code=x' }),
  createWidgetToken: (c) => ({ method: 'POST', path: `/api/v1/customers/${c}/widget-tokens`, body: { expiresInSeconds: 120 } }),
  widgetScript: () => ({ method: 'GET', path: '/api/widget/v1/widget.js' }),
  widgetCallerCard: (c) => ({ method: 'GET', path: `/api/widget/v1/customers/${c}/card?phone=%2B14157040007` }),
  runWidgetAction: async (c) => {
    // The action runs caller_lookup, which must be enabled for the customer (other samples remove it).
    await api(`/api/v1/customers/${c}/integrations`, { body: { flowId } });
    return { method: 'POST', path: `/api/widget/v1/customers/${c}/actions/lookup/run`, body: { phone: '+1 415-704-0007' } };
  },
  openPortalLink: async (c) => {
    const link = await api(`/api/v1/customers/${c}/portal-links`, { method: 'POST' });
    return { method: 'GET', path: link.body.url };
  },
  staffMe: () => ({ method: 'GET', path: '/api/staff/me' }),
  staffListBlocks: () => ({ method: 'GET', path: '/api/staff/blocks' }),
  staffListFlows: () => ({ method: 'GET', path: '/api/staff/flows' }),
  staffCreateFlow: () => ({ method: 'POST', path: '/api/staff/flows', body: { definition: staffFlow(`contract_new_${Math.random().toString(36).slice(2, 8)}`) } }),
  staffImportFlow: () => ({ method: 'POST', path: '/api/staff/flows/import', body: staffFlow(`contract_imp_${Math.random().toString(36).slice(2, 8)}`) }),
  staffGetFlow: () => ({ method: 'GET', path: `/api/staff/flows/${staffFlowId}` }),
  staffDeleteFlow: async () => {
    const made = await send({ method: 'POST', path: '/api/staff/flows', body: { definition: staffFlow(`contract_del_${Math.random().toString(36).slice(2, 8)}`) } }, { cookie: staff.owner });
    return { method: 'DELETE', path: `/api/staff/flows/${(made.json as Json).id}` };
  },
  staffDuplicateFlow: () => ({ method: 'POST', path: `/api/staff/flows/${staffFlowId}/duplicate` }),
  staffExportFlow: () => ({ method: 'GET', path: `/api/staff/flows/${staffFlowId}/export` }),
  staffSaveFlowVersion: () => ({ method: 'POST', path: `/api/staff/flows/${staffFlowId}/versions`, body: { definition: staffFlow(`contract_staff_${uniq}`), message: 'contract' } }),
  staffGetFlowVersion: () => ({ method: 'GET', path: `/api/staff/flows/${staffFlowId}/versions/1` }),
  staffPublishFlow: () => ({ method: 'POST', path: `/api/staff/flows/${staffFlowId}/publish`, body: { version: 1 } }),
  staffValidateFlow: () => ({ method: 'POST', path: '/api/staff/validate', body: { definition: staffFlow('contract_validate') } }),
  staffTestRun: (c) => ({ method: 'POST', path: `/api/staff/flows/${staffFlowId}/test-run`, body: { definition: staffFlow(`contract_staff_${uniq}`), input: { phone: '+1 415-704-0007' }, customer: c } }),
  staffListRuns: () => ({ method: 'GET', path: '/api/staff/runs?limit=5' }),
  staffRunStats: () => ({ method: 'GET', path: '/api/staff/runs/stats' }),
  staffStorageStatus: () => ({ method: 'GET', path: '/api/staff/storage' }),
  staffGetRun: () => ({ method: 'GET', path: `/api/staff/runs/${runId}` }),
  staffListCustomers: () => ({ method: 'GET', path: '/api/staff/customers' }),
  staffCustomersOverview: () => ({ method: 'GET', path: '/api/staff/customers/overview?search=contract&health=idle' }),
  staffCustomerDetail: (c) => ({ method: 'GET', path: `/api/staff/customers/${c}/detail` }),
  staffListTemplates: () => ({ method: 'GET', path: '/api/staff/templates' }),
  staffCreateTemplate: () => ({ method: 'POST', path: '/api/staff/templates', body: { name: `Contract new ${Math.random().toString(36).slice(2, 8)}`, flows: [{ flowId }] } }),
  staffGetTemplate: () => ({ method: 'GET', path: `/api/staff/templates/${contractTemplateId}` }),
  staffSaveTemplateVersion: () => ({ method: 'POST', path: `/api/staff/templates/${contractTemplateId}/versions`, body: { name: `Contract template ${uniq}`, flows: [{ flowId }], message: 'contract' } }),
  staffPublishTemplate: () => ({ method: 'POST', path: `/api/staff/templates/${contractTemplateId}/publish`, body: { version: 1, rollout: { kind: 'percent', percent: 30 } } }),
  staffListRollouts: () => ({ method: 'GET', path: `/api/staff/templates/${contractTemplateId}/rollouts` }),
  staffRolloutTemplate: () => ({ method: 'POST', path: `/api/staff/templates/${contractTemplateId}/rollouts`, body: { version: 1, target: { kind: 'all' } } }),
  staffRollbackRollout: async () => {
    const r = await send({ method: 'POST', path: `/api/staff/templates/${contractTemplateId}/rollouts`, body: { version: 1, target: { kind: 'all' } } }, { cookie: staff.owner });
    return { method: 'POST', path: `/api/staff/templates/${contractTemplateId}/rollouts/${(r.json as Json).id}/rollback` };
  },
  staffShadowReplay: () => ({ method: 'POST', path: `/api/staff/templates/${contractTemplateId}/shadow`, body: { fromVersion: 1, toVersion: 1, limit: 3 } }),
  staffPinCustomerTemplate: async (c) => {
    await send({ method: 'POST', path: `/api/v1/customers/${c}/templates/${routingTemplateId}`, body: {} }, { key: apiKey() });
    return { method: 'PUT', path: `/api/staff/templates/${routingTemplateId}/customers/${c}`, body: { pinned: false } };
  },
  staffCreateCustomer: () => ({ method: 'POST', path: '/api/staff/customers', body: { externalId: `contract-staff-${Math.random().toString(36).slice(2, 8)}`, name: 'By hand', defaultCountry: 'GB' } }),
  staffGetPhoneSystem: (c) => ({ method: 'GET', path: `/api/staff/customers/${c}/phone-system` }),
  staffPutPhoneSystem: (c) => ({ method: 'PUT', path: `/api/staff/customers/${c}/phone-system`, body: { baseUrl: 'http://127.0.0.1:1', credentials: { token: 't' }, webhookSecret } }),
  staffListCalls: () => ({ method: 'GET', path: '/api/staff/calls' }),
  staffListSyncs: () => ({ method: 'GET', path: '/api/staff/syncs' }),
  staffListSyncSources: () => ({ method: 'GET', path: '/api/staff/syncs/sources' }),
  staffStartSync: (c) => ({ method: 'POST', path: '/api/staff/syncs/runs', body: { customer: c, source: 'hubspot' } }),
  staffListApiKeys: () => ({ method: 'GET', path: '/api/staff/api-keys' }),
  staffCreateApiKey: (c) => ({ method: 'POST', path: '/api/staff/api-keys', body: { name: 'contract', customer: c } }),
  staffRotateApiKey: async () => {
    const made = await send({ method: 'POST', path: '/api/staff/api-keys', body: { name: 'to rotate' } }, { cookie: staff.owner });
    return { method: 'POST', path: `/api/staff/api-keys/${(made.json as Json).id}/rotate` };
  },
  staffRevokeApiKey: async () => {
    const made = await send({ method: 'POST', path: '/api/staff/api-keys', body: { name: 'to revoke' } }, { cookie: staff.owner });
    return { method: 'DELETE', path: `/api/staff/api-keys/${(made.json as Json).id}` };
  },
  staffListAudit: () => ({ method: 'GET', path: '/api/staff/audit?limit=20' }),
  staffGetEmbedding: () => ({ method: 'GET', path: '/api/staff/embedding' }),
  // Keeps the widget action the widget samples run (lookup → caller_lookup).
  staffSaveEmbedding: () => ({ method: 'PUT', path: '/api/staff/embedding', body: { brandName: 'Contract Voice', primaryColor: '#0f766e', allowedOrigins: ['https://app.contract.example'], actions: [{ key: 'lookup', label: 'Look up', automation: 'caller_lookup' }] } }),
  staffCreateWidgetPreviewToken: (c) => ({ method: 'POST', path: '/api/staff/embedding/widget-token', body: { customer: c } }),
};

/** Every operation in the document: [path template, method, operation]. */
function operations(): [string, string, Json][] {
  const out: [string, string, Json][] = [];
  for (const [p, item] of Object.entries(doc.paths as Json)) for (const [m, op] of Object.entries(item as Json)) out.push([p, m.toUpperCase(), op as Json]);
  return out;
}

const securityOf = (op: Json): string | null => (op.security?.[0] ? Object.keys(op.security[0])[0] : null);

let ajv: Ajv2020;
/** Checks an answer against the operation's documented responses: the status is listed and the JSON body matches. */
function checkAgainstDocument(op: Json, a: Answer): void {
  const documented = op.responses[String(a.status)];
  expect(documented, `${op.operationId} answered ${a.status}, which the document does not list (${Object.keys(op.responses).join(', ')}): ${a.text.slice(0, 300)}`).toBeDefined();
  const json = documented.content?.['application/json'];
  if (json) {
    expect(a.contentType).toMatch(/application\/json/);
    const validate = ajv.compile(json.schema.$ref ? doc.components.schemas.Error : json.schema);
    expect(validate(a.json), `${op.operationId} ${a.status} body does not match the document: ${ajv.errorsText(validate.errors)}\n${a.text.slice(0, 300)}`).toBe(true);
  } else if (documented.content?.['text/html']) {
    expect(a.contentType).toMatch(/text\/html/);
  }
}

beforeAll(async () => {
  const res = await fetch(`${baseUrl()}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);

  for (const id of [custA, custB]) expect((await api('/api/v1/customers', { body: { externalId: id, name: `Customer ${id}` } })).status).toBe(201);
  const sql = db();
  const [a] = await sql`select c.id, c.vendor_id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = ${custA}`;
  vendorSlug = a.slug;
  const [f] = await sql`select id from flows where vendor_id = ${a.vendor_id} and automation = 'caller_lookup' and deleted_at is null limit 1`;
  flowId = f.id;
  [{ id: routingTemplateId }] = await sql`select id from templates where vendor_id = ${a.vendor_id} and slug = 'call_routing' and deleted_at is null`;
  contractTemplateId = (await createTemplate(sql, { vendorId: a.vendor_id, slug: `contract_${uniq}`, input: { name: `Contract template ${uniq}`, flows: [{ flowId }] }, publish: true })).id;
  const key = Buffer.from(JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).encryptionKey, 'hex');
  for (const c of [a.id, (await sql`select id from customers where external_id = ${custB}`)[0].id]) {
    await saveConnection(sql, key, { customerId: c, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: 'http://127.0.0.1:1', credentials: { token: 't', webhookSecret } });
  }
  const other = await createVendor(sql, { slug: `contract-other-${uniq}`, name: 'Other vendor' });
  await createCustomer(sql, { vendorId: other.id, externalId: `contract-other-c-${uniq}`, name: 'Other vendor\'s customer', defaultCountry: 'US' });
  otherVendorKey = (await createApiKey(sql, { vendorId: other.id, name: 'other' })).key;
  // Traced: recorded in full whatever the recording policy, so getRun finds it.
  const lookup = await api('/api/v1/customers/demo/automations/caller_lookup', { body: { phone: '+1 415-704-0007' }, headers: { 'x-patchbay-trace': '1' } });
  runId = lookup.headers.get('x-patchbay-run-id')!;
  emu = await startHubspotEmulator({ contacts: 3, token: 'hs-contract', oauth: demoApp('hubspot', inject('dataDir'))! });
  sessions.a = await openSession(custA);
  sessions.b = await openSession(custB);

  // Staff sessions as next-auth issues them at sign-in (the API suite's server runs without the Next.js app).
  process.env.NEXTAUTH_SECRET ??= JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).authSecret;
  const staffUser = async (vendorId: string, role: 'owner' | 'editor' | 'viewer') => {
    const email = `${role}-${uniq}-${Math.random().toString(36).slice(2, 6)}@contract.test`;
    const [u] = await sql<{ id: string }[]>`insert into staff_users (vendor_id, email, name, password_hash, role) values (${vendorId}, ${email}, ${role}, 'x', ${role}) returning id`;
    return mintStaffSessionCookie({ userId: u.id, vendorId, role, email, name: role, sid: `contract-${u.id}` });
  };
  staff.owner = await staffUser(a.vendor_id, 'owner');
  staff.editor = await staffUser(a.vendor_id, 'editor');
  staff.viewer = await staffUser(a.vendor_id, 'viewer');
  staff.otherOwner = await staffUser(other.id, 'owner');
  const made = await send({ method: 'POST', path: '/api/staff/flows', body: { definition: staffFlow(`contract_staff_${uniq}`) } }, { cookie: staff.owner });
  expect(made.status, made.text).toBe(201);
  staffFlowId = (made.json as Json).id;
  const [bId] = await sql<{ id: string }[]>`select id from customers where external_id = ${custB} and vendor_id = ${a.vendor_id}`;
  keyOfB = (await createApiKey(sql, { vendorId: a.vendor_id, customerId: bId.id, name: 'customer B only' })).key;
  keyOfA = (await createApiKey(sql, { vendorId: a.vendor_id, customerId: a.id, name: 'customer A only' })).key;
  // The widget: one action (caller_lookup, enabled for customer A) and a token per customer.
  await replaceWidgetActions(sql, a.vendor_id, [{ key: 'lookup', label: 'Look up', automation: 'caller_lookup' }]);
  await enableIntegration(sql, { vendorId: a.vendor_id, customerId: a.id, flowId });
  for (const c of ['a', 'b'] as const) widgetTokens[c] = (await api(`/api/v1/customers/${c === 'a' ? custA : custB}/widget-tokens`, { method: 'POST' })).body.token;
});

afterAll(async () => {
  // The syncs the samples started (enabling Caller ID in the portal) read this file's HubSpot emulator: let them end
  // and stop their schedules before it closes, so the suite's server is not left retrying a closed CRM.
  const sql = db();
  const ours = (await sql<{ id: string }[]>`select id from customers where external_id in (${custA}, ${custB})`).map((r) => r.id);
  await sql`update sync_states set enabled = false where customer_id = any(${ours}::uuid[])`;
  for (let i = 0; i < 150; i++) {
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from sync_runs where customer_id = any(${ours}::uuid[]) and status in ('queued', 'running')`;
    if (!n) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await emu?.close();
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const r = await validator.validate(doc);
    expect(r.errors ?? [], JSON.stringify(r.errors)?.slice(0, 2000)).toEqual([]);
    expect(r.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every route the server declares, and the test has a valid call for every documented route', () => {
    const documented = new Set(operations().map(([, , op]) => op.operationId as string));
    for (const r of routes) {
      if (r.undocumented) continue;
      expect(documented.has(r.operationId), `route ${r.method} ${r.path} is not in the document`).toBe(true);
    }
    expect([...documented].sort()).toEqual(Object.keys(samples).sort());
    expect(Object.keys(doc.paths)).toContain('/api/v1/customers/{customerId}/automations/{name}');
    // Staff handlers written as Next.js route handlers (lib/auth/with-staff.ts) are undocumented: declare them in lib/api/staff/.
    const nextStaff = fs.existsSync('app/api/staff') ? (fs.readdirSync('app/api/staff', { recursive: true }) as string[]).filter((f) => f.endsWith('route.ts')) : [];
    expect(nextStaff, 'staff routes outside the route declarations (not in the OpenAPI document)').toEqual([]);
  });

  it('is served with a docs page whose assets come from this server', async () => {
    const page = await send({ method: 'GET', path: '/api/docs' });
    expect(page.status).toBe(200);
    for (const asset of [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])) {
      expect(asset.startsWith('/api/docs/'), asset).toBe(true);
      const r = await fetch(baseUrl() + asset);
      expect(r.status, asset).toBe(200);
      expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(10);
    }
    expect((await send({ method: 'GET', path: '/api/docs/../package.json' })).status).toBe(404);
  });

  it('an undeclared route answers the documented error body (404), a wrong method 405', async () => {
    const none = await send({ method: 'GET', path: '/api/v1/customers/demo/nothing-here' }, { key: apiKey() });
    expect(none.status).toBe(404);
    expect(none.json).toMatchObject({ error: { code: 'not_found' } });
    const wrong = await send({ method: 'DELETE', path: '/api/v1/health' });
    expect(wrong.status).toBe(405);
  });
});

describe('every documented route', () => {
  it('answers valid input with a documented status and a body matching the document', async () => {
    for (const [, method, op] of operations()) {
      const call = await samples[op.operationId](custA);
      expect(call.method).toBe(method);
      const sec = securityOf(op);
      const a = await send(call, { key: sec === 'apiKey' ? apiKey() : sec === 'widgetToken' ? widgetTokens.a : null, cookie: sec === 'staffSession' ? staff.owner : sec === 'portalSession' || op.operationId === 'portalOAuthCallback' ? sessions.a : null });
      expect(a.status, `${op.operationId}: ${a.text.slice(0, 300)}`).toBeLessThan(400);
      checkAgainstDocument(op, a);
    }
    // signing out dropped nothing server-side; the session cookie still names customer A for the next tests
  });

  it('refuses the wrong credentials with a documented 401/403/404 and the error body, never data', async () => {
    let checked = 0;
    for (const [, , op] of operations()) {
      const sec = securityOf(op);
      const id = op.operationId as string;
      const attempts: { what: string; call: Call; auth: { key?: string | null; cookie?: string | null } }[] = [];
      if (sec === 'apiKey') {
        attempts.push({ what: 'no key', call: await samples[id](custA), auth: {} });
        attempts.push({ what: 'a revoked or mistyped key', call: await samples[id](custA), auth: { key: 'pb_not_a_key' } });
        // Another vendor's key reaches only that vendor's objects: A's customer and run are not found for it.
        if (op.parameters.some((p: Json) => p.name === 'customerId' || p.name === 'runId')) attempts.push({ what: "another vendor's key", call: await samples[id](custA), auth: { key: otherVendorKey } });
        // A key confined to customer B reaches neither customer A nor anything but running automations and reading runs.
        attempts.push({ what: "another customer's key", call: await samples[id](custA), auth: { key: keyOfB } });
        if (op.responses['403']) attempts.push({ what: 'a customer key where only vendor keys may call', call: await samples[id](custA), auth: { key: keyOfA } });
      } else if (sec === 'staffSession') {
        const role = op['x-patchbay-role'] as string;
        attempts.push({ what: 'no staff session', call: await samples[id](custA), auth: {} });
        if (role !== 'viewer') attempts.push({ what: 'a viewer', call: await samples[id](custA), auth: { cookie: staff.viewer } });
        if (role === 'owner') attempts.push({ what: 'an editor', call: await samples[id](custA), auth: { cookie: staff.editor } });
        // Another vendor's staff member: every object named in the path (flow, run, customer, key) is not found.
        if (op.parameters.some((p: Json) => p.in === 'path')) attempts.push({ what: "another vendor's staff member", call: await samples[id](custA), auth: { cookie: staff.otherOwner } });
        const call = await samples[id](custA);
        if (role !== 'viewer') attempts.push({ what: 'a foreign Origin', call: { ...call, headers: { ...call.headers, origin: 'https://evil.example' } }, auth: { cookie: staff.owner } });
      } else if (sec === 'portalSession') {
        attempts.push({ what: 'no session', call: await samples[id](custA), auth: {} });
        attempts.push({ what: "another customer's session", call: await samples[id](custA), auth: { cookie: sessions.b } });
        const call = await samples[id](custA);
        if (call.method !== 'GET') attempts.push({ what: 'a foreign Origin', call: { ...call, headers: { ...call.headers, origin: 'https://evil.example' } }, auth: { cookie: sessions.a } });
      } else if (sec === 'widgetToken') {
        attempts.push({ what: 'no widget token', call: await samples[id](custA), auth: {} });
        attempts.push({ what: 'an altered widget token', call: await samples[id](custA), auth: { key: `${widgetTokens.a.slice(0, -2)}xx` } });
        attempts.push({ what: "another customer's widget token", call: await samples[id](custA), auth: { key: widgetTokens.b } });
        attempts.push({ what: 'the vendor\'s API key', call: await samples[id](custA), auth: { key: apiKey() } });
      } else if (sec?.startsWith('signature_')) {
        const call = id === 'hubspotWebhook' ? hubspotHook(false) : phoneHook(custA, false);
        attempts.push({ what: 'no signature', call, auth: {} });
        const forged = id === 'hubspotWebhook' ? hubspotHook() : phoneHook(custA);
        attempts.push({ what: 'a signature over another body', call: { ...forged, raw: forged.raw!.replace('}', ',"x":1}') }, auth: {} });
      } else if (id === 'portalOAuthCallback') {
        attempts.push({ what: 'no session', call: await samples[id](custA), auth: {} });
      } else if (id === 'openPortalLink') {
        const call = await samples[id](custA);
        attempts.push({ what: 'an altered token', call: { ...call, path: call.path.replace(/token=(.)/, (_m, c: string) => `token=${c === 'A' ? 'B' : 'A'}`) }, auth: {} });
      } else if (id === 'portalSignOut') {
        attempts.push({ what: 'a foreign Origin', call: { ...(await samples[id](custA)), headers: { origin: 'https://evil.example' } }, auth: {} });
      }
      for (const t of attempts) {
        const a = await send(t.call, t.auth);
        expect([401, 403, 404, 410], `${id} with ${t.what} answered ${a.status}: ${a.text.slice(0, 200)}`).toContain(a.status);
        checkAgainstDocument(op, a);
        if (a.contentType.includes('json')) expect(Object.keys(a.json as Json)).toEqual(['error']);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
