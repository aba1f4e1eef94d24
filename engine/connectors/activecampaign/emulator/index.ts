// A local ActiveCampaign: the API v3 (/api/3) as developers.activecampaign.com documents it — the Api-Token
// header, contacts (GET /contacts with search, phone (starts with), email, ids, id_greater, filters[updated_after]
// / filters[created_after], limit up to 100 and offset, meta.total as a string; create, read, update, delete;
// GET /contacts/{id}/notes), users (GET /users, /users/{id}, /users/email/{email}), task types (/dealTasktypes),
// tasks (/dealTasks with filters[reltype], filters[relid], filters[d_tasktypeid], filters[status]; create, read,
// update), notes (/notes with reltype Subscriber), ids and numbers as strings, dates with the account's UTC offset,
// `{ errors: [{ title, detail, code, source: { pointer } }] }` validation errors (422), `{ message }` for the rest,
// and 429 with Retry-After when the request budget (5 per second) is spent.
import { startEmulator, type CrmEmulatorOptions, type EmuHandler, type EmuRequest, type EmuResponse, type RunningEmulator } from '../../kit/emulator-server';
import { syntheticPerson } from '../../kit/synthetic';

export type AcRecord = { id: string; [k: string]: unknown };
export type AcTable = 'contacts' | 'dealTasks' | 'notes';

class AcError extends Error {
  constructor(readonly status: number, message: string, readonly pointer?: string, readonly code?: string) { super(message); }
}
const acError = (e: AcError): EmuResponse => (e.status === 422 || e.status === 400
  ? { status: e.status, body: { errors: [{ title: e.message, detail: '', code: e.code ?? 'field_invalid', ...(e.pointer ? { source: { pointer: e.pointer } } : {}) }] } }
  : { status: e.status, body: { message: e.message } });
const invalid = (field: string, title: string, code?: string) => new AcError(422, title, `/data/attributes/${field}`, code);

/** The account's time zone is Central US (UTC−06:00): ActiveCampaign writes every date with the account's offset. */
export function acDate(ms: number): string {
  return new Date(ms - 6 * 3600_000).toISOString().slice(0, 19) + '-06:00';
}

export const AC_TASK_TYPES = [{ id: '1', title: 'Call', status: 0 }, { id: '2', title: 'Email', status: 0 }, { id: '3', title: 'To-do', status: 0 }];

export interface AcStore {
  tables: Record<AcTable, Map<string, AcRecord>>;
  users: { id: string; username: string; firstName: string; lastName: string; email: string; phone: string; signature: null }[];
  create(table: AcTable, fields: Record<string, unknown>): AcRecord;
  update(table: AcTable, id: string, fields: Record<string, unknown>): AcRecord;
  remove(table: AcTable, id: string): void;
  list(table: AcTable): AcRecord[];
}

function createStore(o: { contacts: number; users: number; baseTime: number }): AcStore {
  const tables: AcStore['tables'] = { contacts: new Map(), dealTasks: new Map(), notes: new Map() };
  const next: Record<AcTable, number> = { contacts: 1, dealTasks: 1, notes: 1 };
  // Every write moves the clock a second forward, so udate orders writes (ActiveCampaign keeps seconds).
  let clock = o.baseTime + (o.contacts + 10) * 1000;
  const stamp = () => (clock = Math.max(clock + 1000, Math.floor(Date.now() / 1000) * 1000));
  const names = [['Owner', 'Admin'], ['Max', 'Jensen'], ['Chris', 'Olliver'], ['Sarah', 'Smith'], ['Jim', 'Brennan']];
  const users = Array.from({ length: Math.max(1, o.users) }, (_, i) => {
    const [firstName, lastName] = names[i % names.length];
    return { id: String(i + 1), username: `${firstName}.${lastName}`.toLowerCase(), firstName, lastName, email: `${firstName}.${lastName}${i >= names.length ? i : ''}@patchbay-demo.example`.toLowerCase(), phone: '', signature: null };
  });
  const store: AcStore = {
    tables,
    users,
    create(table, fields) {
      const t = typeof fields.__time === 'number' ? fields.__time : stamp();
      const { __time: _t, ...rest } = fields;
      const rec: AcRecord = { ...rest, id: String(next[table]++) };
      if (table === 'contacts') Object.assign(rec, { cdate: acDate(t), udate: acDate(t), __u: t });
      else if (table === 'notes') Object.assign(rec, { cdate: acDate(t), mdate: acDate(t) });
      else Object.assign(rec, { cdate: acDate(t), udate: acDate(t) });
      tables[table].set(rec.id, rec);
      return rec;
    },
    update(table, id, fields) {
      const rec = tables[table].get(id);
      if (!rec) throw new AcError(404, `No Result found for ${table === 'contacts' ? 'Subscriber' : table === 'notes' ? 'Note' : 'DealTask'} with id ${id}`);
      Object.assign(rec, fields, { id });
      const t = stamp();
      if (table === 'contacts') Object.assign(rec, { udate: acDate(t), __u: t });
      else if (table === 'notes') rec.mdate = acDate(t);
      else rec.udate = acDate(t);
      return rec;
    },
    remove(table, id) {
      if (!tables[table].delete(id)) throw new AcError(404, `No Result found for Subscriber with id ${id}`);
    },
    list: (table) => [...tables[table].values()],
  };
  for (let i = 0; i < o.contacts; i++) {
    const p = syntheticPerson(i, o.baseTime);
    // ActiveCampaign's phone field takes a country with the number: outside the US it holds the international form.
    store.create('contacts', {
      email: p.email, phone: p.country === 'US' ? p.phoneAsTyped : p.e164, firstName: p.firstName, lastName: p.lastName, orgid: '0', orgname: p.company,
      deleted: '0', anonymized: '0', __time: p.updatedAt,
    });
  }
  return store;
}

/** A contact as the API shows it (internal fields dropped, links added). */
export function contactView(c: AcRecord): Record<string, unknown> {
  const { __u: _u, ...rest } = c;
  return { ...rest, links: { notes: `/api/3/contacts/${c.id}/notes`, contactTags: `/api/3/contacts/${c.id}/contactTags` } };
}
const taskView = (t: AcRecord) => ({ ...t, owner: { type: t.reltype === 'Deal' ? 'deal' : 'contact', id: t.relid }, links: { notes: `/api/3/dealTasks/${t.id}/notes`, owner: `/api/3/dealTasks/${t.id}/owner` } });

export interface AcEmulatorOptions extends CrmEmulatorOptions {}
export type AcEmulator = RunningEmulator & { store: AcStore };

const intParam = (v: string | null, name: string, dflt: number, max = Infinity): number => {
  if (v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new AcError(400, `${name} must be a non-negative integer`, undefined, 'invalid_parameter');
  return Math.min(n, max);
};
const dateParam = (v: string | null, name: string): number | undefined => {
  if (v === null || v === '') return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new AcError(400, `${name} must be a date`, undefined, 'invalid_parameter');
  return t;
};

export async function startActiveCampaignEmulator(o: AcEmulatorOptions = {}): Promise<AcEmulator> {
  const store = createStore({ contacts: o.contacts ?? 1000, users: o.users ?? 3, baseTime: Date.UTC(2026, 0, 1) });

  const guard = (h: EmuHandler): EmuHandler => async (req) => {
    try { return await h(req); } catch (err) {
      if (err instanceof AcError) return acError(err);
      throw err;
    }
  };
  /** The body's one wrapped object ({ contact: {…} }, { dealTask: {…} }, { note: {…} }). */
  const wrapped = (req: EmuRequest, key: string): Record<string, unknown> => {
    const b = req.body as Record<string, unknown> | undefined;
    const inner = b && typeof b === 'object' ? b[key] : undefined;
    if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new AcError(422, `The request body must be a JSON object with a "${key}" object`, `/data/attributes/${key}`, 'field_missing');
    return inner as Record<string, unknown>;
  };
  const get = (table: AcTable, id: string, what: string) => {
    const r = store.tables[table].get(id);
    if (!r) throw new AcError(404, `No Result found for ${what} with id ${id}`);
    return r;
  };
  const userRef = (v: unknown, field: string): string | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    if (!store.users.some((u) => u.id === String(v))) throw invalid(field, `User ${String(v)} does not exist`, 'related_missing');
    return String(v);
  };
  const str = (v: unknown, field: string, max: number): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') throw invalid(field, `${field} must be a string`);
    const s = String(v);
    if (s.length > max) throw invalid(field, `${field} must be at most ${max} characters`);
    return s;
  };

  function listContacts(req: EmuRequest): EmuResponse {
    const q = req.query;
    const limit = intParam(q.get('limit'), 'limit', 20, 100);
    const offset = intParam(q.get('offset'), 'offset', 0);
    const search = q.get('search')?.toLowerCase() || null;
    const phone = q.get('phone') || null;
    const email = q.get('email')?.toLowerCase() || null;
    const ids = q.getAll('ids[]').concat(q.get('ids')?.split(',') ?? []).filter(Boolean);
    const idGreater = q.get('id_greater') ? intParam(q.get('id_greater'), 'id_greater', 0) : null;
    const updatedAfter = dateParam(q.get('filters[updated_after]'), 'filters[updated_after]');
    const updatedBefore = dateParam(q.get('filters[updated_before]'), 'filters[updated_before]');
    const createdAfter = dateParam(q.get('filters[created_after]'), 'filters[created_after]');
    const rows = store.list('contacts').filter((c) => {
      if (ids.length && !ids.includes(c.id)) return false;
      if (idGreater !== null && Number(c.id) <= idGreater) return false;
      if (email && String(c.email ?? '').toLowerCase() !== email) return false;
      if (phone && !String(c.phone ?? '').startsWith(phone)) return false;
      if (search && ![c.firstName, c.lastName, c.email, c.phone, c.orgname, `${String(c.firstName ?? '')} ${String(c.lastName ?? '')}`].some((v) => String(v ?? '').toLowerCase().includes(search))) return false;
      // ActiveCampaign compares with second precision: "after" is strictly later than the given second.
      if (updatedAfter !== undefined && (c.__u as number) <= updatedAfter) return false;
      if (updatedBefore !== undefined && (c.__u as number) >= updatedBefore) return false;
      if (createdAfter !== undefined && Date.parse(String(c.cdate)) <= createdAfter) return false;
      return true;
    }).sort((a, b) => Number(a.id) - Number(b.id));
    return { status: 200, body: { scoreValues: [], contacts: rows.slice(offset, offset + limit).map(contactView), meta: { total: String(rows.length), page_input: { segmentid: null, formid: 0, listid: 0, tagid: 0, limit, offset, search, sort: null, seriesid: 0, waitid: 0, status: -1, forceQuery: 0, cacheid: '' } } } };
  }

  function contactFields(b: Record<string, unknown>, creating: boolean, selfId?: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const email = str(b.email, 'email', 255);
    if (creating && !email) throw invalid('email', 'Contact Email Address is not valid.', 'email_invalid');
    if (email !== undefined) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw invalid('email', 'Contact Email Address is not valid.', 'email_invalid');
      if (store.list('contacts').some((c) => c.id !== selfId && String(c.email).toLowerCase() === email.toLowerCase())) throw invalid('email', 'Email address already exists in the system.', 'duplicate');
      out.email = email;
    }
    for (const f of ['firstName', 'lastName', 'phone'] as const) {
      const v = str(b[f], f, f === 'phone' ? 64 : 255);
      if (v !== undefined) out[f] = v;
    }
    return out;
  }

  const V3 = '/api/3';
  const routes: [string, string, EmuHandler][] = [
    ['GET', `${V3}/users/me`, guard(() => ({ status: 200, body: { user: store.users[0] } }))],
    ['GET', `${V3}/users`, guard((req) => {
      const limit = intParam(req.query.get('limit'), 'limit', 20, 100), offset = intParam(req.query.get('offset'), 'offset', 0);
      return { status: 200, body: { users: store.users.slice(offset, offset + limit), meta: { total: String(store.users.length) } } };
    })],
    ['GET', `${V3}/users/email/:email`, guard((req) => {
      const u = store.users.find((x) => x.email.toLowerCase() === req.params.email.toLowerCase());
      if (!u) throw new AcError(404, `No Result found for User with email ${req.params.email}`);
      return { status: 200, body: { user: u } };
    })],
    ['GET', `${V3}/users/:id`, guard((req) => {
      const u = store.users.find((x) => x.id === req.params.id);
      if (!u) throw new AcError(404, `No Result found for User with id ${req.params.id}`);
      return { status: 200, body: { user: u } };
    })],
    ['GET', `${V3}/contacts`, guard(listContacts)],
    ['GET', `${V3}/contacts/:id`, guard((req) => ({ status: 200, body: { contact: contactView(get('contacts', req.params.id, 'Subscriber')) } }))],
    ['GET', `${V3}/contacts/:id/notes`, guard((req) => {
      get('contacts', req.params.id, 'Subscriber');
      return { status: 200, body: { notes: store.list('notes').filter((n) => n.reltype === 'Subscriber' && n.relid === req.params.id) } };
    })],
    ['POST', `${V3}/contacts`, guard((req) => {
      const c = store.create('contacts', { orgid: '0', orgname: null, deleted: '0', anonymized: '0', email: '', phone: '', firstName: '', lastName: '', ...contactFields(wrapped(req, 'contact'), true) });
      return { status: 201, body: { fieldValues: [], contact: contactView(c) } };
    })],
    ['PUT', `${V3}/contacts/:id`, guard((req) => {
      get('contacts', req.params.id, 'Subscriber');
      return { status: 200, body: { fieldValues: [], contact: contactView(store.update('contacts', req.params.id, contactFields(wrapped(req, 'contact'), false, req.params.id))) } };
    })],
    ['DELETE', `${V3}/contacts/:id`, guard((req) => {
      store.remove('contacts', req.params.id);
      return { status: 200, body: {} };
    })],
    ['GET', `${V3}/dealTasktypes`, guard(() => ({ status: 200, body: { dealTasktypes: AC_TASK_TYPES, meta: { total: String(AC_TASK_TYPES.length) } } }))],
    ['GET', `${V3}/dealTasks`, guard((req) => {
      const q = req.query;
      const limit = intParam(q.get('limit'), 'limit', 20, 100), offset = intParam(q.get('offset'), 'offset', 0);
      const eq = (k: string) => q.get(`filters[${k}]`);
      const rows = store.list('dealTasks').filter((t) => (!eq('reltype') || t.reltype === eq('reltype')) && (!eq('relid') || t.relid === eq('relid'))
        && (!eq('d_tasktypeid') || t.dealTasktype === eq('d_tasktypeid')) && (eq('status') === null || String(t.status) === eq('status'))
        && (!eq('assignee_userid') || t.assignee === eq('assignee_userid')));
      return { status: 200, body: { dealTasks: rows.slice(offset, offset + limit).map(taskView), meta: { total: String(rows.length) } } };
    })],
    ['GET', `${V3}/dealTasks/:id`, guard((req) => ({ status: 200, body: { dealTask: taskView(get('dealTasks', req.params.id, 'DealTask')) } }))],
    ['POST', `${V3}/dealTasks`, guard((req) => {
      const b = wrapped(req, 'dealTask');
      const reltype = b.reltype ?? (b.ownerType === 'contact' ? 'Subscriber' : b.ownerType === 'deal' ? 'Deal' : undefined);
      if (reltype !== 'Subscriber' && reltype !== 'Deal') throw invalid('ownerType', 'Owner type must be contact or deal', 'field_invalid');
      const relid = str(b.relid, 'relid', 20);
      if (!relid) throw invalid('relid', 'Relid is required', 'field_missing');
      if (reltype === 'Subscriber' && !store.tables.contacts.has(relid)) throw invalid('relid', `No Result found for Subscriber with id ${relid}`, 'related_missing');
      const type = str(b.dealTasktype, 'dealTasktype', 20);
      if (!type || !AC_TASK_TYPES.some((t) => t.id === type)) throw invalid('dealTasktype', 'Task type is required and must exist', 'field_invalid');
      const duedate = str(b.duedate, 'duedate', 40);
      if (!duedate || !Number.isFinite(Date.parse(duedate))) throw invalid('duedate', 'Due date is required and must be a date', 'field_invalid');
      const status = b.status === undefined ? 0 : Number(b.status);
      if (status !== 0 && status !== 1) throw invalid('status', 'Status must be 0 (incomplete) or 1 (complete)');
      const t = store.create('dealTasks', {
        duedate: acDate(Date.parse(duedate)), edate: b.edate ? acDate(Date.parse(String(b.edate))) : acDate(Date.parse(duedate) + 15 * 60_000), status,
        title: str(b.title, 'title', 255) ?? null, note: str(b.note, 'note', 65_535) ?? null, relid, reltype, dealTasktype: type,
        automation: null, doneAutomation: null, user: store.users[0].id, assignee: userRef(b.assignee, 'assignee') ?? store.users[0].id, outcomeId: null, outcomeInfo: null,
      });
      return { status: 201, body: { dealTask: taskView(t) } };
    })],
    ['PUT', `${V3}/dealTasks/:id`, guard((req) => {
      const cur = get('dealTasks', req.params.id, 'DealTask');
      const b = wrapped(req, 'dealTask');
      const patch: Record<string, unknown> = {};
      if (b.title !== undefined) patch.title = str(b.title, 'title', 255);
      if (b.note !== undefined) patch.note = str(b.note, 'note', 65_535);
      if (b.status !== undefined) { const s = Number(b.status); if (s !== 0 && s !== 1) throw invalid('status', 'Status must be 0 (incomplete) or 1 (complete)'); patch.status = s; }
      if (b.assignee !== undefined) patch.assignee = userRef(b.assignee, 'assignee');
      for (const f of ['duedate', 'edate'] as const) if (b[f] !== undefined) {
        const t = Date.parse(String(b[f]));
        if (!Number.isFinite(t)) throw invalid(f, `${f} must be a date`);
        patch[f] = acDate(t);
      }
      void cur;
      return { status: 200, body: { dealTask: taskView(store.update('dealTasks', req.params.id, patch)) } };
    })],
    ['GET', `${V3}/notes/:id`, guard((req) => ({ status: 200, body: { note: get('notes', req.params.id, 'Note') } }))],
    ['POST', `${V3}/notes`, guard((req) => {
      const b = wrapped(req, 'note');
      const note = str(b.note, 'note', 65_535);
      if (!note) throw invalid('note', 'Note is required', 'field_missing');
      const reltype = b.reltype;
      if (!['Subscriber', 'Deal', 'Activity', 'CustomerAccount'].includes(String(reltype))) throw invalid('reltype', 'Reltype must be Subscriber, Deal, Activity or CustomerAccount');
      const relid = str(b.relid, 'relid', 20);
      if (!relid) throw invalid('relid', 'Relid is required', 'field_missing');
      if (reltype === 'Subscriber' && !store.tables.contacts.has(relid)) throw invalid('relid', `No Result found for Subscriber with id ${relid}`, 'related_missing');
      const n = store.create('notes', { note, relid, reltype, userid: store.users[0].id, is_draft: 0 });
      return { status: 201, body: { note: n } };
    })],
    ['PUT', `${V3}/notes/:id`, guard((req) => {
      get('notes', req.params.id, 'Note');
      const b = wrapped(req, 'note');
      const note = str(b.note, 'note', 65_535);
      if (!note) throw invalid('note', 'Note is required', 'field_missing');
      return { status: 200, body: { note: store.update('notes', req.params.id, { note }) } };
    })],
  ];

  const emu = await startEmulator({
    name: 'ActiveCampaign',
    routes,
    extractToken: (req) => (typeof req.headers['api-token'] === 'string' ? req.headers['api-token'] : null),
    tokens: [o.token ?? 'dev-token'],
    unauthorized: () => ({ status: 401, body: { message: 'An invalid API key was provided' } }),
    notFound: (req) => ({ status: 404, body: { message: `No route ${req.method} ${req.path}` } }),
    // 5 requests per second per account.
    rateLimit: { limit: o.rateLimit ?? 0, windowMs: o.rateWindowMs ?? 1000, body: () => ({ message: 'Too Many Requests' }) },
  }, o.port ?? 0);
  return Object.assign(emu, { store });
}
