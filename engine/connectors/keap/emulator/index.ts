// A local Keap (Infusionsoft): the REST API v1 (/crm/rest/v1) as developer.infusionsoft.com documents it — OAuth 2
// (authorize at /app/oauth/authorize, the token endpoint /token with authorization_code and refresh_token — the
// refresh authenticated with HTTP Basic and answering a new refresh token, the old one spent — access tokens that
// expire) or a Personal Access Token / Service Account Key in X-Keap-API-Key; contacts (list with
// limit/offset up to 1000, email/given_name/family_name filters, since/until on last_updated, order and
// order_direction; get, create, PATCH, delete), users, notes (contact_id/user_id filters, type Call …, PATCH),
// tasks (list with contact_id/user_id/completed/has_due_date filters, get, create); `{"message"}` error bodies, the gateway's fault body for a bad token, x-keap-product-throttle-* headers on
// every answer and 429 when the minute's budget is spent.
import { startEmulator, type CrmEmulatorOptions, type EmuHandler, type EmuRequest, type EmuResponse, type RunningEmulator } from '../../kit/emulator-server';
import { syntheticPerson } from '../../kit/synthetic';

const V1 = '/crm/rest/v1';
const MAX_LIMIT = 1000;
const ALPHA3: Record<string, string> = { US: 'USA', GB: 'GBR', DE: 'DEU', FR: 'FRA' };
export const KEAP_NOTE_TYPES = ['Appointment', 'Call', 'Email', 'Fax', 'Letter', 'Other'];
const CONTACT_ORDERS = ['id', 'date_created', 'last_updated', 'name', 'firstName', 'email'];

class KeapError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}
export const keapError = (status: number, message: string): EmuResponse => ({ status, body: { message } });

export interface KeapUser { id: number; email_address: string; given_name: string; family_name: string; preferred_name: string; status: 'Active' | 'Inactive'; admin: boolean; partner: boolean; global_user_id: number }
export interface KeapContactRecord {
  id: number; given_name: string | null; family_name: string | null; company: { id: number; company_name: string } | null;
  email_addresses: { email: string; field: string }[]; phone_numbers: { number: string; extension?: string | null; field: string; type?: string | null }[];
  addresses: { line1?: string | null; locality?: string | null; region?: string | null; postal_code?: string | null; country_code?: string | null; field: string }[];
  owner_id: number | null; date_created: string; last_updated: string; [k: string]: unknown;
}
export interface KeapNoteRecord { id: number; contact_id: number; user_id: number; title: string; body: string; type: string; date_created: string; last_updated: string }
export interface KeapTaskRecord { id: number; title: string; description: string | null; due_date: string; contact: { id: number; email: string | null; first_name: string | null; last_name: string | null } | null; user_id: number; type: string | null; priority: number | null; completed: boolean; creation_date: string; modification_date: string }

export interface KeapStore {
  users: KeapUser[];
  contacts: Map<number, KeapContactRecord>;
  notes: Map<number, KeapNoteRecord>;
  tasks: Map<number, KeapTaskRecord>;
  createContact(fields: Partial<KeapContactRecord>): KeapContactRecord;
  updateContact(id: number, fields: Partial<KeapContactRecord>): KeapContactRecord;
  removeContact(id: number): void;
  listContacts(): KeapContactRecord[];
  /** The next write time (ms, strictly increasing). */
  stamp(): string;
  nextId(kind: 'note' | 'task'): number;
}

function createStore(o: { contacts: number; users: number; baseTime: number }): KeapStore {
  let nextContact = 101;
  const ids = { note: 5001, task: 7001 };
  let clock = o.baseTime + o.contacts * 1000 + 10_000;
  // Writes get strictly increasing last_updated times, so changed-since orders them like Keap would.
  const stamp = () => new Date(clock = Math.max(clock + 1, Date.now())).toISOString();
  const names = [['Owner', 'Demo'], ['Max', 'Jensen'], ['Chris', 'Olliver'], ['Sarah', 'Smith'], ['Jim', 'Brennan']];
  const users: KeapUser[] = Array.from({ length: Math.max(1, o.users) }, (_, i) => ({
    id: 1 + i, email_address: `${names[i % names.length].join('.')}${i >= names.length ? i : ''}@patchbay-demo.example`.toLowerCase(),
    given_name: names[i % names.length][0], family_name: names[i % names.length][1], preferred_name: names[i % names.length][0], status: 'Active', admin: i === 0, partner: false, global_user_id: 88_001 + i,
  }));
  const contacts = new Map<number, KeapContactRecord>();
  const store: KeapStore = {
    users,
    contacts,
    notes: new Map(),
    tasks: new Map(),
    createContact(fields) {
      const t = typeof fields.last_updated === 'string' ? fields.last_updated : stamp();
      const rec: KeapContactRecord = {
        given_name: null, family_name: null, company: null, email_addresses: [], phone_numbers: [], addresses: [], owner_id: null, tag_ids: [], email_status: 'UnengagedMarketable', email_opted_in: false,
        ...fields, id: nextContact++, date_created: typeof fields.date_created === 'string' ? fields.date_created : t, last_updated: t,
      };
      contacts.set(rec.id, rec);
      return rec;
    },
    updateContact(id, fields) {
      const rec = contacts.get(id);
      if (!rec) throw new KeapError(404, `Contact with id ${id} not found`);
      const { id: _i, date_created: _c, last_updated: _u, ...rest } = fields;
      Object.assign(rec, rest);
      rec.last_updated = stamp();
      return rec;
    },
    removeContact(id) {
      if (!contacts.delete(id)) throw new KeapError(404, `Contact with id ${id} not found`);
    },
    listContacts: () => [...contacts.values()],
    stamp,
    nextId: (kind) => ids[kind]++,
  };
  for (let i = 0; i < o.contacts; i++) {
    const p = syntheticPerson(i, o.baseTime);
    const t = new Date(p.updatedAt).toISOString();
    store.createContact({
      given_name: p.firstName, family_name: p.lastName, company: { id: 3001 + (i % 7), company_name: p.company },
      email_addresses: [{ email: p.email, field: 'EMAIL1' }],
      phone_numbers: [{ number: p.phoneAsTyped, extension: null, field: 'PHONE1', type: 'Work' }, ...(p.mobileAsTyped ? [{ number: p.mobileAsTyped, extension: null, field: 'PHONE2', type: 'Mobile' }] : [])],
      addresses: [{ line1: null, locality: p.city, region: null, postal_code: null, country_code: ALPHA3[p.country], field: 'BILLING' }],
      owner_id: users[i % users.length].id, date_created: t, last_updated: t,
    });
  }
  return store;
}

export type KeapEmulator = RunningEmulator & { store: KeapStore };

export async function startKeapEmulator(o: CrmEmulatorOptions = {}): Promise<KeapEmulator> {
  const store = createStore({ contacts: o.contacts ?? 1000, users: o.users ?? 3, baseTime: Date.UTC(2026, 0, 1) });
  const me = () => store.users[0];
  let baseUrl = '';

  const body = (req: EmuRequest): Record<string, unknown> => {
    if (req.body === undefined || req.body === '') return {};
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw new KeapError(400, 'Input could not be converted to a valid request');
    return req.body as Record<string, unknown>;
  };
  const intParam = (v: string | null, name: string, dflt: number, max?: number) => {
    if (v === null || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || (max !== undefined && n > max)) throw new KeapError(400, `Invalid ${name}: ${v}${max !== undefined ? ` (0 to ${max})` : ''}`);
    return n;
  };
  const dateParam = (v: string | null, name: string) => {
    if (v === null || v === '') return undefined;
    const t = Date.parse(v);
    if (!Number.isFinite(t)) throw new KeapError(400, `Invalid ${name}: ${v} is not a date-time`);
    return t;
  };
  const boolParam = (v: string | null, name: string) => {
    if (v === null || v === '') return undefined;
    if (v !== 'true' && v !== 'false') throw new KeapError(400, `Invalid ${name}: ${v} (true or false)`);
    return v === 'true';
  };
  const pathId = (req: EmuRequest, what: string) => {
    const n = Number(req.params.id);
    if (!Number.isInteger(n) || n <= 0) throw new KeapError(400, `Invalid ${what} id: ${req.params.id}`);
    return n;
  };
  const userOf = (v: unknown, name: string) => {
    const u = store.users.find((x) => x.id === Number(v));
    if (!u) throw new KeapError(400, `Invalid ${name}: user ${String(v)} does not exist`);
    return u;
  };
  const contactOf = (v: unknown, name: string) => {
    const c = store.contacts.get(Number(v));
    if (!c) throw new KeapError(400, `Invalid ${name}: contact ${String(v)} does not exist`);
    return c;
  };
  /** A list answer: the page, the total, and next/previous links like Keap's. */
  const listBody = (key: string, rows: unknown[], req: EmuRequest, limit: number, offset: number) => {
    const link = (off: number) => {
      const q = new URLSearchParams(req.query);
      q.set('limit', String(limit));
      q.set('offset', String(off));
      return `${baseUrl}${req.path}/?${q.toString()}`;
    };
    return { [key]: rows.slice(offset, offset + limit), count: rows.length, next: link(offset + limit), previous: link(Math.max(0, offset - limit)) };
  };

  function contactFields(b: Record<string, unknown>, creating: boolean): Partial<KeapContactRecord> {
    const out: Partial<KeapContactRecord> = {};
    for (const k of ['given_name', 'family_name', 'middle_name', 'job_title'] as const) {
      if (b[k] === undefined) continue;
      if (b[k] !== null && typeof b[k] !== 'string') throw new KeapError(400, `Invalid ${k}: must be a string`);
      out[k] = b[k] as string | null;
    }
    if (b.email_addresses !== undefined) {
      if (!Array.isArray(b.email_addresses)) throw new KeapError(400, 'Invalid email_addresses: must be a list');
      out.email_addresses = b.email_addresses.map((e: Record<string, unknown>, i: number) => {
        if (typeof e?.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(e.email)) throw new KeapError(400, `Invalid email_addresses[${i}].email`);
        if (!['EMAIL1', 'EMAIL2', 'EMAIL3'].includes(String(e.field))) throw new KeapError(400, `Invalid email_addresses[${i}].field: must be EMAIL1, EMAIL2 or EMAIL3`);
        return { email: e.email, field: String(e.field) };
      });
    }
    if (b.phone_numbers !== undefined) {
      if (!Array.isArray(b.phone_numbers)) throw new KeapError(400, 'Invalid phone_numbers: must be a list');
      out.phone_numbers = b.phone_numbers.map((p: Record<string, unknown>, i: number) => {
        if (typeof p?.number !== 'string') throw new KeapError(400, `Invalid phone_numbers[${i}].number`);
        if (!['PHONE1', 'PHONE2', 'PHONE3', 'PHONE4', 'PHONE5'].includes(String(p.field))) throw new KeapError(400, `Invalid phone_numbers[${i}].field: must be PHONE1 to PHONE5`);
        return { number: p.number, extension: (p.extension as string | undefined) ?? null, field: String(p.field), type: (p.type as string | undefined) ?? null };
      });
    }
    if (b.addresses !== undefined) {
      if (!Array.isArray(b.addresses)) throw new KeapError(400, 'Invalid addresses: must be a list');
      out.addresses = b.addresses.map((a: Record<string, unknown>, i: number) => {
        if (!['BILLING', 'SHIPPING', 'OTHER'].includes(String(a?.field))) throw new KeapError(400, `Invalid addresses[${i}].field: must be BILLING, SHIPPING or OTHER`);
        if (a.country_code !== undefined && a.country_code !== null && !/^[A-Z]{3}$/.test(String(a.country_code))) throw new KeapError(400, `Invalid addresses[${i}].country_code: an ISO 3166-1 alpha-3 code`);
        return { ...a, field: String(a.field) } as KeapContactRecord['addresses'][number];
      });
    }
    if (b.owner_id !== undefined && b.owner_id !== null) out.owner_id = userOf(b.owner_id, 'owner_id').id;
    if (creating && !out.email_addresses?.length && !out.phone_numbers?.length) throw new KeapError(400, 'Contact must contain at least one email address or phone number');
    return out;
  }

  const guard = (h: EmuHandler): EmuHandler => async (req) => {
    try { return await h(req); } catch (err) {
      if (err instanceof KeapError) return keapError(err.status, err.message);
      throw err;
    }
  };

  const routes: [string, string, EmuHandler][] = [
    ['GET', `${V1}/oauth/connect/userinfo`, guard(() => ({ status: 200, body: { email: me().email_address, family_name: me().family_name, given_name: me().given_name, global_user_id: me().global_user_id, infusionsoft_id: 'patchbaydemo.infusionsoft.com', middle_name: null, preferred_name: me().preferred_name, sub: String(me().global_user_id) } }))],
    ['GET', `${V1}/account/profile`, guard(() => ({ status: 200, body: { name: 'Patchbay Demo', email: me().email_address, time_zone: 'UTC', currency_code: 'USD' } }))],
    ['GET', `${V1}/users`, guard((req) => {
      const limit = intParam(req.query.get('limit'), 'limit', MAX_LIMIT, MAX_LIMIT);
      const offset = intParam(req.query.get('offset'), 'offset', 0);
      const rows = store.users.filter((u) => req.query.get('include_inactive') === 'true' || u.status === 'Active');
      return { status: 200, body: listBody('users', rows, req, limit, offset) };
    })],
    ['GET', `${V1}/contacts`, guard((req) => {
      const limit = intParam(req.query.get('limit'), 'limit', MAX_LIMIT, MAX_LIMIT);
      const offset = intParam(req.query.get('offset'), 'offset', 0);
      const since = dateParam(req.query.get('since'), 'since');
      const until = dateParam(req.query.get('until'), 'until');
      const order = req.query.get('order') ?? 'id';
      if (!CONTACT_ORDERS.includes(order)) throw new KeapError(400, `Invalid order: ${order} (one of ${CONTACT_ORDERS.join(', ')})`);
      const dir = (req.query.get('order_direction') ?? 'ASCENDING').toUpperCase();
      if (dir !== 'ASCENDING' && dir !== 'DESCENDING') throw new KeapError(400, 'Invalid order_direction: ASCENDING or DESCENDING');
      const email = req.query.get('email')?.toLowerCase();
      const given = req.query.get('given_name')?.toLowerCase();
      const family = req.query.get('family_name')?.toLowerCase();
      const key = (c: KeapContactRecord): string | number => order === 'id' ? c.id : order === 'date_created' ? c.date_created : order === 'last_updated' ? c.last_updated
        : order === 'email' ? (c.email_addresses[0]?.email ?? '') : order === 'firstName' ? (c.given_name ?? '') : `${c.family_name ?? ''} ${c.given_name ?? ''}`;
      const rows = store.listContacts()
        .filter((c) => (since === undefined || Date.parse(c.last_updated) >= since) && (until === undefined || Date.parse(c.last_updated) <= until)
          && (!email || c.email_addresses.some((e) => e.email.toLowerCase() === email))
          && (!given || (c.given_name ?? '').toLowerCase() === given) && (!family || (c.family_name ?? '').toLowerCase() === family))
        .sort((a, b) => {
          const x = key(a), y = key(b);
          const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
          return (c || a.id - b.id) * (dir === 'DESCENDING' ? -1 : 1);
        });
      return { status: 200, body: { ...listBody('contacts', rows, req, limit, offset), sync_token: store.stamp() } };
    })],
    ['GET', `${V1}/contacts/:id`, guard((req) => {
      const c = store.contacts.get(pathId(req, 'contact'));
      return c ? { status: 200, body: c } : keapError(404, `Contact with id ${req.params.id} not found`);
    })],
    ['POST', `${V1}/contacts`, guard((req) => ({ status: 201, body: store.createContact(contactFields(body(req), true)) }))],
    ['PATCH', `${V1}/contacts/:id`, guard((req) => {
      const id = pathId(req, 'contact');
      if (!store.contacts.has(id)) throw new KeapError(404, `Contact with id ${id} not found`);
      return { status: 200, body: store.updateContact(id, contactFields(body(req), false)) };
    })],
    ['DELETE', `${V1}/contacts/:id`, guard((req) => {
      store.removeContact(pathId(req, 'contact'));
      return { status: 204 };
    })],
    ['GET', `${V1}/notes`, guard((req) => {
      const limit = intParam(req.query.get('limit'), 'limit', MAX_LIMIT, MAX_LIMIT);
      const offset = intParam(req.query.get('offset'), 'offset', 0);
      const contactId = req.query.get('contact_id');
      const userId = req.query.get('user_id');
      const rows = [...store.notes.values()].filter((n) => (!contactId || n.contact_id === Number(contactId)) && (!userId || n.user_id === Number(userId))).sort((a, b) => a.id - b.id);
      return { status: 200, body: listBody('notes', rows, req, limit, offset) };
    })],
    ['GET', `${V1}/notes/:id`, guard((req) => {
      const n = store.notes.get(pathId(req, 'note'));
      return n ? { status: 200, body: n } : keapError(404, `Note with id ${req.params.id} not found`);
    })],
    ['POST', `${V1}/notes`, guard((req) => {
      const b = body(req);
      const contact = contactOf(b.contact_id, 'contact_id');
      const user = b.user_id === undefined || b.user_id === null ? me() : userOf(b.user_id, 'user_id');
      const type = b.type ?? 'Other';
      if (!KEAP_NOTE_TYPES.includes(String(type))) throw new KeapError(400, `Invalid type: ${String(type)} (one of ${KEAP_NOTE_TYPES.join(', ')})`);
      if (b.title !== undefined && typeof b.title !== 'string') throw new KeapError(400, 'Invalid title: must be a string');
      if (b.body !== undefined && typeof b.body !== 'string') throw new KeapError(400, 'Invalid body: must be a string');
      const now = store.stamp();
      const note: KeapNoteRecord = { id: store.nextId('note'), contact_id: contact.id, user_id: user.id, title: (b.title as string | undefined) ?? '', body: (b.body as string | undefined) ?? '', type: String(type), date_created: now, last_updated: now };
      store.notes.set(note.id, note);
      return { status: 201, body: note };
    })],
    ['PATCH', `${V1}/notes/:id`, guard((req) => {
      const id = pathId(req, 'note');
      const n = store.notes.get(id);
      if (!n) throw new KeapError(404, `Note with id ${id} not found`);
      const b = body(req);
      if (b.type !== undefined && !KEAP_NOTE_TYPES.includes(String(b.type))) throw new KeapError(400, `Invalid type: ${String(b.type)} (one of ${KEAP_NOTE_TYPES.join(', ')})`);
      for (const k of ['title', 'body'] as const) if (b[k] !== undefined && typeof b[k] !== 'string') throw new KeapError(400, `Invalid ${k}: must be a string`);
      if (b.contact_id !== undefined) n.contact_id = contactOf(b.contact_id, 'contact_id').id;
      if (b.user_id !== undefined) n.user_id = userOf(b.user_id, 'user_id').id;
      if (b.title !== undefined) n.title = b.title as string;
      if (b.body !== undefined) n.body = b.body as string;
      if (b.type !== undefined) n.type = String(b.type);
      n.last_updated = store.stamp();
      return { status: 200, body: n };
    })],
    // List Tasks: contact_id, user_id, completed and has_due_date filters, limit/offset paging, by id.
    ['GET', `${V1}/tasks`, guard((req) => {
      const limit = intParam(req.query.get('limit'), 'limit', MAX_LIMIT, MAX_LIMIT);
      const offset = intParam(req.query.get('offset'), 'offset', 0);
      const contactId = req.query.get('contact_id');
      const userId = req.query.get('user_id');
      const completed = boolParam(req.query.get('completed'), 'completed');
      const hasDue = boolParam(req.query.get('has_due_date'), 'has_due_date');
      const rows = [...store.tasks.values()].filter((t) => (!contactId || t.contact?.id === Number(contactId)) && (!userId || t.user_id === Number(userId))
        && (completed === undefined || t.completed === completed) && (hasDue === undefined || !!t.due_date === hasDue)).sort((a, b) => a.id - b.id);
      return { status: 200, body: listBody('tasks', rows, req, limit, offset) };
    })],
    ['GET', `${V1}/tasks/:id`, guard((req) => {
      const t = store.tasks.get(pathId(req, 'task'));
      return t ? { status: 200, body: t } : keapError(404, `Task with id ${req.params.id} not found`);
    })],
    ['POST', `${V1}/tasks`, guard((req) => {
      const b = body(req);
      if (typeof b.title !== 'string' || !b.title) throw new KeapError(400, 'Invalid title: is required');
      const due = typeof b.due_date === 'string' ? Date.parse(b.due_date) : NaN;
      if (!Number.isFinite(due)) throw new KeapError(400, 'Invalid due_date: is required (a date-time)');
      const contactRef = b.contact as { id?: unknown } | undefined;
      const contact = contactRef === undefined || contactRef === null ? null : contactOf(contactRef.id, 'contact.id');
      const user = b.user_id === undefined || b.user_id === null ? me() : userOf(b.user_id, 'user_id');
      const now = store.stamp();
      const task: KeapTaskRecord = {
        id: store.nextId('task'), title: b.title, description: typeof b.description === 'string' ? b.description : null, due_date: new Date(due).toISOString(),
        contact: contact ? { id: contact.id, email: contact.email_addresses[0]?.email ?? null, first_name: contact.given_name, last_name: contact.family_name } : null,
        user_id: user.id, type: typeof b.type === 'string' ? b.type : null, priority: typeof b.priority === 'number' ? b.priority : null, completed: b.completed === true, creation_date: now, modification_date: now,
      };
      store.tasks.set(task.id, task);
      return { status: 201, body: task };
    })],
  ];

  const emu = await startEmulator({
    name: 'Keap',
    routes,
    extractToken: (req) => {
      const key = req.headers['x-keap-api-key'];
      if (typeof key === 'string' && key) return key;
      const auth = req.headers.authorization;
      return typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : null;
    },
    tokens: [o.token ?? 'dev-token'],
    unauthorized: (req) => ({
      status: 401,
      body: req.headers.authorization || req.headers['x-keap-api-key']
        ? { fault: { faultstring: 'Invalid Access Token', detail: { errorcode: 'keymanagement.service.invalid_access_token' } } }
        : { fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } } },
    }),
    notFound: (req) => keapError(404, `No resource ${req.method} ${req.path}`),
    rateLimit: {
      limit: o.rateLimit ?? 0,
      windowMs: o.rateWindowMs ?? 60_000,
      headers: ({ limit, remaining }) => ({
        'x-keap-product-throttle-limit': String(limit), 'x-keap-product-throttle-available': String(remaining), 'x-keap-product-throttle-used': String(limit - remaining),
        'x-keap-product-throttle-time-unit': 'minute', 'x-keap-product-throttle-interval': '1',
      }),
      body: () => ({ code: '429', message: 'Quota Exceeded', status: 'Request Throttled', details: null }),
    },
    oauth: o.oauth ? {
      authorizePath: '/app/oauth/authorize', tokenPath: '/token', clientId: o.oauth.clientId, clientSecret: o.oauth.clientSecret, accessTokenTtlSec: o.accessTokenTtlSec ?? 86_400,
      extraTokenFields: () => ({ scope: 'full|patchbaydemo.infusionsoft.com' }), rotateRefreshTokens: true, refreshNeedsBasicAuth: true,
    } : undefined,
  }, o.port ?? 0);
  baseUrl = emu.url + '';
  return Object.assign(emu, { store });
}
