// Zendesk Support under the CRM contract. Contacts are end users (agents and admins are the CRM's users). A call is
// logged, as the connection chooses (credentials.callLogTarget):
// - "notes" (default): a block in the end user's notes field, which agents see beside every ticket of the caller.
//   A user has one notes field, so each call owns one block, "[call <id>]" … "[end of call <id>]", newest first;
//   a retry finds the block by its call id and an update rewrites that block only (the rest of the notes stays).
// - "ticket": an internal comment (public: false) by the agent on the caller's newest unsolved ticket, or on a new
//   ticket for the call when there is none; Zendesk comments cannot be edited, so an update adds one internal
//   comment naming what changed (returned as the update's note).
// A call-back is a ticket of type task with due_at, requested by the caller and assigned to the agent, its external_id
// the call id (a retried create finds it with List Tickets ?external_id=); a note is a "[note …]" block in the user's
// notes.
import { randomBytes } from 'node:crypto';
import { normalizePhone } from '../../core/phone';
import { PatchbayError } from '../../core/errors';
import type { CrmOperations, ResolvedCallLog } from '../kit/define-crm-connector';
import { defaultCallSubject, notesWithTranscript, type CallLogChanges, type RecordRef } from '../kit/crm-contract';
import { callDetailLines, callIdLine, durationText, joinCallDescription, mergeCallNotes, setDescriptionLine, splitCallDescription, subjectWithStatus } from '../kit/call-description';
import type { ChangedPage, ConnectorCall, ObjectKind } from '../kit/contact-source';
import { createZendeskClient, zendeskId, ZENDESK_MAX_PAGE, type ZendeskClient } from './client';
import { mapUser, type ZendeskUser } from './map-contact';

interface Ticket { id: number; status: string; type: string | null; requester_id: number; assignee_id: number | null; subject: string }
interface Comment { id: number; body: string; public: boolean; author_id: number }
interface Audit { events: ({ type: string; id: number })[] }

const ref = (type: string, id: string, url: string | null): RecordRef => ({ system: 'zendesk', type, id, url });
const UNSOLVED = new Set(['new', 'open', 'pending', 'hold']);

function requireUser(x: { contactId?: string }, what: string): number {
  const id = zendeskId(x.contactId, 'contactId');
  if (!id) throw new PatchbayError('invalid_params', `Zendesk keeps ${what} on an end user: give contactId`, { path: ['contactId'] });
  return id;
}

// ---- blocks in a user's notes field --------------------------------------------------------------------------

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
export const blockStart = (kind: 'call' | 'note', key: string) => `[${kind} ${key}]`;
export const blockEnd = (kind: 'call' | 'note', key: string) => `[end of ${kind} ${key}]`;
const blockRe = (kind: 'call' | 'note', key: string) => new RegExp(`${esc(blockStart(kind, key))}\\n([\\s\\S]*?)\\n${esc(blockEnd(kind, key))}`);

/** The text of one block of the notes field, or null. */
export function readBlock(notes: string, kind: 'call' | 'note', key: string): string | null {
  return blockRe(kind, key).exec(notes)?.[1] ?? null;
}

/** The notes with the block replaced in place, or added on top (newest first) when it is not there. */
export function upsertBlock(notes: string, kind: 'call' | 'note', key: string, inner: string): string {
  const block = `${blockStart(kind, key)}\n${inner}\n${blockEnd(kind, key)}`;
  const re = blockRe(kind, key);
  if (re.test(notes)) return notes.replace(re, () => block);
  return notes.trim() ? `${block}\n\n${notes}` : block;
}

const newKey = () => `pb-${randomBytes(6).toString('hex')}`;
/** ref id of a block: "<user id>:<key>" (keys are call ids, which may hold anything but start after the first colon). */
function blockRef(r: RecordRef): { userId: number; key: string } {
  const i = r.id.indexOf(':');
  const userId = i > 0 ? zendeskId(r.id.slice(0, i), 'ref.id') : undefined;
  if (!userId) throw new PatchbayError('invalid_params', `The call log id ${r.id} is not a Zendesk user notes block ("<user id>:<call id>")`, { path: ['ref', 'id'] });
  return { userId, key: r.id.slice(i + 1) };
}

/**
 * Reads a user's notes, changes them and writes them back, one change per user at a time in this process: Zendesk
 * has no conditional update of a user, so two calls of one caller logged at the same moment would otherwise each
 * write the notes they read and one block would be lost. `edit` answers the new notes, or null to leave them.
 */
const notesQueue = new Map<string, Promise<unknown>>();
async function editNotes<T>(client: ZendeskClient, base: string, userId: number, edit: (notes: string) => { notes: string | null; out: T }): Promise<T> {
  const key = `${base}|${userId}`;
  const before = notesQueue.get(key) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(async () => {
    const { user } = await client.get<{ user: ZendeskUser }>(`/users/${userId}.json`);
    const current = user.notes ?? '';
    const { notes, out } = edit(current);
    if (notes !== null && notes !== current) await client.send('PUT', `/users/${userId}.json`, { user: { notes } });
    return out;
  });
  notesQueue.set(key, run);
  try {
    return await run;
  } finally {
    if (notesQueue.get(key) === run) notesQueue.delete(key);
  }
}

async function agentLine(client: ZendeskClient, agentId: number | undefined): Promise<string | null> {
  if (!agentId) return null;
  const u = await client.getOrNull<{ user: ZendeskUser }>(`/users/${agentId}.json`);
  return `Agent: ${u?.user.name ?? 'agent'} (user ${agentId})`;
}

function callHead(title: string, log: ResolvedCallLog, agent: string | null): string {
  const lines = callDetailLines(log);
  // The agent's line goes before the call id line, which stays last.
  if (agent) lines.splice(log.callId ? lines.length - 1 : lines.length, 0, agent);
  return [title, ...lines].join('\n');
}

function changedHead(head: string, ch: CallLogChanges): string {
  let [title, ...rest] = head.split('\n');
  let lines = rest.join('\n');
  if (ch.subject) title = ch.subject;
  if (ch.status) {
    lines = setDescriptionLine(lines, 'Result', ch.status);
    if (!ch.subject) title = subjectWithStatus(title, ch.status);
  }
  if (ch.durationSec !== undefined) lines = setDescriptionLine(lines, 'Duration', durationText(ch.durationSec));
  if (ch.recordingUrl) lines = setDescriptionLine(lines, 'Recording', ch.recordingUrl);
  return [title, lines].join('\n');
}

// ---- the caller's ticket --------------------------------------------------------------------------------------

async function callersTicket(client: ZendeskClient, userId: number): Promise<Ticket | null> {
  const { tickets } = await client.get<{ tickets: Ticket[] }>(`/users/${userId}/tickets/requested.json`, { sort_by: 'updated_at', sort_order: 'desc', 'page[size]': ZENDESK_MAX_PAGE });
  return (tickets ?? []).find((t) => UNSOLVED.has(t.status) && t.type !== 'task') ?? null;
}

async function findComment(client: ZendeskClient, ticketId: number, line: string): Promise<Comment | null> {
  for await (const rows of client.cursorPages<Comment>(`/tickets/${ticketId}/comments.json`, 'comments', {}, 20)) {
    const hit = rows.find((c) => c.body.split('\n').includes(line) && !c.body.startsWith('Update to '));
    if (hit) return hit;
  }
  return null;
}

const commentIdOf = (audit: Audit | undefined) => audit?.events.find((e) => e.type === 'Comment')?.id;

// ---- contacts -------------------------------------------------------------------------------------------------

async function* listChanged(call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncGenerator<ChangedPage> {
  if (opts.kind !== 'person') return;
  const client = createZendeskClient(call);
  const perPage = Math.max(1, Math.min(1000, opts.pageSize ?? 1000));
  let cursor = opts.cursor;
  for (let i = 0; i < 100_000; i++) {
    const body = await client.get<{ users: ZendeskUser[]; after_cursor: string | null; end_of_stream: boolean }>('/incremental/users/cursor.json', {
      per_page: perPage, ...(cursor ? { cursor } : { start_time: 0 }),
    });
    const users = (body.users ?? []).filter((u) => u.role === 'end-user' && u.active !== false);
    const next = body.after_cursor ?? cursor;
    const moved = next !== cursor;
    cursor = next;
    if (users.length || (body.end_of_stream && moved)) yield { kind: 'person', contacts: users.map((u) => mapUser(u, client.recordUrl)), cursor: cursor ?? '' };
    if (body.end_of_stream || !moved) return;
  }
}

async function* listAllIds(call: ConnectorCall, opts: { kind: ObjectKind; pageSize?: number }): AsyncGenerator<string[]> {
  if (opts.kind !== 'person') return;
  const client = createZendeskClient(call);
  for await (const rows of client.cursorPages<ZendeskUser>('/users.json', 'users', { role: 'end-user' })) yield rows.filter((u) => u.active !== false).map((u) => String(u.id));
}

const userOf = (u: ZendeskUser) => {
  const parts = (u.name ?? '').trim().split(/\s+/);
  return { id: String(u.id), name: u.name ?? '', email: u.email ?? '', firstName: parts.length > 1 ? parts.slice(0, -1).join(' ') : parts[0] || null, lastName: parts.length > 1 ? parts.at(-1)! : null, active: u.active !== false };
};

export const zendeskCrmOperations: CrmOperations = {
  async findContactsByPhone(call, args) {
    if (args.kind !== 'person') return [];
    const parsed = normalizePhone(args.phone, args.defaultCountry);
    if (!parsed.e164) return [];
    const client = createZendeskClient(call);
    // Zendesk matches the digits of phone: inside each stored number: the national number finds it typed with or
    // without the country code; the E.164 comparison keeps only the caller's number.
    const national = (parsed.national ?? '').replace(/\D/g, '').replace(/^0+/, '') || parsed.e164.slice(1);
    const out = [];
    for await (const rows of client.cursorPages<ZendeskUser>('/users/search.json', 'users', { query: `role:end-user phone:${national}` }, 5)) {
      for (const u of rows) {
        const c = mapUser(u, client.recordUrl);
        if (u.role === 'end-user' && c.phones.some((p) => normalizePhone(p, args.defaultCountry).e164 === parsed.e164)) out.push(c);
      }
      if (out.length >= 20) break;
    }
    return out;
  },
  async getContact(call, args) {
    if (args.kind !== 'person' || !/^[1-9]\d{0,17}$/.test(args.id.trim())) return null;
    const client = createZendeskClient(call);
    const r = await client.getOrNull<{ user: ZendeskUser }>(`/users/${args.id.trim()}.json`);
    return r && r.user.role === 'end-user' ? mapUser(r.user, client.recordUrl) : null;
  },
  listChanged,
  listAllIds,
  async findUserByEmail(call, args) {
    const client = createZendeskClient(call);
    const { users } = await client.get<{ users: ZendeskUser[] }>('/users/search.json', { query: `email:${args.email}` });
    const hit = (users ?? []).find((u) => u.role !== 'end-user' && u.active !== false && (u.email ?? '').toLowerCase() === args.email.toLowerCase());
    return hit ? userOf(hit) : null;
  },
  async *listUsers(call) {
    const client = createZendeskClient(call);
    for await (const rows of client.cursorPages<ZendeskUser>('/users.json', 'users', { 'role[]': ['agent', 'admin'] })) yield rows.map(userOf);
  },
  async createContact(call, a) {
    const client = createZendeskClient(call);
    const name = [a.firstName, a.lastName].filter(Boolean).join(' ') || a.email || a.phone || a.mobile || 'Unknown caller';
    const { user } = await client.send<{ user: ZendeskUser }>('POST', '/users.json', {
      user: { name, role: 'end-user', ...(a.email ? { email: a.email, verified: true } : {}), ...(a.phone || a.mobile ? { phone: a.phone ?? a.mobile } : {}) },
    });
    const contact = mapUser(user, client.recordUrl);
    return { ref: ref('user', String(user.id), contact.crmUrl ?? null), contact };
  },
  async logCall(call, log) {
    const client = createZendeskClient(call);
    const userId = requireUser(log, 'calls');
    const agentId = zendeskId(log.agentId, 'agent');
    const title = log.subject ?? defaultCallSubject(log);
    const notes = notesWithTranscript(log.notes, log.transcript);
    if (client.callLogTarget === 'ticket') {
      let ticket = await callersTicket(client, userId);
      if (ticket && log.callId) {
        const existing = await findComment(client, ticket.id, callIdLine(log.callId));
        if (existing) return ref('ticket_comment', `${ticket.id}:${existing.id}`, client.recordUrl('tickets', ticket.id));
      }
      const body = joinCallDescription(callHead(title, log, null), notes);
      const comment = { body, public: false, ...(agentId ? { author_id: agentId } : {}) };
      let audit: Audit | undefined;
      if (ticket) audit = (await client.send<{ audit: Audit }>('PUT', `/tickets/${ticket.id}.json`, { ticket: { comment } })).audit;
      else {
        const out = await client.send<{ ticket: Ticket; audit: Audit }>('POST', '/tickets.json', { ticket: { subject: title, requester_id: userId, ...(agentId ? { assignee_id: agentId } : {}), comment, tags: ['patchbay_call'] } });
        ticket = out.ticket;
        audit = out.audit;
      }
      const commentId = commentIdOf(audit);
      if (!commentId) throw new PatchbayError('upstream_error', `Zendesk did not say which comment it added to ticket ${ticket.id}`);
      return ref('ticket_comment', `${ticket.id}:${commentId}`, client.recordUrl('tickets', ticket.id));
    }
    const key = log.callId ?? newKey();
    const inner = joinCallDescription(callHead(title, log, await agentLine(client, agentId)), notes);
    // A retry finds the block by its call id and leaves it as it is.
    await editNotes(client, call.conn.baseUrl, userId, (current) => ({ notes: log.callId && readBlock(current, 'call', key) !== null ? null : upsertBlock(current, 'call', key, inner), out: null }));
    return ref('user_notes_call', `${userId}:${key}`, client.recordUrl('users', userId));
  },
  async updateCallLog(call, r, ch) {
    const client = createZendeskClient(call);
    if (r.type === 'ticket_comment') {
      const [ticketId, commentId] = r.id.split(':').map(Number);
      if (!ticketId || !commentId) throw new PatchbayError('invalid_params', `The call log id ${r.id} is not "<ticket id>:<comment id>"`, { path: ['ref', 'id'] });
      let original: Comment | null = null;
      for await (const rows of client.cursorPages<Comment>(`/tickets/${ticketId}/comments.json`, 'comments', {}, 20)) { original = rows.find((c) => c.id === commentId) ?? null; if (original) break; }
      if (!original) throw new PatchbayError('not_found', `Zendesk ticket ${ticketId} has no comment ${commentId}`, { path: ['ref', 'id'] });
      const { head } = splitCallDescription(original.body);
      const changed = changedHead(head, ch).split('\n');
      const before = head.split('\n');
      // The lines that changed, then the call id line that names the call.
      const lines = [...changed.slice(1).filter((l) => !before.includes(l) && !/^Call id: /.test(l)), ...changed.filter((l) => /^Call id: /.test(l))];
      const added = notesWithTranscript(ch.notes, ch.transcript);
      const body = joinCallDescription([`Update to ${changed[0]}`, ...lines].join('\n'), added);
      const { audit } = await client.send<{ audit: Audit }>('PUT', `/tickets/${ticketId}.json`, { ticket: { comment: { body, public: false, author_id: original.author_id } } });
      const id = commentIdOf(audit);
      return { ref: r, note: id ? ref('ticket_comment', `${ticketId}:${id}`, client.recordUrl('tickets', ticketId)) : null };
    }
    const { userId, key } = blockRef(r);
    await editNotes(client, call.conn.baseUrl, userId, (current) => {
      const inner = readBlock(current, 'call', key);
      if (inner === null) throw new PatchbayError('not_found', `Zendesk user ${userId} has no call ${key} in their notes (removed by an agent?)`, { path: ['ref', 'id'] });
      const { head, notes } = splitCallDescription(inner);
      return { notes: upsertBlock(current, 'call', key, joinCallDescription(changedHead(head, ch), mergeCallNotes(notes, ch))), out: null };
    });
    return { ref: r, note: null };
  },
  async createTask(call, t) {
    const client = createZendeskClient(call);
    const userId = zendeskId(t.contactId, 'contactId');
    if (t.callId) {
      // A retry after the ticket was made but before Patchbay kept its reference: the task ticket whose external_id
      // is the call answers. External ids need not be unique in Zendesk, so only a task ticket counts.
      for await (const rows of client.cursorPages<Ticket>('/tickets.json', 'tickets', { external_id: t.callId }, 10)) {
        const hit = rows.find((x) => x.type === 'task');
        if (hit) return ref('ticket', String(hit.id), client.recordUrl('tickets', hit.id));
      }
    }
    const { ticket } = await client.send<{ ticket: Ticket }>('POST', '/tickets.json', {
      ticket: {
        subject: t.subject, type: 'task', due_at: new Date(t.due ? Date.parse(t.due) : Date.now()).toISOString(),
        ...(userId ? { requester_id: userId } : {}), ...(t.ownerId ? { assignee_id: zendeskId(t.ownerId, 'owner') } : {}),
        ...(t.callId ? { external_id: t.callId } : {}),
        comment: { body: t.notes ?? t.subject, public: false }, tags: ['patchbay_callback'],
      },
    });
    return ref('ticket', String(ticket.id), client.recordUrl('tickets', ticket.id));
  },
  async addNote(call, n) {
    const client = createZendeskClient(call);
    const userId = requireUser(n, 'notes');
    const key = newKey();
    await editNotes(client, call.conn.baseUrl, userId, (current) => ({ notes: upsertBlock(current, 'note', key, n.body), out: null }));
    return ref('user_notes_note', `${userId}:${key}`, client.recordUrl('users', userId));
  },
};
