// Call webhooks from the phone system: POST /api/v1/hooks/{vendor}/{customer}/phone-system
// Signed with HMAC-SHA256 (the secret is `webhookSecret` in the customer's phone-system connection),
// deduplicated by delivery id (a re-delivered webhook runs nothing twice), and handed to the customer's
// automation named after the event (call.ended → call_ended, else call_logging for the events that end a call or
// change it afterwards, else call_events) as a durable queued run. Call events are also folded into the
// customer's call session (lib/calls/), which wakes runs waiting on that call.
import type { KeyInput } from '../crypto/credentials';
import { newRunId } from '../runs/run-id';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type postgres from 'postgres';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifyWebhookSignature } from '@/engine/connectors';
import { CALL_EVENTS, callEventSchema, type CallEventBody } from '@/engine';
import { recordCallEvent } from '../calls/call-sessions';
import { resolveAutomation } from '../engine-host/automation-cache';
import { loadConnection } from '../engine-host/connections';
import type { EngineHost } from '../engine-host/host';
import { resolveCustomer, URL_ID } from '../tenancy/customers';
import { ApiError, readRaw, sendJson } from './http-io';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './input-guard';

const vendorCache = new Map<string, { id: string | null; expires: number }>();

async function vendorIdBySlug(sql: postgres.Sql, slug: string): Promise<string | null> {
  const hit = vendorCache.get(slug);
  if (hit && hit.expires > Date.now()) return hit.id;
  const rows = await sql<{ id: string }[]>`select id from vendors where slug = ${slug}`;
  const id = rows[0]?.id ?? null;
  vendorCache.set(slug, { id, expires: Date.now() + 30_000 });
  return id;
}

const PRINTABLE = /^[\x21-\x7e]+$/;

/** Events the call_logging template handles: the call is over, or something about it changed afterwards. */
const CALL_LOGGING_EVENTS = new Set(['call.ended', 'call.missed', 'call.declined', 'recording.ready', 'notes.updated']);
const CALL_EVENT_NAMES = new Set<string>(CALL_EVENTS);

export async function handlePhoneWebhook(req: IncomingMessage, res: ServerResponse, params: string[], deps: { sql: postgres.Sql; host: EngineHost; encryptionKey: KeyInput }): Promise<unknown> {
  const [vendorSlug, customerExternalId] = params;
  const raw = await readRaw(req);
  // A missing vendor or customer answers exactly like a customer without a webhook secret: the sender learns
  // nothing about which customers exist (ids no customer can have are not looked up, nor reach PostgreSQL).
  const notConfigured = () => new ApiError(401, 'webhook_not_configured', 'No webhook secret is set for this phone-system connection');
  if (!URL_ID.test(vendorSlug) || !URL_ID.test(customerExternalId)) throw notConfigured();
  const vendorId = await vendorIdBySlug(deps.sql, vendorSlug);
  const customer = vendorId ? await resolveCustomer(deps.sql, vendorId, customerExternalId) : null;
  let secret: string | undefined;
  if (vendorId && customer) {
    try {
      const conn = await loadConnection(deps.sql, deps.encryptionKey, customer.id, 'phonesystem');
      secret = typeof conn.credentials.webhookSecret === 'string' ? conn.credentials.webhookSecret : undefined;
    } catch { /* no connection */ }
  }
  if (!vendorId || !customer || !secret) throw notConfigured();
  if (!verifyWebhookSignature(secret, raw, req.headers[SIGNATURE_HEADER])) throw new ApiError(401, 'bad_signature', `The ${SIGNATURE_HEADER} header does not match the body`);
  let body: Record<string, unknown>;
  try {
    const text = raw.toString('utf8');
    // NUL and unpaired surrogates are kept (the run record stores U+FFFD for them; a sender retries a refusal
    // for days), but a body nested past MAX_JSON_DEPTH is refused before parsing.
    if (jsonDepthExceeds(text)) throw new Error(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    const parsed = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a JSON object');
    body = parsed;
  } catch (err) {
    throw new ApiError(400, 'invalid_json', `The webhook body is not a JSON object: ${(err as Error).message}`, { path: [] });
  }
  const event = String(req.headers[EVENT_HEADER] ?? body.event ?? '');
  const deliveryId = String(req.headers[DELIVERY_HEADER] ?? body.deliveryId ?? '');
  if (!/^[a-z]+(\.[a-z_]+)+$/.test(event)) throw new ApiError(400, 'invalid_input', `"event" must look like call.ended (got "${event}")`, { path: ['event'] });
  if (!deliveryId || deliveryId.length > 200 || !PRINTABLE.test(deliveryId)) throw new ApiError(400, 'invalid_input', `The ${DELIVERY_HEADER} header (or "deliveryId") is required: up to 200 printable characters`, { path: ['deliveryId'] });

  let callEvent: CallEventBody | null = null;
  if (CALL_EVENT_NAMES.has(event)) {
    const parsed = callEventSchema.safeParse({ ...body, event });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(400, 'invalid_input', `${issue.path.join('.') || 'body'}: ${issue.message}`, { path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))) });
    }
    callEvent = parsed.data;
  }

  const automationName = event.replace(/\./g, '_');
  const candidates = [automationName, ...(CALL_LOGGING_EVENTS.has(event) ? ['call_logging'] : []), 'call_events'];
  let automation: Awaited<ReturnType<typeof resolveAutomation>> = null;
  for (const name of candidates) if ((automation = await resolveAutomation(deps.sql, customer.id, name))) break;
  const runId = automation ? newRunId() : null;
  const claimed = await deps.sql<{ run_id: string | null }[]>`
    insert into webhook_deliveries (customer_id, source, delivery_id, event, run_id) values (${customer.id}, 'phonesystem', ${deliveryId}, ${event}, ${runId})
    on conflict do nothing returning run_id`;
  if (!claimed.length) {
    const [prev] = await deps.sql<{ run_id: string | null }[]>`select run_id from webhook_deliveries where customer_id = ${customer.id} and source = 'phonesystem' and delivery_id = ${deliveryId}`;
    return sendJson(res, 200, { duplicate: true, deliveryId, runId: prev?.run_id ?? null });
  }
  let wake: string[] = [];
  try {
    // The session first: a run started by this event (or woken by it) reads the call as it now stands.
    if (callEvent) wake = (await recordCallEvent(deps.sql, customer.id, callEvent, deliveryId, runId)).wake;
  } catch (err) {
    await deps.sql`delete from webhook_deliveries where customer_id = ${customer.id} and source = 'phonesystem' and delivery_id = ${deliveryId}`;
    throw err;
  }
  // Waking is best effort: a run whose wake-up is lost still resumes at its deadline.
  for (const id of wake) await deps.host.opts.wakeRun?.(id).catch((e) => console.error('[patchbay] could not wake run', id, (e as Error).message));
  if (!automation || !runId) return sendJson(res, 202, { accepted: true, deliveryId, runId: null, note: `No automation ${candidates.map((c) => `"${c}"`).join(', ')} is enabled for this customer` });
  try {
    await deps.host.recorder.recordNow({
      id: runId, vendorId, customerId: customer.id, flowId: automation.flowId, flowVersion: automation.version, automation: automation.compiled.flow.automation,
      mode: 'live', status: 'queued', trigger: { ...body, event, deliveryId }, response: null, error: null, startedAt: new Date(), finishedAt: null, durationMs: null, steps: [],
    });
    if (!deps.host.opts.enqueueRun) throw new Error('job engine not running');
    await deps.host.opts.enqueueRun(runId);
  } catch (err) {
    // Let the sender retry: forget the claim so the re-delivery is not taken for a duplicate.
    await deps.sql`delete from webhook_deliveries where customer_id = ${customer.id} and source = 'phonesystem' and delivery_id = ${deliveryId}`;
    throw err;
  }
  return sendJson(res, 202, { accepted: true, deliveryId, runId });
}
