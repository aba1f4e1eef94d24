// Call webhooks from the phone system: POST /api/v1/hooks/{vendor}/{customer}/phone-system
// Signed with HMAC-SHA256 (the secret is `webhookSecret` in the customer's phone-system connection),
// deduplicated by delivery id (a re-delivered webhook runs nothing twice), and handed to the customer's
// automation named after the event (call.ended → call_ended, else call_logging for the events that end a call or
// change it afterwards, else call_events) as a durable queued run. Call events are also folded into the
// customer's call session (lib/calls/), which wakes runs waiting on that call.
// An event an integration answers synchronously (its `answer_events`, e.g. call.ringing for call_routing) runs that
// automation at once, within its deadline, and answers the webhook with the flow's JSON (or its fallback); the
// answer is stored with the delivery, so a re-delivery gets the same answer and nothing runs twice.
import type { KeyInput } from '../crypto/credentials';
import { newRunId } from '../runs/run-id';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type postgres from 'postgres';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifyWebhookSignature } from '@/engine/connectors';
import { CALL_EVENTS, callEventSchema, fallbackResponse, type CallEventBody } from '@/engine';
import { recordCallEvent } from '../calls/call-sessions';
import { resolveAnsweringAutomation, resolveAutomation, type ResolvedAutomation } from '../engine-host/automation-cache';
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

type Deps = { sql: postgres.Sql; host: EngineHost; encryptionKey: KeyInput };

export async function handlePhoneWebhook(req: IncomingMessage, res: ServerResponse, params: string[], deps: Deps): Promise<unknown> {
  const arrivedAt = Date.now();
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

  const answering = await resolveAnsweringAutomation(deps.sql, customer.id, event);
  if (answering) return answerOnWebhook(res, deps, { vendorId, customer, event, deliveryId, body, callEvent, automation: answering, arrivedAt });

  const candidates = queuedCandidates(event);
  const automation = await firstEnabled(deps.sql, customer.id, candidates);
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
    await queueRun(deps, { vendorId, customerId: customer.id, runId, automation, trigger: { ...body, event, deliveryId } });
  } catch (err) {
    // Let the sender retry: forget the claim so the re-delivery is not taken for a duplicate.
    await deps.sql`delete from webhook_deliveries where customer_id = ${customer.id} and source = 'phonesystem' and delivery_id = ${deliveryId}`;
    throw err;
  }
  return sendJson(res, 202, { accepted: true, deliveryId, runId });
}

/**
 * Which automation an event starts as a queued run, the first enabled of: the one named after it (call.ringing →
 * call_ringing), call_logging for the events that end a call or change it afterwards, call_routing for a ringing
 * call not answered on the webhook (it routes through the phone system's API), else call_events.
 */
function queuedCandidates(event: string): string[] {
  return [event.replace(/\./g, '_'), ...(CALL_LOGGING_EVENTS.has(event) ? ['call_logging'] : []), ...(event === 'call.ringing' ? ['call_routing'] : []), 'call_events'];
}

async function firstEnabled(sql: postgres.Sql, customerId: string, names: string[]): Promise<ResolvedAutomation | null> {
  for (const name of names) {
    const a = await resolveAutomation(sql, customerId, name);
    if (a) return a;
  }
  return null;
}

/** A durable queued run (recorded, then its job sent): what the webhook acknowledges. */
async function queueRun(deps: Deps, p: { vendorId: string; customerId: string; runId: string; automation: ResolvedAutomation; trigger: Record<string, unknown> }): Promise<void> {
  await deps.host.recorder.recordNow({
    id: p.runId, vendorId: p.vendorId, customerId: p.customerId, flowId: p.automation.flowId, flowVersion: p.automation.version, automation: p.automation.compiled.flow.automation,
    mode: 'live', status: 'queued', trigger: p.trigger, response: null, error: null, startedAt: new Date(), finishedAt: null, durationMs: null, steps: [],
  });
  if (!deps.host.opts.enqueueRun) throw new Error('job engine not running');
  await deps.host.opts.enqueueRun(p.runId);
}

/**
 * An event answered on the webhook (call.ringing → call_routing) still starts the automation it would start queued
 * (call_ringing: a Slack caller card, say), once: that run is claimed under the delivery id plus its name, so a
 * re-delivery neither answers nor queues twice. Queued before the answer is sent: acknowledged means durable.
 */
async function queueCompanionRun(deps: Deps, p: { vendorId: string; customerId: string; event: string; deliveryId: string; answering: string; trigger: Record<string, unknown> }): Promise<void> {
  const automation = await firstEnabled(deps.sql, p.customerId, queuedCandidates(p.event).filter((n) => n !== p.answering));
  if (!automation) return;
  const runId = newRunId();
  const key = `${p.deliveryId}#${automation.compiled.flow.automation}`;
  const claimed = await deps.sql`insert into webhook_deliveries (customer_id, source, delivery_id, event, run_id) values (${p.customerId}, 'phonesystem', ${key}, ${p.event}, ${runId}) on conflict do nothing returning run_id`;
  if (!claimed.length) return;
  try {
    await queueRun(deps, { vendorId: p.vendorId, customerId: p.customerId, runId, automation, trigger: p.trigger });
  } catch (err) {
    await deps.sql`delete from webhook_deliveries where customer_id = ${p.customerId} and source = 'phonesystem' and delivery_id = ${key}`;
    throw err;
  }
}

interface Answer { status: number; body: unknown; runId: string | null; fallback?: string }

/** Answers being computed in this process, by customer and delivery id: a re-delivery meanwhile waits for the same one. */
const inFlight = new Map<string, Promise<Answer>>();

/**
 * Runs the automation that answers this event at once and answers the webhook with its JSON: the flow's respond
 * block, else its fallback when a step fails or the deadline passes. The answer is stored with the delivery before
 * it is sent, so a re-delivery gets the very same answer and the automation never runs twice for one delivery.
 */
async function answerOnWebhook(res: ServerResponse, deps: Deps, p: {
  vendorId: string; customer: { id: string; defaultCountry: string }; event: string; deliveryId: string; body: Record<string, unknown>;
  callEvent: CallEventBody | null; automation: ResolvedAutomation & { automation: string }; arrivedAt: number;
}): Promise<unknown> {
  const { customer, deliveryId, automation } = p;
  const key = `${customer.id}|${deliveryId}`;
  const runId = newRunId();
  const claimed = await deps.sql<{ run_id: string | null }[]>`
    insert into webhook_deliveries (customer_id, source, delivery_id, event, run_id) values (${customer.id}, 'phonesystem', ${deliveryId}, ${p.event}, ${runId})
    on conflict do nothing returning run_id`;
  if (!claimed.length) return sendAnswer(res, await earlierAnswer(deps, p), true);
  const computing = (async (): Promise<Answer> => {
    let wake: string[] = [];
    try {
      if (p.callEvent) wake = (await recordCallEvent(deps.sql, customer.id, p.callEvent, deliveryId, runId)).wake;
      const trigger = { ...p.body, event: p.event, deliveryId };
      const companion = queueCompanionRun(deps, { vendorId: p.vendorId, customerId: customer.id, event: p.event, deliveryId, answering: automation.automation, trigger });
      const [out] = await Promise.all([deps.host.execute({
        vendorId: p.vendorId, customer: { id: customer.id, defaultCountry: customer.defaultCountry }, runId,
        flowId: automation.flowId, flowVersion: automation.version, compiled: automation.compiled, options: automation.options,
        trigger, timeoutMs: automation.deadlineMs ?? undefined, fallbackOnDeadline: true, arrivedAt: p.arrivedAt,
      }), companion]);
      const answer: Answer = out.response ? { status: out.response.status, body: out.response.body, runId, ...(out.fallback ? { fallback: out.fallback } : {}) }
        : out.status === 'timeout' ? { status: 504, body: { error: { code: 'timeout', message: out.error?.message ?? 'timeout', runId } }, runId }
        : out.status === 'failed' ? { status: 502, body: { error: { code: out.error?.code ?? 'run_failed', message: out.error?.message ?? 'The flow failed', runId } }, runId }
        : { status: 200, body: { runId, status: out.status }, runId };
      // Stored before it is sent: a re-delivery after a lost answer gets this one, never a second run.
      await deps.sql`update webhook_deliveries set answer = ${JSON.stringify({ status: answer.status, body: answer.body, fallback: answer.fallback ?? null })}::text::json
        where customer_id = ${customer.id} and source = 'phonesystem' and delivery_id = ${deliveryId}`;
      return answer;
    } catch (err) {
      // Nothing was answered: forget the claim so the sender's re-delivery is not taken for a duplicate.
      await deps.sql`delete from webhook_deliveries where customer_id = ${customer.id} and source = 'phonesystem' and delivery_id = ${deliveryId}`;
      throw err;
    } finally {
      for (const id of wake) await deps.host.opts.wakeRun?.(id).catch((e) => console.error('[patchbay] could not wake run', id, (e as Error).message));
    }
  })();
  inFlight.set(key, computing);
  try {
    return sendAnswer(res, await computing, false);
  } finally {
    inFlight.delete(key);
  }
}

function sendAnswer(res: ServerResponse, a: Answer, duplicate: boolean): string {
  const headers: Record<string, string> = {};
  if (a.runId) headers['x-patchbay-run-id'] = a.runId;
  if (a.fallback) headers['x-patchbay-fallback'] = a.fallback;
  if (duplicate) headers['x-patchbay-duplicate'] = 'true';
  return sendJson(res, a.status, a.body, headers);
}

/**
 * The answer given to an earlier delivery with this id: from this process while it is being computed, else from
 * the database (polled until the first delivery's deadline has passed). A first delivery that died before it
 * answered (the process was killed) left no answer: the flow's fallback, without running anything.
 */
async function earlierAnswer(deps: Deps, p: { customer: { id: string }; deliveryId: string; automation: ResolvedAutomation; arrivedAt: number }): Promise<Answer> {
  const here = inFlight.get(`${p.customer.id}|${p.deliveryId}`);
  if (here) return here.catch(() => earlierAnswer(deps, p));
  const until = p.arrivedAt + (p.automation.deadlineMs ?? deps.host.opts.flowTimeoutMs) + 1000;
  for (;;) {
    const [row] = await deps.sql<{ run_id: string | null; answer: { status: number; body: unknown; fallback?: string | null } | null }[]>`
      select run_id, answer from webhook_deliveries where customer_id = ${p.customer.id} and source = 'phonesystem' and delivery_id = ${p.deliveryId}`;
    if (row?.answer) return { status: row.answer.status, body: row.answer.body, runId: row.run_id, ...(row.answer.fallback ? { fallback: row.answer.fallback } : {}) };
    if (!row || Date.now() >= until) {
      const fb = await fallbackResponse(p.automation.compiled, null);
      return fb ? { status: fb.status, body: fb.body, runId: row?.run_id ?? null, fallback: 'unanswered' }
        : { status: 504, body: { error: { code: 'timeout', message: 'The first delivery of this event was not answered in time', runId: row?.run_id ?? null } }, runId: row?.run_id ?? null };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
