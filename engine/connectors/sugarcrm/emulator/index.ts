// A local SugarCRM: the REST v11 API (any /rest/v11_N prefix) as Sugar's developer guide describes it — the
// /oauth2/token endpoint with the password and refresh_token grants (the OAuth-Token header, or a Bearer token
// since Sugar Fall '18), modules Contacts, Accounts, Calls, Notes, Tasks and Users with list, filter (POST
// /<module>/filter with Sugar's filter JSON: $or/$and, $equals, $starts, $ends, $contains, $in, $gt/$gte/$lt/$lte,
// $is_null/$not_null), filter/count, max_num/offset paging with `next_offset` -1 on the last page, `order_by`,
// create/update/delete, the Calls↔Contacts relationship (link/contacts), /me, Sugar's error bodies
// `{ error, error_message }` and a 429 with Retry-After when the request budget is spent.
// Seeded from syntheticPerson: contacts (with accounts), accounts with an office phone, users (user 1 signs in).
import { randomUUID } from 'node:crypto';
import { startEmulator, type CrmEmulatorOptions, type EmuHandler, type EmuRequest, type EmuResponse, type RunningEmulator } from '../../kit/emulator-server';
import { syntheticPerson } from '../../kit/synthetic';

export const SUGAR_EMULATOR_USER = { userName: 'admin', password: 'patchbay-demo' };

export type SugarRecord = Record<string, unknown> & { id: string; date_entered: string; date_modified: string; deleted: boolean };
export const SUGAR_MODULES = ['Contacts', 'Accounts', 'Calls', 'Notes', 'Tasks', 'Users'] as const;
export type SugarModule = (typeof SUGAR_MODULES)[number];

/** Sugar answers date-times as ISO 8601 with an explicit offset: 2026-01-01T09:30:00+00:00. */
export const sugarTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');

const uuidFor = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

class SugarError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}
const sugarError = (status: number, error: string, message: string): EmuResponse => ({ status, body: { error, error_message: message } });

export interface SugarStore {
  modules: Record<SugarModule, Map<string, SugarRecord>>;
  /** Calls ↔ Contacts (the `contacts` link of a call). */
  callContacts: Map<string, Set<string>>;
  create(module: SugarModule, fields: Record<string, unknown>, userId?: string): SugarRecord;
  update(module: SugarModule, id: string, fields: Record<string, unknown>, userId?: string): SugarRecord;
  remove(module: SugarModule, id: string): void;
  /** Live records of a module, in insertion order. */
  list(module: SugarModule): SugarRecord[];
}

const EMAIL_MODULES = new Set<SugarModule>(['Contacts', 'Accounts', 'Users']);

function createStore(o: { contacts: number; companies: number; users: number; baseTime: number }): SugarStore {
  const modules = Object.fromEntries(SUGAR_MODULES.map((m) => [m, new Map<string, SugarRecord>()])) as SugarStore['modules'];
  const callContacts = new Map<string, Set<string>>();
  let clock = o.baseTime + (o.contacts + o.companies + 10) * 1000;
  // Every write moves the clock forward by a second, so date_modified orders writes like Sugar's would.
  const stamp = () => { clock = Math.max(clock + 1000, Math.floor(Date.now() / 1000) * 1000); return sugarTime(clock); };

  /** Sugar keeps both the `email` collection and `email1` (the primary address) in step. */
  function withEmails(module: SugarModule, rec: Record<string, unknown>, fields: Record<string, unknown>) {
    if (!EMAIL_MODULES.has(module)) return;
    if (Array.isArray(fields.email)) {
      const list = (fields.email as { email_address?: string; primary_address?: boolean }[]).filter((e) => typeof e?.email_address === 'string');
      rec.email = list.map((e, i) => ({ email_address: e.email_address, primary_address: e.primary_address ?? i === 0, invalid_email: false, opt_out: false }));
      rec.email1 = list.find((e) => e.primary_address)?.email_address ?? list[0]?.email_address ?? '';
    } else if (typeof fields.email1 === 'string') {
      rec.email1 = fields.email1;
      rec.email = fields.email1 ? [{ email_address: fields.email1, primary_address: true, invalid_email: false, opt_out: false }] : [];
    }
  }

  function derive(module: SugarModule, rec: SugarRecord) {
    if (module === 'Contacts' || module === 'Users') rec[module === 'Users' ? 'full_name' : 'name'] = [rec.first_name, rec.last_name].filter(Boolean).join(' ');
    if (module === 'Contacts') rec.account_name = rec.account_id ? String(modules.Accounts.get(String(rec.account_id))?.name ?? '') : '';
    if (module === 'Calls' && typeof rec.date_start === 'string') {
      const mins = Number(rec.duration_hours ?? 0) * 60 + Number(rec.duration_minutes ?? 0);
      const start = Date.parse(rec.date_start);
      if (Number.isFinite(start)) rec.date_end = sugarTime(start + mins * 60_000);
    }
    if ('assigned_user_id' in rec) {
      const u = modules.Users.get(String(rec.assigned_user_id ?? ''));
      rec.assigned_user_name = u ? String(u.full_name) : '';
    }
  }

  const store: SugarStore = {
    modules,
    callContacts,
    create(module, fields, userId) {
      const t = typeof fields.date_modified === 'string' ? fields.date_modified : stamp();
      const rec: SugarRecord = { ...fields, id: typeof fields.id === 'string' && fields.id ? fields.id : randomUUID(), date_entered: t, date_modified: t, deleted: false, _module: module } as SugarRecord;
      if (userId) { rec.created_by = userId; rec.modified_user_id = userId; rec.assigned_user_id ??= userId; }
      withEmails(module, rec, fields);
      derive(module, rec);
      modules[module].set(rec.id, rec);
      return rec;
    },
    update(module, id, fields, userId) {
      const rec = modules[module].get(id);
      if (!rec || rec.deleted) throw new SugarError(404, 'not_found', `Could not find record: ${id} in module: ${module}`);
      const { id: _i, date_entered: _e, date_modified: _m, deleted: _d, ...rest } = fields;
      Object.assign(rec, rest);
      withEmails(module, rec, fields);
      rec.date_modified = stamp();
      if (userId) rec.modified_user_id = userId;
      derive(module, rec);
      return rec;
    },
    remove(module, id) {
      const rec = modules[module].get(id);
      if (!rec || rec.deleted) throw new SugarError(404, 'not_found', `Could not find record: ${id} in module: ${module}`);
      rec.deleted = true;
      rec.date_modified = stamp();
    },
    list: (module) => [...modules[module].values()].filter((r) => !r.deleted),
  };

  const names = [['Sally', 'Bronsen'], ['Max', 'Jensen'], ['Chris', 'Olliver'], ['Sarah', 'Smith'], ['Jim', 'Brennan']];
  for (let i = 0; i < Math.max(1, o.users); i++) {
    const [first, last] = names[i % names.length];
    store.create('Users', {
      id: i === 0 ? '1' : uuidFor('5e000000', i), user_name: i === 0 ? SUGAR_EMULATOR_USER.userName : `${first}.${last}`.toLowerCase(), first_name: first, last_name: last,
      email1: `${first}.${last}@patchbay-demo.example`.toLowerCase(), status: 'Active', is_admin: i === 0, date_modified: sugarTime(o.baseTime),
    });
  }
  const userIds = [...modules.Users.keys()];
  for (let i = 0; i < o.companies; i++) {
    const p = syntheticPerson(100_000 + i, o.baseTime);
    store.create('Accounts', {
      id: uuidFor('acc00000', i), name: p.company, phone_office: p.phoneAsTyped, phone_alternate: '', billing_address_city: p.city,
      billing_address_country: p.country === 'US' ? 'USA' : p.country, industry: 'Technology', account_type: 'Customer',
      assigned_user_id: userIds[i % userIds.length], date_modified: sugarTime(o.baseTime + i * 1000),
    });
  }
  const accountIds = [...modules.Accounts.keys()];
  const countryName: Record<string, string> = { US: 'USA', GB: 'United Kingdom', DE: 'Germany', FR: 'France' };
  for (let i = 0; i < o.contacts; i++) {
    const p = syntheticPerson(i, o.baseTime + o.companies * 1000);
    store.create('Contacts', {
      id: uuidFor('c0000000', i), first_name: p.firstName, last_name: p.lastName, salutation: '', title: '',
      email1: p.email, phone_work: p.phoneAsTyped, phone_mobile: p.mobileAsTyped ?? '', phone_home: '', phone_other: '',
      primary_address_city: p.city, primary_address_country: countryName[p.country],
      account_id: accountIds.length ? accountIds[i % accountIds.length] : '', assigned_user_id: userIds[i % userIds.length], date_modified: sugarTime(p.updatedAt),
    });
  }
  return store;
}

// ---------- filter expressions ----------

const OPERATORS = new Set(['$equals', '$not_equals', '$starts', '$ends', '$contains', '$not_contains', '$in', '$not_in', '$gt', '$gte', '$lt', '$lte', '$is_null', '$not_null']);

function compare(a: unknown, b: unknown, field: string): number {
  // Sugar's own date-times (sugarTime) sort as text; anything else is parsed.
  const own = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;
  if (field.startsWith('date') && typeof a === 'string' && typeof b === 'string' && own.test(a) && own.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  if (field.startsWith('date') && typeof a === 'string' && typeof b === 'string') {
    const x = Date.parse(a), y = Date.parse(b);
    if (!Number.isFinite(y)) throw new SugarError(422, 'invalid_parameter', `Invalid date value for ${field}: ${b}`);
    return (Number.isFinite(x) ? x : -Infinity) - y;
  }
  if (typeof a === 'number' || typeof b === 'number') return Number(a) - Number(b);
  const s = String(a ?? ''), t = String(b ?? '');
  return s < t ? -1 : s > t ? 1 : 0;
}

/** The value Sugar compares for a field: `email` matches any of the record's addresses. */
function valuesOf(rec: SugarRecord, field: string): unknown[] {
  if (field === 'email' && Array.isArray(rec.email)) return (rec.email as { email_address: string }[]).map((e) => e.email_address);
  return [rec[field]];
}

function fieldMatches(rec: SugarRecord, field: string, cond: unknown, known: Set<string>): boolean {
  if (!known.has(field)) throw new SugarError(422, 'invalid_parameter', `Unknown field: ${field}`);
  const ops: [string, unknown][] = cond !== null && typeof cond === 'object' && !Array.isArray(cond) ? Object.entries(cond) : [['$equals', cond]];
  return ops.every(([op, v]) => {
    if (!OPERATORS.has(op)) throw new SugarError(422, 'invalid_parameter', `Did not recognize the operator: ${op}`);
    return valuesOf(rec, field).some((actual) => {
      const ci = (x: unknown) => String(x ?? '').toLowerCase(); // MySQL's default collation: case-insensitive
      switch (op) {
        case '$equals': return ci(actual) === ci(v);
        case '$not_equals': return ci(actual) !== ci(v);
        case '$starts': return ci(actual).startsWith(ci(v));
        case '$ends': return ci(actual).endsWith(ci(v));
        case '$contains': return ci(actual).includes(ci(v));
        case '$not_contains': return !ci(actual).includes(ci(v));
        case '$in': case '$not_in': {
          if (!Array.isArray(v)) throw new SugarError(422, 'invalid_parameter', `${op} requires an array`);
          const hit = v.some((x) => ci(x) === ci(actual));
          return op === '$in' ? hit : !hit;
        }
        case '$gt': return actual !== '' && actual != null && compare(actual, v, field) > 0;
        case '$gte': return actual !== '' && actual != null && compare(actual, v, field) >= 0;
        case '$lt': return actual !== '' && actual != null && compare(actual, v, field) < 0;
        case '$lte': return actual !== '' && actual != null && compare(actual, v, field) <= 0;
        case '$is_null': return actual === null || actual === undefined || actual === '';
        case '$not_null': return !(actual === null || actual === undefined || actual === '');
        default: return false;
      }
    });
  });
}

/** A filter is an array of clauses, all of which must hold; a clause is `{ field: cond }`, `{ $or: [...] }` or `{ $and: [...] }`. */
function matches(rec: SugarRecord, filter: unknown, known: Set<string>): boolean {
  if (filter === undefined || filter === null) return true;
  if (!Array.isArray(filter)) throw new SugarError(422, 'invalid_parameter', 'filter must be an array of filter definitions');
  return filter.every((clause) => {
    if (!clause || typeof clause !== 'object' || Array.isArray(clause)) throw new SugarError(422, 'invalid_parameter', 'Filter definitions must be objects');
    return Object.entries(clause as Record<string, unknown>).every(([k, v]) => {
      if (k === '$or') {
        if (!Array.isArray(v)) throw new SugarError(422, 'invalid_parameter', '$or requires an array');
        return v.some((sub) => matches(rec, [sub], known));
      }
      if (k === '$and') return matches(rec, v, known);
      return fieldMatches(rec, k, v, known);
    });
  });
}

// ---------- the emulator ----------

export interface SugarEmulatorOptions extends CrmEmulatorOptions {
  /** The user who signs in with the password grant (user 1). */
  userName?: string;
  password?: string;
}

export type SugarEmulator = RunningEmulator & { store: SugarStore };

const DEFAULT_MAX_NUM = 20;
const MAX_MAX_NUM = 1000;

export async function startSugarEmulator(o: SugarEmulatorOptions = {}): Promise<SugarEmulator> {
  const contacts = o.contacts ?? 1000;
  const store = createStore({ contacts, companies: o.companies ?? Math.min(100, Math.max(1, Math.ceil(contacts / 10))), users: o.users ?? 3, baseTime: Date.UTC(2026, 0, 1) });
  const userName = o.userName ?? SUGAR_EMULATOR_USER.userName;
  const password = o.password ?? SUGAR_EMULATOR_USER.password;
  const me = () => store.modules.Users.get('1')!;
  const knownFields = new Map<SugarModule, Set<string>>();
  const FIELDS: Record<SugarModule, string[]> = {
    Contacts: ['first_name', 'last_name', 'name', 'salutation', 'title', 'email', 'email1', 'phone_work', 'phone_mobile', 'phone_home', 'phone_other', 'phone_fax', 'primary_address_city', 'primary_address_country', 'account_id', 'account_name', 'description'],
    Accounts: ['name', 'phone_office', 'phone_alternate', 'phone_fax', 'email', 'email1', 'billing_address_city', 'billing_address_country', 'industry', 'account_type', 'website', 'description'],
    Calls: ['name', 'direction', 'status', 'date_start', 'date_end', 'duration_hours', 'duration_minutes', 'parent_type', 'parent_id', 'description'],
    Notes: ['name', 'description', 'parent_type', 'parent_id', 'contact_id'],
    Tasks: ['name', 'status', 'priority', 'date_due', 'date_start', 'parent_type', 'parent_id', 'contact_id', 'description'],
    Users: ['user_name', 'first_name', 'last_name', 'full_name', 'email', 'email1', 'status', 'is_admin'],
  };
  for (const m of SUGAR_MODULES) knownFields.set(m, new Set(['id', 'date_entered', 'date_modified', 'deleted', 'assigned_user_id', 'assigned_user_name', 'created_by', 'modified_user_id', ...FIELDS[m]]));

  const moduleOf = (req: EmuRequest): SugarModule => {
    if (!/^v1[01](_\d+)?$/.test(req.params.v)) throw new SugarError(404, 'not_found', `Could not find a route for version ${req.params.v}`);
    const m = req.params.module as SugarModule;
    if (!SUGAR_MODULES.includes(m)) throw new SugarError(404, 'no_method', `Could not find a route with ${req.path.split('/').length - 3} elements`);
    return m;
  };

  function intArg(v: unknown, name: string, dflt: number): number {
    if (v === undefined || v === null || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new SugarError(422, 'invalid_parameter', `${name} must be an integer`);
    return n;
  }

  /** `date_modified:ASC,id:DESC` (or `date_modified` for ASC); Sugar's default is date_modified descending. */
  function sorter(orderBy: unknown, m: SugarModule): (a: SugarRecord, b: SugarRecord) => number {
    const spec = typeof orderBy === 'string' && orderBy ? orderBy : 'date_modified:DESC';
    const keys = spec.split(',').map((part) => {
      const [field, dir = 'ASC'] = part.trim().split(':');
      if (!knownFields.get(m)!.has(field)) throw new SugarError(422, 'invalid_parameter', `Invalid order by field: ${field}`);
      if (!/^(asc|desc)$/i.test(dir)) throw new SugarError(422, 'invalid_parameter', `Invalid order by direction: ${dir}`);
      return { field, sign: /^desc$/i.test(dir) ? -1 : 1 };
    });
    return (a, b) => {
      for (const k of keys) {
        const c = compare(a[k.field], b[k.field], k.field);
        if (c !== 0) return c * k.sign;
      }
      return compare(a.id, b.id, 'id');
    };
  }

  function pick(rec: SugarRecord, fields: unknown, m: SugarModule): Record<string, unknown> {
    const { deleted: _d, ...all } = rec;
    if (typeof fields !== 'string' || !fields) return all;
    const want = new Set(['id', 'date_modified', ...fields.split(',').map((f) => f.trim())]);
    const out: Record<string, unknown> = { _module: m };
    for (const f of want) if (f in all) out[f] = all[f];
    return out;
  }

  function filterPage(m: SugarModule, args: { filter?: unknown; max_num?: unknown; offset?: unknown; order_by?: unknown; fields?: unknown }, base?: SugarRecord[]): EmuResponse {
    const maxNum = intArg(args.max_num, 'max_num', DEFAULT_MAX_NUM);
    const offset = intArg(args.offset, 'offset', 0);
    if (offset < 0) return { status: 200, body: { next_offset: -1, records: [] } };
    const limit = maxNum < 1 ? DEFAULT_MAX_NUM : Math.min(maxNum, MAX_MAX_NUM);
    const known = knownFields.get(m)!;
    const rows = (base ?? store.list(m)).filter((r) => matches(r, args.filter, known)).sort(sorter(args.order_by, m));
    const page = rows.slice(offset, offset + limit);
    return { status: 200, body: { next_offset: offset + limit < rows.length ? offset + limit : -1, records: page.map((r) => pick(r, args.fields, m)) } };
  }

  const queryArgs = (q: URLSearchParams) => ({ max_num: q.get('max_num') ?? undefined, offset: q.get('offset') ?? undefined, order_by: q.get('order_by') ?? undefined, fields: q.get('fields') ?? undefined });

  function bodyOf(req: EmuRequest): Record<string, unknown> {
    if (req.body === undefined || req.body === '') return {};
    if (typeof req.body !== 'object' || Array.isArray(req.body) || req.body === null) throw new SugarError(422, 'invalid_parameter', 'The request body must be a JSON object');
    return req.body as Record<string, unknown>;
  }

  const live = (m: SugarModule, id: string) => {
    const r = store.modules[m].get(id);
    if (!r || r.deleted) throw new SugarError(404, 'not_found', `Could not find record: ${id} in module: ${m}`);
    return r;
  };

  function validate(m: SugarModule, f: Record<string, unknown>, creating: boolean) {
    const required: Partial<Record<SugarModule, string[]>> = { Contacts: ['last_name'], Accounts: ['name'], Calls: ['name', 'date_start', 'duration_hours'], Notes: ['name'], Tasks: ['name'] };
    if (creating) for (const r of required[m] ?? []) if (f[r] === undefined || f[r] === null || f[r] === '') throw new SugarError(422, 'missing_parameter', `Missing parameter: ${r}`);
    const enums: Record<string, string[]> = {
      'Calls.direction': ['Inbound', 'Outbound'], 'Calls.status': ['Planned', 'Held', 'Not Held'], 'Tasks.status': ['Not Started', 'In Progress', 'Completed', 'Pending Input', 'Deferred'],
      'Calls.parent_type': ['Accounts', 'Contacts', 'Leads', 'Opportunities', 'Cases'], 'Notes.parent_type': ['Accounts', 'Contacts', 'Leads', 'Opportunities', 'Cases', 'Calls', 'Tasks'], 'Tasks.parent_type': ['Accounts', 'Contacts', 'Leads', 'Opportunities', 'Cases'],
    };
    for (const [k, v] of Object.entries(f)) {
      const allowed = enums[`${m}.${k}`];
      if (allowed && v !== '' && v !== null && !allowed.includes(String(v))) throw new SugarError(422, 'invalid_parameter', `Invalid value for ${k}: ${String(v)}`);
      if ((k === 'date_start' || k === 'date_due') && v && !Number.isFinite(Date.parse(String(v)))) throw new SugarError(422, 'invalid_parameter', `Invalid date value for ${k}: ${String(v)}`);
      if ((k === 'duration_hours' || k === 'duration_minutes') && (!Number.isInteger(Number(v)) || Number(v) < 0)) throw new SugarError(422, 'invalid_parameter', `${k} must be a non-negative integer`);
    }
    if (m === 'Calls' && f.date_start) f.date_start = sugarTime(Date.parse(String(f.date_start)));
    if (typeof f.assigned_user_id === 'string' && f.assigned_user_id && !store.modules.Users.has(f.assigned_user_id)) throw new SugarError(422, 'invalid_parameter', `Invalid assigned_user_id: ${f.assigned_user_id}`);
    for (const k of ['parent_id', 'contact_id', 'account_id']) {
      const id = f[k];
      if (typeof id !== 'string' || !id) continue;
      const target: SugarModule = k === 'contact_id' ? 'Contacts' : k === 'account_id' ? 'Accounts' : (String(f.parent_type ?? '') as SugarModule);
      if (SUGAR_MODULES.includes(target)) live(target, id);
    }
  }

  const guard = (h: EmuHandler): EmuHandler => async (req) => {
    try { return await h(req); } catch (err) {
      if (err instanceof SugarError) return sugarError(err.status, err.code, err.message);
      throw err;
    }
  };

  /** `contacts: { add: [ids] }` in a Calls create/update body links those contacts (Sugar's link-field syntax). */
  function linkFromBody(m: SugarModule, rec: SugarRecord, f: Record<string, unknown>) {
    if (m !== 'Calls' || !f.contacts || typeof f.contacts !== 'object') return;
    const add = (f.contacts as { add?: unknown }).add;
    if (!Array.isArray(add)) return;
    const set = store.callContacts.get(rec.id) ?? new Set<string>();
    for (const x of add) {
      const id = typeof x === 'string' ? x : String((x as { id?: unknown })?.id ?? '');
      live('Contacts', id);
      set.add(id);
    }
    store.callContacts.set(rec.id, set);
  }

  const routes: [string, string, EmuHandler][] = [
    ['GET', '/rest/:v/me', guard(() => {
      const u = me();
      return { status: 200, body: { current_user: { type: 'user', id: u.id, user_name: u.user_name, full_name: u.full_name, email: u.email, is_admin: u.is_admin } } };
    })],
    ['POST', '/rest/:v/:module/filter/count', guard((req) => {
      const m = moduleOf(req);
      const b = bodyOf(req);
      const known = knownFields.get(m)!;
      return { status: 200, body: { record_count: store.list(m).filter((r) => matches(r, b.filter, known)).length } };
    })],
    ['POST', '/rest/:v/:module/filter', guard((req) => {
      const m = moduleOf(req);
      const b = bodyOf(req);
      return filterPage(m, { ...queryArgs(req.query), ...b });
    })],
    ['GET', '/rest/:v/:module/:id/link/:link', guard((req) => {
      const m = moduleOf(req);
      const rec = live(m, req.params.id);
      if (m !== 'Calls' || req.params.link !== 'contacts') throw new SugarError(404, 'not_found', `Could not find a relationship named: ${req.params.link}`);
      const ids = store.callContacts.get(rec.id) ?? new Set();
      return filterPage('Contacts', queryArgs(req.query), store.list('Contacts').filter((c) => ids.has(c.id)));
    })],
    ['POST', '/rest/:v/:module/:id/link/:link/:remote', guard((req) => {
      const m = moduleOf(req);
      const rec = live(m, req.params.id);
      if (m !== 'Calls' || req.params.link !== 'contacts') throw new SugarError(404, 'not_found', `Could not find a relationship named: ${req.params.link}`);
      const other = live('Contacts', req.params.remote);
      const set = store.callContacts.get(rec.id) ?? new Set<string>();
      set.add(other.id);
      store.callContacts.set(rec.id, set);
      return { status: 200, body: { record: pick(rec, undefined, m), related_record: pick(other, undefined, 'Contacts') } };
    })],
    ['GET', '/rest/:v/:module', guard((req) => {
      const m = moduleOf(req);
      let filter: unknown;
      const raw = req.query.get('filter');
      if (raw) { try { filter = JSON.parse(raw); } catch { throw new SugarError(422, 'invalid_parameter', 'filter must be JSON'); } }
      return filterPage(m, { ...queryArgs(req.query), filter });
    })],
    ['GET', '/rest/:v/:module/:id', guard((req) => {
      const m = moduleOf(req);
      return { status: 200, body: pick(live(m, req.params.id), req.query.get('fields'), m) };
    })],
    ['POST', '/rest/:v/:module', guard((req) => {
      const m = moduleOf(req);
      if (m === 'Users') throw new SugarError(403, 'not_authorized', 'No access to create records for module: Users');
      const f = bodyOf(req);
      validate(m, f, true);
      const { contacts: _c, ...fields } = f;
      const rec = store.create(m, fields, me().id);
      linkFromBody(m, rec, f);
      return { status: 200, body: pick(rec, undefined, m) };
    })],
    ['PUT', '/rest/:v/:module/:id', guard((req) => {
      const m = moduleOf(req);
      live(m, req.params.id);
      const f = bodyOf(req);
      validate(m, f, false);
      const { contacts: _c, ...fields } = f;
      const rec = store.update(m, req.params.id, fields, me().id);
      linkFromBody(m, rec, f);
      return { status: 200, body: pick(rec, undefined, m) };
    })],
    ['DELETE', '/rest/:v/:module/:id', guard((req) => {
      const m = moduleOf(req);
      store.remove(m, req.params.id);
      return { status: 200, body: { id: req.params.id } };
    })],
  ];

  const emu = await startEmulator({
    name: 'SugarCRM',
    routes,
    // Sugar reads the OAuth-Token header; since Fall '18 also a standard Bearer token.
    extractToken: (req) => {
      const h = req.headers['oauth-token'];
      if (typeof h === 'string' && h) return h;
      const a = req.headers.authorization;
      return typeof a === 'string' && /^bearer /i.test(a) ? a.slice(7) : null;
    },
    tokens: [o.token ?? 'dev-token'],
    unauthorized: () => sugarError(401, 'invalid_grant', 'The access token provided is invalid.'),
    notFound: (req) => sugarError(404, 'no_method', `Could not find a route with ${req.path.split('/').filter(Boolean).length - 2} elements`),
    rateLimit: {
      limit: o.rateLimit ?? 0,
      windowMs: o.rateWindowMs ?? 60_000,
      body: ({ retryAfterSec }) => ({ error: 'too_many_requests', error_message: `Too many requests; retry in ${retryAfterSec} seconds.` }),
    },
    oauth: {
      authorizePath: '/rest/v11_4/oauth2/authorize',
      tokenPath: '/rest/v11_4/oauth2/token',
      clientId: o.oauth?.clientId ?? 'sugar',
      clientSecret: o.oauth?.clientSecret ?? '',
      accessTokenTtlSec: o.accessTokenTtlSec ?? 3600,
      passwordGrant: (f) => f.username === userName && f.password === password,
      tokenError: (status, error, description) => sugarError(status, error, description),
      extraTokenFields: () => ({ scope: null, refresh_expires_in: 1_209_600, download_token: randomUUID() }),
    },
  }, o.port ?? 0);
  return Object.assign(emu, { store });
}
