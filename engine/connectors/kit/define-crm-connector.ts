// One declaration per CRM: its connector (auth, OAuth endpoints, default base URL, the blocks only it has), the
// operations of the CRM contract, and its capabilities. The generic crm.* blocks, the sync engine's contact source
// and the conformance suite all go through `crm`, so a CRM is added without touching any of them.
import type { ConnectionHandle, RunContext } from '../../core/define-block';
import type { UnifiedContact } from '../../core/contact';
import { displayNameOf } from '../../core/contact';
import { normalizePhone } from '../../core/phone';
import { PatchbayError } from '../../core/errors';
import { HttpError } from '../../core/http-client';
import type { ChangedPage, ConnectorCall, ContactSource, ObjectKind } from './contact-source';
import { defineConnector, type ConnectorDefinition } from './define-connector';
import {
  durationOf, callLogChangesSchema, callLogSchema, contactChangesSchema, crmCapabilitiesSchema, newContactSchema, noteSchema, taskSchema,
  type CallLog, type ContactChanges, type ContactUpdateResult, type CallLogChanges, type CallLogChangesInput, type CallLogInput, type CrmCapabilities, type CrmContact,
  type CrmNote, type CrmTask, type CrmUser, type NewContact, type RecordRef,
} from './crm-contract';
import { callOf } from './contact-source';

/** A call log as the connector receives it: the agent resolved to a user id, the duration known. */
export type ResolvedCallLog = Omit<CallLog, 'agent' | 'durationSec'> & { agentId?: string; durationSec: number };

/**
 * What each CRM implements. Contacts come back in the connector's own mapping (`UnifiedContact`, phones as
 * stored); the kit turns them into the contract's `CrmContact`. Agents and owners arrive as user ids (the kit
 * looks emails up first).
 */
export interface CrmOperations {
  findContactsByPhone(call: ConnectorCall, args: { phone: string; defaultCountry?: string | null; kind: ObjectKind }): Promise<UnifiedContact[]>;
  getContact(call: ConnectorCall, args: { id: string; kind: ObjectKind }): Promise<UnifiedContact | null>;
  /** Records changed after `cursor` (null = all), oldest first, page by page; each page's cursor resumes after it. */
  listChanged(call: ConnectorCall, args: { kind: ObjectKind; cursor: string | null; pageSize?: number }): AsyncIterable<ChangedPage>;
  listAllIds(call: ConnectorCall, args: { kind: ObjectKind; pageSize?: number }): AsyncIterable<string[]>;
  countChanged?(call: ConnectorCall, args: { kind: ObjectKind; cursor: string | null }): Promise<number | null>;
  findUserByEmail(call: ConnectorCall, args: { email: string }): Promise<CrmUser | null>;
  /** Optional: every user (agent) of the CRM, page by page, active ones and (where the CRM says) deactivated ones; for user provisioning. */
  listUsers?(call: ConnectorCall, args: { pageSize?: number }): AsyncIterable<CrmUser[]>;
  createContact(call: ConnectorCall, args: Omit<NewContact, 'owner'> & { ownerId?: string }): Promise<{ ref: RecordRef; contact: UnifiedContact | null }>;
  /** Optional (two-way sync): changes a person's shared fields. A record that is gone throws HttpError `not_found`. */
  updateContact?(call: ConnectorCall, args: { id: string; changes: ContactChanges }): Promise<void>;
  /** Optional: many updates in few requests (the CRM's batch API), answered per record in the order given. */
  updateContacts?(call: ConnectorCall, items: { id: string; changes: ContactChanges }[]): Promise<ContactUpdateResult[]>;
  /** Optional (two-way sync): deletes a person; `deleted: false` when it was already gone. */
  deleteContact?(call: ConnectorCall, args: { id: string }): Promise<{ deleted: boolean }>;
  /** Creates the native call record; with a callId, first looks for one already logged with it and returns that instead. */
  logCall(call: ConnectorCall, log: ResolvedCallLog): Promise<RecordRef>;
  /** Changes the same call record (in_place) or adds a note linked to the same record (note): never a second call log. */
  updateCallLog(call: ConnectorCall, ref: RecordRef, changes: CallLogChanges): Promise<{ ref: RecordRef; note: RecordRef | null }>;
  createTask(call: ConnectorCall, task: Omit<CrmTask, 'owner'> & { ownerId?: string }): Promise<RecordRef>;
  addNote(call: ConnectorCall, note: CrmNote): Promise<RecordRef>;
}

export interface CrmConnectorDeclaration extends ConnectorDefinition {
  capabilities: CrmCapabilities;
  /** The CRM's rate-limit headers, in words (for people reading the catalog). */
  rateLimitHeaders: string;
  operations: CrmOperations;
  /** How a run builds its ConnectorCall (default: the run's fetch, request log and signal). */
  callFromRun?: (ctx: RunContext, conn: ConnectionHandle) => ConnectorCall;
}

/** The contract's view of one CRM: what the generic blocks and the conformance suite call. */
export interface CrmApi {
  system: string;
  name: string;
  capabilities: CrmCapabilities;
  findContactsByPhone(call: ConnectorCall, args: { phone: string; defaultCountry?: string | null; kind?: ObjectKind }): Promise<CrmContact[]>;
  getContact(call: ConnectorCall, args: { id: string; kind?: ObjectKind; defaultCountry?: string | null }): Promise<CrmContact | null>;
  listChanged: CrmOperations['listChanged'];
  listAllIds: CrmOperations['listAllIds'];
  findUserByEmail(call: ConnectorCall, args: { email: string }): Promise<CrmUser | null>;
  /** Present when the CRM implements listUsers (optional in the contract). */
  listUsers?: CrmOperations['listUsers'];
  createContact(call: ConnectorCall, input: NewContact, opts?: { defaultCountry?: string | null }): Promise<{ ref: RecordRef; contact: CrmContact | null }>;
  /** Present when the CRM implements updateContact (the two-way sync needs it). */
  updateContact?(call: ConnectorCall, args: { id: string; changes: ContactChanges }): Promise<void>;
  /** Present with updateContact: the CRM's batch API where it has one, else one updateContact per record (8 at a time). */
  updateContacts?(call: ConnectorCall, items: { id: string; changes: ContactChanges }[]): Promise<ContactUpdateResult[]>;
  /** Present when the CRM implements deleteContact. */
  deleteContact?(call: ConnectorCall, args: { id: string }): Promise<{ deleted: boolean }>;
  logCall(call: ConnectorCall, input: CallLogInput): Promise<RecordRef>;
  updateCallLog(call: ConnectorCall, ref: RecordRef, changes: CallLogChangesInput): Promise<{ ref: RecordRef; note: RecordRef | null; mode: 'in_place' | 'note' }>;
  createTask(call: ConnectorCall, input: CrmTask): Promise<RecordRef>;
  addNote(call: ConnectorCall, input: CrmNote): Promise<RecordRef>;
  callFromRun(ctx: RunContext, conn: ConnectionHandle): ConnectorCall;
}

export type CrmConnectorDefinition = ConnectorDefinition & { crm: CrmApi; contactSource: ContactSource; rateLimitHeaders: string };

/** The connector's contact mapping → the contract's contact (E.164 next to every number as stored). */
export function toCrmContact(u: UnifiedContact, defaultCountry?: string | null): CrmContact {
  return {
    system: u.source,
    id: u.externalId,
    kind: u.kind ?? 'person',
    firstName: u.firstName ?? null,
    lastName: u.lastName ?? null,
    displayName: displayNameOf(u),
    company: u.company ?? null,
    emails: u.email ? [u.email] : [],
    phones: (u.phones ?? []).map((number) => ({ number, e164: normalizePhone(number, u.country ?? defaultCountry).e164 })),
    country: u.country ?? null,
    owner: u.ownerId ?? null,
    url: u.crmUrl ?? null,
    custom: u.custom ?? {},
    updatedAt: u.updatedAt ?? null,
  };
}

function invalid(err: { issues: { path: PropertyKey[]; message: string }[] }, what: string): PatchbayError {
  const first = err.issues[0];
  const path = (first?.path ?? []).map((p) => (typeof p === 'number' ? p : String(p)));
  return new PatchbayError('invalid_params', `${what}: ${path.length ? path.join('.') + ': ' : ''}${first?.message ?? 'invalid'}`, { path });
}

export function defineCrmConnector(decl: CrmConnectorDeclaration): CrmConnectorDefinition {
  const capabilities = crmCapabilitiesSchema.parse(decl.capabilities);
  const ops = decl.operations;
  const { capabilities: _c, operations: _o, callFromRun: _f, ...connectorFields } = decl;
  const connector = defineConnector(connectorFields);

  /** A user id stays; an email becomes the id of that CRM user (a clear error when there is none). */
  async function userId(call: ConnectorCall, who: string | undefined, field: string): Promise<string | undefined> {
    if (!who) return undefined;
    if (!who.includes('@')) return who;
    const user = await ops.findUserByEmail(call, { email: who });
    if (!user) throw new PatchbayError('not_found', `${decl.name} has no active user with the email ${who} (${field})`, { path: [field] });
    return user.id;
  }

  const crm: CrmApi = {
    system: decl.id,
    name: decl.name,
    capabilities,
    async findContactsByPhone(call, args) {
      const kind = args.kind ?? 'person';
      if (kind === 'company' && !capabilities.supportsCompanies) return [];
      const found = await ops.findContactsByPhone(call, { phone: args.phone, defaultCountry: args.defaultCountry, kind });
      return found.map((u) => toCrmContact(u, args.defaultCountry));
    },
    async getContact(call, args) {
      const u = await ops.getContact(call, { id: args.id, kind: args.kind ?? 'person' });
      return u ? toCrmContact(u, args.defaultCountry) : null;
    },
    listChanged: (call, args) => ops.listChanged(call, args),
    listAllIds: (call, args) => ops.listAllIds(call, args),
    findUserByEmail: (call, args) => ops.findUserByEmail(call, { email: args.email.trim() }),
    ...(ops.listUsers ? { listUsers: ops.listUsers.bind(ops) } : {}),
    async createContact(call, input, opts) {
      const parsed = newContactSchema.safeParse(input);
      if (!parsed.success) throw invalid(parsed.error, 'createContact');
      const { owner, ...rest } = parsed.data;
      const out = await ops.createContact(call, { ...rest, ownerId: await userId(call, owner, 'owner') });
      return { ref: out.ref, contact: out.contact ? toCrmContact(out.contact, opts?.defaultCountry) : null };
    },
    ...(ops.updateContact ? {
      async updateContact(call: ConnectorCall, args: { id: string; changes: ContactChanges }) {
        const parsed = contactChangesSchema.safeParse(args.changes);
        if (!parsed.success) throw invalid(parsed.error, 'updateContact');
        if (!args.id) throw new PatchbayError('invalid_params', 'updateContact: id: the record id is required', { path: ['id'] });
        await ops.updateContact!(call, { id: args.id, changes: parsed.data });
      },
      async updateContacts(call: ConnectorCall, items: { id: string; changes: ContactChanges }[]): Promise<ContactUpdateResult[]> {
        const checked = items.map((it, i) => {
          const parsed = contactChangesSchema.safeParse(it.changes);
          if (!parsed.success) throw invalid(parsed.error, `updateContacts[${i}]`);
          return { id: it.id, changes: parsed.data };
        });
        if (!checked.length) return [];
        if (ops.updateContacts) return ops.updateContacts(call, checked);
        const out: ContactUpdateResult[] = new Array(checked.length);
        let next = 0;
        await Promise.all(Array.from({ length: Math.min(8, checked.length) }, async () => {
          while (next < checked.length) {
            const i = next++;
            try {
              await ops.updateContact!(call, checked[i]);
              out[i] = { id: checked[i].id, outcome: 'updated' };
            } catch (err) {
              if (err instanceof HttpError && err.kind === 'not_found') out[i] = { id: checked[i].id, outcome: 'not_found' };
              else if (err instanceof HttpError && (err.kind === 'bad_request' || err.kind === 'conflict')) out[i] = { id: checked[i].id, outcome: 'failed', error: err.message };
              else throw err;
            }
          }
        }));
        return out;
      },
    } : {}),
    ...(ops.deleteContact ? { deleteContact: (call: ConnectorCall, args: { id: string }) => ops.deleteContact!(call, args) } : {}),
    async logCall(call, input) {
      const parsed = callLogSchema.safeParse(input);
      if (!parsed.success) throw invalid(parsed.error, 'logCall');
      const { agent, durationSec: _d, ...log } = parsed.data;
      return ops.logCall(call, { ...log, durationSec: durationOf(parsed.data), agentId: await userId(call, agent, 'agent') });
    },
    async updateCallLog(call, ref, input) {
      if (ref.system !== decl.id) throw new PatchbayError('invalid_params', `The call log ${ref.type} ${ref.id} belongs to ${ref.system}, not ${decl.name}`, { path: ['ref', 'system'] });
      const parsed = callLogChangesSchema.safeParse(input);
      if (!parsed.success) throw invalid(parsed.error, 'updateCallLog');
      const out = await ops.updateCallLog(call, ref, parsed.data);
      return { ...out, mode: capabilities.callLogUpdate };
    },
    async createTask(call, input) {
      const parsed = taskSchema.safeParse(input);
      if (!parsed.success) throw invalid(parsed.error, 'createTask');
      const { owner, ...rest } = parsed.data;
      return ops.createTask(call, { ...rest, ownerId: await userId(call, owner, 'owner') });
    },
    async addNote(call, input) {
      const parsed = noteSchema.safeParse(input);
      if (!parsed.success) throw invalid(parsed.error, 'addNote');
      return ops.addNote(call, parsed.data);
    },
    callFromRun: decl.callFromRun ?? callOf,
  };

  const contactSource: ContactSource = {
    system: decl.id,
    listChanged: (call, opts) => ops.listChanged(call, opts),
    listAllIds: (call, opts) => ops.listAllIds(call, opts),
    ...(ops.countChanged ? { countChanged: (call: ConnectorCall, opts: { kind: ObjectKind; cursor: string | null }) => ops.countChanged!(call, opts) } : {}),
  };

  return { ...connector, crm, contactSource, rateLimitHeaders: decl.rateLimitHeaders };
}

export function isCrmConnector(c: ConnectorDefinition): c is CrmConnectorDefinition {
  return 'crm' in c && !!(c as CrmConnectorDefinition).crm;
}
