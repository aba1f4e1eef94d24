// A local Zoho CRM speaking the REST API shapes this connector uses, after Zoho's public reference
// (zoho.com/crm/developer/docs/api/v6): modules Contacts, Accounts, Calls, Tasks, Notes under /crm/{v2…v8}/;
// list with `fields` (required), page/per_page (≤ 200), sort_by/sort_order, If-Modified-Since, `info` with
// more_records and next_page_token, DISCRETE_PAGINATION_LIMIT_EXCEEDED past 2,000 records without page_token;
// GET /{module}/{id}; /{module}/search with phone, email, word or criteria ((Field:equals:value)and(…));
// inserts and updates as {"data":[…]} answered per record with code/details/message/status; notes on a record
// at /{module}/{id}/Notes; /users?type=ActiveUsers|CurrentUser; /org; 204 No Content for an empty answer;
// `Authorization: Zoho-oauthtoken …` (401 INVALID_TOKEN / AUTHENTICATION_FAILURE); Zoho's error bodies
// {"code","details","message","status"}; 429 TOO_MANY_REQUESTS past the configured budget (with Retry-After);
// and the accounts server's /oauth/v2/auth and /oauth/v2/token (answering api_domain) on the same host, as one
// data centre. The phone search compares digits, ignoring formatting.
import { startEmulator, type CrmEmulatorOptions, type EmuRequest, type EmuResponse, type RunningEmulator } from '../../kit/emulator-server';
import { phoneFor, syntheticPerson } from '../../kit/synthetic';

export type ZohoRecord = Record<string, unknown> & { id: string };
interface Ref { id: string; name?: string | null; email?: string }
interface ModuleDef { name: string; nameField: string; fields: string[]; lookups: Record<string, string[]>; mandatory: string[]; picklists?: Record<string, string[]> }

const SYSTEM = ['id', 'Owner', 'Created_Time', 'Modified_Time', 'Created_By', 'Modified_By'];
const MODULES: Record<string, ModuleDef> = {
  Contacts: {
    name: 'Contacts', nameField: 'Full_Name',
    fields: [...SYSTEM, 'First_Name', 'Last_Name', 'Full_Name', 'Email', 'Secondary_Email', 'Phone', 'Mobile', 'Home_Phone', 'Other_Phone', 'Asst_Phone', 'Fax', 'Title', 'Department', 'Mailing_City', 'Mailing_Country', 'Account_Name', 'Description', 'Lead_Source'],
    lookups: { Account_Name: ['Accounts'] }, mandatory: ['Last_Name'],
  },
  Accounts: {
    name: 'Accounts', nameField: 'Account_Name',
    fields: [...SYSTEM, 'Account_Name', 'Phone', 'Fax', 'Website', 'Billing_City', 'Billing_Country', 'Industry', 'Description'],
    lookups: {}, mandatory: ['Account_Name'],
  },
  Calls: {
    name: 'Calls', nameField: 'Subject',
    fields: [...SYSTEM, 'Subject', 'Call_Type', 'Call_Start_Time', 'Call_Duration', 'Call_Duration_in_seconds', 'Call_Status', 'Call_Purpose', 'Call_Result', 'Call_Agenda', 'Dialled_Number', 'Caller_ID', 'Who_Id', 'What_Id', '$se_module', 'Description'],
    lookups: { Who_Id: ['Contacts'], What_Id: ['Accounts'] }, mandatory: ['Subject', 'Call_Type', 'Call_Start_Time'],
    picklists: { Call_Type: ['Inbound', 'Outbound', 'Missed'] },
  },
  Tasks: {
    name: 'Tasks', nameField: 'Subject',
    fields: [...SYSTEM, 'Subject', 'Due_Date', 'Status', 'Priority', 'Who_Id', 'What_Id', '$se_module', 'Description', 'Closed_Time'],
    lookups: { Who_Id: ['Contacts'], What_Id: ['Accounts'] }, mandatory: ['Subject'],
    picklists: { Status: ['Not Started', 'Deferred', 'In Progress', 'Completed', 'Waiting for input'], Priority: ['High', 'Highest', 'Low', 'Lowest', 'Normal'] },
  },
  Notes: {
    name: 'Notes', nameField: 'Note_Title',
    fields: [...SYSTEM, 'Note_Title', 'Note_Content', 'Parent_Id', '$se_module'],
    lookups: {}, mandatory: ['Note_Content'],
  },
};
/** Zoho's data_type of each emulated field (Fields Metadata API), from its name. */
function dataTypeOf(def: ModuleDef, field: string): { data_type: string; json_type: string } {
  if (def.lookups[field]) return { data_type: 'lookup', json_type: 'jsonobject' };
  if (field === 'Parent_Id') return { data_type: 'lookup', json_type: 'jsonobject' };
  if (['Owner', 'Created_By', 'Modified_By'].includes(field)) return { data_type: 'ownerlookup', json_type: 'jsonobject' };
  if (def.picklists?.[field]) return { data_type: 'picklist', json_type: 'string' };
  if (/_Time$/.test(field)) return { data_type: 'datetime', json_type: 'string' };
  if (field === 'Due_Date') return { data_type: 'date', json_type: 'string' };
  if (/Email$/.test(field)) return { data_type: 'email', json_type: 'string' };
  if (/(Phone|Mobile|Fax)$/.test(field)) return { data_type: 'phone', json_type: 'string' };
  if (field === 'Website') return { data_type: 'website', json_type: 'string' };
  if (field === 'Call_Duration_in_seconds') return { data_type: 'integer', json_type: 'integer' };
  if (['Description', 'Note_Content', 'Call_Agenda', 'Call_Result'].includes(field)) return { data_type: 'textarea', json_type: 'string' };
  return { data_type: 'text', json_type: 'string' };
}

function fieldsMetadata(def: ModuleDef): Record<string, unknown>[] {
  return def.fields.filter((f) => f !== 'id' && f !== '$se_module').map((f, i) => {
    const t = dataTypeOf(def, f);
    const lookupModule = def.lookups[f]?.[0] ?? (f === 'Parent_Id' ? '$se_module' : null);
    return {
      api_name: f, field_label: f.replace(/_/g, ' '), id: `5725767${String(9_000_000 + i).padStart(12, '0')}`, ...t,
      system_mandatory: def.mandatory.includes(f), read_only: READ_ONLY.has(f), custom_field: false, visible: true, length: t.data_type === 'textarea' ? 32000 : 255,
      ...(lookupModule ? { lookup: { module: { api_name: lookupModule, id: null }, display_label: lookupModule } } : {}),
      ...(def.picklists?.[f] ? { pick_list_values: def.picklists[f].map((v) => ({ display_value: v, actual_value: v })) } : {}),
    };
  });
}

const READ_ONLY = new Set(['id', 'Created_Time', 'Modified_Time', 'Created_By', 'Modified_By', 'Full_Name', 'Call_Duration_in_seconds', 'Call_Status']);
const COUNTRY_NAME: Record<string, string> = { US: 'United States', GB: 'United Kingdom', DE: 'Germany', FR: 'France' };
// An offset or Z (Zoho's own SDKs send UTC as 2026-03-02T09:30:00Z).
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)$/;

/** Zoho's date-time: 2026-03-02T09:30:00+00:00 (seconds, with an offset). */
export const zohoTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
const err = (status: number, code: string, message: string, details: Record<string, unknown> = {}): EmuResponse => ({ status, body: { code, details, message, status: 'error' } });
const digits = (s: unknown) => String(s ?? '').replace(/\D/g, '');

export class ZohoStore {
  readonly modules = new Map<string, Map<string, ZohoRecord>>(Object.keys(MODULES).map((m) => [m, new Map()]));
  readonly users: { id: string; first_name: string; last_name: string; full_name: string; email: string; status: 'active' | 'disabled'; role: Ref; profile: Ref }[] = [];
  currentUserId = '';
  /** Bumped on every write: sorted views are cached per version. */
  version = 0;
  private seq = 0;

  newId(): string { return `5725767${String(++this.seq).padStart(12, '0')}`; }
  table(module: string): Map<string, ZohoRecord> { return this.modules.get(module)!; }
  list(module: string): ZohoRecord[] { return [...this.table(module).values()]; }

  userRef(id: string): Ref {
    const u = this.users.find((x) => x.id === id);
    return { id, name: u?.full_name ?? null, email: u?.email };
  }

  recordRef(module: string, id: string): Ref | null {
    const r = this.table(module).get(id);
    return r ? { id, name: String(r[MODULES[module].nameField] ?? '') } : null;
  }

  insert(module: string, fields: Record<string, unknown>, at = Date.now(), by = this.currentUserId): ZohoRecord {
    const id = this.newId();
    const rec: ZohoRecord = { id, Owner: this.userRef(by), ...fields, Created_Time: zohoTime(at), Modified_Time: zohoTime(at), Created_By: this.userRef(by), Modified_By: this.userRef(by) };
    this.derive(module, rec);
    this.table(module).set(id, rec);
    this.version++;
    return rec;
  }

  update(module: string, id: string, fields: Record<string, unknown>, by = this.currentUserId): ZohoRecord {
    const rec = this.table(module).get(id)!;
    Object.assign(rec, fields, { Modified_Time: zohoTime(Date.now()), Modified_By: this.userRef(by) });
    this.derive(module, rec);
    this.version++;
    return rec;
  }

  remove(module: string, id: string): boolean { this.version++; return this.table(module).delete(id); }

  private derive(module: string, rec: ZohoRecord) {
    if (module === 'Contacts') rec.Full_Name = [rec.First_Name, rec.Last_Name].filter(Boolean).join(' ');
    if (module === 'Calls') {
      const m = /^(\d+):(\d{2})$/.exec(String(rec.Call_Duration ?? ''));
      rec.Call_Duration_in_seconds = m ? Number(m[1]) * 60 + Number(m[2]) : null;
      rec.Call_Status = rec.Call_Type === 'Missed' ? 'Missed' : 'Completed';
    }
  }
}

export type ZohoEmulatorOptions = CrmEmulatorOptions;
export type ZohoEmulator = RunningEmulator & { store: ZohoStore };

function seed(store: ZohoStore, o: ZohoEmulatorOptions) {
  const base = Date.UTC(2026, 0, 1);
  const profile = { name: 'Administrator', id: '5725767000000026011' };
  const add = (first: string, last: string, email: string, status: 'active' | 'disabled' = 'active') => {
    const id = store.newId();
    store.users.push({ id, first_name: first, last_name: last, full_name: `${first} ${last}`, email, status, role: { name: 'CEO', id: '5725767000000026005' }, profile });
    return id;
  };
  store.currentUserId = add('Patchbay', 'Integration', 'integration@zylker.example.com');
  const agents: string[] = [];
  for (let i = 1; i <= (o.users ?? 3); i++) {
    const p = syntheticPerson(800_000 + i);
    agents.push(add(p.firstName, p.lastName, `${p.firstName}.${p.lastName}`.toLowerCase().replace(/\s+/g, '') + `.agent${i}@zylker.example.com`));
  }
  add('Former', 'Agent', 'former.agent@zylker.example.com', 'disabled');
  const owner = (i: number) => (agents.length ? agents[i % agents.length] : store.currentUserId);
  const accounts: string[] = [];
  for (let i = 0; i < (o.companies ?? 10); i++) {
    const p = syntheticPerson(i);
    const tel = phoneFor(2_000_000 + i, p.country);
    accounts.push(store.insert('Accounts', { Owner: store.userRef(owner(i)), Account_Name: `${p.company} ${i}`, Phone: tel.typed, Website: `https://company${i}.example.com`, Billing_City: p.city, Billing_Country: COUNTRY_NAME[p.country] }, base - 86_400_000 + i * 1000, owner(i)).id);
  }
  for (let i = 0; i < (o.contacts ?? 100); i++) {
    const p = syntheticPerson(i, base);
    store.insert('Contacts', {
      Owner: store.userRef(owner(i)), First_Name: p.firstName, Last_Name: p.lastName, Email: p.email, Phone: p.phoneAsTyped, Mobile: p.mobileAsTyped,
      Title: i % 4 === 0 ? 'Head of Operations' : null, Mailing_City: p.city, Mailing_Country: COUNTRY_NAME[p.country],
      Account_Name: accounts.length ? store.recordRef('Accounts', accounts[i % accounts.length]) : null,
    }, p.updatedAt, owner(i));
  }
}

// ---------- criteria: ((Field:equals:value)and(Field:starts_with:value)) ----------

type Crit = { t: 'and' | 'or'; parts: Crit[] } | { t: 'cond'; field: string; op: string; value: string };

function parseCriteria(s: string, fields: string[]): Crit {
  let i = 0;
  const fail = (): never => { throw new Error(`invalid criteria: ${s}`); };
  const group = (): Crit => {
    if (s[i] !== '(') fail();
    i++;
    if (s[i] === '(') {
      const parts = [group()];
      let op: 'and' | 'or' | null = null;
      while (s[i] !== ')') {
        const m = /^\s*(and|or)\s*/i.exec(s.slice(i));
        if (!m) fail();
        const o = m![1].toLowerCase() as 'and' | 'or';
        if (op && op !== o) fail(); // mixing needs parentheses
        op = o;
        i += m![0].length;
        parts.push(group());
      }
      i++;
      return parts.length === 1 ? parts[0] : { t: op ?? 'and', parts };
    }
    let raw = '';
    while (i < s.length && s[i] !== ')') {
      if (s[i] === '\\' && i + 1 < s.length) { raw += s[i + 1]; i += 2; continue; }
      raw += s[i++];
    }
    if (s[i] !== ')') fail();
    i++;
    const [field, op, ...rest] = raw.split(':');
    if (!field || !op || !rest.length) fail();
    if (!fields.includes(field) && field !== 'id') throw new Error(`INVALID_QUERY:${field}`);
    return { t: 'cond', field, op, value: rest.join(':') };
  };
  const out = group();
  if (i !== s.length) fail();
  return out;
}

function matches(c: Crit, r: ZohoRecord): boolean {
  if (c.t !== 'cond') return c.t === 'and' ? c.parts.every((p) => matches(p, r)) : c.parts.some((p) => matches(p, r));
  const v = r[c.field];
  const text = v && typeof v === 'object' ? String((v as Ref).id) : String(v ?? '');
  const want = c.value.toLowerCase();
  switch (c.op) {
    case 'equals': return text.toLowerCase() === want;
    case 'not_equal': return text.toLowerCase() !== want;
    case 'starts_with': return text.toLowerCase().startsWith(want);
    case 'in': return c.value.split(',').map((x) => x.toLowerCase()).includes(text.toLowerCase());
    default: throw new Error(`INVALID_QUERY:${c.op}`);
  }
}

export async function startZohoEmulator(o: ZohoEmulatorOptions = {}): Promise<ZohoEmulator> {
  const store = new ZohoStore();
  seed(store, o);
  const VERSION = /^v[2-8](\.\d)?$/;

  function moduleOf(req: EmuRequest): ModuleDef | EmuResponse {
    if (!VERSION.test(req.params.ver)) return err(404, 'INVALID_URL_PATTERN', 'Please check if the URL trying to access is a correct one');
    const def = MODULES[req.params.module];
    return def ?? err(400, 'INVALID_MODULE', 'the module name given seems to be invalid', {});
  }

  function present(def: ModuleDef, r: ZohoRecord, fields: string[] | null): ZohoRecord {
    if (!fields) return { ...r };
    const out: ZohoRecord = { id: r.id };
    for (const f of fields) out[f] = r[f] ?? null;
    if (def.name === 'Calls' || def.name === 'Tasks' || def.name === 'Notes') out.$se_module = r.$se_module ?? null;
    return out;
  }

  function fieldsParam(def: ModuleDef, q: URLSearchParams, required: boolean): string[] | null | EmuResponse {
    const f = q.get('fields');
    if (!f) return required ? err(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param_name: 'fields' }) : null;
    const list = f.split(',').map((x) => x.trim()).filter(Boolean);
    for (const x of list) if (!def.fields.includes(x)) return err(400, 'INVALID_DATA', 'the field is not available', { api_name: x });
    if (list.length > 50) return err(400, 'LIMIT_EXCEEDED', 'fields limit exceeded', { limit: 50 });
    return list;
  }

  /** One page of `rows`: page/per_page, or a page_token that remembers where the last page ended. */
  function page(def: ModuleDef, rows: ZohoRecord[], q: URLSearchParams, fields: string[] | null, extraInfo: Record<string, unknown> = {}): EmuResponse {
    const perPage = Number(q.get('per_page') ?? 200);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 200) return err(400, 'INVALID_DATA', 'invalid data', { param_name: 'per_page', maximum_length: 200 });
    let offset: number;
    let pageNo: number;
    const token = q.get('page_token');
    if (token) {
      const m = /^pt\.(\d+)\.(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
      if (!m) return err(400, 'INVALID_DATA', 'invalid data', { param_name: 'page_token' });
      offset = Number(m[1]);
      pageNo = Number(m[2]);
    } else {
      pageNo = Number(q.get('page') ?? 1);
      if (!Number.isInteger(pageNo) || pageNo < 1) return err(400, 'INVALID_DATA', 'invalid data', { param_name: 'page' });
      offset = (pageNo - 1) * perPage;
      if (offset + perPage > 2000) return err(400, 'DISCRETE_PAGINATION_LIMIT_EXCEEDED', 'cannot fetch more than 2000 records without page_token. Use page_token.', { limit: 2000 });
    }
    const slice = rows.slice(offset, offset + perPage);
    if (!slice.length) return { status: 204 };
    const more = offset + perPage < rows.length;
    return {
      status: 200,
      body: {
        data: slice.map((r) => present(def, r, fields)),
        info: {
          per_page: perPage, count: slice.length, page: pageNo, sort_by: q.get('sort_by') ?? 'id', sort_order: q.get('sort_order') ?? 'desc', more_records: more,
          next_page_token: more ? Buffer.from(`pt.${offset + perPage}.${pageNo + 1}`).toString('base64url') : null, previous_page_token: null, page_token_expiry: more ? zohoTime(Date.now() + 86_400_000) : null,
          ...extraInfo,
        },
      },
    };
  }

  /** A module's records in the asked order (id, or a time then id), cached until the next write. */
  const views = new Map<string, ZohoRecord[]>();
  function sorted(module: string, q: URLSearchParams): ZohoRecord[] | EmuResponse {
    const by = q.get('sort_by') ?? 'id';
    if (!['id', 'Created_Time', 'Modified_Time'].includes(by)) return err(400, 'INVALID_DATA', 'invalid data', { param_name: 'sort_by', supported_values: ['id', 'Created_Time', 'Modified_Time'] });
    const desc = (q.get('sort_order') ?? 'desc') === 'desc';
    const cacheKey = `${module}|${by}|${desc}|${store.version}`;
    const cached = views.get(cacheKey);
    if (cached) return cached;
    const keyed = [...store.table(module).values()].map((r) => ({ r, k: by === 'id' ? r.id.padStart(24, '0') : `${String(Date.parse(String(r[by]))).padStart(15, '0')}|${r.id.padStart(24, '0')}` }));
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0) * (desc ? -1 : 1));
    const out = keyed.map((x) => x.r);
    views.clear();
    views.set(cacheKey, out);
    return out;
  }

  /** Body {"data":[{…}]} → checked fields with lookups as {id}; the first problem in Zoho's per-record words. */
  function readRecord(def: ModuleDef, body: unknown, creating: boolean): { fields: Record<string, unknown> } | { problem: Record<string, unknown> } | EmuResponse {
    // Zoho reads the body as JSON whatever its content type (its Node SDK sends none on record writes).
    if (typeof body === 'string') { try { body = JSON.parse(body); } catch { return err(400, 'INVALID_DATA', 'body', { expected_data_type: 'jsonobject', api_name: 'data' }); } }
    const data = body && typeof body === 'object' ? (body as { data?: unknown }).data : undefined;
    if (!Array.isArray(data) || !data.length) return err(400, 'INVALID_DATA', 'body', { expected_data_type: 'jsonobject', api_name: 'data' });
    if (data.length > 100) return err(400, 'LIMIT_EXCEEDED', 'the number of records exceeds the limit', { limit: 100 });
    const input = data[0] as Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    const problem = (code: string, message: string, details: Record<string, unknown>) => ({ problem: { code, details, message, status: 'error' } });
    for (const [k, v] of Object.entries(input)) {
      if (k === 'id') continue;
      if (!def.fields.includes(k) || READ_ONLY.has(k)) return problem('INVALID_DATA', 'invalid data', { api_name: k });
      if (k === 'Owner') {
        const id = String((v as Ref | null)?.id ?? '');
        const u = store.users.find((x) => x.id === id && x.status === 'active');
        if (!u) return problem('INVALID_DATA', 'invalid data', { api_name: 'Owner', expected_data_type: 'lookup' });
        fields.Owner = store.userRef(id);
        continue;
      }
      if (def.lookups[k] || k === 'Parent_Id') {
        if (v === null) { fields[k] = null; continue; }
        const id = String(typeof v === 'object' ? (v as Ref).id : v);
        const targets = k === 'Parent_Id' ? Object.keys(MODULES) : k === 'What_Id' ? [String(input.$se_module ?? '')] : def.lookups[k];
        const target = targets.find((m) => MODULES[m] && store.table(m).has(id));
        if (!target) return problem('INVALID_DATA', 'the related id given seems to be invalid', { api_name: k, id });
        fields[k] = store.recordRef(target, id);
        if (k === 'Parent_Id') fields.$se_module = target;
        continue;
      }
      if (k === '$se_module') { if (!MODULES[String(v)]) return problem('INVALID_DATA', 'invalid data', { api_name: '$se_module' }); fields[k] = v; continue; }
      const pick = def.picklists?.[k];
      if (pick && v !== null && !pick.includes(String(v))) return problem('INVALID_DATA', 'invalid data', { api_name: k, expected_data_type: 'picklist' });
      if ((k === 'Call_Start_Time') && v !== null && !DATETIME.test(String(v))) return problem('INVALID_DATA', 'invalid data', { api_name: k, expected_data_type: 'datetime' });
      if (k === 'Call_Duration' && v !== null && !/^\d{1,4}:\d{2}$/.test(String(v))) return problem('INVALID_DATA', 'invalid data', { api_name: k, expected_data_type: 'text' });
      if (k === 'Due_Date' && v !== null && !/^\d{4}-\d{2}-\d{2}$/.test(String(v))) return problem('INVALID_DATA', 'invalid data', { api_name: k, expected_data_type: 'date' });
      fields[k] = v;
    }
    if (creating) {
      for (const m of def.mandatory) if (fields[m] === undefined || fields[m] === null || fields[m] === '') return problem('MANDATORY_NOT_FOUND', 'required field not found', { api_name: m });
      if (def.name === 'Calls' && fields.Call_Type !== 'Missed' && !fields.Call_Duration) return problem('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'Call_Duration' });
    }
    if (fields.What_Id && !fields.$se_module) return problem('MANDATORY_NOT_FOUND', 'required field not found', { api_name: '$se_module' });
    return { fields };
  }

  const answer = (status: number, code: string, message: string, rec: ZohoRecord) => ({
    status,
    body: { data: [{ code, details: { Modified_Time: rec.Modified_Time, Modified_By: rec.Modified_By, Created_Time: rec.Created_Time, id: rec.id, Created_By: rec.Created_By }, message, status: 'success' }] },
  });

  function create(def: ModuleDef, body: unknown, preset: Record<string, unknown> = {}): EmuResponse {
    const parsed = readRecord(def, body, true);
    if ('status' in parsed) return parsed;
    if ('problem' in parsed) return { status: 400, body: { data: [parsed.problem] } };
    const fields = { ...parsed.fields, ...preset };
    if (def.name === 'Tasks' && !fields.Status) fields.Status = 'Not Started';
    const rec = store.insert(def.name, fields);
    return answer(201, 'SUCCESS', 'record added', rec);
  }

  const emu = await startEmulator({
    name: 'zoho',
    tokens: o.token ? [o.token] : [],
    extractToken: (req) => /^Zoho-oauthtoken (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? null,
    unauthorized: (req) => (req.headers.authorization
      ? err(401, 'INVALID_TOKEN', 'invalid oauth token')
      : err(401, 'AUTHENTICATION_FAILURE', 'Authentication failed')),
    notFound: () => err(404, 'INVALID_URL_PATTERN', 'Please check if the URL trying to access is a correct one'),
    rateLimit: {
      limit: o.rateLimit ?? 0,
      windowMs: o.rateWindowMs ?? 60_000,
      body: () => ({ code: 'TOO_MANY_REQUESTS', details: {}, message: 'Too many requests are made within a short span of time. Please try again later.', status: 'error' }),
    },
    oauth: o.oauth ? {
      authorizePath: '/oauth/v2/auth', tokenPath: '/oauth/v2/token', clientId: o.oauth.clientId, clientSecret: o.oauth.clientSecret,
      accessTokenTtlSec: o.accessTokenTtlSec ?? 3600, extraTokenFields: (base) => ({ api_domain: base, token_type: 'Bearer' }),
    } : undefined,
    routes: [
      // Fields metadata (what Zoho's SDKs read before converting records): every field with its data type.
      ['GET', '/crm/:ver/settings/fields', (req) => {
        const name = req.query.get('module');
        if (!name) return err(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param: 'module' });
        const def = MODULES[name];
        if (!def) return err(400, 'INVALID_MODULE', 'the module name given seems to be invalid', { param: 'module' });
        return { status: 200, body: { fields: fieldsMetadata(def) } };
      }],
      ['GET', '/crm/:ver/org', () => ({ status: 200, body: { org: [{ id: '5725767000000000001', company_name: 'Zylker (emulated)', primary_email: 'admin@zylker.example.com', domain_name: 'org5725767', country_code: 'US', time_zone: 'UTC', currency: 'US Dollar - USD' }] } })],
      ['GET', '/crm/:ver/users', (req) => {
        const type = req.query.get('type') ?? 'AllUsers';
        const users = type === 'CurrentUser' ? store.users.filter((u) => u.id === store.currentUserId)
          : type === 'ActiveUsers' ? store.users.filter((u) => u.status === 'active')
          : type === 'DeactiveUsers' ? store.users.filter((u) => u.status === 'disabled') : store.users;
        const perPage = Math.min(Number(req.query.get('per_page') ?? 200), 200);
        const pageNo = Number(req.query.get('page') ?? 1);
        const slice = users.slice((pageNo - 1) * perPage, pageNo * perPage);
        if (!slice.length) return { status: 204 };
        return { status: 200, body: { users: slice, info: { per_page: perPage, count: slice.length, page: pageNo, more_records: pageNo * perPage < users.length } } };
      }],
      ['GET', '/crm/:ver/:module/search', (req) => {
        const def = moduleOf(req);
        if ('status' in def) return def;
        const q = req.query;
        let test: (r: ZohoRecord) => boolean;
        if (q.get('criteria')) {
          let crit: Crit;
          try { crit = parseCriteria(q.get('criteria')!, def.fields); } catch (e) {
            const m = /^INVALID_QUERY:(.*)$/.exec((e as Error).message);
            return err(400, 'INVALID_QUERY', 'invalid query formed', m ? { api_name: m[1] } : { reason: 'the criteria is not well formed' });
          }
          test = (r) => matches(crit, r);
        } else if (q.get('phone')) {
          const want = digits(q.get('phone'));
          if (want.length < 3) return err(400, 'INVALID_QUERY', 'invalid query formed', { reason: 'phone needs at least 3 digits' });
          const phoneFields = def.fields.filter((f) => /Phone|Mobile|Fax/.test(f));
          test = (r) => phoneFields.some((f) => r[f] && digits(r[f]) === want);
        } else if (q.get('email')) {
          const want = q.get('email')!.toLowerCase();
          test = (r) => ['Email', 'Secondary_Email'].some((f) => String(r[f] ?? '').toLowerCase() === want);
        } else if (q.get('word')) {
          const want = q.get('word')!.toLowerCase();
          test = (r) => Object.values(r).some((v) => typeof v === 'string' && v.toLowerCase().includes(want));
        } else return err(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param_name: 'criteria' });
        const fields = fieldsParam(def, q, false);
        if (fields && 'status' in fields) return fields;
        const rows = [...store.table(def.name).values()].filter(test).sort((a, b) => (a.id < b.id ? -1 : 1));
        return page(def, rows.slice(0, 2000), q, fields as string[] | null);
      }],
      ['GET', '/crm/:ver/:module', (req) => {
        const def = moduleOf(req);
        if ('status' in def) return def;
        const fields = fieldsParam(def, req.query, true);
        if (fields && 'status' in fields) return fields;
        const s = sorted(def.name, req.query);
        if (!Array.isArray(s)) return s;
        let rows = s;
        const since = req.headers['if-modified-since'];
        if (since) {
          const ms = Date.parse(String(since));
          if (!Number.isFinite(ms)) return err(400, 'INVALID_DATA', 'invalid data', { header_name: 'If-Modified-Since' });
          rows = rows.filter((r) => Date.parse(String(r.Modified_Time)) >= ms);
          if (!rows.length) return { status: 304 };
        }
        return page(def, rows, req.query, fields as string[]);
      }],
      ['GET', '/crm/:ver/:module/:id', (req) => {
        const def = moduleOf(req);
        if ('status' in def) return def;
        const rec = store.table(def.name).get(req.params.id);
        if (!rec) return { status: 204 };
        const fields = fieldsParam(def, req.query, false);
        if (fields && 'status' in fields) return fields;
        return { status: 200, body: { data: [present(def, rec, fields as string[] | null)] } };
      }],
      ['POST', '/crm/:ver/:module', (req) => {
        const def = moduleOf(req);
        if ('status' in def) return def;
        return create(def, req.body);
      }],
      ['POST', '/crm/:ver/:module/:id/Notes', (req) => {
        const def = moduleOf(req);
        if ('status' in def) return def;
        if (!store.table(def.name).has(req.params.id)) return { status: 400, body: { data: [{ code: 'INVALID_DATA', details: { api_name: 'Parent_Id', id: req.params.id }, message: 'the related id given seems to be invalid', status: 'error' }] } };
        return create(MODULES.Notes, req.body, { Parent_Id: store.recordRef(def.name, req.params.id), $se_module: def.name });
      }],
      ['PUT', '/crm/:ver/:module/:id', (req) => {
        const def = moduleOf(req);
        if ('status' in def) return def;
        if (!store.table(def.name).has(req.params.id)) return { status: 400, body: { data: [{ code: 'INVALID_DATA', details: { id: req.params.id }, message: 'the id given seems to be invalid', status: 'error' }] } };
        const parsed = readRecord(def, req.body, false);
        if ('status' in parsed) return parsed;
        if ('problem' in parsed) return { status: 400, body: { data: [parsed.problem] } };
        const rec = store.update(def.name, req.params.id, parsed.fields);
        return answer(200, 'SUCCESS', 'record updated', rec);
      }],
      ['DELETE', '/crm/:ver/:module/:id', (req) => {
        const def = moduleOf(req);
        if ('status' in def) return def;
        if (!store.remove(def.name, req.params.id)) return { status: 400, body: { data: [{ code: 'INVALID_DATA', details: { id: req.params.id }, message: 'the id given seems to be invalid', status: 'error' }] } };
        return { status: 200, body: { data: [{ code: 'SUCCESS', details: { id: req.params.id }, message: 'record deleted', status: 'success' }] } };
      }],
    ],
  }, o.port ?? 0);
  return Object.assign(emu, { store });
}
