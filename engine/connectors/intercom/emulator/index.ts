// A local Intercom: the REST API (api.intercom.io, Intercom-Version 2.11) as developers.intercom.com documents it —
// Bearer access tokens (an app's token, or an OAuth token: the code exchange at /auth/eagle/token answers a token
// that never expires and no refresh token), contacts (GET/POST/PUT/DELETE, the list with per_page and the
// starting_after cursor of pages.next, POST /contacts/search with nested AND/OR queries of =, !=, IN, NIN, >, <, ~,
// !~, ^, $ and a sort; dates searched are rounded down to their day, as Intercom does), admins (GET /admins, GET /me), notes on a contact (POST/GET /contacts/{id}/notes, GET
// /notes/{id}; the API has no way to edit or delete a note), ticket types and tickets (POST /tickets, PUT with an
// assignment, GET, POST /tickets/search on the fields named alike in every version: contact_ids, ticket_type_id …), `{"type":"error.list","errors":[{"code","message"}]}` errors, X-RateLimit-Limit / -Remaining /
// -Reset on every answer and 429 when the window's budget is spent.
import { randomUUID } from 'node:crypto';
import { startEmulator, type CrmEmulatorOptions, type EmuHandler, type EmuRequest, type EmuResponse, type RunningEmulator } from '../../kit/emulator-server';
import { syntheticPerson } from '../../kit/synthetic';

export const INTERCOM_VERSIONS = ['2.7', '2.8', '2.9', '2.10', '2.11', '2.12', '2.13', '2.14', 'Unstable'];
const MAX_PER_PAGE = 150;
const COUNTRY_NAMES: Record<string, string> = { US: 'United States', GB: 'United Kingdom', DE: 'Germany', FR: 'France' };

class IntercomError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}
export const intercomError = (status: number, code: string, message: string): EmuResponse => ({
  status, body: { type: 'error.list', request_id: randomUUID(), errors: [{ code, message }] },
});

export interface IntercomAdmin { type: 'admin'; id: string; name: string; email: string; email_verified: boolean; job_title: string | null; away_mode_enabled: boolean; away_mode_reassign: boolean; has_inbox_seat: boolean; team_ids: number[]; avatar: { type: 'avatar'; image_url: string | null } }
export interface IntercomContactRecord {
  type: 'contact'; id: string; workspace_id: string; external_id: string | null; role: 'user' | 'lead'; email: string | null; phone: string | null; name: string | null;
  owner_id: number | null; created_at: number; updated_at: number; signed_up_at: number | null; last_seen_at: number | null;
  location: { type: 'location'; country: string | null; region: string | null; city: string | null };
  custom_attributes: Record<string, unknown>; [k: string]: unknown;
}
export interface IntercomNoteRecord { type: 'note'; id: string; created_at: number; contact: { type: 'contact'; id: string }; author: IntercomAdmin; body: string }
export interface IntercomTicketRecord {
  type: 'ticket'; id: string; ticket_id: string; category: string; ticket_attributes: Record<string, unknown>; ticket_state: string; ticket_type: { type: 'ticket_type'; id: string; name: string; category: string };
  contacts: { type: 'contact.list'; contacts: { type: 'contact'; id: string; external_id: string | null }[] }; admin_assignee_id: string; team_assignee_id: string;
  created_at: number; updated_at: number; open: boolean; is_shared: boolean;
}

export interface IntercomStore {
  workspaceId: string;
  admins: IntercomAdmin[];
  contacts: Map<string, IntercomContactRecord>;
  notes: Map<string, IntercomNoteRecord>;
  ticketTypes: { type: 'ticket_type'; id: string; name: string; description: string; category: 'Customer' | 'Back-office' | 'Tracker'; archived: boolean; icon: string; workspace_id: string }[];
  tickets: Map<string, IntercomTicketRecord>;
  createContact(fields: Partial<IntercomContactRecord>): IntercomContactRecord;
  updateContact(id: string, fields: Partial<IntercomContactRecord>): IntercomContactRecord;
  removeContact(id: string): void;
  listContacts(): IntercomContactRecord[];
  newNoteId(): string;
  newTicketId(): string;
}

const unix = (ms: number) => Math.floor(ms / 1000);

function createStore(o: { contacts: number; users: number; baseTime: number }): IntercomStore {
  const workspaceId = 'pbdemo01';
  let nextContact = 1;
  let nextNote = 17_495_001;
  let nextTicket = 1;
  let clock = unix(o.baseTime) + o.contacts + 10;
  // Every write moves the clock a second forward, so updated_at orders writes like Intercom's would.
  const stamp = () => (clock = Math.max(clock + 1, unix(Date.now())));
  const names = [['Owner', 'Demo'], ['Max', 'Jensen'], ['Chris', 'Olliver'], ['Sarah', 'Smith'], ['Jim', 'Brennan']];
  const admins: IntercomAdmin[] = Array.from({ length: Math.max(1, o.users) }, (_, i) => ({
    type: 'admin', id: String(991_267_460 + i), name: names[i % names.length].join(' '), email: `${names[i % names.length].join('.')}${i >= names.length ? i : ''}@patchbay-demo.example`.toLowerCase(),
    email_verified: true, job_title: null, away_mode_enabled: false, away_mode_reassign: false, has_inbox_seat: true, team_ids: [], avatar: { type: 'avatar', image_url: null },
  }));
  const contacts = new Map<string, IntercomContactRecord>();
  const store: IntercomStore = {
    workspaceId,
    admins,
    contacts,
    notes: new Map(),
    ticketTypes: [
      { type: 'ticket_type', id: '1', name: 'Bug report', description: 'A customer reports a bug', category: 'Customer', archived: false, icon: '🐞', workspace_id: workspaceId },
      { type: 'ticket_type', id: '2', name: 'Call back', description: 'Call the customer back', category: 'Back-office', archived: false, icon: '📞', workspace_id: workspaceId },
    ],
    tickets: new Map(),
    createContact(fields) {
      const t = typeof fields.updated_at === 'number' ? fields.updated_at : stamp();
      const id = (0x6650_0000 + nextContact++).toString(16) + '0c0ffee0c0ffee00';
      const rec: IntercomContactRecord = {
        type: 'contact', id, workspace_id: workspaceId, external_id: null, role: 'user', email: null, phone: null, name: null, owner_id: null,
        signed_up_at: null, last_seen_at: null, custom_attributes: {}, ...fields,
        location: { type: 'location', country: null, region: null, city: null, ...fields.location },
        created_at: typeof fields.created_at === 'number' ? fields.created_at : t, updated_at: t,
      };
      contacts.set(id, rec);
      return rec;
    },
    updateContact(id, fields) {
      const rec = contacts.get(id);
      if (!rec) throw new IntercomError(404, 'not_found', 'User Not Found');
      const { id: _i, created_at: _c, updated_at: _u, type: _t, workspace_id: _w, location, ...rest } = fields;
      Object.assign(rec, rest);
      if (location) rec.location = { ...rec.location, ...location };
      rec.updated_at = stamp();
      return rec;
    },
    removeContact(id) {
      if (!contacts.delete(id)) throw new IntercomError(404, 'not_found', 'User Not Found');
    },
    listContacts: () => [...contacts.values()],
    newNoteId: () => String(nextNote++),
    newTicketId: () => String(nextTicket++),
  };
  for (let i = 0; i < o.contacts; i++) {
    const p = syntheticPerson(i, o.baseTime);
    store.createContact({
      role: 'user', external_id: `crm-${i}`, email: p.email, phone: p.phoneAsTyped, name: `${p.firstName} ${p.lastName}`, owner_id: Number(admins[i % admins.length].id),
      location: { type: 'location', country: COUNTRY_NAMES[p.country], region: null, city: p.city },
      custom_attributes: { company_name: p.company }, signed_up_at: unix(p.updatedAt), created_at: unix(p.updatedAt), updated_at: unix(p.updatedAt),
    });
  }
  return store;
}

/** Escapes text for the HTML Intercom keeps a note in; plain text becomes paragraphs, line breaks <br>. */
function noteHtml(body: string): string {
  if (/^\s*</.test(body)) return body;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return body.split(/\n{2,}/).map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`).join('');
}

type Query = { field?: unknown; operator?: unknown; value?: unknown };
const SEARCHABLE = new Set(['id', 'name', 'email', 'phone', 'external_id', 'role', 'created_at', 'updated_at', 'signed_up_at', 'last_seen_at', 'owner_id', 'location.country', 'location.city']);

const DATE_FIELDS = new Set(['created_at', 'updated_at', 'signed_up_at', 'last_seen_at']);

function fieldValue(c: IntercomContactRecord, field: string): unknown {
  return field.startsWith('location.') ? (c.location as Record<string, unknown>)[field.slice(9)] : c[field];
}

/** What one search endpoint searches: its fields, which of them are dates, and the values of a field of a record. */
interface SearchSpec<T> { what: string; fields: Set<string>; dates: Set<string>; values(r: T, field: string): unknown[] }
const CONTACT_SEARCH: SearchSpec<IntercomContactRecord> = { what: 'contact', fields: SEARCHABLE, dates: DATE_FIELDS, values: (c, f) => [fieldValue(c, f)] };
// The ticket fields whose names are the same in every API version (title and description are not searched here);
// contact_ids holds every contact of the ticket and matches when one of them does.
const TICKET_SEARCH: SearchSpec<IntercomTicketRecord> = {
  what: 'ticket',
  fields: new Set(['id', 'created_at', 'updated_at', 'category', 'ticket_type_id', 'contact_ids', 'admin_assignee_id', 'team_assignee_id', 'open', 'state']),
  dates: new Set(['created_at', 'updated_at']),
  values: (t, f) => f === 'contact_ids' ? t.contacts.contacts.map((c) => c.id) : f === 'ticket_type_id' ? [t.ticket_type.id] : f === 'state' ? [t.ticket_state] : [t[f as keyof IntercomTicketRecord]],
};

/** Compiles an Intercom search query (nested AND/OR, at most two levels deep, 15 filters a group). */
function compileQuery<T>(q: Query, spec: SearchSpec<T>, depth = 0): (r: T) => boolean {
  if (!q || typeof q !== 'object') throw new IntercomError(400, 'parameter_invalid', 'query: must be an object');
  if (q.operator === 'AND' || q.operator === 'OR') {
    if (depth >= 2) throw new IntercomError(400, 'parameter_invalid', 'query: nested too deeply (at most two levels)');
    if (!Array.isArray(q.value) || !q.value.length) throw new IntercomError(400, 'parameter_invalid', `query.value: ${q.operator} needs a list of filters`);
    if (q.value.length > 15) throw new IntercomError(400, 'parameter_invalid', 'query.value: at most 15 filters a group');
    const parts = q.value.map((x: Query) => compileQuery(x, spec, depth + 1));
    return q.operator === 'AND' ? (r) => parts.every((p) => p(r)) : (r) => parts.some((p) => p(r));
  }
  if (typeof q.field !== 'string' || !spec.fields.has(q.field)) throw new IntercomError(400, 'parameter_invalid', `query.field: ${String(q.field)} is not a searchable ${spec.what} field`);
  const field = q.field;
  const v = q.value;
  const str = (x: unknown) => (x === null || x === undefined ? null : String(x).toLowerCase());
  // A field that holds several values (a ticket's contact_ids) matches when one does; a negation when none does.
  const any = (test: (x: unknown) => boolean) => (r: T) => spec.values(r, field).some(test);
  const none = (test: (x: unknown) => boolean) => (r: T) => !spec.values(r, field).some(test);
  switch (q.operator) {
    case '=':
      if (spec.dates.has(field) && v !== null) {
        const day = Math.floor(Number(v) / 86_400);
        return any((x) => Math.floor(Number(x) / 86_400) === day);
      }
      return any((x) => (v === null ? x === null : str(x) === str(v)));
    case '!=': return none((x) => str(x) === str(v));
    case 'IN':
    case 'NIN': {
      if (!Array.isArray(v)) throw new IntercomError(400, 'parameter_invalid', `query.value: ${q.operator} needs a list`);
      const set = new Set(v.map(str));
      return q.operator === 'IN' ? any((x) => set.has(str(x))) : none((x) => set.has(str(x)));
    }
    case '>':
    case '<': {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new IntercomError(400, 'parameter_invalid', `query.value: ${q.operator} needs a number`);
      // Intercom rounds a searched date down to its day: > X finds the days after X's day, < X the days before it.
      if (spec.dates.has(field)) {
        const day = Math.floor(n / 86_400) * 86_400;
        return q.operator === '>' ? any((x) => Number(x) >= day + 86_400) : any((x) => Number(x) < day);
      }
      return q.operator === '>' ? any((x) => Number(x) > n) : any((x) => Number(x) < n);
    }
    case '~': return any((x) => (str(x) ?? '').includes(str(v) ?? ''));
    case '!~': return none((x) => (str(x) ?? '').includes(str(v) ?? ''));
    case '^': return any((x) => (str(x) ?? '').startsWith(str(v) ?? ''));
    case '$': return any((x) => (str(x) ?? '').endsWith(str(v) ?? ''));
    default: throw new IntercomError(400, 'parameter_invalid', `query.operator: ${String(q.operator)} is not an operator`);
  }
}

const encodeAfter = (offset: number) => Buffer.from(JSON.stringify({ o: offset }), 'utf8').toString('base64');
function decodeAfter(s: string | null | undefined): number {
  if (!s) return 0;
  try {
    const o = JSON.parse(Buffer.from(s, 'base64').toString('utf8')).o;
    if (Number.isInteger(o) && o >= 0) return o;
  } catch { /* fall through */ }
  throw new IntercomError(400, 'parameter_invalid', 'starting_after: is not a valid cursor');
}

function pageOf<T>(rows: T[], perPage: number, startingAfter: string | null | undefined) {
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) throw new IntercomError(400, 'parameter_invalid', `per_page: must be between 1 and ${MAX_PER_PAGE}`);
  const offset = decodeAfter(startingAfter);
  const data = rows.slice(offset, offset + perPage);
  const more = offset + perPage < rows.length;
  return {
    type: 'list', data, total_count: rows.length,
    pages: { type: 'pages', page: Math.floor(offset / perPage) + 1, per_page: perPage, total_pages: Math.max(1, Math.ceil(rows.length / perPage)), ...(more ? { next: { page: Math.floor(offset / perPage) + 2, starting_after: encodeAfter(offset + perPage) } } : {}) },
  };
}

export type IntercomEmulator = RunningEmulator & { store: IntercomStore };

export async function startIntercomEmulator(o: CrmEmulatorOptions = {}): Promise<IntercomEmulator> {
  const store = createStore({ contacts: o.contacts ?? 1000, users: o.users ?? 3, baseTime: Date.UTC(2026, 0, 1) });
  const me = () => store.admins[0];
  const body = (req: EmuRequest): Record<string, unknown> => {
    if (req.body === undefined || req.body === '') return {};
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw new IntercomError(400, 'parameter_invalid', 'The request body must be a JSON object');
    return req.body as Record<string, unknown>;
  };
  const contactOf = (id: string) => {
    const c = store.contacts.get(id);
    if (!c) throw new IntercomError(404, 'not_found', 'User Not Found');
    return c;
  };
  const adminOf = (v: unknown, name: string) => {
    const a = store.admins.find((x) => x.id === String(v));
    if (!a) throw new IntercomError(404, 'admin_not_found', `${name}: Admin not found`);
    return a;
  };
  const view = (c: IntercomContactRecord) => ({
    ...c,
    notes: { type: 'list', data: [], url: `/contacts/${c.id}/notes`, total_count: [...store.notes.values()].filter((n) => n.contact.id === c.id).length, has_more: false },
    companies: { type: 'list', data: [], url: `/contacts/${c.id}/companies`, total_count: 0, has_more: false },
    tags: { type: 'list', data: [], url: `/contacts/${c.id}/tags`, total_count: 0, has_more: false },
  });

  function contactFields(b: Record<string, unknown>, creating: boolean): Partial<IntercomContactRecord> {
    const out: Partial<IntercomContactRecord> = {};
    if (b.role !== undefined && b.role !== 'user' && b.role !== 'lead') throw new IntercomError(400, 'parameter_invalid', 'role: must be user or lead');
    for (const k of ['email', 'phone', 'name', 'external_id'] as const) {
      if (b[k] === undefined) continue;
      if (b[k] !== null && typeof b[k] !== 'string') throw new IntercomError(400, 'parameter_invalid', `${k}: must be a string`);
      out[k] = b[k] as string | null;
    }
    if (b.role) out.role = b.role as 'user' | 'lead';
    if (b.owner_id !== undefined && b.owner_id !== null) out.owner_id = Number(adminOf(b.owner_id, 'owner_id').id);
    if (b.custom_attributes !== undefined) {
      if (typeof b.custom_attributes !== 'object' || b.custom_attributes === null) throw new IntercomError(400, 'parameter_invalid', 'custom_attributes: must be an object');
      out.custom_attributes = b.custom_attributes as Record<string, unknown>;
    }
    if (creating && (out.role ?? 'user') === 'user' && !out.email && !out.external_id) {
      throw new IntercomError(400, 'parameter_invalid', 'A user needs an email or an external_id (role user)');
    }
    if (out.email) {
      const dup = store.listContacts().find((c) => c.email?.toLowerCase() === out.email!.toLowerCase() && c.role === (out.role ?? 'user'));
      if (dup && creating) throw new IntercomError(409, 'conflict', `A contact matching those details already exists with id=${dup.id}`);
    }
    return out;
  }

  const guard = (h: EmuHandler): EmuHandler => async (req) => {
    try {
      const version = req.headers['intercom-version'];
      if (typeof version === 'string' && !INTERCOM_VERSIONS.includes(version)) throw new IntercomError(400, 'intercom_version_invalid', `The requested version could not be found: ${version}`);
      return await h(req);
    } catch (err) {
      if (err instanceof IntercomError) return intercomError(err.status, err.code, err.message);
      throw err;
    }
  };

  const sorted = (rows: IntercomContactRecord[], sort: unknown) => {
    if (sort === undefined) return rows;
    const s = sort as { field?: unknown; order?: unknown };
    if (typeof s.field !== 'string' || !SEARCHABLE.has(s.field)) throw new IntercomError(400, 'parameter_invalid', `sort.field: cannot sort by ${String(s.field)}`);
    if (s.order !== undefined && s.order !== 'ascending' && s.order !== 'descending') throw new IntercomError(400, 'parameter_invalid', 'sort.order: must be ascending or descending');
    const dir = s.order === 'descending' ? -1 : 1;
    const f = s.field;
    return [...rows].sort((a, b) => {
      const x = fieldValue(a, f), y = fieldValue(b, f);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
      return (c || a.id.localeCompare(b.id)) * dir;
    });
  };

  const routes: [string, string, EmuHandler][] = [
    ['GET', '/me', guard(() => ({ status: 200, body: { ...me(), app: { type: 'app', id_code: store.workspaceId, name: 'Patchbay Demo', created_at: 1_700_000_000, secure: false, identity_verification: false, timezone: 'UTC', region: 'US' } } }))],
    ['GET', '/admins', guard(() => ({ status: 200, body: { type: 'admin.list', admins: store.admins } }))],
    ['GET', '/admins/:id', guard((req) => ({ status: 200, body: adminOf(req.params.id, 'id') }))],
    ['GET', '/contacts', guard((req) => {
      const perPage = Number(req.query.get('per_page') ?? 50);
      const page = pageOf(store.listContacts(), perPage, req.query.get('starting_after'));
      return { status: 200, body: { ...page, data: page.data.map(view) } };
    })],
    ['POST', '/contacts/search', guard((req) => {
      const b = body(req);
      if (b.query === undefined) throw new IntercomError(400, 'parameter_not_found', 'query: is required');
      const match = compileQuery(b.query as Query, CONTACT_SEARCH);
      const pagination = (b.pagination ?? {}) as { per_page?: unknown; starting_after?: unknown };
      const rows = sorted(store.listContacts().filter(match), b.sort);
      const page = pageOf(rows, pagination.per_page === undefined ? 50 : Number(pagination.per_page), pagination.starting_after as string | null | undefined);
      return { status: 200, body: { ...page, data: page.data.map(view) } };
    })],
    ['GET', '/contacts/:id', guard((req) => ({ status: 200, body: view(contactOf(req.params.id)) }))],
    ['POST', '/contacts', guard((req) => ({ status: 200, body: view(store.createContact(contactFields(body(req), true))) }))],
    ['PUT', '/contacts/:id', guard((req) => {
      contactOf(req.params.id);
      return { status: 200, body: view(store.updateContact(req.params.id, contactFields(body(req), false))) };
    })],
    ['DELETE', '/contacts/:id', guard((req) => {
      const c = contactOf(req.params.id);
      store.removeContact(c.id);
      return { status: 200, body: { id: c.id, external_id: c.external_id, type: 'contact', deleted: true } };
    })],
    ['POST', '/contacts/:id/notes', guard((req) => {
      const c = contactOf(req.params.id);
      const b = body(req);
      if (typeof b.body !== 'string' || !b.body.trim()) throw new IntercomError(400, 'parameter_not_found', 'body: is required');
      const author = b.admin_id === undefined || b.admin_id === null ? me() : adminOf(b.admin_id, 'admin_id');
      const note: IntercomNoteRecord = { type: 'note', id: store.newNoteId(), created_at: unix(Date.now()), contact: { type: 'contact', id: c.id }, author, body: noteHtml(b.body) };
      store.notes.set(note.id, note);
      return { status: 200, body: note };
    })],
    ['GET', '/contacts/:id/notes', guard((req) => {
      const c = contactOf(req.params.id);
      const perPage = Number(req.query.get('per_page') ?? 50);
      const page = Number(req.query.get('page') ?? 1);
      if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) throw new IntercomError(400, 'parameter_invalid', `per_page: must be between 1 and ${MAX_PER_PAGE}`);
      if (!Number.isInteger(page) || page < 1) throw new IntercomError(400, 'parameter_invalid', 'page: must be 1 or more');
      const rows = [...store.notes.values()].filter((n) => n.contact.id === c.id).sort((a, b) => b.created_at - a.created_at || Number(b.id) - Number(a.id));
      const totalPages = Math.max(1, Math.ceil(rows.length / perPage));
      return {
        status: 200,
        body: { type: 'list', data: rows.slice((page - 1) * perPage, page * perPage), total_count: rows.length, pages: { type: 'pages', page, per_page: perPage, total_pages: totalPages, next: page < totalPages ? `https://api.intercom.io/contacts/${c.id}/notes?per_page=${perPage}&page=${page + 1}` : null } },
      };
    })],
    ['GET', '/notes/:id', guard((req) => {
      const n = store.notes.get(req.params.id);
      return n ? { status: 200, body: n } : intercomError(404, 'not_found', 'Resource Not Found');
    })],
    ['GET', '/ticket_types', guard(() => ({ status: 200, body: { type: 'ticket_type.list', ticket_types: store.ticketTypes } }))],
    ['POST', '/tickets', guard((req) => {
      const b = body(req);
      const type = store.ticketTypes.find((t) => t.id === String(b.ticket_type_id));
      if (!type) throw new IntercomError(400, 'parameter_invalid', `ticket_type_id: ${String(b.ticket_type_id)} is not a ticket type`);
      if (!Array.isArray(b.contacts) || !b.contacts.length) throw new IntercomError(400, 'parameter_not_found', 'contacts: at least one contact is required');
      const contacts = (b.contacts as { id?: unknown; external_id?: unknown; email?: unknown }[]).map((x, i) => {
        const c = x.id !== undefined ? store.contacts.get(String(x.id))
          : x.external_id !== undefined ? store.listContacts().find((y) => y.external_id === x.external_id)
            : store.listContacts().find((y) => y.email === x.email);
        if (!c) throw new IntercomError(404, 'not_found', `contacts[${i}]: User Not Found`);
        return { type: 'contact' as const, id: c.id, external_id: c.external_id };
      });
      const attrs = (b.ticket_attributes ?? {}) as Record<string, unknown>;
      if (typeof attrs._default_title_ !== 'string' || !attrs._default_title_) throw new IntercomError(400, 'parameter_invalid', 'ticket_attributes._default_title_: is required');
      const now = unix(Date.now());
      const id = store.newTicketId();
      const t: IntercomTicketRecord = {
        type: 'ticket', id, ticket_id: id, category: type.category, ticket_attributes: attrs, ticket_state: 'submitted', ticket_type: { type: 'ticket_type', id: type.id, name: type.name, category: type.category },
        contacts: { type: 'contact.list', contacts }, admin_assignee_id: '0', team_assignee_id: '0', created_at: now, updated_at: now, open: true, is_shared: type.category === 'Customer',
      };
      store.tickets.set(id, t);
      return { status: 200, body: t };
    })],
    // Search tickets: the query language of the contacts search on ticket fields, newest first, starting_after paging,
    // answered as a ticket.list.
    ['POST', '/tickets/search', guard((req) => {
      const b = body(req);
      if (b.query === undefined) throw new IntercomError(400, 'parameter_not_found', 'query: is required');
      const match = compileQuery(b.query as Query, TICKET_SEARCH);
      const pagination = (b.pagination ?? {}) as { per_page?: unknown; starting_after?: unknown };
      const rows = [...store.tickets.values()].filter(match).sort((x, y) => y.created_at - x.created_at || Number(y.id) - Number(x.id));
      const { data, ...page } = pageOf(rows, pagination.per_page === undefined ? 20 : Number(pagination.per_page), pagination.starting_after as string | null | undefined);
      return { status: 200, body: { ...page, type: 'ticket.list', tickets: data } };
    })],
    ['GET', '/tickets/:id', guard((req) => {
      const t = store.tickets.get(req.params.id);
      return t ? { status: 200, body: t } : intercomError(404, 'not_found', 'Ticket not found');
    })],
    ['PUT', '/tickets/:id', guard((req) => {
      const t = store.tickets.get(req.params.id);
      if (!t) throw new IntercomError(404, 'not_found', 'Ticket not found');
      const b = body(req);
      if (b.assignment !== undefined) {
        const a = b.assignment as { admin_id?: unknown; assignee_id?: unknown };
        adminOf(a.admin_id, 'assignment.admin_id');
        t.admin_assignee_id = a.assignee_id === undefined || a.assignee_id === '0' ? '0' : adminOf(a.assignee_id, 'assignment.assignee_id').id;
      }
      if (b.ticket_attributes !== undefined) t.ticket_attributes = { ...t.ticket_attributes, ...(b.ticket_attributes as Record<string, unknown>) };
      if (b.state !== undefined) {
        if (!['in_progress', 'waiting_on_customer', 'resolved'].includes(String(b.state))) throw new IntercomError(400, 'parameter_invalid', 'state: must be in_progress, waiting_on_customer or resolved');
        t.ticket_state = String(b.state);
        t.open = b.state !== 'resolved';
      }
      t.updated_at = unix(Date.now());
      return { status: 200, body: t };
    })],
  ];

  const emu = await startEmulator({
    name: 'Intercom',
    routes,
    extractToken: (req) => {
      const auth = req.headers.authorization;
      return typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : null;
    },
    tokens: [o.token ?? 'dev-token'],
    unauthorized: () => intercomError(401, 'unauthorized', 'Access Token Invalid'),
    notFound: (req) => intercomError(404, 'not_found', `Resource Not Found: ${req.method} ${req.path}`),
    rateLimit: {
      limit: o.rateLimit ?? 0,
      windowMs: o.rateWindowMs ?? 10_000,
      headers: ({ limit, remaining, resetMs }) => ({ 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(Math.ceil((Date.now() + resetMs) / 1000)) }),
      body: () => ({ type: 'error.list', request_id: randomUUID(), errors: [{ code: 'rate_limit_exceeded', message: 'Exceeded rate limit' }] }),
    },
    oauth: o.oauth ? {
      authorizePath: '/oauth', tokenPath: '/auth/eagle/token', clientId: o.oauth.clientId, clientSecret: o.oauth.clientSecret, nonExpiring: true,
    } : undefined,
  }, o.port ?? 0);
  return Object.assign(emu, { store });
}
