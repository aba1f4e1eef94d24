// The vendor's own phone system, described by the connection instead of by code: every phone system has
// its own REST phonebook API, so base URL, auth style, each operation's method + path template, pagination
// and the field names on the wire are configuration. The defaults describe the reference API served by
// ./emulator.ts, so a connection that gives only a base URL and a token works.
import { z } from 'zod';
import type { ConnectionHandle } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** A dotted path into a JSON body ("data", "result.entries"); "" is the body itself. */
const jsonPath = z.string().max(200).regex(/^$|^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dotted path such as data or result.items');
/** A field of the wire record; "" when the vendor has no such field (it is then neither sent nor read). */
const fieldPath = jsonPath;

interface OperationDefaults {
  method: (typeof HTTP_METHODS)[number];
  path: string;
  resultPath?: string;
}

/**
 * One HTTP operation. `path` is a template: `{id}`, `{externalId}`, `{phone}` (E.164) and `{callId}` are
 * filled in (URL-encoded in the path; a `?a={phone}` part becomes query parameters). `query` adds fixed
 * or templated parameters. `bodyPath` wraps the request body (`entry` → `{ entry: {...} }`); `resultPath`
 * is where the record (or, for finds and lists, the array of records) sits in the answer.
 */
function operationShape(d: OperationDefaults) {
  return z.object({
    method: z.enum(HTTP_METHODS).default(d.method),
    path: z.string().min(1).max(500).default(d.path),
    query: z.record(z.string(), z.string()).default({}),
    bodyPath: jsonPath.default(''),
    resultPath: jsonPath.default(d.resultPath ?? ''),
  });
}

function operation(d: OperationDefaults) {
  return operationShape(d).prefault({});
}

const CONTACTS = '/api/v1/phonebook/contacts';

export const paginationSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('cursor'),
    /** Request parameter carrying the cursor of the next page. */
    cursorParam: z.string().min(1).default('cursor'),
    /** Where the next page's cursor sits in the answer; empty/null there = last page. */
    nextCursorPath: jsonPath.default('next_cursor'),
    limitParam: z.string().default('limit'),
  }),
  z.object({
    kind: z.literal('page'),
    pageParam: z.string().min(1).default('page'),
    perPageParam: z.string().default('per_page'),
    firstPage: z.number().int().min(0).default(1),
    /** Optional total page count in the answer; without it a short page is the last one. */
    totalPagesPath: jsonPath.optional(),
  }),
  z.object({ kind: z.literal('none') }),
]);

export const phonebookFieldsSchema = z
  .object({
    id: fieldPath.min(1).default('id'),
    externalId: fieldPath.default('externalId'),
    source: fieldPath.default('source'),
    firstName: fieldPath.default('firstName'),
    lastName: fieldPath.default('lastName'),
    company: fieldPath.default('company'),
    isCompany: fieldPath.default('isCompany'),
    email: fieldPath.default('email'),
    crmUrl: fieldPath.default('crmUrl'),
    customData: fieldPath.default('customData'),
    /** The array of numbers, and the two fields of each of its items. */
    phones: fieldPath.min(1).default('phones'),
    phoneNumber: fieldPath.min(1).default('number'),
    phoneType: fieldPath.default('type'),
  })
  .prefault({});

export const phonebookAuthSchema = z.discriminatedUnion('kind', [
  /** `Authorization: Bearer <token>` */
  z.object({ kind: z.literal('bearer') }),
  /** `<name>: <prefix><token>`, e.g. X-Api-Key. */
  z.object({ kind: z.literal('header'), name: z.string().min(1).max(100).regex(/^[A-Za-z0-9-]+$/), prefix: z.string().max(50).default('') }),
  /** HTTP Basic with the credentials' username and password. */
  z.object({ kind: z.literal('basic') }),
  /** `?<param>=<token>` on every request. */
  z.object({ kind: z.literal('query'), param: z.string().min(1).max(100) }),
]);

export const phonebookConfigSchema = z.object({
  /** Overrides the connection's base URL (normally the connection carries it). */
  baseUrl: z.url().optional(),
  /** Product name in messages; errors end with "reconnect the phone system" either way. */
  name: z.string().min(1).max(100).default('The phone system'),
  auth: phonebookAuthSchema.default({ kind: 'bearer' }),
  operations: z
    .object({
      addContact: operation({ method: 'POST', path: CONTACTS }),
      updateContact: operation({ method: 'PUT', path: `${CONTACTS}/{id}` }),
      deleteContact: operation({ method: 'DELETE', path: `${CONTACTS}/{id}` }),
      findByPhone: operation({ method: 'GET', path: `${CONTACTS}?phone={phone}`, resultPath: 'data' }),
      findByExternalId: operation({ method: 'GET', path: `${CONTACTS}?external_id={externalId}`, resultPath: 'data' }),
      listContacts: operationShape({ method: 'GET', path: CONTACTS, resultPath: 'data' })
        .extend({
          pagination: paginationSchema.default({ kind: 'cursor', cursorParam: 'cursor', nextCursorPath: 'next_cursor', limitParam: 'limit' }),
          /** Largest page the API serves; list pages ask for this many unless told otherwise. */
          pageSize: z.number().int().min(1).max(1000).default(100),
        })
        .prefault({}),
      // Batch update (two-way sync): many entries replaced in one request, each answered on its own. `batchSize` 0:
      // the API has none (one update per entry is made instead).
      batchUpdate: operationShape({ method: 'POST', path: `${CONTACTS}/batch`, resultPath: 'data' })
        .extend({
          bodyPath: jsonPath.default('contacts'),
          batchSize: z.number().int().min(0).max(1000).default(100),
          /** In each answered item: its status, the value meaning written, and the error code meaning no such entry. */
          statusPath: jsonPath.default('status'),
          okValue: z.string().default('updated'),
          errorCodePath: jsonPath.default('error.code'),
          notFoundValue: z.string().default('not_found'),
          errorMessagePath: jsonPath.default('error.message'),
        })
        .prefault({}),
      // The change feed (two-way sync): entries changed after a cursor, oldest first, deletes as tombstones.
      listChanges: operationShape({ method: 'GET', path: '/api/v1/phonebook/changes', resultPath: 'data' })
        .extend({
          cursorParam: z.string().min(1).default('cursor'),
          limitParam: z.string().default('limit'),
          /** Where the cursor to continue from sits in the answer (given on every page, the last one too). */
          nextCursorPath: jsonPath.default('next_cursor'),
          /** true while more changes follow at once; absent: a full page means more. */
          hasMorePath: jsonPath.default('has_more'),
          pageSize: z.number().int().min(1).max(1000).default(500),
          /** In each change: its type (the value `deleteValue` marks a tombstone), the entry, and the entry's id, external id, source and time. */
          typePath: jsonPath.default('type'),
          deleteValue: z.string().min(1).default('delete'),
          contactPath: jsonPath.default('contact'),
          idPath: jsonPath.min(1).default('id'),
          externalIdPath: jsonPath.default('externalId'),
          sourcePath: jsonPath.default('source'),
          changedAtPath: jsonPath.default('changedAt'),
        })
        .prefault({}),
      routeCall: operation({ method: 'POST', path: '/api/v1/calls/{callId}/route' }),
      // Users (agents), for provisioning. Records on the wire have the reference fields (id, email, firstName,
      // lastName, extension, role, department, externalId, active); a create answered 409 means the e-mail exists.
      listUsers: operationShape({ method: 'GET', path: '/api/v1/users', resultPath: 'data' })
        .extend({
          pagination: paginationSchema.default({ kind: 'cursor', cursorParam: 'cursor', nextCursorPath: 'next_cursor', limitParam: 'limit' }),
          pageSize: z.number().int().min(1).max(1000).default(200),
        })
        .prefault({}),
      findUserByEmail: operation({ method: 'GET', path: '/api/v1/users?email={email}', resultPath: 'data' }),
      addUser: operation({ method: 'POST', path: '/api/v1/users' }),
      updateUser: operation({ method: 'PATCH', path: '/api/v1/users/{id}' }),
      deactivateUser: operation({ method: 'POST', path: '/api/v1/users/{id}/deactivate' }),
    })
    .prefault({}),
  fields: phonebookFieldsSchema,
  /** Field names of the route-call body. */
  routeFields: z.object({ target: fieldPath.min(1).default('target'), targetType: fieldPath.default('targetType') }).prefault({}),
  /** Types given to a contact's numbers in order (CRMs deliver numbers without a type); later ones get the last entry. */
  phoneTypes: z.array(z.string().min(1).max(40)).min(1).default(['work', 'mobile', 'other']),
});

export type PhonebookConfig = z.infer<typeof phonebookConfigSchema>;
export type PhonebookConfigInput = z.input<typeof phonebookConfigSchema>;
export type PhonebookFields = PhonebookConfig['fields'];
export type PhonebookOperation = keyof PhonebookConfig['operations'];
export type PhonebookPagination = PhonebookConfig['operations']['listContacts']['pagination'];

const parsed = new WeakMap<object, PhonebookConfig>();

/**
 * The connection's phonebook config: `credentials.config` (an object, or JSON text from a form field)
 * merged over the defaults. Invalid config is a connection problem the customer can fix, named by field.
 */
export function resolvePhonebookConfig(conn: ConnectionHandle): PhonebookConfig {
  const creds = conn.credentials ?? {};
  const hit = parsed.get(creds);
  if (hit) return hit;
  let raw: unknown = creds.config ?? {};
  if (typeof raw === 'string') {
    try { raw = raw.trim() ? JSON.parse(raw) : {}; } catch (err) {
      throw new PatchbayError('connection_auth', `The phone system connection's config is not valid JSON (${(err as Error).message}): fix it and reconnect the phone system`);
    }
  }
  const result = phonebookConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new PatchbayError('connection_auth', `The phone system connection's config is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}; fix it and reconnect the phone system`, { details: result.error.issues });
  }
  parsed.set(creds, result.data);
  return result.data;
}
