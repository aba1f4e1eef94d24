// The phone system's users (agents): list (paged as the connection's config says), create, update, deactivate.
// A create answered 409 (the e-mail exists: an earlier attempt whose answer was lost, or a user made by hand) is
// answered with that user, so a retried provisioning run never creates a user twice.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { HttpError, type HttpRequest, type HttpResponse } from '../../core/http-client';
import type { ConnectorCall } from '../kit/contact-source';
import { createPhonebookClient, recordsAt, type PhonebookClient } from './client';
import { getPath } from './map-contact';
import { callOf } from '../kit/contact-source';

export const phoneUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  extension: z.string().nullable(),
  role: z.string().nullable(),
  department: z.string().nullable(),
  externalId: z.string().nullable(),
  active: z.boolean(),
});
export type PhoneUserRecord = z.infer<typeof phoneUserSchema>;
/** What may be written: the fields provisioning manages. */
export type PhoneUserFields = Partial<Pick<PhoneUserRecord, 'firstName' | 'lastName' | 'extension' | 'role' | 'department' | 'externalId' | 'active'>>;

const s = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

export function readPhoneUser(raw: unknown): PhoneUserRecord {
  const r = (raw ?? {}) as Record<string, unknown>;
  return {
    id: String(r.id ?? ''), email: String(r.email ?? '').toLowerCase(), firstName: s(r.firstName), lastName: s(r.lastName), extension: s(r.extension),
    role: s(r.role), department: s(r.department), externalId: s(r.externalId), active: r.active !== false,
  };
}

function pageRequest(client: PhonebookClient, cursor: string | null, size: number): HttpRequest {
  const op = client.config.operations.listUsers;
  const p = op.pagination;
  const query: Record<string, string | number> = {};
  if (p.kind === 'cursor') { if (p.limitParam) query[p.limitParam] = size; if (cursor) query[p.cursorParam] = cursor; }
  else if (p.kind === 'page') { query[p.pageParam] = cursor ? Number(cursor) : p.firstPage; if (p.perPageParam) query[p.perPageParam] = size; }
  return client.requestFor('listUsers', {}, { query });
}

function nextRequest(client: PhonebookClient, res: HttpResponse, req: HttpRequest, size: number): HttpRequest | null {
  const op = client.config.operations.listUsers;
  const p = op.pagination;
  const count = recordsAt(res.body, op.resultPath).length;
  if (p.kind === 'cursor') {
    const next = getPath(res.body, p.nextCursorPath);
    return next === null || next === undefined || next === '' || count === 0 ? null : pageRequest(client, String(next), size);
  }
  if (p.kind === 'page') {
    const page = Number(req.query?.[p.pageParam] ?? p.firstPage);
    const total = p.totalPagesPath ? Number(getPath(res.body, p.totalPagesPath)) : NaN;
    const more = Number.isFinite(total) ? page - p.firstPage + 1 < total : count >= size;
    return more && count > 0 ? pageRequest(client, String(page + 1), size) : null;
  }
  return null;
}

/** Every user, active or not, a page at a time. */
export async function* listPhoneUsers(call: ConnectorCall, opts: { pageSize?: number } = {}): AsyncGenerator<PhoneUserRecord[]> {
  const client = createPhonebookClient(call);
  const op = client.config.operations.listUsers;
  const size = Math.max(1, Math.min(op.pageSize, Math.floor(opts.pageSize ?? op.pageSize)));
  const pages = client.paginate<PhoneUserRecord>(pageRequest(client, null, size), (res, req) => nextRequest(client, res, req, size), (res) => recordsAt(res.body, op.resultPath).map(readPhoneUser));
  for await (const page of pages) if (page.items.length) yield page.items;
}

export async function findPhoneUserByEmail(call: ConnectorCall, email: string): Promise<PhoneUserRecord | null> {
  const client = createPhonebookClient(call);
  const res = await client.call('findUserByEmail', { email: email.trim().toLowerCase() });
  return recordsAt(res.body, client.config.operations.findUserByEmail.resultPath).map(readPhoneUser).find((u) => u.email === email.trim().toLowerCase()) ?? null;
}

export async function createPhoneUser(call: ConnectorCall, input: PhoneUserFields & { email: string }): Promise<{ user: PhoneUserRecord; existed: boolean }> {
  const client = createPhonebookClient(call);
  const { active: _a, ...body } = input;
  try {
    // Not retried on a 5xx (a create is not idempotent); a 409 below catches what an unanswered attempt did.
    const res = await client.call('addUser', {}, { body: { ...body, email: input.email.toLowerCase() } });
    return { user: readPhoneUser(res.body), existed: false };
  } catch (err) {
    if (err instanceof HttpError && err.kind === 'conflict' && String(getPath(err.body, 'error.code') ?? '') !== 'extension_taken') {
      const user = await findPhoneUserByEmail(call, input.email);
      if (user) return { user, existed: true };
    }
    throw err;
  }
}

export async function updatePhoneUser(call: ConnectorCall, id: string, patch: PhoneUserFields): Promise<PhoneUserRecord> {
  const client = createPhonebookClient(call);
  const res = await client.http.request({ ...client.requestFor('updateUser', { id }, { body: patch }), retry: true });
  return readPhoneUser(res.body);
}

export async function deactivatePhoneUser(call: ConnectorCall, id: string): Promise<PhoneUserRecord> {
  const client = createPhonebookClient(call);
  // Deactivating twice changes nothing: safe to retry.
  const res = await client.http.request({ ...client.requestFor('deactivateUser', { id }), retry: true });
  return readPhoneUser(res.body);
}

export const listUsersBlock = defineBlock({
  id: 'phonesystem.listUsers',
  version: 1,
  title: 'Phone system: list users',
  description: 'Every user (agent) of the phone system, active and deactivated.',
  category: 'Phone system',
  icon: 'users',
  connector: 'phonesystem',
  idempotent: true,
  params: z.object({ activeOnly: z.boolean().default(false) }),
  output: z.object({ users: z.array(phoneUserSchema), count: z.number() }),
  ports: OUT_PORT,
  async run(ctx, p) {
    const call = callOf(ctx, await ctx.connections.get('phonesystem'));
    const users: PhoneUserRecord[] = [];
    for await (const page of listPhoneUsers(call)) users.push(...page.filter((u) => !p.activeOnly || u.active));
    return { output: { users, count: users.length } };
  },
});
