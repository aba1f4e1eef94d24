// A local Pipedrive: the API v2 persons/organizations/activities endpoints (cursor pagination, update_time
// sorting and filters, persons/organizations search with Pipedrive's phone-digit matching) and the v1 users,
// notes, organization fields and activity types endpoints, with Pipedrive's envelopes and error bodies, its
// api_token / x-api-token / OAuth bearer auth, and its burst rate limit (x-ratelimit-* headers, 429 + Retry-After).
// The data (seeded from syntheticPerson, indexed for 100,000 persons) lives in store.ts; this file is the
// HTTP side: paging by binary search over the store's sorted views, search scoring, validation and error bodies.
import { startEmulator, type EmuHandler, type EmuRequest, type EmuResponse, type RunningEmulator, type CrmEmulatorOptions } from '../../kit/emulator-server';
import { ACTIVITY_TYPES, BadRequest, createStore, digitsOf, INFO, ORG_INDUSTRY_FIELD_KEY, ORG_PHONE_FIELD_KEY, rfc, v1Time, type EmuActivity, type EmuAddress, type EmuNote, type EmuOrganization, type EmuPerson, type PipedriveStore, type SortField, type Table } from './store';

export { ORG_INDUSTRY_FIELD_KEY, ORG_PHONE_FIELD_KEY, type PipedriveStore } from './store';

// ---------- responses ----------

const ok = (data: unknown, additional_data: unknown = null, status = 200): EmuResponse => ({ status, body: { success: true, data, additional_data } });
const fail = (status: number, error: string, extra: Record<string, unknown> = {}): EmuResponse => ({ status, body: { success: false, error, error_info: INFO, data: null, additional_data: null, ...extra } });
const invalid = (message: string) => fail(400, `Validation failed: ${message}`, { code: 'ERR_SCHEMA_VALIDATION_FAILED' });
const notFound = (what: string) => fail(404, `${what} not found`);

function intParam(v: string | null | undefined, name: string, o: { min?: number; max?: number } = {}): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < (o.min ?? 0) || (o.max !== undefined && n > o.max)) throw new BadRequest(`${name}: Parameter '${name}' must be an integer${o.max !== undefined ? ` between ${o.min ?? 0} and ${o.max}` : ''}`);
  return n;
}

function idParam(req: EmuRequest): number {
  const n = intParam(req.params.id, 'id', { min: 1 });
  return n as number;
}

function bodyObject(req: EmuRequest): Record<string, unknown> {
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new BadRequest('body: Request body must be a JSON object');
  return req.body as Record<string, unknown>;
}

function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]) {
  for (const k of Object.keys(body)) if (!allowed.includes(k)) throw new BadRequest(`${k}: Parameter '${k}' is not allowed`);
}

function encodeCursor(o: unknown): string {
  return Buffer.from(JSON.stringify(o), 'utf8').toString('base64url');
}

function decodeCursor<T>(s: string): T {
  try { return JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as T; } catch { throw new BadRequest('cursor: Invalid cursor'); }
}

// ---------- the emulator ----------

/** (Pipedrive's own rate-limit burst window, for `rateWindowMs`, is 2 s.) */
export interface PipedriveEmulatorOptions extends CrmEmulatorOptions {
  companyDomain?: string;
}

function listPage<T extends { id: number; is_deleted: boolean }>(
  table: Table<T>,
  q: URLSearchParams,
  filter: ((r: T) => boolean) | null,
  timeOf: (r: T, field: 'update_time' | 'add_time') => string,
): EmuResponse {
  const sortBy = (q.get('sort_by') ?? 'id') as SortField;
  if (!['id', 'update_time', 'add_time'].includes(sortBy)) throw new BadRequest("sort_by: Parameter 'sort_by' must be one of id, update_time, add_time");
  const dir = q.get('sort_direction') ?? 'asc';
  if (dir !== 'asc' && dir !== 'desc') throw new BadRequest("sort_direction: Parameter 'sort_direction' must be one of asc, desc");
  const limit = intParam(q.get('limit'), 'limit', { min: 1, max: 500 }) ?? 100;
  const since = q.get('updated_since');
  const until = q.get('updated_until');
  const sinceMs = since ? Date.parse(since) : undefined;
  const untilMs = until ? Date.parse(until) : undefined;
  if (Number.isNaN(sinceMs) || Number.isNaN(untilMs)) throw new BadRequest('updated_since: must be an RFC 3339 date-time, e.g. 2025-01-01T10:20:00Z');

  const idsParam = q.get('ids');
  let idSet: Set<number> | null = null;
  if (idsParam) {
    const ids = idsParam.split(',').map((x) => intParam(x.trim(), 'ids', { min: 1 }) as number);
    if (ids.length > 100) throw new BadRequest('ids: at most 100 ids are allowed');
    idSet = new Set(ids);
  }

  const view = table.view(sortBy);
  const keep = (r: T) => {
    if (idSet && !idSet.has(r.id)) return false;
    const u = table.updMs(r.id)!;
    if (sinceMs !== undefined && u < sinceMs) return false;
    if (untilMs !== undefined && u >= untilMs) return false;
    return filter ? filter(r) : true;
  };

  // Position: the cursor names the first item of the page; updated_since lets an update_time-ascending scan seek.
  let pos = dir === 'asc' ? 0 : view.length - 1;
  const cursor = q.get('cursor');
  if (cursor) {
    const c = decodeCursor<{ field: string; fieldValue: number | string; sortDirection: string; id: number }>(cursor);
    if (c.field !== sortBy || c.sortDirection !== dir || !Number.isInteger(c.id)) throw new BadRequest('cursor: The cursor does not belong to this sorting');
    const key = sortBy === 'id' ? Number(c.fieldValue) : Date.parse(String(c.fieldValue));
    if (dir === 'asc') pos = table.lowerBound(sortBy, key, c.id);
    else pos = table.lowerBound(sortBy, key, c.id + 1) - 1;
  }
  if (dir === 'asc' && sortBy === 'update_time' && sinceMs !== undefined) pos = Math.max(pos, table.lowerBound('update_time', sinceMs, 0));

  const data: T[] = [];
  let next: T | null = null;
  const step = dir === 'asc' ? 1 : -1;
  for (let i = pos; i >= 0 && i < view.length; i += step) {
    const r = view[i];
    if (dir === 'asc' && sortBy === 'update_time' && untilMs !== undefined && table.updMs(r.id)! >= untilMs) break;
    if (!keep(r)) continue;
    if (data.length === limit) { next = r; break; }
    data.push(r);
  }
  const nextCursor = next ? encodeCursor({ field: sortBy, fieldValue: sortBy === 'id' ? next.id : timeOf(next, sortBy), sortDirection: dir, id: next.id }) : null;
  return ok(data, { next_cursor: nextCursor });
}

function searchPage<T>(scored: { result_score: number; item: T }[], q: URLSearchParams): EmuResponse {
  const limit = intParam(q.get('limit'), 'limit', { min: 1, max: 500 }) ?? 100;
  const cursor = q.get('cursor');
  const offset = cursor ? decodeCursor<{ offset: number }>(cursor).offset : 0;
  const items = scored.slice(offset, offset + limit);
  const nextCursor = offset + limit < scored.length ? encodeCursor({ offset: offset + limit }) : null;
  return ok({ items }, { next_cursor: nextCursor });
}

function searchTerm(q: URLSearchParams, allowedFields: string[]): { term: string; exact: boolean; fields: Set<string> } {
  const term = (q.get('term') ?? '').trim();
  const exact = q.get('exact_match') === 'true' || q.get('exact_match') === '1';
  if (term.length < (exact ? 1 : 2)) throw new BadRequest(`term: Parameter 'term' must be at least ${exact ? 1 : 2} characters long`);
  const fields = new Set((q.get('fields') ?? allowedFields.join(',')).split(',').map((f) => f.trim()).filter(Boolean));
  for (const f of fields) if (!allowedFields.includes(f)) throw new BadRequest(`fields: Parameter 'fields' must be a comma-separated list of ${allowedFields.join(', ')}`);
  return { term, exact, fields };
}

/** Pipedrive's phone matching: digits only on both sides; substring unless exact_match. Returns a score or 0. */
function phoneScore(storedDigits: string[], term: string, exact: boolean): number {
  const d = digitsOf(term);
  if (!d) return 0;
  let best = 0;
  for (const s of storedDigits) {
    if (s === d) return 1;
    if (!exact && s.includes(d)) best = Math.max(best, 0.5 + (0.4 * d.length) / s.length);
  }
  return best;
}

function textScore(values: (string | null | undefined)[], term: string, exact: boolean): number {
  const t = term.toLowerCase();
  let best = 0;
  for (const v of values) {
    if (!v) continue;
    const s = v.toLowerCase();
    if (s === t) return 1;
    if (!exact && s.includes(t)) best = Math.max(best, 0.3);
  }
  return best;
}

export async function startPipedriveEmulator(o: PipedriveEmulatorOptions = {}): Promise<RunningEmulator & { store: PipedriveStore }> {
  const contacts = o.contacts ?? 1000;
  const store = createStore({ contacts, companies: o.companies ?? Math.min(105, Math.max(contacts, 1)), users: o.users ?? 3, companyDomain: o.companyDomain ?? 'patchbay-demo' });
  const { persons, organizations, activities } = store.tables;
  const token = o.token ?? 'dev-token';
  const me = () => store.users.get(1)!;

  const orgName = (id: number | null) => (id ? organizations.rows.get(id)?.name ?? null : null);

  // --- persons ---
  const getPersons: EmuHandler = (req) => {
    const owner = intParam(req.query.get('owner_id'), 'owner_id', { min: 1 });
    const org = intParam(req.query.get('org_id'), 'org_id', { min: 1 });
    const filter = owner || org ? (p: EmuPerson) => (!owner || p.owner_id === owner) && (!org || p.org_id === org) : null;
    return listPage(persons, req.query, filter, (p, f) => p[f]);
  };

  const getPerson: EmuHandler = (req) => {
    const p = persons.rows.get(idParam(req));
    return p && !p.is_deleted ? ok(p) : notFound('Person');
  };

  const PERSON_FIELDS = ['name', 'owner_id', 'org_id', 'add_time', 'update_time', 'emails', 'phones', 'visible_to', 'label_ids', 'marketing_status', 'custom_fields'];

  const addPerson: EmuHandler = (req) => {
    const body = bodyObject(req);
    onlyKeys(body, PERSON_FIELDS);
    if (typeof body.name !== 'string' || !body.name.trim()) throw new BadRequest("name: Parameter 'name' is required");
    const t = store.stamp();
    const rec: EmuPerson = {
      id: persons.nextId, name: '', first_name: null, last_name: null, owner_id: me().id, org_id: null, add_time: rfc(t), update_time: rfc(t),
      emails: [], phones: [], is_deleted: false, visible_to: 3, label_ids: [], picture_id: null, postal_address: null, notes: null, im: [],
      birthday: null, job_title: null, custom_fields: {},
    };
    store.personPatch(rec, body);
    persons.put(rec, t, t);
    return ok(rec, null, 200);
  };

  const patchPerson: EmuHandler = (req) => {
    const rec = persons.rows.get(idParam(req));
    if (!rec || rec.is_deleted) return notFound('Person');
    const body = bodyObject(req);
    onlyKeys(body, PERSON_FIELDS);
    store.personPatch(rec, body);
    const t = store.stamp();
    rec.update_time = rfc(t);
    persons.touch(rec.id, t);
    return ok(rec);
  };

  const deletePerson: EmuHandler = (req) => {
    const id = idParam(req);
    const rec = persons.rows.get(id);
    if (!rec || rec.is_deleted) return notFound('Person');
    store.deletePerson(id);
    return ok({ id });
  };

  const searchPersons: EmuHandler = (req) => {
    const { term, exact, fields } = searchTerm(req.query, ['custom_fields', 'email', 'notes', 'phone', 'name']);
    const orgFilter = intParam(req.query.get('organization_id'), 'organization_id', { min: 1 });
    const scored: { result_score: number; item: unknown }[] = [];
    const pool = fields.size === 1 && fields.has('phone') ? store.phoneCandidates(digitsOf(term)) ?? persons.rows.values() : persons.rows.values();
    for (const p of pool) {
      if (p.is_deleted || (orgFilter && p.org_id !== orgFilter)) continue;
      let score = 0;
      if (fields.has('phone')) score = Math.max(score, phoneScore(store.digitsFor(p), term, exact));
      if (fields.has('name')) score = Math.max(score, textScore([p.name], term, exact));
      if (fields.has('email')) score = Math.max(score, textScore(p.emails.map((e) => e.value), term, exact));
      if (fields.has('notes')) score = Math.max(score, textScore([p.notes], term, exact));
      if (score === 0) continue;
      scored.push({
        result_score: Math.round(score * 10000) / 10000,
        item: {
          id: p.id, type: 'person', name: p.name, phones: p.phones.map((x) => x.value), emails: p.emails.map((x) => x.value), visible_to: p.visible_to,
          owner: { id: p.owner_id }, organization: p.org_id ? { id: p.org_id, name: orgName(p.org_id), address: null } : null, custom_fields: [], notes: [],
        },
      });
    }
    scored.sort((a, b) => b.result_score - a.result_score || (a.item as { id: number }).id - (b.item as { id: number }).id);
    return searchPage(scored, req.query);
  };

  // --- organizations ---
  const ORG_FIELDS = ['name', 'owner_id', 'add_time', 'update_time', 'visible_to', 'label_ids', 'address', 'custom_fields'];
  const PHONE_CUSTOM_FIELDS = new Set([ORG_PHONE_FIELD_KEY]);

  const getOrganizations: EmuHandler = (req) => {
    const owner = intParam(req.query.get('owner_id'), 'owner_id', { min: 1 });
    return listPage(organizations, req.query, owner ? (r) => r.owner_id === owner : null, (r, f) => r[f]);
  };
  const getOrganization: EmuHandler = (req) => {
    const r = organizations.rows.get(idParam(req));
    return r && !r.is_deleted ? ok(r) : notFound('Organization');
  };
  const orgPatch = (rec: EmuOrganization, body: Record<string, unknown>) => {
    if (body.name !== undefined) {
      if (typeof body.name !== 'string' || !body.name.trim()) throw new BadRequest("name: Parameter 'name' must be a non-empty string");
      rec.name = body.name.trim();
    }
    if (body.owner_id !== undefined) {
      if (!store.users.has(Number(body.owner_id))) throw new BadRequest(`owner_id: User ${String(body.owner_id)} not found`);
      rec.owner_id = Number(body.owner_id);
    }
    if (body.address !== undefined) rec.address = body.address as EmuAddress;
    if (body.visible_to !== undefined) rec.visible_to = Number(body.visible_to);
    if (body.custom_fields !== undefined) rec.custom_fields = { ...rec.custom_fields, ...(body.custom_fields as Record<string, unknown>) };
  };
  const addOrganization: EmuHandler = (req) => {
    const body = bodyObject(req);
    onlyKeys(body, ORG_FIELDS);
    if (typeof body.name !== 'string' || !body.name.trim()) throw new BadRequest("name: Parameter 'name' is required");
    const t = store.stamp();
    const rec: EmuOrganization = { id: organizations.nextId, name: '', owner_id: me().id, add_time: rfc(t), update_time: rfc(t), is_deleted: false, visible_to: 3, address: null, label_ids: [], custom_fields: {} };
    orgPatch(rec, body);
    organizations.put(rec, t, t);
    return ok(rec);
  };
  const patchOrganization: EmuHandler = (req) => {
    const rec = organizations.rows.get(idParam(req));
    if (!rec || rec.is_deleted) return notFound('Organization');
    const body = bodyObject(req);
    onlyKeys(body, ORG_FIELDS);
    orgPatch(rec, body);
    const t = store.stamp();
    rec.update_time = rfc(t);
    organizations.touch(rec.id, t);
    return ok(rec);
  };
  const deleteOrganization: EmuHandler = (req) => {
    const id = idParam(req);
    const rec = organizations.rows.get(id);
    if (!rec || rec.is_deleted) return notFound('Organization');
    store.deleteOrganization(id);
    return ok({ id });
  };
  const searchOrganizations: EmuHandler = (req) => {
    const { term, exact, fields } = searchTerm(req.query, ['address', 'custom_fields', 'notes', 'name']);
    const scored: { result_score: number; item: unknown }[] = [];
    for (const r of organizations.rows.values()) {
      if (r.is_deleted) continue;
      let score = 0;
      const matchedCustom: string[] = [];
      if (fields.has('name')) score = Math.max(score, textScore([r.name], term, exact));
      if (fields.has('address')) score = Math.max(score, textScore([r.address?.value], term, exact));
      if (fields.has('custom_fields')) {
        for (const [k, v] of Object.entries(r.custom_fields)) {
          if (typeof v !== 'string' || !v) continue;
          const s = PHONE_CUSTOM_FIELDS.has(k) ? phoneScore([digitsOf(v)].filter(Boolean), term, exact) : textScore([v], term, exact);
          if (s > 0) { matchedCustom.push(v); score = Math.max(score, s); }
        }
      }
      if (score === 0) continue;
      scored.push({
        result_score: Math.round(score * 10000) / 10000,
        item: { id: r.id, type: 'organization', name: r.name, address: r.address?.value ?? null, visible_to: r.visible_to, owner: { id: r.owner_id }, custom_fields: matchedCustom, notes: [] },
      });
    }
    scored.sort((a, b) => b.result_score - a.result_score || (a.item as { id: number }).id - (b.item as { id: number }).id);
    return searchPage(scored, req.query);
  };

  // --- activities ---
  const ACTIVITY_FIELDS = ['subject', 'type', 'owner_id', 'deal_id', 'lead_id', 'person_id', 'org_id', 'project_id', 'due_date', 'due_time', 'duration', 'busy', 'done', 'location', 'participants', 'attendees', 'public_description', 'priority', 'note'];
  const timeOfDay = (v: unknown, name: string): string | null => {
    if (v === null || v === undefined || v === '') return null;
    const m = typeof v === 'string' ? /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v) : null;
    if (!m || Number(m[2]) > 59) throw new BadRequest(`${name}: Parameter '${name}' must be in the format HH:MM`);
    return `${m[1]}:${m[2]}:${m[3] ?? '00'}`;
  };
  const activityPatch = (rec: EmuActivity, body: Record<string, unknown>) => {
    if (body.subject !== undefined) rec.subject = String(body.subject);
    if (body.type !== undefined) {
      if (typeof body.type !== 'string' || !ACTIVITY_TYPES.includes(body.type)) throw new BadRequest(`type: Activity type '${String(body.type)}' does not exist`);
      rec.type = body.type;
    }
    if (body.owner_id !== undefined && body.owner_id !== null) {
      if (!store.users.has(Number(body.owner_id))) throw new BadRequest(`owner_id: User ${String(body.owner_id)} not found`);
      rec.owner_id = Number(body.owner_id);
    }
    if (body.person_id !== undefined) {
      if (body.person_id !== null && !persons.rows.get(Number(body.person_id))) throw new BadRequest(`person_id: Person ${String(body.person_id)} not found`);
      rec.person_id = body.person_id === null ? null : Number(body.person_id);
      rec.participants = rec.person_id ? [{ person_id: rec.person_id, primary: true }] : [];
    }
    if (body.org_id !== undefined) {
      if (body.org_id !== null && !organizations.rows.get(Number(body.org_id))) throw new BadRequest(`org_id: Organization ${String(body.org_id)} not found`);
      rec.org_id = body.org_id === null ? null : Number(body.org_id);
    }
    if (body.deal_id !== undefined) rec.deal_id = body.deal_id === null ? null : Number(body.deal_id);
    if (body.due_date !== undefined) {
      if (body.due_date !== null && (typeof body.due_date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(body.due_date))) throw new BadRequest("due_date: Parameter 'due_date' must be in the format YYYY-MM-DD");
      rec.due_date = (body.due_date as string | null) ?? null;
    }
    if (body.due_time !== undefined) rec.due_time = timeOfDay(body.due_time, 'due_time');
    if (body.duration !== undefined) rec.duration = timeOfDay(body.duration, 'duration');
    if (body.busy !== undefined) rec.busy = body.busy === true;
    if (body.done !== undefined) {
      rec.done = body.done === true;
      rec.marked_as_done_time = rec.done ? rfc(Date.now()) : null;
    }
    if (body.note !== undefined) rec.note = body.note === null ? null : String(body.note);
    if (body.public_description !== undefined) rec.public_description = body.public_description as string | null;
    if (body.priority !== undefined) rec.priority = body.priority as number | null;
    if (Array.isArray(body.participants)) rec.participants = body.participants as EmuActivity['participants'];
  };
  const getActivities: EmuHandler = (req) => {
    const owner = intParam(req.query.get('owner_id'), 'owner_id', { min: 1 });
    const person = intParam(req.query.get('person_id'), 'person_id', { min: 1 });
    const done = req.query.get('done');
    return listPage(activities, req.query, (a) => (!owner || a.owner_id === owner) && (!person || a.person_id === person) && (done === null || a.done === (done === 'true' || done === '1')), (a, f) => a[f]);
  };
  const getActivity: EmuHandler = (req) => {
    const a = activities.rows.get(idParam(req));
    return a && !a.is_deleted ? ok(a) : notFound('Activity');
  };
  const addActivity: EmuHandler = (req) => {
    const body = bodyObject(req);
    onlyKeys(body, ACTIVITY_FIELDS);
    const t = store.stamp();
    const type = typeof body.type === 'string' ? body.type : 'task';
    const rec: EmuActivity = {
      id: activities.nextId, subject: '', type, owner_id: me().id, creator_user_id: me().id, is_deleted: false, add_time: rfc(t), update_time: rfc(t),
      deal_id: null, lead_id: null, person_id: null, org_id: null, project_id: null, due_date: rfc(t).slice(0, 10), due_time: null, duration: null,
      busy: false, done: false, marked_as_done_time: null, location: null, participants: [], attendees: [], conference_meeting_client: null,
      conference_meeting_url: null, conference_meeting_id: null, public_description: null, priority: null, note: null,
    };
    activityPatch(rec, { type, ...body });
    if (!rec.subject) rec.subject = rec.type.charAt(0).toUpperCase() + rec.type.slice(1);
    activities.put(rec, t, t);
    return ok(rec);
  };
  const patchActivity: EmuHandler = (req) => {
    const rec = activities.rows.get(idParam(req));
    if (!rec || rec.is_deleted) return notFound('Activity');
    const body = bodyObject(req);
    onlyKeys(body, ACTIVITY_FIELDS);
    activityPatch(rec, body);
    const t = store.stamp();
    rec.update_time = rfc(t);
    activities.touch(rec.id, t);
    return ok(rec);
  };
  const deleteActivity: EmuHandler = (req) => {
    const rec = activities.rows.get(idParam(req));
    if (!rec || rec.is_deleted) return notFound('Activity');
    rec.is_deleted = true;
    activities.touch(rec.id, store.stamp());
    return ok({ id: rec.id });
  };

  // --- v1: users, notes, fields, activity types ---
  const v1Page = (all: unknown[], q: URLSearchParams): EmuResponse => {
    const start = intParam(q.get('start'), 'start') ?? 0;
    const limit = intParam(q.get('limit'), 'limit', { min: 1, max: 500 }) ?? 100;
    const data = all.slice(start, start + limit);
    const more = start + limit < all.length;
    return ok(data.length ? data : null, { pagination: { start, limit, more_items_in_collection: more, ...(more ? { next_start: start + limit } : {}) } });
  };
  const usersList = () => [...store.users.values()].filter((u) => !u.is_deleted);
  const findUsers: EmuHandler = (req) => {
    const term = (req.query.get('term') ?? '').trim().toLowerCase();
    if (!term) throw new BadRequest('term: Parameter term is required');
    const byEmail = req.query.get('search_by_email') === '1' || req.query.get('search_by_email') === 'true';
    const found = usersList().filter((u) => (byEmail ? u.email.toLowerCase() : u.name.toLowerCase()).includes(term));
    // v1 answers data: null when nothing matches.
    return ok(found.length ? found : null);
  };
  const meHandler: EmuHandler = () => ok({ ...me(), is_you: true, company_id: 7000001, company_name: 'Patchbay Demo Ltd', company_domain: store.companyDomain, company_country: 'GB', company_industry: 'Software', language: { language_code: 'en', country_code: 'US' } });
  const getUser: EmuHandler = (req) => {
    const u = store.users.get(idParam(req));
    return u ? ok(u) : notFound('User');
  };

  const NOTE_FIELDS = ['content', 'lead_id', 'deal_id', 'person_id', 'org_id', 'project_id', 'user_id', 'add_time', 'pinned_to_lead_flag', 'pinned_to_deal_flag', 'pinned_to_organization_flag', 'pinned_to_person_flag', 'pinned_to_project_flag'];
  const noteView = (n: EmuNote): EmuNote => ({ ...n, person: n.person_id ? { name: persons.rows.get(n.person_id)?.name ?? '' } : null, organization: n.org_id ? { name: orgName(n.org_id) ?? '' } : null });
  const addNote: EmuHandler = (req) => {
    const body = bodyObject(req);
    onlyKeys(body, NOTE_FIELDS);
    if (typeof body.content !== 'string' || !body.content.trim()) return fail(400, 'Note content is required');
    if (!body.person_id && !body.org_id && !body.deal_id && !body.lead_id && !body.project_id) return fail(400, 'Note must be attached to a deal, person, organization, lead or project');
    if (body.person_id && !persons.rows.get(Number(body.person_id))) return fail(400, 'Person not found');
    if (body.org_id && !organizations.rows.get(Number(body.org_id))) return fail(400, 'Organization not found');
    if (body.user_id !== undefined && Number(body.user_id) !== me().id && !me().is_admin) return fail(403, 'Only admin users can change the author of a note');
    const t = v1Time(store.stamp());
    const author = store.users.get(Number(body.user_id ?? me().id)) ?? me();
    const n: EmuNote = {
      id: store.newNoteId(), user_id: author.id, deal_id: (body.deal_id as number) ?? null, person_id: body.person_id ? Number(body.person_id) : null, org_id: body.org_id ? Number(body.org_id) : null,
      lead_id: (body.lead_id as string) ?? null, project_id: null, content: body.content, add_time: t, update_time: t, active_flag: true, pinned_to_deal_flag: false,
      pinned_to_person_flag: body.pinned_to_person_flag === 1, pinned_to_organization_flag: false, pinned_to_project_flag: false, last_update_user_id: null,
      person: null, organization: null, user: { email: author.email, name: author.name, icon_url: null, is_you: author.id === me().id },
    };
    store.notes.set(n.id, n);
    return ok(noteView(n), null, 201);
  };
  const getNote: EmuHandler = (req) => {
    const n = store.notes.get(idParam(req));
    return n && n.active_flag ? ok(noteView(n)) : notFound('Note');
  };
  const putNote: EmuHandler = (req) => {
    const n = store.notes.get(idParam(req));
    if (!n || !n.active_flag) return notFound('Note');
    const body = bodyObject(req);
    onlyKeys(body, NOTE_FIELDS);
    if (body.content !== undefined) {
      if (typeof body.content !== 'string' || !body.content.trim()) return fail(400, 'Note content is required');
      n.content = body.content;
    }
    n.update_time = v1Time(store.stamp());
    n.last_update_user_id = me().id;
    return ok(noteView(n));
  };
  const getNotes: EmuHandler = (req) => {
    const person = intParam(req.query.get('person_id'), 'person_id', { min: 1 });
    const org = intParam(req.query.get('org_id'), 'org_id', { min: 1 });
    const all = [...store.notes.values()].filter((n) => n.active_flag && (!person || n.person_id === person) && (!org || n.org_id === org)).map(noteView);
    return v1Page(all, req.query);
  };
  const ORG_FIELD_DEFS = [
    { id: 1, key: 'name', name: 'Name', field_type: 'varchar', edit_flag: false, mandatory_flag: true },
    { id: 2, key: 'owner_id', name: 'Owner', field_type: 'user', edit_flag: false, mandatory_flag: false },
    { id: 3, key: 'address', name: 'Address', field_type: 'address', edit_flag: false, mandatory_flag: false },
    { id: 4, key: 'add_time', name: 'Organization created', field_type: 'date', edit_flag: false, mandatory_flag: false },
    { id: 5, key: 'update_time', name: 'Update time', field_type: 'date', edit_flag: false, mandatory_flag: false },
    { id: 4001, key: ORG_PHONE_FIELD_KEY, name: 'Phone', field_type: 'phone', edit_flag: true, mandatory_flag: false },
    { id: 4002, key: ORG_INDUSTRY_FIELD_KEY, name: 'Industry', field_type: 'varchar', edit_flag: true, mandatory_flag: false },
  ].map((f, i) => ({ ...f, order_nr: i, active_flag: true, add_visible_flag: true, important_flag: false, bulk_edit_allowed: true, searchable_flag: f.key.length === 40, filtering_allowed: true, sortable_flag: true }));
  const activityTypes = ACTIVITY_TYPES.map((key, i) => ({ id: i + 1, order_nr: i + 1, name: key.charAt(0).toUpperCase() + key.slice(1), key_string: key, icon_key: key, active_flag: true, color: null, is_custom_flag: false, add_time: v1Time(Date.UTC(2020, 0, 1)), update_time: null }));

  // The web app's record pages, so crmUrl links from the demo tenant open something.
  const esc = (v: string) => v.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
  const page = (title: string, rows: [string, string][]): EmuResponse => ({
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><meta charset="utf-8"><title>${esc(title)} – Pipedrive emulator</title><h1>${esc(title)}</h1><dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`,
  });
  const personPage: EmuHandler = (req) => {
    const p = persons.rows.get(Number(req.params.id));
    if (!p || p.is_deleted) return { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<!doctype html><h1>Not found</h1>' };
    return page(p.name, [['Organization', orgName(p.org_id) ?? ''], ['Phones', p.phones.map((x) => x.value).join(', ')], ['Emails', p.emails.map((x) => x.value).join(', ')], ['Owner', store.users.get(p.owner_id)?.name ?? '']]);
  };
  const organizationPage: EmuHandler = (req) => {
    const o = organizations.rows.get(Number(req.params.id));
    if (!o || o.is_deleted) return { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<!doctype html><h1>Not found</h1>' };
    return page(o.name, [['Address', o.address?.value ?? ''], ['Phone', String(o.custom_fields[ORG_PHONE_FIELD_KEY] ?? '')]]);
  };

  const v1 = (method: string, path: string, h: EmuHandler): [string, string, EmuHandler][] => [[method, `/v1${path}`, h], [method, `/api/v1${path}`, h]];

  const wrap = (h: EmuHandler): EmuHandler => async (req) => {
    try {
      return await h(req);
    } catch (err) {
      if (err instanceof BadRequest) return invalid(err.message);
      throw err;
    }
  };

  const routes: [string, string, EmuHandler][] = [
    ['GET', '/api/v2/persons/search', searchPersons],
    ['GET', '/api/v2/persons', getPersons],
    ['POST', '/api/v2/persons', addPerson],
    ['GET', '/api/v2/persons/:id', getPerson],
    ['PATCH', '/api/v2/persons/:id', patchPerson],
    ['DELETE', '/api/v2/persons/:id', deletePerson],
    ['GET', '/api/v2/organizations/search', searchOrganizations],
    ['GET', '/api/v2/organizations', getOrganizations],
    ['POST', '/api/v2/organizations', addOrganization],
    ['GET', '/api/v2/organizations/:id', getOrganization],
    ['PATCH', '/api/v2/organizations/:id', patchOrganization],
    ['DELETE', '/api/v2/organizations/:id', deleteOrganization],
    ['GET', '/api/v2/activities', getActivities],
    ['POST', '/api/v2/activities', addActivity],
    ['GET', '/api/v2/activities/:id', getActivity],
    ['PATCH', '/api/v2/activities/:id', patchActivity],
    ['DELETE', '/api/v2/activities/:id', deleteActivity],
    ...v1('GET', '/users/me', meHandler),
    ...v1('GET', '/users/find', findUsers),
    ...v1('GET', '/users', (req) => v1Page(usersList(), req.query)),
    ...v1('GET', '/users/:id', getUser),
    ...v1('GET', '/notes', getNotes),
    ...v1('POST', '/notes', addNote),
    ...v1('GET', '/notes/:id', getNote),
    ...v1('PUT', '/notes/:id', putNote),
    ...v1('GET', '/organizationFields', (req) => v1Page(ORG_FIELD_DEFS, req.query)),
    ...v1('GET', '/activityTypes', () => ok(activityTypes)),
    ['GET', '/person/:id', personPage],
    ['GET', '/organization/:id', organizationPage],
  ];
  for (const r of routes) r[2] = wrap(r[2]);

  const emu = await startEmulator(
    {
      name: 'pipedrive',
      routes,
      // Pipedrive takes the API token as the api_token query parameter or the x-api-token header, OAuth tokens as a bearer.
      extractToken: (req) => {
        const q = req.query.get('api_token');
        if (q) return q;
        const h = req.headers['x-api-token'];
        if (typeof h === 'string' && h) return h;
        const auth = req.headers.authorization;
        const bearer = typeof auth === 'string' && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '') : null;
        return bearer === token ? null : bearer; // an API token is not an OAuth access token
      },
      tokens: [token],
      publicPaths: [/^\/(person|organization)\/\d+$/],
      unauthorized: () => ({ status: 401, body: { success: false, error: 'unauthorized access', errorCode: 401, error_info: 'Please check developers.pipedrive.com' } }),
      notFound: (req) => fail(404, `Unknown method ${req.method} ${req.path}`),
      rateLimit: {
        limit: o.rateLimit ?? 0,
        windowMs: o.rateWindowMs ?? 2000,
        headers: ({ limit, remaining, resetMs }) => ({ 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(Math.max(1, Math.ceil(resetMs / 1000))) }),
        body: () => ({ success: false, error: 'Request over limit', errorCode: 429, error_info: INFO, data: null, additional_data: null }),
      },
      oauth: o.oauth
        ? {
            authorizePath: '/oauth/authorize',
            tokenPath: '/oauth/token',
            clientId: o.oauth.clientId,
            clientSecret: o.oauth.clientSecret,
            accessTokenTtlSec: o.accessTokenTtlSec ?? 3600,
            extraTokenFields: (base) => ({ api_domain: base, scope: 'base,contacts:full,activities:full,users:read,search:read' }),
          }
        : undefined,
    },
    o.port ?? 0,
  );
  return Object.assign(emu, { store });
}
