// The public API (/api/v1): called by phone systems and the vendor's backend with an API key.
// Served by the custom server before Next.js so the hot path (caller_lookup) is: key check (cached),
// customer (cached), compiled flow (cached), one indexed CDP query, JSON out.
import { newRunId } from '../runs/run-id';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type postgres from 'postgres';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { AUTOMATION_NAME, checkTriggerInput, PatchbayError, unifiedContactSchema } from '@/engine';
import { phoneSystemConnectionSchema, provisionPhoneSystem, readPhoneSystemConnection } from '../connections/phone-system-connection';
import { assertStorableText } from './input-guard';
import { deleteContacts, upsertContacts } from '../cdp/pg-cdp';
import { resolveAutomation } from '../engine-host/automation-cache';
import type { EngineHost } from '../engine-host/host';
import { enableIntegration } from '../flows/flows';
import { createPortalLink, LINK_TTL_DEFAULT_SEC, LINK_TTL_MAX_SEC } from '../portal/portal-session';
import { portalSecret } from '../portal/portal-tokens';
import { authenticateKey, type KeyPrincipal } from '../tenancy/api-keys';
import { createCustomer, resolveCustomer, URL_ID, type CustomerRef } from '../tenancy/customers';
import { readRun } from '../runs/read-run';
import { deleteFromWebhook } from '../sync/delete-webhook';
import { assertSyncSource } from '../sync/start-sync';
import { createGuardedFetch } from '../engine-host/guarded-fetch';
import { ApiError, readJson, sendError, sendJson } from './http-io';
import { handlePhoneWebhook, HOOK_PATH } from './phone-webhooks';
import { CRM_HOOK_PATH, handleHubspotWebhook } from './crm-webhooks';

export interface PublicApiDeps { sql: postgres.Sql; host: EngineHost; encryptionKey: Buffer }

type Handler = (ctx: { req: IncomingMessage; res: ServerResponse; query: () => URLSearchParams; params: string[]; principal: KeyPrincipal; deps: PublicApiDeps }) => Promise<unknown>;

const routes: [string, RegExp, Handler][] = [];
const route = (method: string, re: RegExp, h: Handler) => routes.push([method, re, h]);

function zodProblem(err: z.ZodError, prefix: (string | number)[] = []): ApiError {
  const i = err.issues[0];
  const path = [...prefix, ...(i.path as (string | number)[])];
  return new ApiError(400, 'invalid_input', `${path.length ? `"${path.join('.')}"` : 'body'}: ${i.message}`, {
    path, issues: err.issues.slice(0, 50).map((x) => ({ path: [...prefix, ...(x.path as (string | number)[])], message: x.message })),
  });
}

async function customerFor(deps: PublicApiDeps, principal: KeyPrincipal, externalId: string): Promise<CustomerRef> {
  const c = await resolveCustomer(deps.sql, principal.vendorId, externalId);
  // Another vendor's customer and a customer outside a scoped key look exactly like a missing one.
  if (!c || (principal.customerId && principal.customerId !== c.id)) throw new ApiError(404, 'customer_not_found', `No customer "${printable(externalId)}"`);
  return c;
}

// Run a named automation.
route('POST', /^\/api\/v1\/customers\/([^/]+)\/automations\/([^/]+)$/, async ({ req, res, query, params, principal, deps }) => {
  const [cid, name] = params;
  if (!AUTOMATION_NAME.test(name)) throw new ApiError(404, 'automation_not_found', `No automation "${name}"`);
  const customer = await customerFor(deps, principal, cid);
  const automation = await resolveAutomation(deps.sql, customer.id, name);
  if (!automation) throw new ApiError(404, 'automation_not_found', `Customer "${cid}" has no enabled automation "${name}"`);
  const body = await readJson(req);
  const problems = checkTriggerInput(automation.triggerFields, body);
  if (problems.length) throw new ApiError(400, 'invalid_input', problems[0].message, { path: problems[0].path ? problems[0].path.split('.') : [], issues: problems });
  const exec = {
    vendorId: principal.vendorId, customer: { id: customer.id, defaultCountry: customer.defaultCountry },
    flowId: automation.flowId, flowVersion: automation.version, compiled: automation.compiled, options: automation.options, trigger: body,
  };
  const asyncParam = query().get('async');
  if (asyncParam !== null && asyncParam !== 'true' && asyncParam !== 'false') throw new ApiError(400, 'invalid_input', `"async": true or false (got "${asyncParam.slice(0, 40)}")`, { path: ['async'] });
  if (asyncParam === 'true') {
    const runId = newRunId();
    await deps.host.recorder.recordNow({
      id: runId, vendorId: principal.vendorId, customerId: customer.id, flowId: automation.flowId, flowVersion: automation.version, automation: name,
      mode: 'live', status: 'queued', trigger: body, response: null, error: null, startedAt: new Date(), finishedAt: null, durationMs: null, steps: [],
    });
    if (!deps.host.opts.enqueueRun) throw new ApiError(503, 'jobs_unavailable', 'The job engine is not running; try again shortly');
    await deps.host.opts.enqueueRun(runId);
    return sendJson(res, 202, { runId, status: 'queued', links: { run: `/api/v1/runs/${runId}` } }, { location: `/api/v1/runs/${runId}` });
  }
  const out = await deps.host.execute(exec);
  if (out.status === 'timeout') throw new ApiError(504, 'timeout', out.error!.message, { runId: out.runId });
  if (out.response) {
    const sent = sendJson(res, out.response.status, out.response.body, { 'x-patchbay-run-id': out.runId, ...out.response.headers });
    // The run record stores the body as sent instead of serialising it again.
    if (out.record && out.record.response === out.response) out.record.responseBodyJson = sent;
    return;
  }
  if (out.status === 'failed') throw new ApiError(502, out.error?.code ?? 'run_failed', out.error?.message ?? 'The flow failed', { runId: out.runId, nodeId: out.error?.nodeId });
  if (out.status === 'waiting') return sendJson(res, 202, { runId: out.runId, status: 'waiting' }, { 'x-patchbay-run-id': out.runId });
  return sendJson(res, 200, { runId: out.runId, status: out.status }, { 'x-patchbay-run-id': out.runId });
});

route('GET', /^\/api\/v1\/runs\/([^/]+)$/, async ({ res, params, principal, deps }) => {
  const [id] = params;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new ApiError(404, 'run_not_found', `No run "${id.slice(0, 100)}"`);
  const pending = deps.host.recorder.pending.get(id);
  const run = pending && pending.vendorId === principal.vendorId ? null : await readRun(deps.sql, principal.vendorId, id);
  const found = run ?? (pending && pending.vendorId === principal.vendorId ? {
    id: pending.id, status: pending.status, automation: pending.automation, customerId: pending.customerId, mode: pending.mode,
    startedAt: pending.startedAt.toISOString(), finishedAt: pending.finishedAt?.toISOString() ?? null, durationMs: pending.durationMs,
    trigger: pending.trigger, response: pending.response, error: pending.error, steps: pending.steps,
  } : null);
  if (!found || (principal.customerId && found.customerId !== principal.customerId)) throw new ApiError(404, 'run_not_found', `No run "${id}"`);
  const { customerId: _internal, customerExternalId, ...rest } = found as typeof found & { customerExternalId?: string | null };
  return sendJson(res, 200, { ...rest, customer: customerExternalId ?? null });
});

const ingestSchema = z.object({ contacts: z.array(z.unknown()).min(1, 'send at least one contact').max(5000, 'at most 5000 contacts per call') });

route('POST', /^\/api\/v1\/customers\/([^/]+)\/cdp\/contacts$/, async ({ req, res, params, principal, deps }) => {
  const customer = await customerFor(deps, principal, params[0]);
  const body = ingestSchema.safeParse(await readJson(req));
  if (!body.success) throw zodProblem(body.error);
  const contacts = [];
  for (let i = 0; i < body.data.contacts.length; i++) {
    const c = unifiedContactSchema.safeParse(body.data.contacts[i]);
    if (!c.success) throw zodProblem(c.error, ['contacts', i]);
    contacts.push(c.data);
  }
  const r = await upsertContacts(deps.sql, customer.id, customer.defaultCountry, contacts);
  const index = new Map(contacts.map((c, i) => [`${c.source}\u0000${c.externalId}`, i]));
  return sendJson(res, 200, {
    received: contacts.length, inserted: r.inserted, updated: r.updated, unchanged: r.unchanged,
    problems: r.problems.map((p) => ({ index: p.index ?? index.get(`${p.source}\u0000${p.externalId}`), source: p.source, externalId: p.externalId, phone: p.phone, reason: p.reason })),
  });
});

route('DELETE', /^\/api\/v1\/customers\/([^/]+)\/cdp\/contacts\/([^/]+)\/([^/]+)$/, async ({ res, params, principal, deps }) => {
  const customer = await customerFor(deps, principal, params[0]);
  const n = await deleteContacts(deps.sql, customer.id, assertStorableText(params[1], ['source']), [assertStorableText(params[2], ['externalId'])]);
  if (!n) throw new ApiError(404, 'contact_not_found', `No contact ${params[1]}/${params[2]}`);
  return sendJson(res, 200, { deleted: n });
});

const customerSchema = z.object({
  externalId: z.string().min(1).max(200).regex(URL_ID, 'letters, digits and . _ ~ - only (it is used in URLs)'),
  name: z.string().min(1).max(200),
  defaultCountry: z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as US').refine((c) => isSupportedCountry(c.toUpperCase()), 'not a country code libphonenumber knows (ISO 3166-1 alpha-2, such as US or GB)').default('US'),
});

route('POST', /^\/api\/v1\/customers$/, async ({ req, res, principal, deps }) => {
  if (principal.customerId) throw new ApiError(403, 'forbidden', 'A customer-scoped key cannot create customers');
  const body = customerSchema.safeParse(await readJson(req));
  if (!body.success) throw zodProblem(body.error);
  const { ref, created } = await createCustomer(deps.sql, { vendorId: principal.vendorId, ...body.data });
  return sendJson(res, created ? 201 : 200, { id: ref.externalId, name: ref.name, defaultCountry: ref.defaultCountry, created });
});

route('GET', /^\/api\/v1\/customers\/([^/]+)$/, async ({ res, params, principal, deps }) => {
  const c = await customerFor(deps, principal, params[0]);
  return sendJson(res, 200, { id: c.externalId, name: c.name, defaultCountry: c.defaultCountry });
});

const integrationSchema = z.object({
  flowId: z.string().uuid('a flow id (uuid)'),
  flowVersion: z.number().int().positive().max(2_147_483_647, 'no flow has that many versions').nullish(),
  options: z.record(z.string(), z.unknown()).default({}),
});

route('POST', /^\/api\/v1\/customers\/([^/]+)\/integrations$/, async ({ req, res, params, principal, deps }) => {
  const customer = await customerFor(deps, principal, params[0]);
  const body = integrationSchema.safeParse(await readJson(req));
  if (!body.success) throw zodProblem(body.error);
  try {
    const r = await enableIntegration(deps.sql, { vendorId: principal.vendorId, customerId: customer.id, ...body.data });
    return sendJson(res, 200, { id: r.id, automation: r.automation, enabled: true });
  } catch (err) {
    if ((err as Error).message === 'flow not found') throw new ApiError(404, 'flow_not_found', `No flow ${body.data.flowId}`, { path: ['flowId'] });
    throw err;
  }
});

const portalLinkSchema = z.object({
  expiresInSeconds: z.number().int().min(60, 'at least 60 seconds').max(LINK_TTL_MAX_SEC, `at most ${LINK_TTL_MAX_SEC} seconds`).default(LINK_TTL_DEFAULT_SEC),
});

// A signed, short-lived link to the customer portal (connections), for the vendor's backend to hand its user.
route('POST', /^\/api\/v1\/customers\/([^/]+)\/portal-links$/, async ({ req, res, params, principal, deps }) => {
  const customer = await customerFor(deps, principal, params[0]);
  const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
  const body = portalLinkSchema.safeParse(hasBody ? await readJson(req, 16 * 1024) : {});
  if (!body.success) throw zodProblem(body.error);
  const link = createPortalLink(portalSecret(), { id: customer.id, vendorId: customer.vendorId, externalId: customer.externalId }, body.data.expiresInSeconds);
  return sendJson(res, 201, link);
});

const contactsDeletedSchema = z.object({
  ids: z.array(z.union([z.string().min(1).max(256), z.number().int().nonnegative()])).min(1, 'send at least one id').max(1000, 'at most 1000 ids per call'),
  kind: z.enum(['person', 'company']).default('person'),
});

// A CRM's delete webhook (relayed by the vendor's backend): the records leave the CDP and the phonebook at once.
route('POST', /^\/api\/v1\/customers\/([^/]+)\/webhooks\/([^/]+)\/contacts-deleted$/, async ({ req, res, params, principal, deps }) => {
  const customer = await customerFor(deps, principal, params[0]);
  const system = params[1];
  try { assertSyncSource(system); } catch (err) { throw new ApiError(404, 'unknown_system', (err as Error).message, { path: ['system'] }); }
  const body = contactsDeletedSchema.safeParse(await readJson(req));
  if (!body.success) throw zodProblem(body.error);
  const out = await deleteFromWebhook(
    { sql: deps.sql, encryptionKey: deps.host.opts.encryptionKey, fetch: createGuardedFetch(deps.host.opts.allowPrivateHosts) },
    { id: customer.id, defaultCountry: customer.defaultCountry },
    system,
    body.data.ids.map((id) => ({ id: String(id), kind: body.data.kind })),
  );
  return sendJson(res, 200, out);
});

// The customer's phone-system connection is the vendor's to set (the phone system is the vendor's product):
// base URL, API credentials and the webhook secret that signs call events. Never answered back.
route('PUT', /^\/api\/v1\/customers\/([^/]+)\/connections\/phonesystem$/, async ({ req, res, params, principal, deps }) => {
  const customer = await customerFor(deps, principal, params[0]);
  const body = phoneSystemConnectionSchema.safeParse(await readJson(req, 128 * 1024));
  if (!body.success) throw zodProblem(body.error);
  try {
    return sendJson(res, 200, await provisionPhoneSystem(deps.sql, deps.encryptionKey, customer.id, body.data));
  } catch (err) {
    if (err instanceof PatchbayError && err.code === 'invalid_params') throw new ApiError(400, 'invalid_input', err.message, { path: err.path ?? [] });
    throw err;
  }
});

route('GET', /^\/api\/v1\/customers\/([^/]+)\/connections\/phonesystem$/, async ({ res, params, principal, deps }) => {
  const customer = await customerFor(deps, principal, params[0]);
  const view = await readPhoneSystemConnection(deps.sql, deps.encryptionKey, customer.id);
  if (!view) throw new ApiError(404, 'connection_not_found', `Customer "${customer.externalId}" has no phone-system connection`);
  return sendJson(res, 200, view);
});

/** For messages: an id as text people can read (control characters shown as ?). */
const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);

function decodePathPart(part: string): string {
  try { return decodeURIComponent(part); } catch { throw new ApiError(400, 'invalid_path', `The path segment "${part}" is not valid percent-encoding`, { path: ['url'] }); }
}

/** Handles /api/v1/*; returns false for paths it does not own. */
export async function handlePublicApi(req: IncomingMessage, res: ServerResponse, deps: PublicApiDeps): Promise<boolean> {
  // Split by hand: the hot path needs only the path; the query string is parsed when a handler asks.
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  if (!pathname.startsWith('/api/v1/')) return false;
  const query = () => new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  try {
    if (pathname === '/api/v1/health') { sendJson(res, 200, { ok: true }); return true; }
    const crmHook = CRM_HOOK_PATH.exec(pathname);
    if (crmHook) {
      await handleHubspotWebhook(req, res, decodePathPart(crmHook[1]), deps);
      return true;
    }
    const hook = HOOK_PATH.exec(pathname);
    if (hook) {
      if (req.method !== 'POST') throw new ApiError(405, 'method_not_allowed', 'Webhooks are POSTed');
      await handlePhoneWebhook(req, res, hook.slice(1).map(decodePathPart), deps);
      return true;
    }
    let match: RegExpExecArray | null = null;
    let handler: Handler | null = null;
    const allowed: string[] = [];
    for (const [method, re, h] of routes) {
      const m = re.exec(pathname);
      if (!m) continue;
      allowed.push(method);
      if (method === req.method) { match = m; handler = h; break; }
    }
    if (!allowed.length) throw new ApiError(404, 'not_found', `No API route ${pathname}`);
    if (!handler || !match) throw new ApiError(405, 'method_not_allowed', `${req.method} is not allowed here (use ${allowed.join(', ')})`);
    const auth = req.headers.authorization;
    const key = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null;
    if (!key) throw new ApiError(401, 'unauthorized', 'Send the API key as "Authorization: Bearer <key>"');
    const principal = await authenticateKey(deps.sql, key);
    if (!principal) throw new ApiError(401, 'unauthorized', 'The API key is not valid (revoked or mistyped)');
    const params = match.slice(1).map(decodePathPart);
    await handler({ req, res, query, params, principal, deps });
  } catch (err) {
    if (res.headersSent) { res.end(); return true; }
    if (err instanceof ApiError) sendError(res, err);
    else {
      console.error('[patchbay] API error', err);
      sendError(res, new ApiError(500, 'internal_error', 'Something went wrong on our side; the error was logged'));
    }
  }
  return true;
}
