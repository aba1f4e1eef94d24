// Creates, updates and deactivates the phone system's users from a directory: the customer's CRM users (the CRM
// contract's optional listUsers), a CSV, or a CSV/JSON document over HTTP. `dryRun` lists the changes without
// making them; the real run applies the same plan (deactivations first, freeing extensions, then updates,
// reactivations, creations). Running it again changes nothing: the plan is recomputed from both sides, and a
// creation whose answer was lost is found by its e-mail (the phone system's 409).
import { z } from 'zod';
import { defineBlock, OUT_PORT, type RunContext } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import { HttpError } from '../../core/http-client';
import { crmApiOf } from '../../connectors/crm-blocks';
import type { ConnectorCall } from '../../connectors/kit/contact-source';
import { createPhoneUser, deactivatePhoneUser, listPhoneUsers, updatePhoneUser, type PhoneUserFields, type PhoneUserRecord } from '../../connectors/phone-system/users';
import { parseDirectoryCsv, parseDirectoryJson, planProvisioning, type Change, type DirectoryUser } from './plan';
import { callOf } from '../../connectors/kit/contact-source';

const changeSchema = z.object({ action: z.enum(['create', 'update', 'reactivate', 'deactivate']), email: z.string(), userId: z.string().optional(), fields: z.record(z.string(), z.unknown()).optional(), reason: z.string().optional() });

export const usersProvision = defineBlock({
  id: 'users.provision',
  effect: { what: 'Create, update and deactivate the phone system\'s users', system: 'phonesystem', when: (p) => p.dryRun === false },
  version: 1,
  title: 'Provision phone-system users',
  description: 'Creates, updates and deactivates the phone system\'s users (agents) from the CRM\'s users, a CSV or a directory URL. A dry run lists the changes without making them.',
  category: 'Phone system',
  icon: 'users',
  connector: 'phonesystem',
  params: z.object({
    source: z.enum(['crm', 'csv', 'url']).describe('Where the users come from'),
    crm: z.string().max(40).nullish().describe('source crm: the CRM (=options.crm)'),
    csv: z.string().max(5_000_000).nullish().describe('source csv: the CSV itself (header: email, first_name, last_name, extension, role, department, active)'),
    url: z.string().url().max(2048).nullish().describe('source url: a CSV or JSON document listing the users'),
    dryRun: z.boolean().default(true).describe('List the changes only'),
    deactivateMissing: z.boolean().default(true).describe('Deactivate users Patchbay created who left the directory'),
    domains: z.array(z.string().min(3).max(253)).max(50).nullish().describe('Only manage e-mails of these domains'),
    defaultRole: z.enum(['agent', 'supervisor', 'admin']).default('agent'),
    maxDeactivateShare: z.number().min(0).max(1).default(0.2),
    allowMassDeactivate: z.boolean().default(false),
  }),
  output: z.object({
    dryRun: z.boolean(),
    source: z.string(),
    counts: z.object({ create: z.number(), update: z.number(), reactivate: z.number(), deactivate: z.number(), unchanged: z.number() }),
    changes: z.array(changeSchema),
    applied: z.number(),
    problems: z.array(z.object({ email: z.string(), reason: z.string() })),
    blocked: z.string().nullable(),
  }),
  ports: OUT_PORT,
  summarize: (p) => `${p.dryRun === false ? '' : 'dry run: '}from ${String(p.source ?? '')}${p.source === 'crm' ? ` ${String(p.crm ?? '')}` : ''}`,
  async run(ctx, p) {
    const phone: ConnectorCall = callOf(ctx, await ctx.connections.get('phonesystem'));
    const { users: directory, name } = await readDirectory(ctx, p);
    const current: PhoneUserRecord[] = [];
    for await (const page of listPhoneUsers(phone)) current.push(...page);
    const plan = planProvisioning(directory, current, {
      source: name, deactivateMissing: p.deactivateMissing, domains: p.domains ?? null, defaultRole: p.defaultRole,
      maxDeactivateShare: p.maxDeactivateShare, allowMassDeactivate: p.allowMassDeactivate,
    });
    const counts = { create: 0, update: 0, reactivate: 0, deactivate: 0, unchanged: plan.unchanged };
    for (const c of plan.changes) counts[c.action]++;
    const problems = [...plan.problems];
    let applied = 0;
    if (!p.dryRun) {
      const order: Change['action'][] = plan.blocked ? ['update', 'reactivate', 'create'] : ['deactivate', 'update', 'reactivate', 'create'];
      for (const action of order) {
        for (const c of plan.changes.filter((x) => x.action === action)) {
          try {
            await apply(phone, c);
            applied++;
          } catch (err) {
            // One user the phone system refuses (an extension taken, a field it rejects) does not stop the others.
            if (err instanceof HttpError && (err.kind === 'conflict' || err.kind === 'bad_request' || err.kind === 'not_found')) problems.push({ email: c.email, reason: `${c.action} refused: ${err.message}` });
            else throw err;
          }
        }
      }
    }
    return { output: { dryRun: p.dryRun, source: name, counts, changes: plan.changes, applied, problems, blocked: plan.blocked } };
  },
});

async function apply(phone: ConnectorCall, c: Change): Promise<void> {
  if (c.action === 'deactivate') { await deactivatePhoneUser(phone, c.userId); return; }
  if (c.action === 'create') {
    const out = await createPhoneUser(phone, { ...c.fields, email: c.email });
    // It existed after all (an earlier attempt's answer was lost, or someone made it meanwhile): bring it in line.
    if (out.existed) await updatePhoneUser(phone, out.user.id, { ...c.fields, ...(out.user.active ? {} : { active: true }) });
    return;
  }
  const patch: PhoneUserFields = {};
  for (const [k, v] of Object.entries(c.fields)) (patch as Record<string, unknown>)[k] = v.to;
  await updatePhoneUser(phone, c.userId, patch);
}

type Params = z.infer<typeof usersProvision.params>;

async function readDirectory(ctx: RunContext, p: Params): Promise<{ users: DirectoryUser[]; name: string }> {
  if (p.source === 'crm') {
    if (!p.crm) throw new PatchbayError('invalid_params', 'Name the CRM whose users to provision (=options.crm)', { path: ['crm'] });
    const api = crmApiOf(p.crm);
    if (!api.listUsers) throw new PatchbayError('invalid_params', `${api.name} cannot list its users through Patchbay yet: use a CSV or a directory URL`, { path: ['crm'] });
    const call = api.callFromRun(ctx, await ctx.connections.get(p.crm));
    const users: DirectoryUser[] = [];
    for await (const page of api.listUsers(call, {})) {
      for (const u of page) {
        const [first, ...rest] = u.name.split(' ');
        users.push({ email: u.email, firstName: u.firstName ?? (first || null), lastName: u.lastName ?? (rest.join(' ') || null), active: u.active });
      }
    }
    return { users, name: p.crm };
  }
  if (p.source === 'csv') {
    if (!p.csv?.trim()) throw new PatchbayError('invalid_params', 'The CSV is empty', { path: ['csv'] });
    try { return { users: parseDirectoryCsv(p.csv), name: 'csv' }; } catch (err) { throw new PatchbayError('invalid_params', `The CSV cannot be read: ${(err as Error).message}`, { path: ['csv'] }); }
  }
  if (!p.url) throw new PatchbayError('invalid_params', 'Give the directory\'s URL', { path: ['url'] });
  const res = await ctx.fetch(p.url, { headers: { accept: 'application/json, text/csv' }, signal: ctx.signal });
  if (!res.ok) throw new PatchbayError('upstream_error', `The directory at ${new URL(p.url).host} answered ${res.status}`);
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') || /^\s*[[{]/.test(text);
  try { return { users: json ? parseDirectoryJson(JSON.parse(text)) : parseDirectoryCsv(text), name: 'url' }; } catch (err) {
    throw new PatchbayError('upstream_error', `The directory at ${new URL(p.url).host} is not a user list: ${(err as Error).message}`);
  }
}
