// A local HubSpot: the CRM v3 object, search and owner endpoints, v4 default associations, account details
// and OAuth, with HubSpot's JSON shapes, error bodies, Bearer auth and X-HubSpot-RateLimit-* headers.
// Seeded deterministically with synthetic people (phones stored as typed, like HubSpot does).
import { randomUUID } from 'node:crypto';
import { startEmulator, type EmuRequest, type EmuResponse, type RunningEmulator, type CrmEmulatorOptions } from '../../kit/emulator-server';
import { HUBSPOT_SIGNATURE_HEADER, HUBSPOT_TIMESTAMP_HEADER, signHubspotRequest } from '../webhooks';
import { defaultAssociationType, hsError, HsHttpError, HubspotStore, OBJECT_TYPES, search, type EmuOwner, type EmuRecord, type ObjectType } from './store';

export interface HubspotEmulatorOptions extends CrmEmulatorOptions {
  portalId?: number;
  /**
   * The app's webhook subscription: every contact or company deletion (through the API or `store.remove`)
   * is POSTed to `url` as HubSpot does, one event per request, signed v3 with `clientSecret`, retried on failure.
   */
  webhook?: { url: string; clientSecret: string; appId?: number; retries?: number; retryDelayMs?: number };
}

export interface StoredRecord {
  id: string;
  properties: Record<string, string>;
  associations: Partial<Record<ObjectType, string[]>>;
  createdAt: string;
  updatedAt: string;
}

/** What tests use to look at and change the emulator's data behind the API. */
export interface HubspotEmulatorStore {
  readonly data: HubspotStore;
  readonly portalId: number;
  readonly owners: EmuOwner[];
  /** Adds a record (as if typed in HubSpot's UI); returns its id. `at` sets its modified time (epoch ms). */
  add(type: ObjectType, properties: Record<string, string>, at?: number): string;
  /** Changes a record, which bumps its modified time (to `at` when given). */
  update(type: ObjectType, id: string, properties: Record<string, string>, at?: number): void;
  /** Deletes (archives) a record. */
  remove(type: ObjectType, id: string): boolean;
  get(type: ObjectType, id: string): StoredRecord | undefined;
  list(type: ObjectType): StoredRecord[];
  calls(): StoredRecord[];
  tasks(): StoredRecord[];
  notes(): StoredRecord[];
}

/** `webhookLog`: every webhook delivery attempt (status 0 = unreachable). */
export type HubspotEmulator = RunningEmulator & { store: HubspotEmulatorStore; webhookLog: { status: number; attempt: number; body: string }[] };

function view(rec: EmuRecord, store: HubspotStore, type: ObjectType): StoredRecord {
  const t = store.tables[type];
  const properties: Record<string, string> = { ...rec.props, hs_object_id: rec.id };
  properties[t.createProp] = t.value(rec, t.createProp)!;
  properties[t.modProp] = t.value(rec, t.modProp)!;
  const associations: Partial<Record<ObjectType, string[]>> = {};
  for (const [k, ids] of rec.assoc ?? []) associations[k] = [...ids];
  return { id: rec.id, properties, associations, createdAt: new Date(rec.createdAt).toISOString(), updatedAt: new Date(rec.updatedAt).toISOString() };
}

function propertyList(q: URLSearchParams, name: string): string[] | null {
  const all = q.getAll(name).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  return all.length ? all : null;
}

function objectType(store: HubspotStore, raw: string): ObjectType {
  store.table(raw);
  return raw as ObjectType;
}

const notFound = (id: string) => new HsHttpError(404, hsError('Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND', { context: { id: [id] } }));

export async function startHubspotEmulator(o: HubspotEmulatorOptions = {}): Promise<HubspotEmulator> {
  const portalId = o.portalId ?? 24_681_357;
  const data = new HubspotStore({ contacts: o.contacts ?? 200, companies: o.companies ?? 50, users: o.users ?? 5, portalId });
  const token = o.token ?? 'dev-token';
  const webhookLog: { status: number; attempt: number; body: string }[] = [];
  let eventId = 1000;
  const announceDeletion = (type: string, id: string) => {
    const hook = o.webhook;
    const subscriptionType = type === 'contacts' ? 'contact.deletion' : type === 'companies' ? 'company.deletion' : null;
    if (!hook || !subscriptionType) return;
    const event = { eventId: ++eventId, subscriptionId: 7001, portalId, appId: hook.appId ?? 4_242_424, occurredAt: Date.now(), subscriptionType, attemptNumber: 0, objectId: Number(id), changeFlag: 'DELETED', changeSource: 'CRM' };
    void (async () => {
      for (let attempt = 0; attempt <= (hook.retries ?? 3); attempt++) {
        const body = JSON.stringify([{ ...event, attemptNumber: attempt }]);
        const timestamp = String(Date.now());
        const status = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [HUBSPOT_SIGNATURE_HEADER]: signHubspotRequest(hook.clientSecret, 'POST', hook.url, body, timestamp), [HUBSPOT_TIMESTAMP_HEADER]: timestamp },
          body,
        }).then(async (r) => { await r.arrayBuffer(); return r.status; }, () => 0);
        webhookLog.push({ status, attempt, body });
        if (status >= 200 && status < 300) return;
        await new Promise((r) => setTimeout(r, hook.retryDelayMs ?? 200));
      }
    })();
  };
  let windowMs = o.rateWindowMs ?? 10_000;
  let served = 0;

  /** Runs a handler, turning HsHttpError into HubSpot's error answer. */
  const h = (fn: (req: EmuRequest) => EmuResponse) => (req: EmuRequest): EmuResponse => {
    try {
      return fn(req);
    } catch (err) {
      if (err instanceof HsHttpError) return { status: err.status, body: err.body };
      throw err;
    }
  };

  const routes: [string, string, (req: EmuRequest) => EmuResponse][] = [
    ['GET', '/account-info/v3/details', () => ({
      status: 200,
      body: { portalId, accountType: 'STANDARD', timeZone: 'US/Eastern', companyCurrency: 'USD', additionalCurrencies: [], utcOffset: '-05:00', utcOffsetMilliseconds: -18_000_000, uiDomain: 'app.hubspot.com', dataHostingLocation: 'na1' },
    })],

    ['GET', '/crm/v3/owners', h((req) => {
      const email = req.query.get('email')?.trim().toLowerCase();
      const limit = Number(req.query.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new HsHttpError(400, hsError(`limit must be between 1 and 500, got ${req.query.get('limit')}`, 'VALIDATION_ERROR'));
      const archived = req.query.get('archived') === 'true';
      const all = data.owners.filter((w) => w.archived === archived && (!email || w.email.toLowerCase() === email));
      const start = Number(req.query.get('after') ?? 0) || 0;
      const page = all.slice(start, start + limit).map((w) => ({ ...w, type: 'PERSON', userIdIncludingInactive: w.userId, teams: [] }));
      const body: Record<string, unknown> = { results: page };
      if (start + limit < all.length) body.paging = { next: { after: String(start + limit), link: `?after=${start + limit}` } };
      return { status: 200, body };
    })],

    ['GET', '/crm/v3/owners/:ownerId', h((req) => {
      const byUser = req.query.get('idProperty') === 'userId';
      const w = data.owners.find((x) => (byUser ? String(x.userId) : x.id) === req.params.ownerId);
      if (!w) throw new HsHttpError(404, hsError(`Owner ${req.params.ownerId} not found`, 'OBJECT_NOT_FOUND'));
      return { status: 200, body: { ...w, type: 'PERSON', userIdIncludingInactive: w.userId, teams: [] } };
    })],

    ['POST', '/crm/v3/objects/:type/search', h((req) => {
      const type = objectType(data, req.params.type);
      if (!req.body || typeof req.body !== 'object') throw new HsHttpError(400, hsError('Invalid input JSON: no request body', 'VALIDATION_ERROR'));
      return { status: 200, body: search(data.tables[type], req.body) };
    })],

    ['GET', '/crm/v3/objects/:type', h((req) => {
      const type = objectType(data, req.params.type);
      const table = data.tables[type];
      const limit = Number(req.query.get('limit') ?? 10);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HsHttpError(400, hsError(`limit must be between 1 and 100, got ${req.query.get('limit')}`, 'VALIDATION_ERROR'));
      const afterRaw = req.query.get('after');
      const after = afterRaw ? Number(afterRaw) : 0;
      if (afterRaw && !Number.isInteger(after)) throw new HsHttpError(400, hsError(`Invalid after: ${afterRaw}`, 'VALIDATION_ERROR'));
      const archived = req.query.get('archived') === 'true';
      const props = propertyList(req.query, 'properties');
      const assoc = (propertyList(req.query, 'associations') ?? []).filter((t): t is ObjectType => (OBJECT_TYPES as string[]).includes(t));
      // `after` is the id to continue from; ids ascend in creation order.
      const order = table.order;
      let lo = 0, hi = order.length;
      while (lo < hi) { const mid = (lo + hi) >>> 1; if (order[mid].num < after) lo = mid + 1; else hi = mid; }
      const page: EmuRecord[] = [];
      let next: EmuRecord | undefined;
      for (let i = lo; i < order.length; i++) {
        if (order[i].archived !== archived) continue;
        if (page.length === limit) { next = order[i]; break; }
        page.push(order[i]);
      }
      const body: Record<string, unknown> = { results: page.map((r) => table.toJson(r, props, assoc)) };
      if (next) body.paging = { next: { after: next.id, link: `${req.path}?after=${next.id}&limit=${limit}` } };
      return { status: 200, body };
    })],

    ['GET', '/crm/v3/objects/:type/:id', h((req) => {
      const type = objectType(data, req.params.type);
      const table = data.tables[type];
      const idProperty = req.query.get('idProperty');
      let rec: EmuRecord | undefined;
      if (idProperty && idProperty !== 'hs_object_id') {
        if (!table.isIndexed(idProperty)) throw new HsHttpError(400, hsError(`${idProperty} is not a unique identifier property`, 'VALIDATION_ERROR'));
        rec = [...(table.lookup(idProperty, req.params.id) ?? [])][0];
      } else rec = table.live(req.params.id);
      if (!rec) throw notFound(req.params.id);
      const assoc = (propertyList(req.query, 'associations') ?? []).filter((t): t is ObjectType => (OBJECT_TYPES as string[]).includes(t));
      const props = propertyList(req.query, 'properties');
      const withDefaults = props ? [...new Set([...props, 'hs_object_id', table.createProp, table.modProp])] : null;
      return { status: 200, body: table.toJson(rec, withDefaults, assoc) };
    })],

    ['POST', '/crm/v3/objects/:type', h((req) => {
      const type = objectType(data, req.params.type);
      const body = (req.body ?? {}) as { properties?: unknown; associations?: unknown };
      const rec = data.create(type, body);
      return { status: 201, body: data.tables[type].toJson(rec, Object.keys(rec.props).concat(['hs_object_id', data.tables[type].createProp, data.tables[type].modProp])) };
    })],

    // Batch update (up to 100): every input that exists is changed; missing ids come back as a 207 with an
    // OBJECT_NOT_FOUND error naming them, next to the results of the others.
    ['POST', '/crm/v3/objects/:type/batch/update', h((req) => {
      const type = objectType(data, req.params.type);
      const inputs = (req.body ?? {}).inputs;
      if (!Array.isArray(inputs)) throw new HsHttpError(400, hsError('inputs: an array is required', 'VALIDATION_ERROR'));
      if (inputs.length > 100) throw new HsHttpError(400, hsError(`Batch size must be at most 100, got ${inputs.length}`, 'VALIDATION_ERROR'));
      const missing: string[] = [];
      const results: unknown[] = [];
      for (const input of inputs as { id?: unknown; properties?: unknown }[]) {
        const id = String(input?.id ?? '');
        if (!data.tables[type].live(id)) { missing.push(id); continue; }
        const rec = data.update(type, id, input.properties);
        results.push(data.tables[type].toJson(rec, Object.keys(rec.props).concat(['hs_object_id', data.tables[type].createProp, data.tables[type].modProp])));
      }
      const now = new Date().toISOString();
      const errors = missing.length ? [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects, they may be deleted or not exist.', context: { ids: missing } }] : [];
      return { status: missing.length ? 207 : 200, body: { status: 'COMPLETE', results, ...(errors.length ? { errors, numErrors: errors.length } : {}), startedAt: now, completedAt: now } };
    })],

    ['PATCH', '/crm/v3/objects/:type/:id', h((req) => {
      const type = objectType(data, req.params.type);
      const rec = data.update(type, req.params.id, (req.body ?? {}).properties);
      return { status: 200, body: data.tables[type].toJson(rec, Object.keys(rec.props).concat(['hs_object_id', data.tables[type].createProp, data.tables[type].modProp])) };
    })],

    ['DELETE', '/crm/v3/objects/:type/:id', h((req) => {
      const type = objectType(data, req.params.type);
      if (data.remove(type, req.params.id)) announceDeletion(type, req.params.id);
      return { status: 204 };
    })],

    ['PUT', '/crm/v4/objects/:fromType/:fromId/associations/default/:toType/:toId', h((req) => {
      const from = objectType(data, req.params.fromType);
      const to = objectType(data, req.params.toType);
      const rec = data.tables[from].live(req.params.fromId);
      if (!rec) throw notFound(req.params.fromId);
      if (!data.tables[to].live(req.params.toId)) throw notFound(req.params.toId);
      const typeId = defaultAssociationType(from, to);
      if (typeId === undefined) throw new HsHttpError(400, hsError(`No default association from ${from} to ${to}`, 'VALIDATION_ERROR'));
      data.link(from, rec, to, req.params.toId);
      return {
        status: 200,
        body: { status: 'COMPLETE', results: [{ from: { id: rec.id }, to: { id: req.params.toId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId } }], startedAt: new Date().toISOString(), completedAt: new Date().toISOString() },
      };
    })],

    ['GET', '/crm/v4/objects/:fromType/:fromId/associations/:toType', h((req) => {
      const from = objectType(data, req.params.fromType);
      const to = objectType(data, req.params.toType);
      const rec = data.tables[from].live(req.params.fromId);
      if (!rec) throw notFound(req.params.fromId);
      const typeId = defaultAssociationType(from, to);
      const ids = [...(rec.assoc?.get(to) ?? [])];
      return { status: 200, body: { results: ids.map((id) => ({ toObjectId: Number(id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId, label: null }] })) } };
    })],
  ];

  const emu = await startEmulator({
    name: 'hubspot',
    routes: routes.map(([m, p, fn]) => [m, p, (req: EmuRequest) => { served++; return fn(req); }]),
    extractToken: (req) => {
      const a = req.headers.authorization;
      const m = typeof a === 'string' ? /^Bearer\s+(.+)$/i.exec(a.trim()) : null;
      return m ? m[1].trim() : null;
    },
    tokens: [token],
    unauthorized: (req) => {
      const a = String(req.headers.authorization ?? '');
      if (/^Bearer\s+at_/i.test(a)) {
        return { status: 401, body: hsError('The OAuth token used to make this call expired.', 'EXPIRED_AUTHENTICATION', { context: {} }) };
      }
      return {
        status: 401,
        body: hsError('Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview', 'INVALID_AUTHENTICATION'),
      };
    },
    notFound: (req) => ({ status: 404, body: hsError(`No route for ${req.method} ${req.path}`, 'OBJECT_NOT_FOUND') }),
    rateLimit: {
      limit: o.rateLimit ?? 0,
      windowMs,
      headers: ({ limit, remaining }) => ({
        'x-hubspot-ratelimit-interval-milliseconds': String(windowMs),
        'x-hubspot-ratelimit-max': String(limit),
        'x-hubspot-ratelimit-remaining': String(remaining),
        'x-hubspot-ratelimit-daily': '500000',
        'x-hubspot-ratelimit-daily-remaining': String(Math.max(0, 500_000 - served)),
      }),
      body: () => {
        const secondly = windowMs <= 1000;
        return {
          status: 'error',
          message: `You have reached your ${secondly ? 'secondly' : 'ten_secondly_rolling'} limit.`,
          errorType: 'RATE_LIMIT',
          correlationId: randomUUID(),
          policyName: secondly ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING',
        };
      },
    },
    oauth: o.oauth ? { authorizePath: '/oauth/authorize', tokenPath: '/oauth/v1/token', clientId: o.oauth.clientId, clientSecret: o.oauth.clientSecret, accessTokenTtlSec: o.accessTokenTtlSec ?? 1800 } : undefined,
  }, o.port ?? 0);

  const setRateLimit = emu.setRateLimit.bind(emu);
  const store: HubspotEmulatorStore = {
    data,
    portalId,
    owners: data.owners,
    add: (type, properties, at) => data.create(type, { properties }, at).id,
    update: (type, id, properties, at) => { data.update(type, id, properties, at); },
    remove: (type, id) => { const gone = data.remove(type, id); if (gone) announceDeletion(type, id); return gone; },
    get: (type, id) => { const r = data.tables[type].live(id); return r ? view(r, data, type) : undefined; },
    list: (type) => data.tables[type].order.filter((r) => !r.archived).map((r) => view(r, data, type)),
    calls: () => store.list('calls'),
    tasks: () => store.list('tasks'),
    notes: () => store.list('notes'),
  };
  return {
    ...emu,
    setRateLimit(limit: number, w?: number) { if (w) windowMs = w; setRateLimit(limit, w); },
    store,
    webhookLog,
  };
}
