// A local Dataverse environment (Dynamics 365) speaking the Web API v9.2 shapes this connector uses, after
// Microsoft's public reference (learn.microsoft.com/power-apps/developer/data-platform/webapi): entity sets
// contacts, accounts, systemusers, phonecalls, tasks, annotations, organizations under /api/data/v9.2/;
// GET with $select, $filter, $orderby, $top, $count; server-driven paging (`Prefer: odata.maxpagesize=N` →
// `Preference-Applied` and `@odata.nextLink` with a $skiptoken paging cookie; default page size 5,000);
// single rows at /contacts(<guid>); POST → 204 with OData-EntityId (201 + the row with `Prefer: return=representation`);
// PATCH (an upsert unless `If-Match: *`); DELETE; lookups as `_x_value` (+ FormattedValue and lookuplogicalname
// annotations when `Prefer: odata.include-annotations` asks) and written with `<navigation property>@odata.bind`
// named as Dataverse names them (ownerid; parentcustomerid_account; objectid_contact; regardingobjectid_contact_phonecall
// on activities, the source entity last); closed
// activities (statecode 1) refuse edits until reopened; OData error bodies {"error":{"code","message"}};
// bearer auth (401 with WWW-Authenticate, empty body); service-protection 429 with Retry-After and
// x-ms-ratelimit-* headers; Microsoft Entra ID's /{tenant}/oauth2/v2.0/authorize and /token (authorization
// code, refresh and client credentials) on the same host. Phones are stored as typed; $filter compares text
// case-insensitively, as Dataverse's SQL collation does.
import { randomUUID } from 'node:crypto';
import { startEmulator, type CrmEmulatorOptions, type EmuRequest, type EmuResponse, type RunningEmulator } from '../../kit/emulator-server';
import { phoneFor, syntheticPerson } from '../../kit/synthetic';
import { evaluate, ODataError, parseFilter, parseOrderBy, sortRows, type ODataRow } from './odata';

export const DATAVERSE_API = '/api/data/v9.2';
/** The directory (tenant) the emulator's Entra ID endpoints answer for. */
export const EMULATOR_TENANT = 'organizations';

interface Lookup { nav: string; targets: string[] }
/** A lookup's single-valued navigation property towards one target entity, as Dataverse's $metadata names it. */
function navigationName(def: EntityDef, l: Lookup, target: string): string {
  if (l.targets.length === 1) return l.nav;
  return def.activity && l.nav === 'regardingobjectid' ? `${l.nav}_${target}_${def.logical}` : `${l.nav}_${target}`;
}

interface EntityDef { set: string; logical: string; key: string; name: string; fields: string[]; lookups: Lookup[]; activity?: boolean }

const COMMON = ['createdon', 'modifiedon', 'versionnumber', 'statecode', 'statuscode'];
const ENTITIES: EntityDef[] = [
  {
    set: 'contacts', logical: 'contact', key: 'contactid', name: 'fullname',
    fields: ['firstname', 'lastname', 'fullname', 'emailaddress1', 'emailaddress2', 'telephone1', 'telephone2', 'telephone3', 'mobilephone', 'fax', 'jobtitle', 'address1_city', 'address1_country', 'description', ...COMMON],
    lookups: [{ nav: 'parentcustomerid', targets: ['account', 'contact'] }, { nav: 'ownerid', targets: ['systemuser'] }],
  },
  {
    set: 'accounts', logical: 'account', key: 'accountid', name: 'name',
    fields: ['name', 'telephone1', 'telephone2', 'telephone3', 'fax', 'emailaddress1', 'websiteurl', 'address1_city', 'address1_country', 'description', ...COMMON],
    lookups: [{ nav: 'ownerid', targets: ['systemuser'] }, { nav: 'primarycontactid', targets: ['contact'] }],
  },
  {
    set: 'systemusers', logical: 'systemuser', key: 'systemuserid', name: 'fullname',
    fields: ['firstname', 'lastname', 'fullname', 'internalemailaddress', 'domainname', 'isdisabled', 'accessmode', 'applicationid', ...COMMON],
    lookups: [],
  },
  {
    set: 'phonecalls', logical: 'phonecall', key: 'activityid', name: 'subject', activity: true,
    fields: ['subject', 'description', 'directioncode', 'phonenumber', 'actualdurationminutes', 'actualstart', 'actualend', 'scheduledstart', 'scheduledend', 'leftvoicemail', 'category', 'subcategory', 'activitytypecode', 'prioritycode', ...COMMON],
    lookups: [{ nav: 'regardingobjectid', targets: ['contact', 'account'] }, { nav: 'ownerid', targets: ['systemuser'] }],
  },
  {
    set: 'tasks', logical: 'task', key: 'activityid', name: 'subject', activity: true,
    fields: ['subject', 'description', 'scheduledstart', 'scheduledend', 'actualdurationminutes', 'prioritycode', 'percentcomplete', 'category', 'activitytypecode', ...COMMON],
    lookups: [{ nav: 'regardingobjectid', targets: ['contact', 'account'] }, { nav: 'ownerid', targets: ['systemuser'] }],
  },
  {
    set: 'annotations', logical: 'annotation', key: 'annotationid', name: 'subject',
    fields: ['subject', 'notetext', 'isdocument', 'filename', 'mimetype', 'objecttypecode', ...COMMON],
    lookups: [{ nav: 'objectid', targets: ['contact', 'account', 'phonecall', 'task'] }, { nav: 'ownerid', targets: ['systemuser'] }],
  },
  {
    set: 'organizations', logical: 'organization', key: 'organizationid', name: 'name',
    fields: ['name', 'languagecode', ...COMMON], lookups: [],
  },
];
const BY_SET = new Map(ENTITIES.map((e) => [e.set, e]));
const BY_LOGICAL = new Map(ENTITIES.map((e) => [e.logical, e]));
/** Activities' valid statuscode per statecode: open (1), completed (phone call: 2 Made, 4 Received; task: 5 Completed), canceled. */
const ACTIVITY_STATUS: Record<string, Record<number, number[]>> = {
  phonecall: { 0: [1], 1: [2, 4], 2: [3] },
  task: { 0: [2, 3, 4, 7], 1: [5], 2: [6] },
};
const COUNTRY_NAME: Record<string, string> = { US: 'United States', GB: 'United Kingdom', DE: 'Germany', FR: 'France' };
const READ_ONLY = new Set(['fullname', 'createdon', 'modifiedon', 'versionnumber', 'activitytypecode', 'objecttypecode']);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const guid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
/** Dataverse answers date-times to the second, in UTC. */
const stamp = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const odataError = (status: number, code: string, message: string): EmuResponse => ({ status, headers: { 'odata-version': '4.0' }, body: { error: { code, message } } });
const notFoundRow = (def: EntityDef, id: string) => odataError(404, '0x80040217', `${def.logical} With Id = ${id} Does Not Exist`);
const badRequest = (message: string) => odataError(400, '0x80060888', message);

export class DataverseStore {
  readonly tables = new Map<string, Map<string, ODataRow>>(ENTITIES.map((e) => [e.set, new Map()]));
  /** The application user the token acts as (default owner). */
  apiUserId = '';
  organizationId = guid('0f0f0f0f', 1);
  /** Bumped on every write: query results are cached per version while a client pages through them. */
  writes = 0;
  private version = 1000;

  table(set: string): Map<string, ODataRow> { return this.tables.get(set)!; }
  list(set: string): ODataRow[] { return [...this.table(set).values()]; }

  /** Inserts a row as the service would (ids, timestamps, computed names); `lookups` maps nav → [logical, id]. */
  insert(set: string, fields: ODataRow, lookups: Record<string, [string, string]> = {}, at = Date.now()): ODataRow {
    const def = BY_SET.get(set)!;
    const id = typeof fields[def.key] === 'string' ? String(fields[def.key]) : randomUUID();
    const row: ODataRow = { [def.key]: id, statecode: 0, statuscode: 1, ...fields, createdon: stamp(at), modifiedon: stamp(at), versionnumber: ++this.version };
    if (def.activity) row.activitytypecode = def.logical;
    for (const l of def.lookups) row[`_${l.nav}_value`] ??= null;
    for (const [nav, [logical, target]] of Object.entries(lookups)) this.setLookup(row, nav, logical, target);
    if (set === 'annotations') row.objecttypecode = row.__lk_objectid ?? null;
    this.computeName(set, row);
    this.table(set).set(id, row);
    this.writes++;
    return row;
  }

  update(set: string, id: string, fields: ODataRow, lookups: Record<string, [string, string]> = {}): ODataRow {
    const row = this.table(set).get(id)!;
    Object.assign(row, fields);
    for (const [nav, [logical, target]] of Object.entries(lookups)) this.setLookup(row, nav, logical, target);
    this.computeName(set, row);
    row.modifiedon = stamp(Date.now());
    row.versionnumber = ++this.version;
    this.writes++;
    return row;
  }

  delete(set: string, id: string): boolean { this.writes++; return this.table(set).delete(id); }

  private setLookup(row: ODataRow, nav: string, logical: string, target: string) {
    row[`_${nav}_value`] = target;
    row[`__lk_${nav}`] = logical;
  }

  private computeName(set: string, row: ODataRow) {
    if (set === 'contacts' || set === 'systemusers') row.fullname = [row.firstname, row.lastname].filter(Boolean).join(' ');
  }

  /** The display name of the row a lookup points to (the FormattedValue annotation). */
  nameOf(logical: string, id: string): string | null {
    const def = BY_LOGICAL.get(logical);
    const row = def ? this.table(def.set).get(id) : undefined;
    return row ? String(row[def!.name] ?? '') : null;
  }

  phoneCalls(): ODataRow[] { return this.list('phonecalls'); }
}

export type DynamicsEmulatorOptions = CrmEmulatorOptions & { tenant?: string };
export type DynamicsEmulator = RunningEmulator & { store: DataverseStore };

function seed(store: DataverseStore, o: DynamicsEmulatorOptions) {
  const base = Date.UTC(2026, 0, 1);
  const app = store.insert('systemusers', { systemuserid: guid('5a5a5a5a', 0), firstname: '#', lastname: 'Patchbay', internalemailaddress: 'patchbay-app@contoso.onmicrosoft.com', domainname: 'patchbay-app@contoso.onmicrosoft.com', isdisabled: false, accessmode: 4, applicationid: guid('a9a9a9a9', 1) }, {}, base);
  store.apiUserId = String(app.systemuserid);
  const users: string[] = [];
  for (let i = 1; i <= (o.users ?? 3); i++) {
    const p = syntheticPerson(900_000 + i);
    const email = `${p.firstName}.${p.lastName}`.toLowerCase().replace(/\s+/g, '') + `.agent${i}@contoso.com`;
    users.push(String(store.insert('systemusers', { systemuserid: guid('5a5a5a5a', i), firstname: p.firstName, lastname: p.lastName, internalemailaddress: email, domainname: email, isdisabled: false, accessmode: 0 }, {}, base).systemuserid));
  }
  store.insert('systemusers', { systemuserid: guid('5a5a5a5a', 999), firstname: 'Former', lastname: 'Agent', internalemailaddress: 'former.agent@contoso.com', domainname: 'former.agent@contoso.com', isdisabled: true, accessmode: 0 }, {}, base);
  store.insert('organizations', { organizationid: store.organizationId, name: 'Contoso (emulated)', languagecode: 1033 }, {}, base);
  const owner = (i: number): [string, string] => ['systemuser', users.length ? users[i % users.length] : store.apiUserId];
  const accounts: string[] = [];
  for (let i = 0; i < (o.companies ?? 10); i++) {
    const p = syntheticPerson(i);
    const tel = phoneFor(1_000_000 + i, p.country);
    accounts.push(String(store.insert('accounts', {
      accountid: guid('acc0acc0', i + 1), name: `${p.company} ${i}`, telephone1: tel.typed, emailaddress1: `info@company${i}.example.com`,
      websiteurl: `https://company${i}.example.com`, address1_city: p.city, address1_country: COUNTRY_NAME[p.country],
    }, { ownerid: owner(i) }, base - 86_400_000 + i * 1000).accountid));
  }
  for (let i = 0; i < (o.contacts ?? 100); i++) {
    const p = syntheticPerson(i, base);
    store.insert('contacts', {
      contactid: guid('c0c0c0c0', i + 1), firstname: p.firstName, lastname: p.lastName, emailaddress1: p.email, telephone1: p.phoneAsTyped,
      mobilephone: p.mobileAsTyped, jobtitle: i % 4 === 0 ? 'Head of Operations' : null, address1_city: p.city, address1_country: COUNTRY_NAME[p.country],
    }, { ownerid: owner(i), ...(accounts.length ? { parentcustomerid: ['account', accounts[i % accounts.length]] as [string, string] } : {}) }, p.updatedAt);
  }
}

/** `contacts(1f0e…)` → the entity set and the key, or the set alone. */
function parseSegment(seg: string): { set: string; id: string | null } {
  const m = /^([A-Za-z_]+)(?:\(([^)]*)\))?$/.exec(seg);
  if (!m) return { set: seg, id: null };
  return { set: m[1], id: m[2] === undefined ? null : m[2] };
}

function prefer(req: EmuRequest): { maxPageSize: number | null; representation: boolean; annotations: boolean } {
  const h = String(req.headers.prefer ?? '');
  const size = /odata\.maxpagesize=(\d+)/.exec(h);
  return { maxPageSize: size ? Number(size[1]) : null, representation: /return=representation/.test(h), annotations: /odata\.include-annotations="?(\*|[^"]*(FormattedValue|lookuplogicalname))/.test(h) };
}

export async function startDynamicsEmulator(o: DynamicsEmulatorOptions = {}): Promise<DynamicsEmulator> {
  const store = new DataverseStore();
  seed(store, o);
  const tenant = o.tenant ?? EMULATOR_TENANT;
  let origin = '';

  const results = new Map<string, ODataRow[]>();
  const fieldExists = (def: EntityDef) => (f: string) => f === def.key || def.fields.includes(f) || def.lookups.some((l) => f === `_${l.nav}_value`);

  /** A row as the Web API shows it: $select'ed columns, the etag, lookups and (asked for) their annotations. */
  function present(def: EntityDef, row: ODataRow, select: string[] | null, annotations: boolean): ODataRow {
    const out: ODataRow = { '@odata.etag': `W/"${row.versionnumber}"` };
    const cols = select ?? [def.key, ...def.fields, ...def.lookups.map((l) => `_${l.nav}_value`)];
    if (!cols.includes(def.key)) cols.push(def.key);
    for (const c of cols) {
      out[c] = row[c] ?? null;
      const lk = /^_(.+)_value$/.exec(c);
      if (lk && annotations && row[c]) {
        const logical = String(row[`__lk_${lk[1]}`]);
        out[`${c}@OData.Community.Display.V1.FormattedValue`] = store.nameOf(logical, String(row[c]));
        out[`${c}@Microsoft.Dynamics.CRM.lookuplogicalname`] = logical;
      }
    }
    return out;
  }

  function parseSelect(def: EntityDef, q: URLSearchParams): string[] | null {
    const s = q.get('$select');
    if (!s) return null;
    const cols = s.split(',').map((x) => x.trim()).filter(Boolean);
    for (const c of cols) if (!fieldExists(def)(c)) throw new ODataError(`Could not find a property named '${c}' on type 'Microsoft.Dynamics.CRM.${def.logical}'.`);
    return cols;
  }

  function list(def: EntityDef, req: EmuRequest): EmuResponse {
    const q = req.query;
    const select = parseSelect(def, q);
    const filter = q.get('$filter');
    const orderby = q.get('$orderby');
    // The same query paged through with nextLink is evaluated once per store version.
    const cacheKey = `${def.set}|${filter}|${orderby}|${store.writes}`;
    let rows = results.get(cacheKey);
    if (!rows) {
      rows = [...store.table(def.set).values()];
      if (filter) {
        const expr = parseFilter(filter, fieldExists(def));
        rows = rows.filter((r) => evaluate(expr, r));
      }
      rows = sortRows(rows, orderby ? parseOrderBy(orderby, fieldExists(def)) : [{ field: def.key, desc: false }]);
      if (results.size > 20) results.clear();
      results.set(cacheKey, rows);
    }
    const total = rows.length;
    const top = q.get('$top');
    if (top !== null) {
      if (!/^\d+$/.test(top)) throw new ODataError(`Invalid value for $top: '${top}'.`);
      rows = rows.slice(0, Number(top));
    }
    const pref = prefer(req);
    const pageSize = Math.min(pref.maxPageSize ?? 5000, 5000);
    // Paging cookie: where the previous page ended (opaque to clients, as Dataverse's is).
    const skip = /pagenumber="(\d+)"[^>]*offset="(\d+)"/.exec(q.get('$skiptoken') ?? '');
    const offset = skip ? Number(skip[2]) : 0;
    const page = top !== null && !pref.maxPageSize ? rows : rows.slice(offset, offset + pageSize);
    const body: ODataRow = { '@odata.context': `${origin}${DATAVERSE_API}/$metadata#${def.set}${select ? `(${select.join(',')})` : ''}` };
    if (q.get('$count') === 'true') body['@odata.count'] = Math.min(total, 5000);
    body.value = page.map((r) => present(def, r, select ? [...select] : null, pref.annotations));
    const more = page === rows ? false : offset + pageSize < rows.length;
    if (more) {
      const next = new URL(`${origin}${req.path}`);
      for (const [k, v] of q) if (k !== '$skiptoken') next.searchParams.set(k, v);
      const pageNo = skip ? Number(skip[1]) + 1 : 2;
      next.searchParams.set('$skiptoken', `<cookie pagenumber="${pageNo}" offset="${offset + pageSize}" istracking="False" />`);
      body['@odata.nextLink'] = next.toString();
    }
    const headers: Record<string, string> = { 'odata-version': '4.0' };
    if (pref.maxPageSize) headers['preference-applied'] = `odata.maxpagesize=${pref.maxPageSize}`;
    return { status: 200, headers, body };
  }

  /** Body → plain columns and `nav_entity@odata.bind` lookups, checked as the Web API does. */
  function readBody(def: EntityDef, body: unknown): { fields: ODataRow; lookups: Record<string, [string, string]> } | EmuResponse {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return badRequest('The request body must be a JSON object.');
    const fields: ODataRow = {};
    const lookups: Record<string, [string, string]> = {};
    for (const [k, v] of Object.entries(body as ODataRow)) {
      if (k.endsWith('@odata.bind')) {
        // The single-valued navigation property, named as Dataverse does: ownerid (one target), parentcustomerid_account,
        // regardingobjectid_contact_phonecall (activities: the source entity last).
        const name = k.slice(0, -'@odata.bind'.length);
        let lookup: Lookup | undefined;
        let logical = '';
        for (const l of def.lookups) for (const t of l.targets) if (navigationName(def, l, t) === name) { lookup = l; logical = t; }
        const target = /^\/?([a-z]+)\(([0-9a-fA-F-]{36})\)$/.exec(String(v ?? '').replace(/^https?:\/\/[^/]+\/api\/data\/v9\.\d/, ''));
        if (!lookup) return badRequest(`An undeclared property '${name}' which only has property annotations in the payload but no property value was found in the payload.`);
        if (!target) return badRequest(`The value '${String(v)}' of '${k}' is not a valid entity reference: use /<entity set>(<id>).`);
        const targetDef = BY_SET.get(target[1]);
        if (!targetDef || targetDef.logical !== logical) return badRequest(`'${k}' cannot point to '${target[1]}'.`);
        const id = target[2].toLowerCase();
        if (!store.table(targetDef.set).has(id)) return notFoundRow(targetDef, id);
        lookups[lookup.nav] = [targetDef.logical, id];
        continue;
      }
      if (!def.fields.includes(k) || READ_ONLY.has(k)) return badRequest(`The property '${k}' does not exist on type 'Microsoft.Dynamics.CRM.${def.logical}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
      fields[k] = v;
    }
    return { fields, lookups };
  }

  function checkState(def: EntityDef, row: ODataRow): EmuResponse | null {
    const allowed = ACTIVITY_STATUS[def.logical];
    if (!allowed) return null;
    const ok = allowed[Number(row.statecode)]?.includes(Number(row.statuscode));
    return ok ? null : odataError(400, '0x80040203', `${row.statuscode} is not a valid status code for state code ${def.logical}State.${row.statecode}`);
  }

  function create(def: EntityDef, req: EmuRequest, presetId?: string): EmuResponse {
    const parsed = readBody(def, req.body);
    if ('status' in parsed) return parsed;
    if (def.set === 'contacts' && !parsed.fields.lastname && !parsed.fields.firstname) return odataError(400, '0x80040203', 'A contact needs a first or last name.');
    if (def.set === 'annotations' && !parsed.lookups.objectid) { /* a note may stand alone */ }
    const fields = { ...parsed.fields, ...(presetId ? { [def.key]: presetId } : {}) };
    // Activities are owned by the calling user unless ownerid is bound.
    const lookups = { ...(def.lookups.some((l) => l.nav === 'ownerid') && !parsed.lookups.ownerid ? { ownerid: ['systemuser', store.apiUserId] as [string, string] } : {}), ...parsed.lookups };
    if (def.activity) {
      // Without a status reason, the state's default one (a task opens as Not Started, a phone call as Open).
      const probe: ODataRow = { statecode: 0, ...fields };
      if (fields.statuscode === undefined) probe.statuscode = ACTIVITY_STATUS[def.logical][Number(probe.statecode)]?.[0];
      const bad = checkState(def, probe);
      if (bad) return bad;
      Object.assign(fields, { statecode: probe.statecode, statuscode: probe.statuscode });
    }
    const row = store.insert(def.set, fields, lookups);
    const entityId = `${origin}${DATAVERSE_API}/${def.set}(${row[def.key]})`;
    if (prefer(req).representation) return { status: 201, headers: { 'odata-entityid': entityId, 'preference-applied': 'return=representation' }, body: { '@odata.context': `${origin}${DATAVERSE_API}/$metadata#${def.set}/$entity`, ...present(def, row, null, prefer(req).annotations) } };
    return { status: 204, headers: { 'odata-entityid': entityId, 'odata-version': '4.0' } };
  }

  function resolve(req: EmuRequest): { def: EntityDef; id: string | null } | EmuResponse {
    const { set, id } = parseSegment(req.params.seg);
    const def = BY_SET.get(set);
    if (!def) return odataError(404, '0x8006088a', `Resource not found for the segment '${set}'.`);
    if (id !== null && !GUID.test(id)) return badRequest(`Bad Request - Error in query syntax: '${id}' is not a valid key for ${def.set}.`);
    return { def, id: id === null ? null : id.toLowerCase() };
  }

  const guarded = (fn: (r: EmuRequest) => EmuResponse) => (r: EmuRequest): EmuResponse => {
    try { return fn(r); } catch (err) {
      if (err instanceof ODataError) return badRequest(err.message);
      throw err;
    }
  };

  const emu = await startEmulator({
    name: 'dynamics',
    tokens: o.token ? [o.token] : [],
    extractToken: (req) => /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? null,
    // Dataverse answers an unauthenticated call with 401, an empty body and where to get a token.
    unauthorized: () => ({ status: 401, headers: { 'www-authenticate': `Bearer authorization_uri=${origin}/${tenant}/oauth2/authorize, resource_id=${origin}/` } }),
    notFound: (req) => odataError(404, '0x8006088a', `Resource not found for the segment '${req.path}'.`),
    rateLimit: {
      limit: o.rateLimit ?? 0,
      windowMs: o.rateWindowMs ?? 300_000,
      // Service protection: requests left in the (5-minute sliding) window, and execution time left in ms.
      headers: ({ remaining, resetMs }) => ({ 'x-ms-ratelimit-burst-remaining-xrm-requests': String(remaining), 'x-ms-ratelimit-time-remaining-xrm-requests': String(Math.max(0, Math.round(resetMs * 4))) }),
      body: () => ({ error: { code: '0x80072322', message: `Number of requests exceeded the limit of ${o.rateLimit ?? 6000} over time window of ${Math.round((o.rateWindowMs ?? 300_000) / 1000)} seconds.` } }),
    },
    oauth: o.oauth ? {
      authorizePath: `/${tenant}/oauth2/v2.0/authorize`, tokenPath: `/${tenant}/oauth2/v2.0/token`,
      clientId: o.oauth.clientId, clientSecret: o.oauth.clientSecret, accessTokenTtlSec: o.accessTokenTtlSec ?? 3599, clientCredentials: true,
    } : undefined,
    routes: [
      // WhoAmI, also in function-call syntax WhoAmI() (what OData clients such as dynamics-web-api send; the pattern is a regex).
      ['GET', `${DATAVERSE_API}/WhoAmI(?:\\(\\))?`, () => ({ status: 200, body: { '@odata.context': `${origin}${DATAVERSE_API}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`, BusinessUnitId: guid('b0b0b0b0', 1), UserId: store.apiUserId, OrganizationId: store.organizationId } })],
      ['GET', `${DATAVERSE_API}/:seg`, guarded((req) => {
        const r = resolve(req);
        if ('status' in r) return r;
        if (r.id === null) return list(r.def, req);
        const row = store.table(r.def.set).get(r.id);
        if (!row) return notFoundRow(r.def, r.id);
        const select = parseSelect(r.def, req.query);
        return { status: 200, headers: { 'odata-version': '4.0' }, body: { '@odata.context': `${origin}${DATAVERSE_API}/$metadata#${r.def.set}/$entity`, ...present(r.def, row, select, prefer(req).annotations) } };
      })],
      ['POST', `${DATAVERSE_API}/:seg`, guarded((req) => {
        const r = resolve(req);
        if ('status' in r) return r;
        if (r.id !== null) return odataError(405, '0x80060888', 'POST to a single record is not supported: use PATCH.');
        return create(r.def, req);
      })],
      ['PATCH', `${DATAVERSE_API}/:seg`, guarded((req) => {
        const r = resolve(req);
        if ('status' in r) return r;
        if (r.id === null) return odataError(405, '0x80060888', 'PATCH needs a record: /<entity set>(<id>).');
        const row = store.table(r.def.set).get(r.id);
        const ifMatch = req.headers['if-match'];
        if (!row) {
          // PATCH is an upsert unless the caller said the record must exist.
          if (ifMatch) return odataError(404, '0x80040217', `${r.def.logical} With Id = ${r.id} Does Not Exist`);
          return create(r.def, req, r.id);
        }
        if (req.headers['if-none-match'] === '*') return odataError(412, '0x80060882', 'A record with matching key values already exists.');
        const parsed = readBody(r.def, req.body);
        if ('status' in parsed) return parsed;
        const changes = { ...parsed.fields };
        if (r.def.activity) {
          // A completed or canceled activity is read-only: only reopening it (statecode 0) is accepted.
          const onlyState = Object.keys(changes).every((k) => k === 'statecode' || k === 'statuscode') && !Object.keys(parsed.lookups).length;
          if (Number(row.statecode) !== 0 && !(onlyState && Number(changes.statecode) === 0)) {
            return odataError(400, '0x80043b1d', `This ${r.def.logical} is closed or canceled and cannot be edited: set statecode to 0 (open) first.`);
          }
          if (changes.statecode !== undefined && changes.statuscode === undefined) changes.statuscode = ACTIVITY_STATUS[r.def.logical][Number(changes.statecode)]?.[0];
          const bad = checkState(r.def, { ...row, ...changes });
          if (bad) return bad;
        }
        store.update(r.def.set, r.id, changes, parsed.lookups);
        return { status: 204, headers: { 'odata-entityid': `${origin}${DATAVERSE_API}/${r.def.set}(${r.id})` } };
      })],
      ['DELETE', `${DATAVERSE_API}/:seg`, guarded((req) => {
        const r = resolve(req);
        if ('status' in r) return r;
        if (r.id === null || !store.delete(r.def.set, r.id)) return notFoundRow(r.def, r.id ?? '');
        return { status: 204 };
      })],
    ],
  }, o.port ?? 0);
  origin = emu.url;
  return Object.assign(emu, { store });
}
