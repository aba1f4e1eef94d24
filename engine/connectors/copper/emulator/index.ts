// A local Copper: the developer API v1 (/developer_api/v1) as developer.copper.com documents it — the
// X-PW-AccessToken / X-PW-Application: developer_api / X-PW-UserEmail headers (or an OAuth bearer token), people
// and companies (POST /<entity>/search with page_number/page_size up to 200, sort_by/sort_direction,
// phone_number, emails, minimum/maximum_modified_date and _created_date in Unix seconds, the 100,000-record
// search cap, the X-PW-TOTAL header), create/read/update/delete, activities (user-category types only may be
// written: Note id 0 and the account's Phone Call type; GET/PUT/DELETE by id; search by parent and type),
// activity types, tasks (search by ids, assignee and status; a person's or company's related tasks), users, the account, `{ success: false, status, message }` errors and 429 when the
// request budget (180 per minute) is spent.
import { startEmulator, type CrmEmulatorOptions, type EmuHandler, type EmuRequest, type EmuResponse, type RunningEmulator } from '../../kit/emulator-server';
import { syntheticPerson } from '../../kit/synthetic';
import { COPPER_EMULATOR_EMAIL } from './owner';

export { COPPER_EMULATOR_EMAIL } from './owner';
/** Copper assigns the Phone Call activity type an id when the account is created; this one is the emulator's. */
export const COPPER_PHONE_CALL_TYPE_ID = 190_711;
export const COPPER_MEETING_TYPE_ID = 190_712;
const SEARCH_CAP = 100_000;
const MAX_PAGE_SIZE = 200;

export interface CopperRecord { id: number; date_created: number; date_modified: number; [k: string]: unknown }
export type CopperEntity = 'people' | 'companies' | 'activities' | 'tasks';

class CopperError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}
const copperError = (status: number, message: string): EmuResponse => ({ status, body: { success: false, status, message } });

export interface CopperStore {
  tables: Record<CopperEntity, Map<number, CopperRecord>>;
  users: { id: number; name: string; email: string }[];
  /** Deleted activities stay readable as stubs, as Copper keeps them. */
  deletedActivities: Set<number>;
  create(entity: CopperEntity, fields: Record<string, unknown>): CopperRecord;
  update(entity: CopperEntity, id: number, fields: Record<string, unknown>): CopperRecord;
  remove(entity: CopperEntity, id: number): void;
  list(entity: CopperEntity): CopperRecord[];
}

const unix = (ms: number) => Math.floor(ms / 1000);

function splitName(name: string): { first_name: string | null; last_name: string | null } {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return { first_name: null, last_name: null };
  return parts.length === 1 ? { first_name: parts[0], last_name: null } : { first_name: parts.slice(0, -1).join(' '), last_name: parts[parts.length - 1] };
}

function createStore(o: { contacts: number; companies: number; users: number; baseTime: number }): CopperStore {
  const tables = { people: new Map(), companies: new Map(), activities: new Map(), tasks: new Map() } as CopperStore['tables'];
  const nextId: Record<CopperEntity, number> = { people: 10_001, companies: 20_001, activities: 30_001, tasks: 40_001 };
  let clock = unix(o.baseTime) + o.contacts + o.companies + 10;
  // Every write moves the clock a second forward, so date_modified orders writes like Copper's would.
  const stamp = () => (clock = Math.max(clock + 1, unix(Date.now())));
  const names = [['Owner', 'Demo'], ['Max', 'Jensen'], ['Chris', 'Olliver'], ['Sarah', 'Smith'], ['Jim', 'Brennan']];
  const users = Array.from({ length: Math.max(1, o.users) }, (_, i) => ({
    id: 900_001 + i, name: names[i % names.length].join(' '), email: i === 0 ? COPPER_EMULATOR_EMAIL : `${names[i % names.length].join('.')}@patchbay-demo.example`.toLowerCase(),
  }));

  const store: CopperStore = {
    tables,
    users,
    deletedActivities: new Set(),
    create(entity, fields) {
      const t = typeof fields.date_modified === 'number' ? fields.date_modified : stamp();
      const rec: CopperRecord = { ...fields, id: nextId[entity]++, date_created: typeof fields.date_created === 'number' ? fields.date_created : t, date_modified: t };
      derive(entity, rec, fields);
      tables[entity].set(rec.id, rec);
      return rec;
    },
    update(entity, id, fields) {
      const rec = tables[entity].get(id);
      if (!rec) throw new CopperError(404, 'Resource not found');
      const { id: _i, date_created: _c, date_modified: _m, ...rest } = fields;
      Object.assign(rec, rest);
      derive(entity, rec, fields);
      rec.date_modified = stamp();
      return rec;
    },
    remove(entity, id) {
      if (!tables[entity].delete(id)) throw new CopperError(404, 'Resource not found');
      if (entity === 'activities') store.deletedActivities.add(id);
    },
    list: (entity) => [...tables[entity].values()],
  };

  /** Copper keeps `name` and first/last name in step, and the company name on people. */
  function derive(entity: CopperEntity, rec: CopperRecord, fields: Record<string, unknown>) {
    if (entity === 'people') {
      if (typeof fields.name === 'string' && !('first_name' in fields) && !('last_name' in fields)) Object.assign(rec, splitName(fields.name));
      else if ('first_name' in fields || 'last_name' in fields) rec.name = [rec.first_name, rec.last_name].filter(Boolean).join(' ');
      rec.company_name = typeof rec.company_id === 'number' ? String(tables.companies.get(rec.company_id)?.name ?? '') || null : null;
    }
  }

  for (let i = 0; i < o.companies; i++) {
    const p = syntheticPerson(100_000 + i, o.baseTime);
    store.create('companies', {
      name: p.company, address: { street: null, city: p.city, state: null, postal_code: null, country: p.country }, assignee_id: users[i % users.length].id,
      contact_type_id: null, details: null, email_domain: null, phone_numbers: [{ number: p.phoneAsTyped, category: 'work' }], socials: [], tags: [], websites: [],
      custom_fields: [], interaction_count: 0, date_modified: unix(o.baseTime) + i,
    });
  }
  const companyIds = [...tables.companies.keys()];
  for (let i = 0; i < o.contacts; i++) {
    const p = syntheticPerson(i, o.baseTime + o.companies * 1000);
    store.create('people', {
      name: `${p.firstName} ${p.lastName}`, prefix: null, first_name: p.firstName, middle_name: null, last_name: p.lastName, suffix: null,
      address: { street: null, city: p.city, state: null, postal_code: null, country: p.country }, assignee_id: users[i % users.length].id,
      company_id: companyIds.length ? companyIds[i % companyIds.length] : null, contact_type_id: null, details: null,
      emails: [{ email: p.email, category: 'work' }],
      phone_numbers: [{ number: p.phoneAsTyped, category: 'work' }, ...(p.mobileAsTyped ? [{ number: p.mobileAsTyped, category: 'mobile' }] : [])],
      socials: [], tags: [], title: null, websites: [], custom_fields: [], interaction_count: 0, date_modified: unix(p.updatedAt),
    });
  }
  return store;
}

const digits = (s: unknown) => String(s ?? '').replace(/\D/g, '');

export interface CopperEmulatorOptions extends CrmEmulatorOptions {
  /** Copper's search cap (100,000); tests lower it. */
  searchCap?: number;
}
export type CopperEmulator = RunningEmulator & { store: CopperStore };

export async function startCopperEmulator(o: CopperEmulatorOptions = {}): Promise<CopperEmulator> {
  const contacts = o.contacts ?? 1000;
  const store = createStore({ contacts, companies: o.companies ?? Math.min(100, Math.max(1, Math.ceil(contacts / 10))), users: o.users ?? 3, baseTime: Date.UTC(2026, 0, 1) });
  const me = () => store.users[0];
  const activityTypes = {
    user: [
      { id: 0, category: 'user', name: 'Note', is_disabled: false, count_as_interaction: false },
      { id: COPPER_PHONE_CALL_TYPE_ID, category: 'user', name: 'Phone Call', is_disabled: false, count_as_interaction: true },
      { id: COPPER_MEETING_TYPE_ID, category: 'user', name: 'Meeting', is_disabled: false, count_as_interaction: true },
    ],
    system: [{ id: 1, category: 'system', name: 'Property Changed', is_disabled: false, count_as_interaction: false }, { id: 3, category: 'system', name: 'Pipeline Stage Changed', is_disabled: false, count_as_interaction: false }],
  };
  const writableType = (t: unknown) => {
    const x = t as { id?: unknown; category?: unknown } | undefined;
    if (!x || typeof x !== 'object') throw new CopperError(422, 'type: is required');
    if (x.category !== 'user') throw new CopperError(422, 'type: only activities of category "user" can be created or modified');
    if (!activityTypes.user.some((u) => u.id === x.id)) throw new CopperError(422, `type: unknown activity type id ${String(x.id)}`);
    return { id: x.id as number, category: 'user' };
  };

  const body = (req: EmuRequest): Record<string, unknown> => {
    if (req.body === undefined || req.body === '') return {};
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw new CopperError(400, 'Request body must be a JSON object');
    return req.body as Record<string, unknown>;
  };
  const idOf = (req: EmuRequest) => {
    const n = Number(req.params.id);
    if (!Number.isInteger(n) || n <= 0) throw new CopperError(404, 'Resource not found');
    return n;
  };
  const num = (v: unknown, name: string): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new CopperError(422, `${name}: must be a number`);
    return v;
  };
  const userId = (v: unknown, name: string) => {
    if (v === undefined || v === null) return undefined;
    if (!store.users.some((u) => u.id === v)) throw new CopperError(422, `${name}: unknown user ${String(v)}`);
    return v as number;
  };
  const parentRef = (v: unknown, name: string) => {
    const p = v as { id?: unknown; type?: unknown } | undefined;
    if (!p || typeof p !== 'object') throw new CopperError(422, `${name}: is required`);
    const table = p.type === 'person' ? 'people' : p.type === 'company' ? 'companies' : null;
    if (!table) throw new CopperError(422, `${name}.type: must be one of person, company, lead, opportunity, project, task`);
    if (!store.tables[table].has(Number(p.id))) throw new CopperError(422, `${name}.id: ${String(p.id)} is not a ${String(p.type)}`);
    return { id: Number(p.id), type: p.type };
  };

  /** The search endpoints of people and companies: AND of every given criterion, paged, capped at 100,000. */
  function search(entity: 'people' | 'companies', req: EmuRequest): EmuResponse {
    const b = body(req);
    const pageSize = num(b.page_size, 'page_size') ?? 20;
    const pageNumber = num(b.page_number, 'page_number') ?? 1;
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE || !Number.isInteger(pageSize)) throw new CopperError(422, `page_size: must be between 1 and ${MAX_PAGE_SIZE}`);
    if (pageNumber < 1 || !Number.isInteger(pageNumber)) throw new CopperError(422, 'page_number: must be 1 or more');
    const sortBy = typeof b.sort_by === 'string' ? b.sort_by : entity === 'people' ? 'first_name' : 'name';
    const sortable = ['name', 'first_name', 'last_name', 'date_modified', 'date_created', 'assignee', 'company_name', 'city', 'state', 'country'];
    if (!sortable.includes(sortBy)) throw new CopperError(422, `sort_by: cannot sort by ${sortBy}`);
    const dir = b.sort_direction ?? 'asc';
    if (dir !== 'asc' && dir !== 'desc') throw new CopperError(422, 'sort_direction: must be asc or desc');
    const ids = Array.isArray(b.ids) ? new Set(b.ids.map(Number)) : null;
    const phone = typeof b.phone_number === 'string' ? digits(b.phone_number) : null;
    if (b.phone_number !== undefined && !phone) throw new CopperError(422, 'phone_number: must contain digits');
    const emails = b.emails === undefined ? null : (Array.isArray(b.emails) ? b.emails : [b.emails]).map((e) => String(e).toLowerCase());
    const name = typeof b.name === 'string' ? b.name.toLowerCase() : null;
    const range = (field: 'date_modified' | 'date_created') => ({ min: num(b[`minimum_${field.replace('date_', '')}_date`], `minimum_${field.replace('date_', '')}_date`), max: num(b[`maximum_${field.replace('date_', '')}_date`], `maximum_${field.replace('date_', '')}_date`) });
    const modified = range('date_modified');
    const created = range('date_created');
    const within = (v: number, r: { min?: number; max?: number }) => (r.min === undefined || v >= r.min) && (r.max === undefined || v <= r.max);
    const rows = store.list(entity).filter((r) => {
      if (ids && !ids.has(r.id)) return false;
      // Copper matches the digits of phone_number inside the digits of each stored number.
      if (phone && !(r.phone_numbers as { number: string }[]).some((p) => digits(p.number).includes(phone))) return false;
      if (emails && !((r.emails as { email: string }[] | undefined) ?? []).some((e) => emails.includes(e.email.toLowerCase()))) return false;
      if (name && !String(r.name ?? '').toLowerCase().includes(name)) return false;
      return within(r.date_modified, modified) && within(r.date_created, created);
    });
    const key = (r: CopperRecord) => (sortBy === 'assignee' ? r.assignee_id : sortBy === 'city' || sortBy === 'state' || sortBy === 'country' ? (r.address as Record<string, unknown> | null)?.[sortBy] : r[sortBy]) ?? '';
    rows.sort((a, b2) => {
      const x = key(a), y = key(b2);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return (c || a.id - b2.id) * (dir === 'desc' ? -1 : 1);
    });
    const capped = rows.slice(0, o.searchCap ?? SEARCH_CAP);
    const start = (pageNumber - 1) * pageSize;
    return { status: 200, body: capped.slice(start, start + pageSize), headers: { 'x-pw-total': String(rows.length) } };
  }

  function peopleFields(b: Record<string, unknown>, creating: boolean): Record<string, unknown> {
    if (creating && (typeof b.name !== 'string' || !b.name.trim()) && !b.first_name && !b.last_name) throw new CopperError(422, 'name: is required');
    for (const k of ['emails', 'phone_numbers'] as const) {
      if (b[k] === undefined) continue;
      if (!Array.isArray(b[k])) throw new CopperError(422, `${k}: must be an array`);
      for (const e of b[k] as Record<string, unknown>[]) if (typeof e?.[k === 'emails' ? 'email' : 'number'] !== 'string') throw new CopperError(422, `${k}: each entry needs ${k === 'emails' ? 'email' : 'number'}`);
    }
    userId(b.assignee_id, 'assignee_id');
    return b;
  }

  const guard = (h: EmuHandler): EmuHandler => async (req) => {
    try { return await h(req); } catch (err) {
      if (err instanceof CopperError) return copperError(err.status, err.message);
      throw err;
    }
  };
  const V1 = '/developer_api/v1';
  const crud = (entity: 'people' | 'companies'): [string, string, EmuHandler][] => [
    ['POST', `${V1}/${entity}/search`, guard((req) => search(entity, req))],
    ['GET', `${V1}/${entity}/:id`, guard((req) => {
      const r = store.tables[entity].get(idOf(req));
      return r ? { status: 200, body: r } : copperError(404, 'Resource not found');
    })],
    ['POST', `${V1}/${entity}`, guard((req) => {
      const b = body(req);
      if (entity === 'people') peopleFields(b, true);
      else if (typeof b.name !== 'string' || !b.name) throw new CopperError(422, 'name: is required');
      const rec = store.create(entity, { emails: [], phone_numbers: [], address: null, company_id: null, details: null, tags: [], socials: [], websites: [], custom_fields: [], title: null, ...b, assignee_id: b.assignee_id ?? null });
      return { status: 200, body: rec };
    })],
    ['PUT', `${V1}/${entity}/:id`, guard((req) => {
      const b = body(req);
      if (entity === 'people') peopleFields(b, false);
      return { status: 200, body: store.update(entity, idOf(req), b) };
    })],
    ['DELETE', `${V1}/${entity}/:id`, guard((req) => {
      const id = idOf(req);
      store.remove(entity, id);
      return { status: 200, body: { id, is_deleted: true } };
    })],
  ];

  const routes: [string, string, EmuHandler][] = [
    ['GET', `${V1}/account`, guard(() => ({ status: 200, body: { id: 424_242, name: 'Patchbay Demo' } }))],
    ['GET', `${V1}/users/me`, guard(() => ({ status: 200, body: me() }))],
    ['GET', `${V1}/users/:id`, guard((req) => {
      const u = store.users.find((x) => x.id === idOf(req));
      return u ? { status: 200, body: u } : copperError(404, 'Resource not found');
    })],
    ['POST', `${V1}/users/search`, guard((req) => {
      const b = body(req);
      const size = num(b.page_size, 'page_size') ?? 20, page = num(b.page_number, 'page_number') ?? 1;
      if (size < 1 || size > MAX_PAGE_SIZE) throw new CopperError(422, `page_size: must be between 1 and ${MAX_PAGE_SIZE}`);
      return { status: 200, body: store.users.slice((page - 1) * size, page * size), headers: { 'x-pw-total': String(store.users.length) } };
    })],
    ...crud('people'),
    ...crud('companies'),
    ['GET', `${V1}/activity_types`, guard(() => ({ status: 200, body: activityTypes }))],
    ['POST', `${V1}/activities/search`, guard((req) => {
      const b = body(req);
      const size = num(b.page_size, 'page_size') ?? 20, page = num(b.page_number, 'page_number') ?? 1;
      if (size < 1 || size > MAX_PAGE_SIZE) throw new CopperError(422, `page_size: must be between 1 and ${MAX_PAGE_SIZE}`);
      const parent = b.parent === undefined ? null : parentRef(b.parent, 'parent');
      const types = Array.isArray(b.activity_types) ? (b.activity_types as { id: number; category: string }[]) : null;
      const rows = store.list('activities')
        .filter((a) => (!parent || ((a.parent as { id: number; type: string }).id === parent.id && (a.parent as { type: string }).type === parent.type))
          && (!types || types.some((t) => t.id === (a.type as { id: number }).id && t.category === (a.type as { category: string }).category)))
        .sort((x, y) => (y.activity_date as number) - (x.activity_date as number) || y.id - x.id);
      return { status: 200, body: rows.slice((page - 1) * size, page * size) };
    })],
    ['GET', `${V1}/activities/:id`, guard((req) => {
      const id = idOf(req);
      const a = store.tables.activities.get(id);
      if (a) return { status: 200, body: a };
      return store.deletedActivities.has(id) ? { status: 200, body: { id, is_deleted: true } } : copperError(404, 'Resource not found');
    })],
    ['POST', `${V1}/activities`, guard((req) => {
      const b = body(req);
      const type = writableType(b.type);
      const parent = parentRef(b.parent, 'parent');
      if (typeof b.details !== 'string') throw new CopperError(422, 'details: is required');
      const rec = store.create('activities', {
        type, parent, details: b.details, user_id: userId(b.user_id, 'user_id') ?? me().id,
        activity_date: num(b.activity_date, 'activity_date') ?? unix(Date.now()), old_value: null, new_value: null,
      });
      return { status: 200, body: rec };
    })],
    ['PUT', `${V1}/activities/:id`, guard((req) => {
      const id = idOf(req);
      if (store.deletedActivities.has(id)) throw new CopperError(422, 'Deleted activities cannot be modified');
      const b = body(req);
      const current = store.tables.activities.get(id);
      if (!current) throw new CopperError(404, 'Resource not found');
      writableType(current.type);
      const patch: Record<string, unknown> = {};
      if (b.details !== undefined) { if (typeof b.details !== 'string') throw new CopperError(422, 'details: must be a string'); patch.details = b.details; }
      if (b.type !== undefined) patch.type = writableType(b.type);
      if (b.activity_date !== undefined) patch.activity_date = num(b.activity_date, 'activity_date');
      if (b.user_id !== undefined) patch.user_id = userId(b.user_id, 'user_id');
      return { status: 200, body: store.update('activities', id, patch) };
    })],
    ['DELETE', `${V1}/activities/:id`, guard((req) => {
      const id = idOf(req);
      store.remove('activities', id);
      return { status: 200, body: { id, is_deleted: true } };
    })],
    // Related items: identifiers only. A task created with related_resource is related to that person or company.
    ...(['people', 'companies'] as const).map((entity): [string, string, EmuHandler] => ['GET', `${V1}/${entity}/:id/related/tasks`, guard((req) => {
      const id = idOf(req);
      if (!store.tables[entity].has(id)) throw new CopperError(404, 'Resource not found');
      const type = entity === 'people' ? 'person' : 'company';
      const rows = store.list('tasks').filter((t) => { const r = t.related_resource as { id: number; type: string } | null; return r?.id === id && r.type === type; });
      return { status: 200, body: rows.map((t) => ({ id: t.id, type: 'task' })) };
    })]),
    // Tasks search: ids, assignee_ids, statuses (AND), sorted by due_date unless told, paged up to 200.
    ['POST', `${V1}/tasks/search`, guard((req) => {
      const b = body(req);
      const size = num(b.page_size, 'page_size') ?? 20, page = num(b.page_number, 'page_number') ?? 1;
      if (size < 1 || size > MAX_PAGE_SIZE) throw new CopperError(422, `page_size: must be between 1 and ${MAX_PAGE_SIZE}`);
      if (page < 1 || !Number.isInteger(page)) throw new CopperError(422, 'page_number: must be 1 or more');
      const sortBy = typeof b.sort_by === 'string' ? b.sort_by : 'due_date';
      if (!['name', 'due_date', 'date_created', 'date_modified', 'completed_date', 'status', 'priority'].includes(sortBy)) throw new CopperError(422, `sort_by: cannot sort by ${sortBy}`);
      const dir = b.sort_direction ?? 'asc';
      if (dir !== 'asc' && dir !== 'desc') throw new CopperError(422, 'sort_direction: must be asc or desc');
      const list = (k: string) => (b[k] === undefined ? null : Array.isArray(b[k]) ? (b[k] as unknown[]) : [b[k]]);
      const ids = list('ids')?.map(Number), assignees = list('assignee_ids')?.map(Number), statuses = list('statuses')?.map(String);
      const rows = store.list('tasks').filter((t) => (!ids || ids.includes(t.id))
        && (!assignees || assignees.includes((t.assignee_id as number | null) ?? -2)) && (!statuses || statuses.includes(String(t.status))));
      const key = (t: CopperRecord) => t[sortBy] ?? '';
      rows.sort((x, y) => {
        const a = key(x), c = key(y);
        const d = typeof a === 'number' && typeof c === 'number' ? a - c : String(a).localeCompare(String(c));
        return (d || x.id - y.id) * (dir === 'desc' ? -1 : 1);
      });
      const capped = rows.slice(0, o.searchCap ?? SEARCH_CAP);
      return { status: 200, body: capped.slice((page - 1) * size, page * size), headers: { 'x-pw-total': String(rows.length) } };
    })],
    ['GET', `${V1}/tasks/:id`, guard((req) => {
      const t = store.tables.tasks.get(idOf(req));
      return t ? { status: 200, body: t } : copperError(404, 'Resource not found');
    })],
    ['POST', `${V1}/tasks`, guard((req) => {
      const b = body(req);
      if (typeof b.name !== 'string' || !b.name) throw new CopperError(422, 'name: is required');
      const related = b.related_resource === undefined ? null : parentRef(b.related_resource, 'related_resource');
      const status = b.status ?? 'Open';
      if (status !== 'Open' && status !== 'Completed') throw new CopperError(422, 'status: must be Open or Completed');
      const priority = b.priority ?? 'None';
      if (priority !== 'None' && priority !== 'High') throw new CopperError(422, 'priority: must be None or High');
      const rec = store.create('tasks', {
        name: b.name, related_resource: related, assignee_id: userId(b.assignee_id, 'assignee_id') ?? me().id, due_date: num(b.due_date, 'due_date') ?? null,
        reminder_date: num(b.reminder_date, 'reminder_date') ?? null, completed_date: null, priority, status, details: typeof b.details === 'string' ? b.details : null, tags: [], custom_fields: [],
      });
      return { status: 200, body: rec };
    })],
  ];

  const emu = await startEmulator({
    name: 'Copper',
    routes,
    // API keys travel with the application name and the key owner's email; OAuth apps send a bearer token.
    extractToken: (req) => {
      if (req.headers['x-pw-application'] !== 'developer_api') return null;
      const auth = req.headers.authorization;
      if (typeof auth === 'string' && /^bearer /i.test(auth)) return auth.slice(7);
      const email = req.headers['x-pw-useremail'];
      if (typeof email !== 'string' || email.toLowerCase() !== me().email) return null;
      const token = req.headers['x-pw-accesstoken'];
      return typeof token === 'string' ? token : null;
    },
    tokens: [o.token ?? 'dev-token'],
    unauthorized: () => copperError(401, 'Invalid User Email or API Key'),
    notFound: () => copperError(404, 'Resource not found'),
    rateLimit: {
      limit: o.rateLimit ?? 0,
      windowMs: o.rateWindowMs ?? 60_000,
      body: () => ({ success: false, status: 429, message: 'Rate limit exceeded: 180 requests per minute' }),
    },
    oauth: o.oauth ? {
      authorizePath: '/oauth/authorize', tokenPath: '/oauth/token', clientId: o.oauth.clientId, clientSecret: o.oauth.clientSecret, accessTokenTtlSec: o.accessTokenTtlSec ?? 3600,
    } : undefined,
  }, o.port ?? 0);
  return Object.assign(emu, { store });
}
