// Staff API: contact syncs of the vendor's customers, and starting a run now.
import { z } from 'zod';
import { NotFound } from '../../errors';
import { getJobs } from '../../jobs/runtime';
import { listSyncSources, listSyncs } from '../../sync/list-syncs';
import { configWith, isSyncSource, notASyncSource, startSync } from '../../sync/start-sync';
import { CONFLICT_RULES, SYNC_DIRECTIONS } from '../../sync/sync-config';
import { enqueueWith } from '../../sync/sync-jobs';
import type { StartedSyncWire } from '../../sync/sync-wire';
import { resolveCustomer } from '../../tenancy/customers';
import { printable } from '../auth';
import { defineRoute } from '../route';

export const listSyncsRoute = defineRoute({
  operationId: 'staffListSyncs', method: 'GET', path: '/api/staff/syncs', tag: 'Staff: calls and syncs',
  summary: 'Every contact sync: its config, schedule, the running run (live progress) and history',
  auth: { kind: 'staffSession', role: 'viewer' },
  responses: { 200: { description: 'The syncs', schema: z.array(z.looseObject({ id: z.string(), customer: z.object({ externalId: z.string(), name: z.string() }), source: z.string(), current: z.unknown(), history: z.array(z.unknown()) })) } },
  async handler({ deps, staff }) {
    return { status: 200, body: await listSyncs(deps.sql, staff.vendorId) };
  },
});

export const listSyncSourcesRoute = defineRoute({
  operationId: 'staffListSyncSources', method: 'GET', path: '/api/staff/syncs/sources', tag: 'Staff: calls and syncs',
  summary: 'The CRMs that can feed a contact sync, each with the customers that connected it (the "Start a sync" form)',
  auth: { kind: 'staffSession', role: 'viewer' },
  responses: { 200: { description: 'The sources', schema: z.array(z.object({ id: z.string(), name: z.string(), connectedCustomers: z.array(z.string()) })) } },
  async handler({ deps, staff }) {
    return { status: 200, body: await listSyncSources(deps.sql, staff.vendorId) };
  },
});

export const startSyncRoute = defineRoute({
  operationId: 'staffStartSync', method: 'POST', path: '/api/staff/syncs/runs', tag: 'Staff: calls and syncs',
  summary: 'Start a sync run now (202); 200 already_running with the running run\'s id when one is queued or running',
  auth: { kind: 'staffSession', role: 'editor' },
  body: z.object({
    customer: z.string().min(1).max(200).describe("the customer's external id"),
    source: z.string().min(1).max(64).refine(isSyncSource, { error: (iss) => notASyncSource(String(iss.input)) }),
    mode: z.enum(['incremental', 'full']).default('incremental'),
    allowMassDelete: z.boolean().default(false),
    direction: z.enum(SYNC_DIRECTIONS).optional().describe("changes the sync's direction: two_way also sends phonebook edits to the CRM"),
    conflictRule: z.enum(CONFLICT_RULES).optional().describe('two-way: who wins when a contact was edited on both sides between two runs'),
  }),
  responses: {
    202: { description: 'Queued', schema: z.object({ syncRunId: z.string(), status: z.literal('queued') }) },
    200: { description: 'A run was already queued or running', schema: z.object({ syncRunId: z.string(), status: z.literal('already_running') }) },
  },
  errors: { 404: 'customer_not_found', 503: 'jobs_unavailable' },
  async handler({ body, deps, staff }) {
    const c = await resolveCustomer(deps.sql, staff.vendorId, body.customer);
    if (!c) throw new NotFound('customer_not_found', `No customer "${printable(body.customer)}"`, { path: ['customer'] });
    const jobs = getJobs();
    const config = await configWith(deps.sql, c.id, body.source, { direction: body.direction, conflictRule: body.conflictRule });
    const r = await startSync(deps.sql, enqueueWith(jobs.boss), { customerId: c.id, source: body.source, mode: body.mode, trigger: 'manual', allowMassDelete: body.allowMassDelete, config });
    const out: StartedSyncWire = { syncRunId: r.syncRunId, status: r.status };
    return { status: r.status === 'queued' ? 202 : 200, body: out };
  },
});
