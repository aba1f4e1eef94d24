// A local Zendesk Support: the API v2 (/api/v2/…json) as developer.zendesk.com documents it — Basic auth with
// `email/token:api_token` (or an OAuth bearer token from /oauth/tokens, refreshable), users (end users and agents:
// list with role filters, cursor paging page[size]/page[after] with meta.has_more, meta.after_cursor and links.next,
// or offset paging with next_page; show, create, update, delete; search by query with phone:, email:, role:),
// the general search (/search.json, type:user), the incremental user export (/incremental/users/cursor.json with
// start_time or cursor, after_cursor, end_of_stream), tickets (create with a first comment, update with a comment,
// internal comments public:false, task tickets with due_at, external_id, List Tickets with its external_id filter, a
// user's requested tickets, comments), Zendesk's error bodies (`{ error: "RecordInvalid", description, details:
// { field: [{ description, error }] } }`, 422) and its rate-limit headers (X-Rate-Limit, X-Rate-Limit-Remaining,
// ratelimit-limit/-remaining/-reset), 429 + Retry-After.
import { startEmulator, type CrmEmulatorOptions, type EmuHandler, type EmuRequest, type EmuResponse, type RunningEmulator } from '../../kit/emulator-server';
import { syntheticPerson } from '../../kit/synthetic';

import { ZENDESK_EMULATOR_EMAIL } from './owner';

export { ZENDESK_EMULATOR_EMAIL } from './owner';

export interface ZdUser {
  id: number; url: string; name: string; email: string | null; phone: string | null; role: 'end-user' | 'agent' | 'admin';
  notes: string; details: string; organization_id: number | null; active: boolean; verified: boolean; suspended: boolean;
  time_zone: string; locale: string; tags: string[]; user_fields: Record<string, unknown>; created_at: string; updated_at: string;
  /** Milliseconds of updated_at, for ordering. */
  __u: number;
}
export interface ZdComment { id: number; type: 'Comment'; body: string; html_body: string; plain_body: string; public: boolean; author_id: number; created_at: string }
export interface ZdTicket {
  id: number; url: string; external_id: string | null; subject: string; description: string; status: 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed'; type: 'problem' | 'incident' | 'question' | 'task' | null;
  priority: string | null; requester_id: number; submitter_id: number; assignee_id: number | null; due_at: string | null; tags: string[]; created_at: string; updated_at: string;
  comments: ZdComment[];
}

class ZdError extends Error {
  constructor(readonly status: number, readonly error: string, readonly description: string, readonly details?: Record<string, { description: string; error: string }[]>) { super(description); }
}
const recordInvalid = (field: string, description: string, error = 'InvalidValue') => new ZdError(422, 'RecordInvalid', 'Record validation errors', { [field]: [{ description, error }] });
const notFound = () => new ZdError(404, 'RecordNotFound', 'Not found');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const digits = (s: unknown) => String(s ?? '').replace(/\D/g, '');

export interface ZdStore {
  users: Map<number, ZdUser>;
  tickets: Map<number, ZdTicket>;
  createUser(fields: Partial<ZdUser> & { name: string }, at?: number): ZdUser;
  updateUser(id: number, fields: Partial<ZdUser>): ZdUser;
  removeUser(id: number): void;
  endUsers(): ZdUser[];
  agents(): ZdUser[];
  /** Every comment of every ticket. */
  comments(): (ZdComment & { ticket_id: number })[];
}

function createStore(o: { contacts: number; users: number; baseTime: number; url: () => string }): ZdStore {
  const users = new Map<number, ZdUser>();
  const tickets = new Map<number, ZdTicket>();
  let nextUser = 360_000_001;
  let clock = o.baseTime + (o.contacts + 10) * 1000;
  // Every write moves the clock a second forward (Zendesk keeps seconds), so updated_at orders writes.
  const stamp = () => (clock = Math.max(clock + 1000, Math.floor(Date.now() / 1000) * 1000));
  const store: ZdStore = {
    users,
    tickets,
    createUser(f, at) {
      const t = at ?? stamp();
      const id = nextUser++;
      const u: ZdUser = {
        url: `${o.url()}/api/v2/users/${id}.json`, email: null, phone: null, role: 'end-user', notes: '', details: '', organization_id: null, active: true, verified: true, suspended: false,
        time_zone: 'Eastern Time (US & Canada)', locale: 'en-US', tags: [], user_fields: {}, ...f, id, created_at: iso(t), updated_at: iso(t), __u: t,
      };
      users.set(id, u);
      return u;
    },
    updateUser(id, f) {
      const u = users.get(id);
      if (!u) throw notFound();
      const t = stamp();
      Object.assign(u, f, { id, updated_at: iso(t), __u: t });
      return u;
    },
    removeUser(id) {
      if (!users.delete(id)) throw notFound();
    },
    endUsers: () => [...users.values()].filter((u) => u.role === 'end-user'),
    agents: () => [...users.values()].filter((u) => u.role !== 'end-user'),
    comments: () => [...tickets.values()].flatMap((t) => t.comments.map((c) => ({ ...c, ticket_id: t.id }))),
  };
  const names = [['Admin', 'Owner'], ['Max', 'Jensen'], ['Chris', 'Olliver'], ['Sarah', 'Smith'], ['Jim', 'Brennan']];
  for (let i = 0; i < Math.max(1, o.users); i++) {
    const [first, last] = names[i % names.length];
    store.createUser({ name: `${first} ${last}`, email: i === 0 ? ZENDESK_EMULATOR_EMAIL : `${first}.${last}${i >= names.length ? i : ''}@patchbay-demo.example`.toLowerCase(), role: i === 0 ? 'admin' : 'agent' }, o.baseTime - 3_600_000 + i * 1000);
  }
  for (let i = 0; i < o.contacts; i++) {
    const p = syntheticPerson(i, o.baseTime);
    // Zendesk asks for numbers in E.164; agents type US numbers nationally all the same.
    store.createUser({ name: `${p.firstName} ${p.lastName}`, email: p.email, phone: p.country === 'US' ? p.phoneAsTyped : p.e164, role: 'end-user', user_fields: { city: p.city } }, p.updatedAt);
  }
  return store;
}

export function userView(u: ZdUser): Omit<ZdUser, '__u'> {
  const { __u: _u, ...rest } = u;
  return rest;
}
const ticketView = (t: ZdTicket) => { const { comments: _c, ...rest } = t; return rest; };

export interface ZdEmulatorOptions extends CrmEmulatorOptions {}
export type ZendeskEmulator = RunningEmulator & { store: ZdStore };

const encodeCursor = (o: { t: number; id: number }) => Buffer.from(JSON.stringify(o)).toString('base64url');
function decodeCursor(s: string, param: string): { t: number; id: number } {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { t: number; id: number };
    if (Number.isFinite(c.t) && Number.isFinite(c.id)) return c;
  } catch { /* fall through */ }
  throw new ZdError(400, 'InvalidPaginationParameter', `${param} is not a valid cursor`);
}

export async function startZendeskEmulator(o: ZdEmulatorOptions = {}): Promise<ZendeskEmulator> {
  let baseUrl = '';
  const store = createStore({ contacts: o.contacts ?? 1000, users: o.users ?? 3, baseTime: Date.UTC(2026, 0, 1), url: () => baseUrl });
  const admin = () => store.agents()[0];
  let nextTicket = 1, nextComment = 9_000_000_001, nextAudit = 8_000_000_001;

  const guard = (h: EmuHandler): EmuHandler => async (req) => {
    try { return await h(req); } catch (err) {
      if (err instanceof ZdError) return { status: err.status, body: { error: err.error, description: err.description, ...(err.details ? { details: err.details } : {}) } };
      throw err;
    }
  };
  const idOf = (req: EmuRequest, key = 'id') => {
    const n = Number(req.params[key]);
    if (!Number.isInteger(n) || n <= 0) throw notFound();
    return n;
  };
  const wrapped = (req: EmuRequest, key: string): Record<string, unknown> => {
    const b = req.body as Record<string, unknown> | undefined;
    const inner = b && typeof b === 'object' ? b[key] : undefined;
    if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new ZdError(400, 'InvalidEndpoint', `The request body must hold a "${key}" object`);
    return inner as Record<string, unknown>;
  };
  const user = (id: number) => { const u = store.users.get(id); if (!u) throw notFound(); return u; };
  const agentRef = (v: unknown, field: string): number | null => {
    if (v === undefined || v === null) return null;
    const u = store.users.get(Number(v));
    if (!u || u.role === 'end-user') throw recordInvalid(field, `${field.replace(/_id$/, '').replace(/^./, (c) => c.toUpperCase())}: ${String(v)} is not an agent`);
    return u.id;
  };
  const roles = (q: URLSearchParams): string[] => [...q.getAll('role'), ...q.getAll('role[]')];

  /** Cursor paging (page[size], page[after]) or, without page[size], offset paging (page, per_page). */
  function paged<T extends { id: number }>(req: EmuRequest, key: string, rows: T[], view: (r: T) => unknown): EmuResponse {
    const q = req.query;
    const size = q.get('page[size]');
    if (size !== null) {
      const n = Number(size);
      if (!Number.isInteger(n) || n < 1 || n > 100) throw new ZdError(400, 'InvalidPaginationParameter', 'page[size] must be between 1 and 100');
      const after = q.get('page[after]');
      const start = after ? rows.findIndex((r) => r.id > decodeCursor(after, 'page[after]').id) : 0;
      const slice = start < 0 ? [] : rows.slice(start, start + n);
      const hasMore = start >= 0 && start + n < rows.length;
      const last = slice.at(-1), first = slice[0];
      const link = (k: string, c: string) => { const u = new URL(`${baseUrl}${req.path}`); for (const [a, b] of q) if (!a.startsWith('page[after]') && !a.startsWith('page[before]')) u.searchParams.append(a, b); u.searchParams.set(k, c); return u.toString(); };
      const afterCursor = last ? encodeCursor({ t: 0, id: last.id }) : null;
      return { status: 200, body: { [key]: slice.map(view), meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: first ? encodeCursor({ t: 0, id: first.id - 1 }) : null }, links: { next: hasMore && afterCursor ? link('page[after]', afterCursor) : null, prev: null } } };
    }
    const perPage = Math.min(100, Number(q.get('per_page') ?? 100) || 100), page = Math.max(1, Number(q.get('page') ?? 1) || 1);
    const slice = rows.slice((page - 1) * perPage, page * perPage);
    const next = page * perPage < rows.length ? `${baseUrl}${req.path}?page=${page + 1}&per_page=${perPage}` : null;
    return { status: 200, body: { [key]: slice.map(view), next_page: next, previous_page: page > 1 ? `${baseUrl}${req.path}?page=${page - 1}&per_page=${perPage}` : null, count: rows.length } };
  }

  /** Zendesk's search syntax, the part Patchbay uses: phone:, email:, role:, type:, name:, free text. */
  function searchUsers(query: string): ZdUser[] {
    const terms = query.match(/(\w+:"[^"]*"|\w+:\S+|"[^"]*"|\S+)/g) ?? [];
    return [...store.users.values()].filter((u) => terms.every((term) => {
      const m = /^(\w+):(.*)$/.exec(term);
      const value = (m ? m[2] : term).replace(/^"|"$/g, '').toLowerCase();
      switch (m?.[1]) {
        case 'type': return value === 'user';
        case 'role': return u.role === value;
        case 'email': return (u.email ?? '').toLowerCase() === value;
        // Zendesk matches a number by its digits, however it was typed.
        case 'phone': return !!digits(value) && digits(u.phone).includes(digits(value));
        case 'name': return u.name.toLowerCase().includes(value);
        case 'notes': return u.notes.toLowerCase().includes(value);
        default: return [u.name, u.email, u.phone, u.notes].some((v) => String(v ?? '').toLowerCase().includes(value));
      }
    })).sort((a, b) => a.id - b.id);
  }

  function userFields(b: Record<string, unknown>, selfId?: number): Partial<ZdUser> {
    const out: Partial<ZdUser> = {};
    for (const k of ['name', 'email', 'phone', 'notes', 'details', 'time_zone', 'locale'] as const) {
      if (b[k] === undefined) continue;
      if (b[k] !== null && typeof b[k] !== 'string') throw recordInvalid(k, `${k}: must be a string`);
      (out as Record<string, unknown>)[k] = b[k];
    }
    if (out.name !== undefined && !String(out.name).trim()) throw recordInvalid('name', 'Name: cannot be blank', 'BlankValue');
    if (out.email) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(out.email)) throw recordInvalid('email', `Email: ${out.email} is not properly formatted`);
      if ([...store.users.values()].some((u) => u.id !== selfId && (u.email ?? '').toLowerCase() === out.email!.toLowerCase())) throw recordInvalid('email', `Email: ${out.email} is already being used by another user`, 'DuplicateValue');
    }
    if (b.role !== undefined) {
      if (!['end-user', 'agent', 'admin'].includes(String(b.role))) throw recordInvalid('role', `Role: ${String(b.role)} is not a valid role`);
      out.role = b.role as ZdUser['role'];
    }
    if (b.user_fields !== undefined) out.user_fields = b.user_fields as Record<string, unknown>;
    return out;
  }

  function addComment(t: ZdTicket, c: Record<string, unknown>, defaultAuthor: number): ZdComment {
    const body = typeof c.body === 'string' ? c.body : typeof c.html_body === 'string' ? c.html_body : '';
    if (!body.trim()) throw recordInvalid('comment', 'Comment: cannot be blank', 'BlankValue');
    const author = c.author_id === undefined ? defaultAuthor : Number(c.author_id);
    if (!store.users.has(author)) throw recordInvalid('author_id', `Author: ${String(c.author_id)} does not exist`);
    const comment: ZdComment = { id: nextComment++, type: 'Comment', body, html_body: `<div class="zd-comment"><p>${body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</p></div>`, plain_body: body, public: c.public !== false, author_id: author, created_at: iso(Date.now()) };
    t.comments.push(comment);
    return comment;
  }
  const audit = (t: ZdTicket, comment: ZdComment | null, author: number) => ({ id: nextAudit++, ticket_id: t.id, created_at: iso(Date.now()), author_id: author, events: comment ? [{ ...comment, attachments: [] }] : [] });

  function ticketFields(b: Record<string, unknown>, creating: boolean): Partial<ZdTicket> {
    const out: Partial<ZdTicket> = {};
    if (b.subject !== undefined) out.subject = String(b.subject);
    if (b.status !== undefined) {
      if (!['new', 'open', 'pending', 'hold', 'solved', 'closed'].includes(String(b.status))) throw recordInvalid('status', `Status: ${String(b.status)} is not valid`);
      out.status = b.status as ZdTicket['status'];
    }
    if (b.type !== undefined) {
      if (b.type !== null && !['problem', 'incident', 'question', 'task'].includes(String(b.type))) throw recordInvalid('type', `Type: ${String(b.type)} is not valid`);
      out.type = b.type as ZdTicket['type'];
    }
    if (b.due_at !== undefined) {
      if (b.due_at !== null && !Number.isFinite(Date.parse(String(b.due_at)))) throw recordInvalid('due_at', 'Due at: is not a date');
      out.due_at = b.due_at === null ? null : iso(Date.parse(String(b.due_at)));
    }
    if (b.assignee_id !== undefined) out.assignee_id = agentRef(b.assignee_id, 'assignee_id');
    if (b.requester_id !== undefined) { user(Number(b.requester_id)); out.requester_id = Number(b.requester_id); }
    if (b.tags !== undefined) out.tags = (b.tags as string[]).map(String);
    if (b.external_id !== undefined) {
      if (b.external_id !== null && typeof b.external_id !== 'string') throw recordInvalid('external_id', 'External id: must be a string');
      out.external_id = b.external_id;
    }
    if (creating && (out.type === 'task') && !out.due_at) throw recordInvalid('due_at', 'Due at: is required for tasks', 'BlankValue');
    return out;
  }

  const V2 = '/api/v2';
  const routes: [string, string, EmuHandler][] = [
    ['GET', `${V2}/users/me.json`, guard(() => ({ status: 200, body: { user: userView(admin()) } }))],
    ['GET', `${V2}/users/search.json`, guard((req) => {
      const q = req.query.get('query') ?? req.query.get('external_id');
      if (!q) throw new ZdError(400, 'InvalidSearch', 'query is required');
      return paged(req, 'users', searchUsers(q), userView);
    })],
    ['GET', `${V2}/users.json`, guard((req) => {
      const r = roles(req.query);
      return paged(req, 'users', [...store.users.values()].filter((u) => !r.length || r.includes(u.role)).sort((a, b) => a.id - b.id), userView);
    })],
    ['GET', `${V2}/users/:id/tickets/requested.json`, guard((req) => {
      const id = idOf(req);
      user(id);
      const rows = [...store.tickets.values()].filter((t) => t.requester_id === id).sort((a, b) => (req.query.get('sort_order') === 'desc' ? b.id - a.id : a.id - b.id));
      return paged(req, 'tickets', rows, ticketView);
    })],
    ['GET', `${V2}/users/:id.json`, guard((req) => ({ status: 200, body: { user: userView(user(idOf(req))) } }))],
    ['POST', `${V2}/users.json`, guard((req) => {
      const f = userFields(wrapped(req, 'user'));
      if (!f.name) throw recordInvalid('name', 'Name: cannot be blank', 'BlankValue');
      return { status: 201, body: { user: userView(store.createUser({ role: 'end-user', ...f, name: f.name })) } };
    })],
    ['PUT', `${V2}/users/:id.json`, guard((req) => {
      const id = idOf(req);
      user(id);
      return { status: 200, body: { user: userView(store.updateUser(id, userFields(wrapped(req, 'user'), id))) } };
    })],
    ['DELETE', `${V2}/users/:id.json`, guard((req) => {
      const u = user(idOf(req));
      store.removeUser(u.id);
      return { status: 200, body: { user: { ...userView(u), active: false } } };
    })],
    ['GET', `${V2}/search.json`, guard((req) => {
      const q = req.query.get('query') ?? '';
      if (!/(^|\s)type:user(\s|$)/.test(q)) throw new ZdError(400, 'InvalidSearch', 'this emulator searches users only (type:user)');
      const rows = searchUsers(q);
      return { status: 200, body: { results: rows.slice(0, 100).map((u) => ({ ...userView(u), result_type: 'user' })), facets: null, next_page: null, previous_page: null, count: rows.length } };
    })],
    ['GET', `${V2}/incremental/users/cursor.json`, guard((req) => {
      const q = req.query;
      const perPage = Number(q.get('per_page') ?? 1000);
      if (!Number.isInteger(perPage) || perPage < 1 || perPage > 1000) throw new ZdError(400, 'InvalidPaginationParameter', 'per_page must be between 1 and 1000');
      const cursorParam = q.get('cursor');
      let from: { t: number; id: number };
      if (cursorParam) from = decodeCursor(cursorParam, 'cursor');
      else {
        const st = q.get('start_time');
        if (st === null || !/^\d+$/.test(st)) throw new ZdError(400, 'InvalidValue', 'start_time or cursor is required (start_time: a Unix epoch time in seconds)');
        from = { t: Number(st) * 1000 - 1, id: Number.MAX_SAFE_INTEGER };
      }
      const rows = [...store.users.values()].filter((u) => u.__u > from.t || (u.__u === from.t && u.id > from.id)).sort((a, b) => a.__u - b.__u || a.id - b.id);
      const slice = rows.slice(0, perPage);
      const last = slice.at(-1);
      const after = last ? encodeCursor({ t: last.__u, id: last.id }) : cursorParam ?? encodeCursor(from);
      return { status: 200, body: { users: slice.map(userView), after_url: `${baseUrl}${req.path}?cursor=${after}&per_page=${perPage}`, after_cursor: after, before_url: null, before_cursor: null, end_of_stream: rows.length <= perPage } };
    })],
    // List Tickets: every ticket by id, or those whose external_id is the one asked (external ids need not be unique).
    ['GET', `${V2}/tickets.json`, guard((req) => {
      const ext = req.query.get('external_id');
      const desc = req.query.get('sort_order') === 'desc';
      const rows = [...store.tickets.values()].filter((t) => ext === null || t.external_id === ext).sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
      return paged(req, 'tickets', rows, ticketView);
    })],
    ['GET', `${V2}/tickets/:id.json`, guard((req) => {
      const t = store.tickets.get(idOf(req));
      if (!t) throw notFound();
      return { status: 200, body: { ticket: ticketView(t) } };
    })],
    ['GET', `${V2}/tickets/:id/comments.json`, guard((req) => {
      const t = store.tickets.get(idOf(req));
      if (!t) throw notFound();
      return paged(req, 'comments', t.comments, (c) => c);
    })],
    ['POST', `${V2}/tickets.json`, guard((req) => {
      const b = wrapped(req, 'ticket');
      const f = ticketFields(b, true);
      const comment = b.comment as Record<string, unknown> | undefined;
      if (!comment || typeof comment !== 'object') throw recordInvalid('comment', 'Description: cannot be blank', 'BlankValue');
      const requester = f.requester_id ?? admin().id;
      const now = Date.now();
      const id = nextTicket++;
      const t: ZdTicket = {
        id, url: `${baseUrl}/api/v2/tickets/${id}.json`, external_id: f.external_id ?? null, subject: f.subject ?? String(comment.body ?? '').slice(0, 80), description: '', status: f.status ?? (f.assignee_id ? 'open' : 'new'), type: f.type ?? null, priority: null,
        requester_id: requester, submitter_id: admin().id, assignee_id: f.assignee_id ?? null, due_at: f.due_at ?? null, tags: f.tags ?? [], created_at: iso(now), updated_at: iso(now), comments: [],
      };
      const c = addComment(t, comment, admin().id);
      t.description = c.body;
      store.tickets.set(id, t);
      return { status: 201, body: { ticket: ticketView(t), audit: audit(t, c, c.author_id) } };
    })],
    ['PUT', `${V2}/tickets/:id.json`, guard((req) => {
      const t = store.tickets.get(idOf(req));
      if (!t) throw notFound();
      if (t.status === 'closed') throw recordInvalid('status', 'Status: closed prevents ticket update', 'ClosedTicket');
      const b = wrapped(req, 'ticket');
      const f = ticketFields(b, false);
      const c = b.comment && typeof b.comment === 'object' ? addComment(t, b.comment as Record<string, unknown>, admin().id) : null;
      Object.assign(t, f, { updated_at: iso(Date.now()) });
      return { status: 200, body: { ticket: ticketView(t), audit: audit(t, c, c?.author_id ?? admin().id) } };
    })],
  ];

  const emu = await startEmulator({
    name: 'Zendesk',
    routes,
    // Basic auth as email/token:api_token (the account's API token, for an agent or admin), or an OAuth bearer token.
    extractToken: (req) => {
      const auth = req.headers.authorization;
      if (typeof auth !== 'string') return null;
      if (/^bearer /i.test(auth)) return auth.slice(7);
      if (!/^basic /i.test(auth)) return null;
      const [userPart, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      const m = /^(.+)\/token$/.exec(userPart ?? '');
      if (!m || !store.agents().some((u) => (u.email ?? '').toLowerCase() === m[1].toLowerCase())) return null;
      return rest.join(':');
    },
    tokens: [o.token ?? 'dev-token'],
    unauthorized: () => ({ status: 401, body: { error: "Couldn't authenticate you" } }),
    notFound: () => ({ status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } }),
    rateLimit: {
      limit: o.rateLimit ?? 0,
      windowMs: o.rateWindowMs ?? 60_000,
      headers: ({ limit, remaining, resetMs }) => ({
        'x-rate-limit': String(limit), 'x-rate-limit-remaining': String(remaining),
        'ratelimit-limit': String(limit), 'ratelimit-remaining': String(remaining), 'ratelimit-reset': String(Math.max(1, Math.ceil(resetMs / 1000))),
      }),
      body: ({ retryAfterSec }) => ({ error: 'APIRateLimitExceeded', description: `Number of allowed API requests per minute exceeded; retry after ${retryAfterSec} s` }),
    },
    oauth: o.oauth ? { authorizePath: '/oauth/authorizations/new', tokenPath: '/oauth/tokens', clientId: o.oauth.clientId, clientSecret: o.oauth.clientSecret, accessTokenTtlSec: o.accessTokenTtlSec ?? 3600 } : undefined,
  }, o.port ?? 0);
  baseUrl = emu.url;
  for (const u of store.users.values()) u.url = `${baseUrl}/api/v2/users/${u.id}.json`;
  return Object.assign(emu, { store });
}
