// The generic CRM blocks: one set for every CRM. Each takes a `crm` param (a system id such as "hubspot", or an
// expression such as "=options.crm", the CRM this customer connected) and runs that connector's operation of the
// CRM contract, so one flow serves customers on HubSpot, Salesforce, Pipedrive and every CRM added later.
import { z } from 'zod';
import { defineBlock, FOUND_PORTS, OUT_PORT, type AnyBlock, type RunContext } from '../core/define-block';
import { PatchbayError } from '../core/errors';
import { crmCatalog } from './catalog';
import {
  callLogChangesSchema, callLogSchema, crmContactSchema, crmUserSchema, newContactSchema, noteSchema, recordRefSchema, taskSchema,
} from './kit/crm-contract';
import { findByPhoneParams } from './kit/find-by-phone-params';
import type { CrmApi } from './kit/define-crm-connector';
import type { ConnectorCall } from './kit/contact-source';

/** Every catalog connector that implements the CRM contract. */
export function crmSystems(): string[] {
  return Object.keys(crmCatalog());
}

export function crmApiOf(system: string): CrmApi {
  const c = crmCatalog()[system];
  if (!c) throw new PatchbayError('invalid_params', `"${system}" is not a CRM Patchbay knows (one of: ${crmSystems().join(', ')})`, { path: ['crm'] });
  return c.crm;
}

const crmParam = z.string().min(1).refine((s) => crmSystems().includes(s), { message: 'a CRM id such as hubspot, salesforce or pipedrive (or an expression such as =options.crm)' })
  .describe('The CRM: a system id, or an expression such as =options.crm (the CRM the customer connected)');

async function open(ctx: RunContext, system: string): Promise<{ api: CrmApi; call: ConnectorCall }> {
  const api = crmApiOf(system);
  const conn = await ctx.connections.get(system);
  return { api, call: api.callFromRun(ctx, conn) };
}

const kindParam = z.enum(['person', 'company']).default('person');
const refOutput = z.object({ ref: recordRefSchema });

const common = { version: 1, category: 'CRM' as const, connectorParam: 'crm' };

export const crmFindContactByPhone = defineBlock({
  ...common,
  id: 'crm.findContactByPhone',
  title: 'CRM: find contact by phone',
  description: "Finds the contact (or company) with this number in the customer's CRM, whatever format it was typed in.",
  icon: 'search',
  params: findByPhoneParams.extend({ crm: crmParam, kind: kindParam }),
  output: z.object({ found: z.boolean(), contact: crmContactSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `${String(p.crm ?? '')} by phone ${String(p.phone ?? '')}`,
  async run(ctx, p) {
    const { api, call } = await open(ctx, p.crm);
    const found = await api.findContactsByPhone(call, { phone: p.phone, defaultCountry: p.defaultCountry ?? ctx.customer.defaultCountry, kind: p.kind });
    const contact = found[0] ?? null;
    return { output: { found: !!contact, contact }, port: contact ? 'found' : 'notFound' };
  },
});

export const crmFindContactById = defineBlock({
  ...common,
  id: 'crm.findContactById',
  title: 'CRM: get contact',
  description: "Reads one contact (or company) of the customer's CRM by its id.",
  icon: 'user',
  params: z.object({ crm: crmParam, id: z.string().min(1).max(256), kind: kindParam }),
  output: z.object({ found: z.boolean(), contact: crmContactSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `${String(p.crm ?? '')} ${String(p.id ?? '')}`,
  async run(ctx, p) {
    const { api, call } = await open(ctx, p.crm);
    const contact = await api.getContact(call, { id: p.id, kind: p.kind, defaultCountry: ctx.customer.defaultCountry });
    return { output: { found: !!contact, contact }, port: contact ? 'found' : 'notFound' };
  },
});

export const crmFindUserByEmail = defineBlock({
  ...common,
  id: 'crm.findUserByEmail',
  title: 'CRM: find user by email',
  description: 'Finds the CRM user (the agent, a record owner) with this email.',
  icon: 'user-check',
  params: z.object({ crm: crmParam, email: z.string().min(3).max(320) }),
  output: z.object({ found: z.boolean(), user: crmUserSchema.nullable() }),
  ports: FOUND_PORTS,
  summarize: (p) => `${String(p.crm ?? '')} ${String(p.email ?? '')}`,
  async run(ctx, p) {
    const { api, call } = await open(ctx, p.crm);
    const user = await api.findUserByEmail(call, { email: p.email });
    return { output: { found: !!user, user }, port: user ? 'found' : 'notFound' };
  },
});

export const crmCreateContact = defineBlock({
  ...common,
  id: 'crm.createContact',
  effect: { what: 'Create a contact in the CRM' },
  title: 'CRM: create contact',
  description: "Creates a contact in the customer's CRM (e.g. for an unknown caller).",
  icon: 'user-plus',
  params: newContactSchema.extend({ crm: crmParam }),
  output: z.object({ ref: recordRefSchema, contact: crmContactSchema.nullable() }),
  ports: OUT_PORT,
  summarize: (p) => [p.firstName, p.lastName].filter(Boolean).join(' ') || String(p.phone ?? p.email ?? ''),
  async run(ctx, { crm, ...input }) {
    const { api, call } = await open(ctx, crm);
    return { output: await api.createContact(call, input, { defaultCountry: ctx.customer.defaultCountry }) };
  },
});

export const crmLogCall = defineBlock({
  ...common,
  id: 'crm.logCall',
  effect: { what: 'Log the call in the CRM' },
  title: 'CRM: log call',
  description: "Logs the call the CRM's native way (HubSpot call, Salesforce call Task, Pipedrive call activity), linked to the contact and the agent. With the phone system's callId, a retry finds the first log instead of adding a second.",
  icon: 'phone-call',
  params: callLogSchema.extend({ crm: crmParam }),
  output: refOutput,
  ports: OUT_PORT,
  summarize: (p) => `${String(p.crm ?? '')} ${String(p.direction ?? '')} ${String(p.status ?? 'answered')}`.trim(),
  async run(ctx, { crm, ...log }) {
    const { api, call } = await open(ctx, crm);
    return { output: { ref: await api.logCall(call, log) } };
  },
});

export const crmUpdateCallLog = defineBlock({
  ...common,
  id: 'crm.updateCallLog',
  effect: { what: 'Update the call log in the CRM' },
  title: 'CRM: update logged call',
  description: 'Adds the outcome, recording, transcript or notes to a call logged earlier: in place where the CRM allows it, else as a note on the same record. Never a second call log.',
  icon: 'edit',
  params: callLogChangesSchema.extend({ crm: crmParam, ref: recordRefSchema.describe('The ref "CRM: log call" returned') }),
  output: z.object({ ref: recordRefSchema, note: recordRefSchema.nullable(), mode: z.enum(['in_place', 'note']) }),
  ports: OUT_PORT,
  summarize: (p) => `${String(p.crm ?? '')} call ${String((p.ref as { id?: string } | undefined)?.id ?? '')}`,
  async run(ctx, { crm, ref, ...changes }) {
    const { api, call } = await open(ctx, crm);
    return { output: await api.updateCallLog(call, ref, changes) };
  },
});

export const crmCreateTask = defineBlock({
  ...common,
  id: 'crm.createTask',
  effect: { what: 'Create a task in the CRM' },
  title: 'CRM: create task',
  description: 'Creates an open task (e.g. call back after a missed call) for an agent, linked to the contact.',
  icon: 'check-square',
  params: taskSchema.extend({ crm: crmParam }),
  output: refOutput,
  ports: OUT_PORT,
  summarize: (p) => `${String(p.crm ?? '')} ${String(p.subject ?? '')}`,
  async run(ctx, { crm, ...task }) {
    const { api, call } = await open(ctx, crm);
    return { output: { ref: await api.createTask(call, task) } };
  },
});

export const crmAddNote = defineBlock({
  ...common,
  id: 'crm.addNote',
  effect: { what: 'Add a note in the CRM' },
  title: 'CRM: add note',
  description: 'Adds a note to a contact or company in the CRM.',
  icon: 'file-text',
  params: noteSchema.extend({ crm: crmParam }),
  output: refOutput,
  ports: OUT_PORT,
  summarize: (p) => `${String(p.crm ?? '')} note`,
  async run(ctx, { crm, ...note }) {
    const { api, call } = await open(ctx, crm);
    return { output: { ref: await api.addNote(call, note) } };
  },
});

export const crmBlocks = [
  crmFindContactByPhone, crmFindContactById, crmFindUserByEmail, crmCreateContact, crmLogCall, crmUpdateCallLog, crmCreateTask, crmAddNote,
] as AnyBlock[];
