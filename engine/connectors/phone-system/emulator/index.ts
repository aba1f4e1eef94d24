// The reference phone system: the REST API the connector's default config describes (phonebook CRUD,
// lookups by E.164 number and external id, cursor paging, call routing; Bearer auth; JSON error bodies
// `{ error: { code, message } }`; 429 + Retry-After + X-RateLimit-* after the budget) and signed call
// webhooks to Patchbay, re-delivered with the same delivery id until answered 2xx. Users (agents):
// GET/POST /api/v1/users (cursor paging, ?email=, ?active=), GET/PATCH /api/v1/users/{id},
// POST /api/v1/users/{id}/deactivate; 409 email_taken / extension_taken.
//
// Two-way sync: GET /api/v1/phonebook/changes (the change feed: entries changed after a cursor, deletes as
// tombstones) and POST /api/v1/phonebook/contacts/batch (up to 100 entries replaced, each answered on its own).
//
// `profile: 'legacy'` serves a second, older-style dialect of the same phonebook (X-Api-Key header,
// /rest/addressbook/entries, page/per_page paging, `{ entry: … }` envelopes, snake_case and nested field
// names, PATCH updates, problem+json errors) to prove the connector works from configuration alone.
import { randomUUID } from 'node:crypto';
import { startEmulator, type EmuRequest, type EmuResponse, type RunningEmulator } from '../../kit/emulator-server';
import { EmuError, Phonebook, validateContact, type ContactInput, type StoredContact } from './store';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhookBody } from '../webhook-signature';
import { recordingStream } from './recordings';
import { UserDirectory, validateUser, type PhoneUser } from './users';

export type { PhoneUser } from './users';

export type EmulatorAuth =
  | { kind: 'bearer' }
  | { kind: 'header'; name: string }
  /** The token is the password. */
  | { kind: 'basic'; username: string }
  | { kind: 'query'; param: string };

export interface PhoneSystemEmulatorOptions {
  port?: number;
  /** The API token accepted (as Bearer unless `auth` or the profile says otherwise). */
  token?: string;
  /** Seeded phonebook entries (deterministic synthetic people, source "crm"). */
  contacts?: number;
  /** Requests per window; 0 = unlimited. */
  rateLimit?: number;
  rateWindowMs?: number;
  /** Where call webhooks are POSTed (Patchbay's webhook URL). */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Wait before the first re-delivery of a failed webhook (doubles each time). */
  webhookRetryDelayMs?: number;
  /** How long a call.ringing delivery waits for its answer (the routing decision) before it counts as failed. */
  ringingAnswerTimeoutMs?: number;
  profile?: 'reference' | 'legacy';
  auth?: EmulatorAuth;
  /** Seeded users (agents): the CRM emulators' agents, extensions 101, 102 … (reference profile). */
  users?: number;
}

export type CallEventName = 'call.ringing' | 'call.answered' | 'call.transferred' | 'call.ended' | 'call.missed' | 'call.declined' | 'recording.ready' | 'notes.updated';

export interface CallEvent {
  event: CallEventName;
  callId: string;
  direction: 'inbound' | 'outbound';
  /** E.164. */
  from: string;
  to: string;
  agentEmail?: string | null;
  /** ISO time the call started. */
  startedAt: string;
  durationSec?: number;
  status?: 'ringing' | 'answered' | 'missed' | 'declined' | 'busy' | 'failed' | 'voicemail' | 'completed' | 'transferred';
  recordingUrl?: string;
  transferredTo?: string;
  notes?: string;
  /** When the event happened (default now). */
  occurredAt?: string;
}

/** A whole call as the phone system reports it, for placeCall. */
export interface CallScenario {
  callId?: string;
  outcome: 'answered' | 'missed' | 'declined' | 'transferred';
  direction?: 'inbound' | 'outbound';
  from: string;
  to: string;
  agentEmail?: string | null;
  durationSec?: number;
  /** Size of the recording in bytes (answered and transferred calls); 0 or absent: no recording. */
  recordingBytes?: number;
  /** Notes sent with notes.updated after the call (one event per entry, in order). */
  notes?: string[];
  transferredTo?: string;
  /** Order the events are delivered in. */
  order?: 'forward' | 'reverse';
  /** Each delivery is sent this many times (same delivery id), as a sender retrying after a lost answer would. */
  deliveries?: number;
  /** When the call started (default now minus its duration). */
  startedAt?: string;
}

export interface PlacedCall {
  callId: string;
  startedAt: string;
  recordingUrl: string | null;
  recordingId: string | null;
  deliveries: WebhookDelivery[];
}

export interface WebhookDelivery {
  id: string;
  event: CallEventName;
  /** The exact bytes sent (and signed). */
  body: string;
  signature: string;
  /** `answer`: the JSON the receiver answered with (a call.ringing answered with a route is routed by it). */
  attempts: { status: number | null; error?: string; at: string; answer?: unknown }[];
  delivered: boolean;
}

export interface RouteDecision {
  callId: string;
  target: string;
  targetType: string | null;
  body: Record<string, unknown>;
  at: string;
  /** How the decision came: the route API, or the answer to the call.ringing webhook. */
  via: 'api' | 'webhook';
}

export interface PhoneSystemEmulatorStore {
  readonly phonebook: Phonebook;
  /** Every entry, in creation order. */
  contacts(): StoredContact[];
  get(id: string): StoredContact | undefined;
  /** Adds an entry as if typed into the phone system (not counted as an API write). */
  add(input: ContactInput): StoredContact;
  update(id: string, input: ContactInput): StoredContact;
  remove(id: string): boolean;
  routes(): RouteDecision[];
  deliveries(): WebhookDelivery[];
  /** Makes a recording downloadable (GET /api/v1/recordings/{id}, Bearer auth): its URL. */
  addRecording(id: string, bytes: number): string;
  recordings(): { id: string; bytes: number; seed: number; downloads: number }[];
  /** The users (agents) API's directory: users(), byEmail, and counts of API writes (creates, updates, deactivations). */
  readonly users: UserDirectory;
}

export interface PhoneSystemStats {
  /** API writes: adds + updates + deletes. */
  writes: number;
  adds: number;
  updates: number;
  deletes: number;
  routes: number;
  webhookAttempts: number;
}

export type PhoneSystemEmulator = Omit<RunningEmulator, 'stats'> & {
  stats: RunningEmulator['stats'] & PhoneSystemStats;
  store: PhoneSystemEmulatorStore;
  /** POSTs a signed call event to the webhook URL; resolves once delivered or after the last re-delivery. */
  emitCall(ev: CallEvent): Promise<WebhookDelivery>;
  /** Sends an earlier delivery again, byte for byte (same delivery id and signature); the answer's status. */
  redeliver(d: WebhookDelivery): Promise<number | null>;
  /** Places a whole call: its events (ringing … ended / missed / declined, recording.ready, notes.updated), signed and delivered in the order asked. */
  placeCall(s: CallScenario): Promise<PlacedCall>;
  setWebhook(w: { url?: string; secret?: string; retryDelayMs?: number }): void;
};

const MAX_REDELIVERIES = 3;

function encodeCursor(after: number): string {
  return Buffer.from(`after:${after}`).toString('base64url');
}

function decodeCursor(raw: string): number {
  const m = /^after:(\d+)$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m) throw new EmuError(400, 'invalid_cursor', `cursor ${JSON.stringify(raw)} is not valid`);
  return Number(m[1]);
}

/** `?phone=+4930…` sent unencoded arrives as " 4930…": read it back as the E.164 it was. */
function phoneParam(raw: string): string {
  const v = raw.startsWith(' ') && /^\d+$/.test(raw.trim()) ? '+' + raw.trim() : raw.trim();
  if (!/^\+[1-9]\d{6,14}$/.test(v)) throw new EmuError(400, 'invalid_phone_number', `phone must be in E.164 format (+ and 7 to 15 digits), got ${JSON.stringify(raw)}`);
  return v;
}

function intParam(q: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new EmuError(400, 'invalid_request', `${name} must be an integer between ${min} and ${max}, got ${raw}`);
  return n;
}

// ---- the legacy dialect's record shape ----
function toLegacy(c: StoredContact): Record<string, unknown> {
  return {
    uid: c.id, ref: c.externalId, origin: c.source, name: { first: c.firstName, last: c.lastName }, organisation: c.company, is_org: c.isCompany,
    numbers: c.phones.map((p) => ({ e164: p.number, label: p.type })), mail: c.email, link: c.crmUrl, extra: c.customData, modified: c.updatedAt,
  };
}

function fromLegacy(entry: unknown): unknown {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return entry;
  const e = entry as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const name = e.name && typeof e.name === 'object' ? (e.name as Record<string, unknown>) : null;
  if ('ref' in e) out.externalId = e.ref;
  if ('origin' in e) out.source = e.origin;
  if (name && 'first' in name) out.firstName = name.first;
  if (name && 'last' in name) out.lastName = name.last;
  if ('organisation' in e) out.company = e.organisation;
  if ('is_org' in e) out.isCompany = e.is_org;
  if ('mail' in e) out.email = e.mail;
  if ('link' in e) out.crmUrl = e.link;
  if ('extra' in e) out.customData = e.extra;
  if ('numbers' in e) out.phones = Array.isArray(e.numbers) ? e.numbers.map((n) => (n && typeof n === 'object' ? { number: (n as Record<string, unknown>).e164, type: (n as Record<string, unknown>).label } : n)) : e.numbers;
  return out;
}

export async function startPhoneSystemEmulator(o: PhoneSystemEmulatorOptions = {}): Promise<PhoneSystemEmulator> {
  const profile = o.profile ?? 'reference';
  const token = o.token ?? 'dev-token';
  const auth: EmulatorAuth = o.auth ?? (profile === 'legacy' ? { kind: 'header', name: 'X-Api-Key' } : { kind: 'bearer' });
  const book = new Phonebook(o.contacts ?? 0);
  const directory = new UserDirectory(o.users ?? 0);
  const routed: RouteDecision[] = [];
  const deliveries: WebhookDelivery[] = [];
  const recordings = new Map<string, { bytes: number; seed: number; downloads: number }>();
  const serveRecording = (id: string): EmuResponse => {
    const r = recordings.get(id);
    if (!r) throw new EmuError(404, 'not_found', `Recording ${id} not found`);
    r.downloads++;
    return { status: 200, headers: { 'content-type': 'audio/wav', 'content-length': String(r.bytes), 'content-disposition': `attachment; filename="${id}.wav"` }, stream: recordingStream(r.seed, r.bytes) };
  };
  let webhook = { url: o.webhookUrl, secret: o.webhookSecret ?? '', retryDelayMs: o.webhookRetryDelayMs ?? 1000, answerTimeoutMs: o.ringingAnswerTimeoutMs ?? 5000 };

  const errorBody = (status: number, code: string, message: string): unknown =>
    profile === 'legacy' ? { status, title: code.replace(/_/g, ' '), detail: message } : { error: { code, message } };

  const h = (fn: (req: EmuRequest) => EmuResponse) => (req: EmuRequest): EmuResponse => {
    try {
      return fn(req);
    } catch (err) {
      if (err instanceof EmuError) return { status: err.status, body: errorBody(err.status, err.code, err.message), headers: profile === 'legacy' ? { 'content-type': 'application/problem+json' } : undefined };
      throw err;
    }
  };
  const wrote = (kind: 'adds' | 'updates' | 'deletes') => { stats[kind]++; stats.writes++; };
  const wireUser = (u: PhoneUser) => ({ ...u });
  const wire = (c: StoredContact) => ({ ...c, phones: c.phones.map((p) => ({ ...p })), customData: { ...c.customData } });

  const recordRoute = (callId: string, body: unknown, targetKey: string, typeKey: string): EmuResponse => {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const target = b[targetKey];
    if (typeof target !== 'string' || !target) throw new EmuError(400, 'invalid_request', `${targetKey} is required`);
    const targetType = typeof b[typeKey] === 'string' ? (b[typeKey] as string) : null;
    if (targetType && !['user', 'queue', 'extension', 'number', 'voicemail'].includes(targetType)) throw new EmuError(400, 'invalid_request', `${typeKey} must be user, queue, extension, number or voicemail`);
    const decision: RouteDecision = { callId, target, targetType, body: b, at: new Date().toISOString(), via: 'api' };
    routed.push(decision);
    stats.routes++;
    return { status: 200, body: { callId, status: 'routed', [targetKey]: target, [typeKey]: targetType } };
  };

  const C = '/api/v1/phonebook/contacts';
  const reference: [string, string, (req: EmuRequest) => EmuResponse][] = [
    ['GET', C, h((req) => {
      const phone = req.query.get('phone');
      if (phone !== null) return { status: 200, body: { data: book.findByPhone(phoneParam(phone)).map(wire), next_cursor: null } };
      const ext = req.query.get('external_id');
      if (ext !== null) return { status: 200, body: { data: ext ? book.findByExternalId(ext).map(wire) : [], next_cursor: null } };
      const limit = intParam(req.query, 'limit', 50, 1, 200);
      const cursor = req.query.get('cursor');
      const page = book.pageAfter(cursor ? decodeCursor(cursor) : 0, limit);
      const last = page.items.at(-1);
      return { status: 200, body: { data: page.items.map(wire), next_cursor: page.more && last ? encodeCursor(Number(last.id)) : null } };
    })],
    ['POST', C, h((req) => {
      const c = book.insert(validateContact(req.body, false));
      wrote('adds');
      return { status: 201, body: wire(c), headers: { location: `${C}/${c.id}` } };
    })],
    // Batch update (up to 100): each item replaces the entry with its id, as PUT does; items are answered in order,
    // an unknown id or an invalid item with its own error (the others are still written).
    ['POST', `${C}/batch`, h((req) => {
      const items = (req.body as { contacts?: unknown } | undefined)?.contacts;
      if (!Array.isArray(items)) throw new EmuError(400, 'invalid_request', 'contacts must be an array');
      if (items.length > 100) throw new EmuError(400, 'invalid_request', 'a batch has at most 100 contacts');
      const data = items.map((item, i) => {
        const id = item && typeof item === 'object' ? String((item as Record<string, unknown>).id ?? '') : '';
        try {
          if (!id) throw new EmuError(400, 'invalid_request', `contacts[${i}].id is required`);
          book.get(id);
          const c = book.replace(id, validateContact(item, false));
          wrote('updates');
          return { id, status: 'updated', contact: wire(c) };
        } catch (err) {
          if (!(err instanceof EmuError)) throw err;
          return { id, status: 'error', error: { code: err.code, message: err.message } };
        }
      });
      return { status: 200, body: { data } };
    })],
    ['GET', `${C}/:id`, h((req) => ({ status: 200, body: wire(book.get(req.params.id)) }))],
    // The change feed: entries added, updated or deleted after the cursor, oldest first, each at its latest state
    // (deletes as tombstones with the entry's externalId and source). `next_cursor` is always given: polling with it
    // later returns only what changed since. Without a cursor the feed starts at the first change.
    ['GET', '/api/v1/phonebook/changes', h((req) => {
      const limit = intParam(req.query, 'limit', 100, 1, 1000);
      const cursor = req.query.get('cursor');
      const page = book.changesAfter(cursor ? decodeCursor(cursor) : 0, limit);
      return {
        status: 200,
        body: {
          data: page.items.map((ch) => ({ seq: ch.seq, type: ch.type, id: ch.id, externalId: ch.externalId, source: ch.source, changedAt: ch.changedAt, contact: ch.contact ? wire(ch.contact) : null })),
          next_cursor: encodeCursor(page.next),
          has_more: page.more,
        },
      };
    })],
    ['PUT', `${C}/:id`, h((req) => {
      book.get(req.params.id);
      const c = book.replace(req.params.id, validateContact(req.body, false));
      wrote('updates');
      return { status: 200, body: wire(c) };
    })],
    ['DELETE', `${C}/:id`, h((req) => {
      book.remove(req.params.id);
      wrote('deletes');
      return { status: 204 };
    })],
    // Users (agents): list with cursor paging (filters email, active), create, read, update, deactivate.
    ['GET', '/api/v1/users', h((req) => {
      const limit = intParam(req.query, 'limit', 50, 1, 200);
      const cursor = req.query.get('cursor');
      const email = req.query.get('email')?.trim().toLowerCase();
      const active = req.query.get('active');
      if (active !== null && active !== 'true' && active !== 'false') throw new EmuError(400, 'invalid_request', 'active must be true or false');
      const page = directory.pageAfter(cursor ? decodeCursor(cursor) : 0, limit, (u) => (!email || u.email === email) && (active === null || String(u.active) === active));
      const last = page.items.at(-1);
      return { status: 200, body: { data: page.items.map(wireUser), next_cursor: page.more && last ? encodeCursor(Number(last.id)) : null } };
    })],
    ['POST', '/api/v1/users', h((req) => {
      const u = directory.create(validateUser(req.body, false));
      return { status: 201, body: wireUser(u), headers: { location: `/api/v1/users/${u.id}` } };
    })],
    ['GET', '/api/v1/users/:id', h((req) => ({ status: 200, body: wireUser(directory.get(req.params.id)) }))],
    ['PATCH', '/api/v1/users/:id', h((req) => ({ status: 200, body: wireUser(directory.update(req.params.id, validateUser(req.body, true))) }))],
    ['POST', '/api/v1/users/:id/deactivate', h((req) => ({ status: 200, body: wireUser(directory.deactivate(req.params.id)) }))],
    ['POST', '/api/v1/calls/:callId/route', h((req) => recordRoute(req.params.callId, req.body, 'target', 'targetType'))],
    ['GET', '/api/v1/recordings/:id', h((req) => serveRecording(req.params.id))],
  ];

  const L = '/rest/addressbook/entries';
  const legacy: [string, string, (req: EmuRequest) => EmuResponse][] = [
    ['GET', L, h((req) => {
      const number = req.query.get('number');
      if (number !== null) { const hits = book.findByPhone(phoneParam(number)); return { status: 200, body: { entries: hits.map(toLegacy), total: hits.length } }; }
      const ref = req.query.get('ref');
      if (ref !== null) { const hits = ref ? book.findByExternalId(ref) : []; return { status: 200, body: { entries: hits.map(toLegacy), total: hits.length } }; }
      const page = intParam(req.query, 'page', 1, 1, 1_000_000);
      const perPage = intParam(req.query, 'per_page', 25, 1, 100);
      const all = book.all();
      return { status: 200, body: { entries: all.slice((page - 1) * perPage, page * perPage).map(toLegacy), page, per_page: perPage, total: all.length } };
    })],
    ['POST', L, h((req) => {
      const c = book.insert(validateContact(fromLegacy((req.body as Record<string, unknown> | undefined)?.entry), false));
      wrote('adds');
      return { status: 201, body: { entry: toLegacy(c) } };
    })],
    ['GET', `${L}/:uid`, h((req) => ({ status: 200, body: { entry: toLegacy(book.get(req.params.uid)) } }))],
    ['PATCH', `${L}/:uid`, h((req) => {
      book.get(req.params.uid);
      const c = book.patch(req.params.uid, validateContact(fromLegacy((req.body as Record<string, unknown> | undefined)?.entry), true));
      wrote('updates');
      return { status: 200, body: { entry: toLegacy(c) } };
    })],
    ['DELETE', `${L}/:uid`, h((req) => {
      book.remove(req.params.uid);
      wrote('deletes');
      return { status: 204 };
    })],
    ['POST', '/rest/calls/:callId/transfer', h((req) => recordRoute(req.params.callId, req.body, 'destination', 'destination_type'))],
  ];

  const emu = await startEmulator({
    name: 'phonesystem',
    routes: profile === 'legacy' ? legacy : reference,
    extractToken: (req) => {
      switch (auth.kind) {
        case 'bearer': {
          const m = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? '').trim());
          return m ? m[1].trim() : null;
        }
        case 'header': {
          const v = req.headers[auth.name.toLowerCase()];
          return typeof v === 'string' && v ? v.trim() : null;
        }
        case 'basic': {
          const m = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? '').trim());
          return m ? Buffer.from(m[1], 'base64').toString('utf8') : null;
        }
        case 'query':
          return req.query.get(auth.param);
      }
    },
    tokens: [auth.kind === 'basic' ? `${auth.username}:${token}` : token],
    unauthorized: () => {
      const how = auth.kind === 'bearer' ? 'Authorization: Bearer <token>' : auth.kind === 'header' ? `the ${auth.name} header` : auth.kind === 'basic' ? 'HTTP Basic credentials' : `the ${auth.param} query parameter`;
      return { status: 401, body: errorBody(401, 'unauthorized', `Invalid or missing API token (expected in ${how})`), headers: auth.kind === 'basic' ? { 'www-authenticate': 'Basic realm="phonesystem"' } : { 'www-authenticate': 'Bearer' } };
    },
    notFound: (req) => ({ status: 404, body: errorBody(404, 'not_found', `No route ${req.method} ${req.path}`) }),
    rateLimit: {
      limit: o.rateLimit ?? 0,
      windowMs: o.rateWindowMs ?? 10_000,
      headers: ({ limit, remaining, resetMs }) => ({ 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)) }),
      body: ({ retryAfterSec }) => errorBody(429, 'rate_limited', `Too many requests: retry after ${retryAfterSec} s`),
    },
  }, o.port ?? 0);
  // The handlers count into the kit's stats object (they only run once the server is up).
  const stats: RunningEmulator['stats'] & PhoneSystemStats = Object.assign(emu.stats, { writes: 0, adds: 0, updates: 0, deletes: 0, routes: 0, webhookAttempts: 0 });

  async function emitCall(ev: CallEvent): Promise<WebhookDelivery> {
    if (!webhook.url) throw new Error('The phone system emulator has no webhookUrl');
    const id = 'dlv_' + randomUUID();
    const body = JSON.stringify({
      deliveryId: id, event: ev.event, callId: ev.callId, direction: ev.direction, from: ev.from, to: ev.to, agentEmail: ev.agentEmail ?? null,
      startedAt: ev.startedAt, durationSec: ev.durationSec ?? null, status: ev.status ?? null, recordingUrl: ev.recordingUrl ?? null,
      ...(ev.transferredTo ? { transferredTo: ev.transferredTo } : {}), ...(ev.notes !== undefined ? { notes: ev.notes } : {}),
      occurredAt: ev.occurredAt ?? new Date().toISOString(),
    });
    const signature = signWebhookBody(webhook.secret, body);
    const delivery: WebhookDelivery = { id, event: ev.event, body, signature, attempts: [], delivered: false };
    deliveries.push(delivery);
    return deliver(delivery);
  }

  async function deliver(delivery: WebhookDelivery): Promise<WebhookDelivery> {
    if (!webhook.url) throw new Error('The phone system emulator has no webhookUrl');
    const { id, body, signature } = delivery;
    for (let attempt = 0; attempt <= MAX_REDELIVERIES; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, webhook.retryDelayMs * 2 ** (attempt - 1)));
      stats.webhookAttempts++;
      const at = new Date().toISOString();
      try {
        const res = await fetch(webhook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'phonesystem-webhooks/1.0', [SIGNATURE_HEADER]: signature, [EVENT_HEADER]: delivery.event, [DELIVERY_HEADER]: id },
          body,
          signal: AbortSignal.timeout(delivery.event === 'call.ringing' ? webhook.answerTimeoutMs : 10_000),
        });
        const text = await res.text().catch(() => '');
        let answer: unknown;
        try { answer = text ? JSON.parse(text) : undefined; } catch { answer = undefined; }
        delivery.attempts.push({ status: res.status, at, ...(answer !== undefined ? { answer } : {}) });
        if (res.ok) {
          delivery.delivered = true;
          // Routing answered on the webhook (as Twilio, Vonage and Dialpad take it): the ringing call goes there.
          const a = answer as Record<string, unknown> | undefined;
          if (delivery.event === 'call.ringing' && a && a.action === 'route' && typeof a.target === 'string' && a.target) {
            const callId = String((JSON.parse(body) as { callId?: unknown }).callId ?? '');
            routed.push({ callId, target: a.target, targetType: typeof a.targetType === 'string' ? a.targetType : null, body: a, at: new Date().toISOString(), via: 'webhook' });
            stats.routes++;
          }
          break;
        }
      } catch (err) {
        delivery.attempts.push({ status: null, error: (err as Error).message, at });
      }
    }
    return delivery;
  }

  async function redeliver(d: WebhookDelivery): Promise<number | null> {
    const before = d.attempts.length;
    d.delivered = false;
    await deliver(d);
    return d.attempts[before]?.status ?? null;
  }

  async function placeCall(sc: CallScenario): Promise<PlacedCall> {
    const callId = sc.callId ?? `call_${randomUUID()}`;
    const dur = sc.outcome === 'answered' || sc.outcome === 'transferred' ? (sc.durationSec ?? 95) : 0;
    const t0 = sc.startedAt ? Date.parse(sc.startedAt) : Date.now() - (dur + 10) * 1000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const base = { callId, direction: sc.direction ?? 'inbound', from: sc.from, to: sc.to, agentEmail: sc.agentEmail ?? null, startedAt: at(0) } as const;
    let recordingUrl: string | null = null;
    let recordingId: string | null = null;
    const evs: CallEvent[] = [{ ...base, event: 'call.ringing', status: 'ringing', occurredAt: at(0) }];
    if (sc.outcome === 'answered' || sc.outcome === 'transferred') {
      evs.push({ ...base, event: 'call.answered', status: 'answered', occurredAt: at(5) });
      if (sc.outcome === 'transferred') evs.push({ ...base, event: 'call.transferred', transferredTo: sc.transferredTo ?? 'queue:support', occurredAt: at(20) });
      evs.push({ ...base, event: 'call.ended', durationSec: dur, status: sc.outcome === 'transferred' ? 'transferred' : 'completed', occurredAt: at(5 + dur) });
      if (sc.recordingBytes) {
        recordingId = `rec_${callId}`;
        recordingUrl = addRecording(recordingId, sc.recordingBytes);
        evs.push({ ...base, event: 'recording.ready', recordingUrl, occurredAt: at(8 + dur) });
      }
    } else {
      evs.push({ ...base, event: sc.outcome === 'missed' ? 'call.missed' : 'call.declined', status: sc.outcome, durationSec: 0, occurredAt: at(25) });
    }
    (sc.notes ?? []).forEach((n, i) => evs.push({ ...base, event: 'notes.updated', notes: n, occurredAt: at(30 + dur + i * 60) }));
    if (sc.order === 'reverse') evs.reverse();
    const sent: WebhookDelivery[] = [];
    for (const ev of evs) {
      const d = await emitCall(ev);
      sent.push(d);
      for (let i = 1; i < (sc.deliveries ?? 1); i++) await redeliver(d);
    }
    return { callId, startedAt: at(0), recordingUrl, recordingId, deliveries: sent };
  }

  function addRecording(id: string, bytes: number): string {
    let seed = 0;
    for (const ch of id) seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
    recordings.set(id, { bytes, seed, downloads: 0 });
    return `${emu.url}/api/v1/recordings/${encodeURIComponent(id)}`;
  }

  return {
    ...emu,
    stats,
    emitCall,
    redeliver,
    placeCall,
    setWebhook(w) { webhook = { ...webhook, url: w.url ?? webhook.url, secret: w.secret ?? webhook.secret, retryDelayMs: w.retryDelayMs ?? webhook.retryDelayMs }; },
    store: {
      phonebook: book,
      contacts: () => [...book.all()],
      get: (id) => book.byId.get(id),
      add: (input) => book.insert(validateContact(input, false)),
      update: (id, input) => book.patch(id, validateContact(input, true)),
      remove: (id) => { if (!book.byId.has(id)) return false; book.remove(id); return true; },
      routes: () => [...routed],
      deliveries: () => [...deliveries],
      addRecording,
      recordings: () => [...recordings.entries()].map(([id, r]) => ({ id, bytes: r.bytes, seed: r.seed, downloads: r.downloads })),
      users: directory,
    },
  };
}
