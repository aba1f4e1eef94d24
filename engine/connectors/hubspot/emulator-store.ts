// The HubSpot emulator's data: CRM object tables with HubSpot's calculated properties, property validation,
// associations, and the CRM search engine (filter groups, one sort, offset paging, the 10,000-result cap).
// Built to hold 100,000 contacts: records are indexed by id, by modified time (sorted lazily, once per
// change burst) and by the phone/email properties that lookups filter on.
import { randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizePhone } from '../../core/phone';
import { syntheticPerson } from '../kit/synthetic';
import { countryToIso2 } from '../../core/country';

export type ObjectType = 'contacts' | 'companies' | 'calls' | 'tasks' | 'notes';
export const OBJECT_TYPES: ObjectType[] = ['contacts', 'companies', 'calls', 'tasks', 'notes'];
const SINGULAR: Record<ObjectType, string> = { contacts: 'contact', companies: 'company', calls: 'call', tasks: 'task', notes: 'note' };

export interface EmuRecord {
  id: string;
  num: number;
  props: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  assoc: Map<ObjectType, Set<string>> | null;
}

export interface EmuOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** A HubSpot error body: { status: "error", message, correlationId, category }. */
export function hsError(message: string, category: string, extra: Record<string, unknown> = {}) {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

export class HsHttpError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : 'error');
  }
}

const badRequest = (message: string, extra?: Record<string, unknown>) => new HsHttpError(400, hsError(message, 'VALIDATION_ERROR', extra));

// ---- properties ---------------------------------------------------------------------------------------

const WRITABLE: Record<ObjectType, string[]> = {
  contacts: ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'fax', 'company', 'country', 'city', 'state', 'zip', 'address', 'jobtitle', 'website', 'lifecyclestage', 'hs_lead_status', 'hubspot_owner_id'],
  companies: ['name', 'domain', 'phone', 'country', 'city', 'state', 'zip', 'address', 'industry', 'website', 'description', 'numberofemployees', 'annualrevenue', 'lifecyclestage', 'hubspot_owner_id'],
  calls: ['hs_timestamp', 'hs_call_title', 'hs_call_body', 'hs_call_direction', 'hs_call_disposition', 'hs_call_duration', 'hs_call_from_number', 'hs_call_to_number', 'hs_call_recording_url', 'hs_call_status', 'hs_call_callee_object_id', 'hs_call_callee_object_type', 'hs_call_source', 'hs_call_external_id', 'hs_call_external_account_id', 'hs_activity_type', 'hs_attachment_ids', 'hubspot_owner_id'],
  tasks: ['hs_timestamp', 'hs_task_subject', 'hs_task_body', 'hs_task_status', 'hs_task_priority', 'hs_task_type', 'hs_task_reminders', 'hubspot_owner_id'],
  notes: ['hs_timestamp', 'hs_note_body', 'hs_attachment_ids', 'hubspot_owner_id'],
};

const CALCULATED: Record<ObjectType, string[]> = {
  contacts: ['hs_object_id', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'hs_calculated_phone_number', 'hs_calculated_phone_number_country_code', 'hs_calculated_mobile_number', 'hs_searchable_calculated_phone_number', 'hs_searchable_calculated_mobile_number'],
  companies: ['hs_object_id', 'createdate', 'hs_lastmodifieddate'],
  calls: ['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate'],
  tasks: ['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate'],
  notes: ['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate'],
};

const ENUMS: Record<string, string[]> = {
  hs_call_direction: ['INBOUND', 'OUTBOUND'],
  hs_call_status: ['BUSY', 'CALLING_CRM_USER', 'CANCELED', 'COMPLETED', 'CONNECTING', 'FAILED', 'IN_PROGRESS', 'NO_ANSWER', 'QUEUED', 'RINGING'],
  hs_task_status: ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED'],
  hs_task_priority: ['NONE', 'LOW', 'MEDIUM', 'HIGH'],
  hs_task_type: ['CALL', 'EMAIL', 'TODO', 'LINKED_IN'],
};

/** Properties compared as numbers (datetimes as epoch ms). */
const NUMERIC = new Set(['hs_object_id', 'createdate', 'hs_createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'hs_timestamp', 'hs_call_duration', 'numberofemployees', 'annualrevenue']);
const DATETIME = new Set(['createdate', 'hs_createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'hs_timestamp']);

const DEFAULT_PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  calls: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  tasks: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  notes: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

/** Default searchable properties for the free-text `query`. */
const QUERY_PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company'],
  companies: ['name', 'domain', 'phone', 'website'],
  calls: ['hs_call_title', 'hs_call_body'],
  tasks: ['hs_task_subject', 'hs_task_body'],
  notes: ['hs_note_body'],
};

const INDEXED: Record<ObjectType, string[]> = {
  contacts: ['email', 'phone', 'mobilephone', 'hs_searchable_calculated_phone_number', 'hs_searchable_calculated_mobile_number', 'hs_calculated_phone_number'],
  companies: ['phone', 'domain'],
  calls: [],
  tasks: [],
  notes: [],
};

/** HubSpot-defined association type ids: id → [from, to]. */
export const ASSOCIATION_TYPES: Record<number, [ObjectType, ObjectType]> = {
  1: ['contacts', 'companies'], 279: ['contacts', 'companies'], 2: ['companies', 'contacts'], 280: ['companies', 'contacts'],
  194: ['calls', 'contacts'], 193: ['contacts', 'calls'], 182: ['calls', 'companies'], 181: ['companies', 'calls'],
  204: ['tasks', 'contacts'], 203: ['contacts', 'tasks'], 192: ['tasks', 'companies'], 191: ['companies', 'tasks'],
  202: ['notes', 'contacts'], 201: ['contacts', 'notes'], 190: ['notes', 'companies'], 189: ['companies', 'notes'],
};

export function defaultAssociationType(from: ObjectType, to: ObjectType): number | undefined {
  for (const [id, [f, t]] of Object.entries(ASSOCIATION_TYPES)) if (f === from && t === to) return Number(id);
  return undefined;
}

const COUNTRY_NAMES: Record<string, string> = { US: 'United States', GB: 'United Kingdom', DE: 'Germany', FR: 'France' };
const CALLING_CODES: Record<string, string> = { US: '1', GB: '44', DE: '49', FR: '33' };
const JOB_TITLES = ['Office Manager', 'CTO', 'Head of Sales', 'Accountant', 'Support Lead', 'Founder', 'Buyer'];
const LIFECYCLE = ['lead', 'subscriber', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer'];
/** Default country of the emulated portal, used for numbers typed without a country code. */
const PORTAL_COUNTRY = 'US';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function parseTime(v: string): number {
  const s = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  return Date.parse(s);
}

/** HubSpot's calculated phone properties, from the number as typed and the contact's country. */
function calculatedPhone(raw: string | undefined, country: string | undefined): { e164: string | null; searchable: string | null; cc: string | null } {
  const v = (raw ?? '').trim();
  if (!v) return { e164: null, searchable: null, cc: null };
  const n = normalizePhone(v, countryToIso2(country) ?? PORTAL_COUNTRY);
  if (n.e164) {
    const parsed = parsePhoneNumberFromString(n.e164);
    return { e164: n.e164, searchable: parsed?.nationalNumber ?? n.e164.slice(1), cc: n.country };
  }
  const digits = v.replace(/\D/g, '').replace(/^0+/, '');
  return { e164: null, searchable: digits || null, cc: null };
}

// ---- tables ---------------------------------------------------------------------------------------------

export class Table {
  readonly byId = new Map<string, EmuRecord>();
  /** Creation order, which is ascending id. Archived records stay here and are skipped. */
  readonly order: EmuRecord[] = [];
  private sortedByModified: EmuRecord[] | null = [];
  private readonly indexes = new Map<string, Map<string, Set<EmuRecord>>>();
  readonly modProp: string;
  readonly createProp: string;

  constructor(readonly type: ObjectType, private nextNum: number) {
    this.modProp = type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
    this.createProp = type === 'contacts' || type === 'companies' ? 'createdate' : 'hs_createdate';
    for (const p of INDEXED[type]) this.indexes.set(p, new Map());
  }

  insert(props: Record<string, string>, createdAt: number, updatedAt: number): EmuRecord {
    const num = this.nextNum++;
    const rec: EmuRecord = { id: String(num), num, props, createdAt, updatedAt, archived: false, assoc: null };
    this.byId.set(rec.id, rec);
    this.order.push(rec);
    this.index(rec);
    const s = this.sortedByModified;
    if (s && (!s.length || s[s.length - 1].updatedAt <= updatedAt)) s.push(rec);
    else this.sortedByModified = null;
    return rec;
  }

  /** Replaces properties (calculated ones included) and bumps the modified time. */
  change(rec: EmuRecord, props: Record<string, string>, updatedAt: number): void {
    this.unindex(rec);
    rec.props = props;
    rec.updatedAt = updatedAt;
    this.index(rec);
    this.sortedByModified = null;
  }

  archive(rec: EmuRecord, at: number): void {
    this.unindex(rec);
    rec.archived = true;
    rec.updatedAt = at;
    this.byId.delete(rec.id);
    this.sortedByModified = null;
  }

  live(id: string): EmuRecord | undefined {
    return this.byId.get(id);
  }

  /** Live records by (modified, id) ascending. */
  byModified(): EmuRecord[] {
    if (!this.sortedByModified) {
      this.sortedByModified = this.order.filter((r) => !r.archived).sort((a, b) => a.updatedAt - b.updatedAt || a.num - b.num);
    }
    return this.sortedByModified;
  }

  lookup(prop: string, value: string): Set<EmuRecord> | undefined {
    return this.indexes.get(prop)?.get(value.trim().toLowerCase());
  }

  isIndexed(prop: string): boolean {
    return this.indexes.has(prop);
  }

  private index(rec: EmuRecord) {
    for (const [prop, idx] of this.indexes) {
      const v = rec.props[prop];
      if (!v) continue;
      const key = v.trim().toLowerCase();
      let set = idx.get(key);
      if (!set) idx.set(key, (set = new Set()));
      set.add(rec);
    }
  }

  private unindex(rec: EmuRecord) {
    for (const [prop, idx] of this.indexes) {
      const v = rec.props[prop];
      if (v) idx.get(v.trim().toLowerCase())?.delete(rec);
    }
  }

  /** A property's value as HubSpot answers it (datetimes as ISO strings), or undefined. */
  value(rec: EmuRecord, prop: string): string | undefined {
    if (prop === 'hs_object_id') return rec.id;
    if (prop === this.createProp || prop === 'createdate' || prop === 'hs_createdate') return iso(rec.createdAt);
    if (prop === this.modProp || prop === 'hs_lastmodifieddate' || prop === 'lastmodifieddate') return iso(rec.updatedAt);
    const v = rec.props[prop];
    return v === undefined || v === '' ? undefined : v;
  }

  numeric(rec: EmuRecord, prop: string): number | undefined {
    if (prop === 'hs_object_id') return rec.num;
    if (prop === 'createdate' || prop === 'hs_createdate') return rec.createdAt;
    if (prop === 'lastmodifieddate' || prop === 'hs_lastmodifieddate') return rec.updatedAt;
    const v = rec.props[prop];
    if (v === undefined || v === '') return undefined;
    const n = parseTime(v);
    return Number.isFinite(n) ? n : undefined;
  }

  toJson(rec: EmuRecord, properties?: string[] | null, associations?: ObjectType[]) {
    const names = properties?.length ? properties : DEFAULT_PROPERTIES[this.type];
    const out: Record<string, string | null> = {};
    for (const p of names) out[p] = this.value(rec, p) ?? null;
    const json: Record<string, unknown> = { id: rec.id, properties: out, createdAt: iso(rec.createdAt), updatedAt: iso(rec.updatedAt), archived: rec.archived };
    if (associations?.length && rec.assoc) {
      const a: Record<string, unknown> = {};
      for (const t of associations) {
        const ids = rec.assoc.get(t);
        if (ids?.size) a[t] = { results: [...ids].map((id) => ({ id, type: `${SINGULAR[this.type]}_to_${SINGULAR[t]}` })) };
      }
      if (Object.keys(a).length) json.associations = a;
    }
    return json;
  }
}

// ---- search ---------------------------------------------------------------------------------------------

const OPERATORS = new Set(['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN']);
export const SEARCH_MAX_LIMIT = 200;
export const SEARCH_MAX_RESULTS = 10_000;

interface Filter { propertyName: string; operator: string; value?: unknown; highValue?: unknown; values?: unknown[] }

type Predicate = (rec: EmuRecord) => boolean;

function tokenMatcher(pattern: string): (v: string) => boolean {
  const p = pattern.toLowerCase();
  if (p.includes('*')) {
    const re = new RegExp('^' + p.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
    return (v) => re.test(v.toLowerCase()) || v.toLowerCase().split(/[\s,;]+/).some((t) => re.test(t));
  }
  return (v) => v.toLowerCase().split(/[^a-z0-9\u00c0-\uffff]+/).includes(p);
}

function compileFilter(table: Table, f: Filter): Predicate {
  const prop = f.propertyName;
  const numeric = NUMERIC.has(prop);
  const str = (x: unknown) => (x === undefined || x === null ? '' : String(x));
  const needValue = () => {
    if (f.value === undefined || f.value === null || f.value === '') throw badRequest(`There was a problem with the request: filter on ${prop} with operator ${f.operator} needs a value.`);
  };
  const num = (x: unknown) => {
    const n = parseTime(str(x));
    if (!Number.isFinite(n)) throw badRequest(`There was a problem with the request: ${str(x)} is not a valid value for ${prop}.`);
    return n;
  };
  switch (f.operator) {
    case 'HAS_PROPERTY': return (r) => table.value(r, prop) !== undefined;
    case 'NOT_HAS_PROPERTY': return (r) => table.value(r, prop) === undefined;
    case 'IN':
    case 'NOT_IN': {
      if (!Array.isArray(f.values) || !f.values.length) throw badRequest(`There was a problem with the request: operator ${f.operator} on ${prop} needs "values".`);
      const inSet = numeric ? null : new Set(f.values.map((v) => str(v).trim().toLowerCase()));
      const nums = numeric ? new Set(f.values.map(num)) : null;
      const has = (r: EmuRecord) => (numeric ? nums!.has(table.numeric(r, prop) ?? NaN) : inSet!.has((table.value(r, prop) ?? '\u0000').trim().toLowerCase()));
      return f.operator === 'IN' ? has : (r) => !has(r);
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      needValue();
      const m = tokenMatcher(str(f.value));
      const has = (r: EmuRecord) => { const v = table.value(r, prop); return v !== undefined && m(v); };
      return f.operator === 'CONTAINS_TOKEN' ? has : (r) => !has(r);
    }
    case 'BETWEEN': {
      needValue();
      if (numeric) {
        const lo = num(f.value), hi = num(f.highValue);
        return (r) => { const v = table.numeric(r, prop); return v !== undefined && v >= lo && v <= hi; };
      }
      const lo = str(f.value).toLowerCase(), hi = str(f.highValue).toLowerCase();
      return (r) => { const v = table.value(r, prop)?.toLowerCase(); return v !== undefined && v >= lo && v <= hi; };
    }
    default: {
      needValue();
      if (numeric) {
        const x = num(f.value);
        const cmp: Record<string, (a: number) => boolean> = { EQ: (a) => a === x, NEQ: (a) => a !== x, LT: (a) => a < x, LTE: (a) => a <= x, GT: (a) => a > x, GTE: (a) => a >= x };
        const c = cmp[f.operator];
        return f.operator === 'NEQ' ? (r) => { const v = table.numeric(r, prop); return v === undefined || c(v); } : (r) => { const v = table.numeric(r, prop); return v !== undefined && c(v); };
      }
      const x = str(f.value).trim().toLowerCase();
      const cmp: Record<string, (a: string) => boolean> = { EQ: (a) => a === x, NEQ: (a) => a !== x, LT: (a) => a < x, LTE: (a) => a <= x, GT: (a) => a > x, GTE: (a) => a >= x };
      const c = cmp[f.operator];
      return f.operator === 'NEQ' ? (r) => { const v = table.value(r, prop); return v === undefined || c(v.trim().toLowerCase()); } : (r) => { const v = table.value(r, prop); return v !== undefined && c(v.trim().toLowerCase()); };
    }
  }
}

export interface SearchBody {
  filterGroups?: { filters?: Filter[] }[];
  sorts?: (string | { propertyName?: string; direction?: string })[];
  properties?: string[];
  limit?: number;
  after?: string | number;
  query?: string;
}

export function search(table: Table, body: SearchBody) {
  const limit = body.limit === undefined || body.limit === null ? 10 : Number(body.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_MAX_LIMIT) throw badRequest(`There was a problem with the request: limit must be between 1 and ${SEARCH_MAX_LIMIT}, got ${String(body.limit)}.`);
  const offset = body.after === undefined || body.after === null || body.after === '' ? 0 : Number(body.after);
  if (!Number.isInteger(offset) || offset < 0) throw badRequest(`Invalid input JSON: Cannot deserialize value of type \`int\` from String "${String(body.after)}"`);
  if (offset + limit > SEARCH_MAX_RESULTS) throw badRequest(`There was a problem with the request: the search endpoints are limited to ${SEARCH_MAX_RESULTS} total results for any given query (after=${offset}, limit=${limit}).`);
  const groups = body.filterGroups ?? [];
  if (!Array.isArray(groups)) throw badRequest('Invalid input JSON: filterGroups must be an array.');
  if (groups.length > 5) throw badRequest(`There was a problem with the request: too many filter groups (${groups.length}); the maximum is 5.`);
  let total = 0;
  for (const g of groups) {
    const n = g.filters?.length ?? 0;
    if (n > 10) throw badRequest(`There was a problem with the request: too many filters in a group (${n}); the maximum is 10.`);
    total += n;
  }
  if (total > 25) throw badRequest(`There was a problem with the request: too many filters (${total}); the maximum is 25.`);
  for (const g of groups) for (const f of g.filters ?? []) {
    if (!f || typeof f.propertyName !== 'string' || !f.propertyName) throw badRequest('There was a problem with the request: a filter has no propertyName.');
    if (!OPERATORS.has(f.operator)) throw badRequest(`There was a problem with the request: unknown operator ${String(f.operator)}.`);
  }
  const sorts = body.sorts ?? [];
  if (sorts.length > 1) throw badRequest('There was a problem with the request: only one sort is allowed per search.');
  let sortProp = 'hs_object_id';
  let desc = false;
  if (sorts.length) {
    const s = sorts[0];
    if (typeof s === 'string') { desc = s.startsWith('-'); sortProp = desc ? s.slice(1) : s; }
    else { sortProp = s.propertyName ?? 'hs_object_id'; desc = s.direction === 'DESCENDING'; }
  }

  const compiled = groups.map((g) => (g.filters ?? []).map((f) => compileFilter(table, f)));
  let queryPred: Predicate | null = null;
  if (body.query && String(body.query).trim()) {
    const q = String(body.query).trim().toLowerCase();
    const props = QUERY_PROPERTIES[table.type];
    queryPred = (r) => props.some((p) => (table.value(r, p) ?? '').toLowerCase().includes(q));
  }
  const matches = (r: EmuRecord) => (!compiled.length || compiled.some((fs) => fs.every((f) => f(r)))) && (!queryPred || queryPred(r));

  const isMod = sortProp === 'lastmodifieddate' || sortProp === 'hs_lastmodifieddate';
  const isId = sortProp === 'hs_object_id' || sortProp === table.createProp;
  let seq: EmuRecord[];
  let start = 0;
  // Every group pins an indexed property with EQ/IN: the candidates come from the index.
  const indexed = groups.length > 0 && groups.every((g) => (g.filters ?? []).some((f) => (f.operator === 'EQ' || f.operator === 'IN') && table.isIndexed(f.propertyName)));
  if (indexed) {
    const found = new Set<EmuRecord>();
    for (const g of groups) {
      const f = (g.filters ?? []).find((x) => (x.operator === 'EQ' || x.operator === 'IN') && table.isIndexed(x.propertyName))!;
      const vals = f.operator === 'EQ' ? [f.value] : f.values ?? [];
      for (const v of vals) for (const r of table.lookup(f.propertyName, String(v ?? '')) ?? []) found.add(r);
    }
    seq = [...found];
    seq.sort(comparator(table, sortProp));
  } else if (isMod) {
    seq = table.byModified();
    // One group with a lower bound on the modified time: start there instead of at the beginning.
    if (!desc && groups.length === 1) {
      let lo = -Infinity;
      for (const f of groups[0].filters ?? []) {
        if ((f.propertyName === 'lastmodifieddate' || f.propertyName === 'hs_lastmodifieddate') && (f.operator === 'GTE' || f.operator === 'GT' || f.operator === 'BETWEEN')) lo = Math.max(lo, parseTime(String(f.value)));
      }
      if (Number.isFinite(lo)) start = lowerBound(seq, lo);
    }
  } else if (isId) {
    seq = table.order;
  } else {
    seq = table.order.filter((r) => !r.archived && matches(r));
    seq.sort(comparator(table, sortProp));
  }

  const properties = Array.isArray(body.properties) ? body.properties.map(String) : null;
  // The sync's query (modified >= t, ascending): everything from the lower bound matches, so the page and
  // the total come straight from the sorted index instead of a scan.
  const onlyLowerBound = isMod && !desc && !indexed && !queryPred && groups.length === 1 && (groups[0].filters ?? []).length > 0
    && (groups[0].filters ?? []).every((f) => (f.propertyName === 'lastmodifieddate' || f.propertyName === 'hs_lastmodifieddate') && f.operator === 'GTE');
  if (onlyLowerBound) {
    const count = seq.length - start;
    const page = seq.slice(start + offset, start + offset + limit);
    const res: Record<string, unknown> = { total: count, results: page.map((r) => table.toJson(r, properties)) };
    if (offset + limit < count) res.paging = { next: { after: String(offset + limit) } };
    return res;
  }

  const page: EmuRecord[] = [];
  let count = 0;
  const take = (r: EmuRecord) => {
    if (r.archived || !matches(r)) return;
    if (count >= offset && page.length < limit) page.push(r);
    count++;
  };
  if (desc) for (let i = seq.length - 1; i >= 0; i--) take(seq[i]);
  else for (let i = start; i < seq.length; i++) take(seq[i]);

  const res: Record<string, unknown> = { total: count, results: page.map((r) => table.toJson(r, properties)) };
  if (offset + limit < count) res.paging = { next: { after: String(offset + limit) } };
  return res;
}

function comparator(table: Table, prop: string) {
  if (NUMERIC.has(prop)) return (a: EmuRecord, b: EmuRecord) => (table.numeric(a, prop) ?? -Infinity) - (table.numeric(b, prop) ?? -Infinity) || a.num - b.num;
  return (a: EmuRecord, b: EmuRecord) => (table.value(a, prop) ?? '').localeCompare(table.value(b, prop) ?? '') || a.num - b.num;
}

function lowerBound(seq: EmuRecord[], t: number): number {
  let lo = 0, hi = seq.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seq[mid].updatedAt < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- the store --------------------------------------------------------------------------------------

export interface StoreOptions {
  contacts: number;
  companies: number;
  users: number;
  portalId: number;
}

export class HubspotStore {
  readonly tables: Record<ObjectType, Table>;
  readonly owners: EmuOwner[] = [];
  private lastTime = 0;

  constructor(readonly opts: StoreOptions) {
    this.tables = {
      contacts: new Table('contacts', 100_001),
      companies: new Table('companies', 200_001),
      calls: new Table('calls', 300_001),
      tasks: new Table('tasks', 400_001),
      notes: new Table('notes', 500_001),
    };
    this.seed();
  }

  /** Modification times only move forward, so an edit is always the newest change. */
  private now(at?: number): number {
    const t = at ?? Math.max(Date.now(), this.lastTime + 1);
    this.lastTime = Math.max(this.lastTime, t);
    return t;
  }

  private seed() {
    const created = Date.UTC(2025, 0, 1);
    for (let i = 0; i < this.opts.users; i++) {
      const p = syntheticPerson(9_000_000 + i);
      this.owners.push({
        id: String(70_000_001 + i), email: `${p.firstName}.${p.lastName}@patchbay-demo.test`.toLowerCase().replace(/\s+/g, ''),
        firstName: p.firstName, lastName: p.lastName, userId: 9_000_001 + i, createdAt: iso(created), updatedAt: iso(created), archived: false,
      });
    }
    const contacts = this.tables.contacts;
    for (let i = 0; i < this.opts.contacts; i++) {
      const p = syntheticPerson(i);
      const cc = CALLING_CODES[p.country];
      const props: Record<string, string> = {
        firstname: p.firstName, lastname: p.lastName, email: p.email, phone: p.phoneAsTyped, company: p.company,
        country: COUNTRY_NAMES[p.country], city: p.city, jobtitle: JOB_TITLES[i % JOB_TITLES.length], lifecyclestage: LIFECYCLE[i % LIFECYCLE.length],
        hs_calculated_phone_number: p.e164, hs_calculated_phone_number_country_code: p.country, hs_searchable_calculated_phone_number: p.e164.slice(1 + cc.length),
      };
      if (p.mobileAsTyped && p.mobileE164) {
        props.mobilephone = p.mobileAsTyped;
        props.hs_calculated_mobile_number = p.mobileE164;
        props.hs_searchable_calculated_mobile_number = p.mobileE164.slice(1 + cc.length);
      }
      if (this.owners.length) props.hubspot_owner_id = this.owners[i % this.owners.length].id;
      contacts.insert(props, p.updatedAt - 86_400_000, p.updatedAt);
    }
    const companies = this.tables.companies;
    for (let i = 0; i < this.opts.companies; i++) {
      const p = syntheticPerson(3_000_000 + i);
      const name = i < 105 ? p.company : `${p.company} ${i}`;
      const props: Record<string, string> = {
        name, domain: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.com`, phone: p.phoneAsTyped,
        country: COUNTRY_NAMES[p.country], city: p.city, industry: ['COMPUTER_SOFTWARE', 'TELECOMMUNICATIONS', 'RETAIL'][i % 3],
      };
      if (this.owners.length) props.hubspot_owner_id = this.owners[i % this.owners.length].id;
      const t = Date.UTC(2026, 0, 1) + i * 1000 + 500;
      companies.insert(props, t - 86_400_000, t);
    }
    this.lastTime = Math.max(this.lastTime, Date.UTC(2026, 0, 1) + Math.max(this.opts.contacts, this.opts.companies) * 1000 + 1000);
  }

  table(type: string): Table {
    const t = (this.tables as Record<string, Table>)[type];
    if (!t) throw new HsHttpError(400, hsError(`Unable to infer object type from: ${type}`, 'VALIDATION_ERROR'));
    return t;
  }

  private validate(type: ObjectType, input: unknown, creating: boolean, current?: Record<string, string>): Record<string, string> {
    if (input === undefined || input === null) input = {};
    if (typeof input !== 'object' || Array.isArray(input)) throw badRequest('Invalid input JSON: "properties" must be an object.');
    const writable = new Set(WRITABLE[type]);
    const calculated = new Set(CALCULATED[type]);
    const errors: Record<string, unknown>[] = [];
    const out: Record<string, string> = { ...current };
    for (const [k, raw] of Object.entries(input as Record<string, unknown>)) {
      if (raw !== null && typeof raw === 'object') { errors.push({ isValid: false, message: `${k} must be a scalar`, error: 'INVALID_VALUE', name: k }); continue; }
      const v = raw === null || raw === undefined ? '' : String(raw);
      if (calculated.has(k)) { errors.push({ isValid: false, message: `"${k}" is a read only property; its value cannot be set.`, error: 'READ_ONLY_VALUE', name: k }); continue; }
      if (!writable.has(k)) { errors.push({ isValid: false, message: `Property "${k}" does not exist`, error: 'PROPERTY_DOESNT_EXIST', name: k, localizedErrorMessage: `Property "${k}" does not exist` }); continue; }
      if (v && ENUMS[k] && !ENUMS[k].includes(v)) { errors.push({ isValid: false, message: `${v} was not one of the allowed options: ${ENUMS[k].join(', ')}`, error: 'INVALID_OPTION', name: k }); continue; }
      if (v && k === 'hubspot_owner_id' && !this.owners.some((o) => o.id === v)) { errors.push({ isValid: false, message: `${v} is not a valid owner id`, error: 'INVALID_OWNER_ID', name: k }); continue; }
      if (v && DATETIME.has(k)) {
        const t = parseTime(v);
        if (!Number.isFinite(t)) { errors.push({ isValid: false, message: `${v} is not a valid datetime`, error: 'INVALID_DATETIME', name: k }); continue; }
        out[k] = iso(t);
        continue;
      }
      if (v && NUMERIC.has(k) && !Number.isFinite(Number(v))) { errors.push({ isValid: false, message: `${v} is not a valid number`, error: 'INVALID_INTEGER', name: k }); continue; }
      if (v) out[k] = v;
      else delete out[k];
    }
    if (creating && (type === 'calls' || type === 'tasks' || type === 'notes') && !out.hs_timestamp && !errors.length) {
      errors.push({ isValid: false, message: 'hs_timestamp is required', error: 'REQUIRED_PROPERTY', name: 'hs_timestamp' });
    }
    if (errors.length) throw badRequest(`Property values were not valid: ${JSON.stringify(errors)}`, { errors: errors.map((e) => ({ message: e.message, code: e.error, context: { propertyName: [e.name] } })) });
    if (type === 'contacts') this.calculateContact(out);
    return out;
  }

  private calculateContact(p: Record<string, string>) {
    for (const k of CALCULATED.contacts) delete p[k];
    const phone = calculatedPhone(p.phone, p.country);
    if (phone.e164) p.hs_calculated_phone_number = phone.e164;
    if (phone.cc) p.hs_calculated_phone_number_country_code = phone.cc;
    if (phone.searchable) p.hs_searchable_calculated_phone_number = phone.searchable;
    const mobile = calculatedPhone(p.mobilephone, p.country);
    if (mobile.e164) p.hs_calculated_mobile_number = mobile.e164;
    if (mobile.searchable) p.hs_searchable_calculated_mobile_number = mobile.searchable;
  }

  create(type: ObjectType, body: { properties?: unknown; associations?: unknown }, at?: number): EmuRecord {
    const table = this.table(type);
    const props = this.validate(type, body.properties, true);
    if (type === 'contacts' && props.email) {
      const existing = table.lookup('email', props.email);
      const dup = existing && [...existing][0];
      if (dup) throw new HsHttpError(409, hsError(`Contact already exists. Existing ID: ${dup.id}`, 'CONFLICT'));
    }
    const links = this.validateAssociations(type, body.associations);
    const t = this.now(at);
    const rec = table.insert(props, t, t);
    for (const [to, id] of links) this.link(type, rec, to, id);
    return rec;
  }

  update(type: ObjectType, id: string, properties: unknown, at?: number): EmuRecord {
    const table = this.table(type);
    const rec = table.live(id);
    if (!rec) throw new HsHttpError(404, hsError('Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND', { context: { id: [id] } }));
    const props = this.validate(type, properties, false, rec.props);
    if (type === 'contacts' && props.email && props.email.toLowerCase() !== (rec.props.email ?? '').toLowerCase()) {
      const dup = [...(table.lookup('email', props.email) ?? [])].find((r) => r !== rec);
      if (dup) throw new HsHttpError(409, hsError(`Contact already exists. Existing ID: ${dup.id}`, 'CONFLICT'));
    }
    table.change(rec, props, this.now(at));
    return rec;
  }

  remove(type: ObjectType, id: string, at?: number): boolean {
    const table = this.table(type);
    const rec = table.live(id);
    if (!rec) return false;
    table.archive(rec, this.now(at));
    return true;
  }

  private validateAssociations(from: ObjectType, input: unknown): [ObjectType, string][] {
    if (input === undefined || input === null) return [];
    if (!Array.isArray(input)) throw badRequest('Invalid input JSON: "associations" must be an array.');
    const out: [ObjectType, string][] = [];
    for (const a of input as { to?: { id?: unknown }; types?: { associationCategory?: string; associationTypeId?: unknown }[] }[]) {
      const toId = String(a?.to?.id ?? '');
      if (!toId || !Array.isArray(a.types) || !a.types.length) throw badRequest('There was a problem with the request: each association needs "to.id" and "types".');
      for (const t of a.types) {
        const pair = ASSOCIATION_TYPES[Number(t.associationTypeId)];
        if (t.associationCategory !== 'HUBSPOT_DEFINED' || !pair || pair[0] !== from) {
          throw badRequest(`There was a problem with the request: association type ${String(t.associationCategory)}/${String(t.associationTypeId)} is not valid from ${from}.`);
        }
        if (!this.tables[pair[1]].live(toId)) throw badRequest(`There was a problem with the request: ${pair[1]} ${toId} does not exist, so it cannot be associated.`, { subCategory: 'crm.associations.INVALID_OBJECT_IDS' });
        out.push([pair[1], toId]);
      }
    }
    return out;
  }

  link(fromType: ObjectType, rec: EmuRecord, toType: ObjectType, toId: string) {
    const other = this.tables[toType].live(toId);
    if (!other) return;
    (rec.assoc ??= new Map()).set(toType, (rec.assoc.get(toType) ?? new Set()).add(toId));
    (other.assoc ??= new Map()).set(fromType, (other.assoc.get(fromType) ?? new Set()).add(rec.id));
  }
}
