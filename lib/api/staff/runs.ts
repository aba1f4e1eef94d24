// Staff API: the vendor's runs (filtered, keyset-paged), their latency over time, and one run with its steps.
import { z } from 'zod';
import { AUTOMATION_NAME } from '@/engine';
import { NotFound } from '../../errors';
import { decodeRunCursor, listRuns, RUN_STATUSES } from '../../runs/list-runs';
import { readRunDetail } from '../../runs/run-detail';
import { runStats } from '../../runs/run-stats';
import { blankIsUnset, customerParam, instantParam } from '../../staff-api/parse-input';
import { runRowToWire, runToWire } from '../../staff-api/wire-shapes';
import { defineRoute } from '../route';
import { instant, runDetail, runListItem } from './shapes';

const DAY = 86_400_000;
const automation = blankIsUnset(z.string().regex(AUTOMATION_NAME, 'automation names are lower_snake_case'));

export const listRunsRoute = defineRoute({
  operationId: 'staffListRuns', method: 'GET', path: '/api/staff/runs', tag: 'Staff: runs',
  summary: 'Runs, newest first, filtered; page with nextCursor',
  auth: { kind: 'staffSession', role: 'viewer' },
  query: z.object({
    automation,
    customer: blankIsUnset(customerParam),
    status: blankIsUnset(z.enum(RUN_STATUSES)),
    mode: blankIsUnset(z.enum(['live', 'test'])),
    flowId: blankIsUnset(z.uuid()),
    from: blankIsUnset(instantParam),
    to: blankIsUnset(instantParam),
    cursor: blankIsUnset(z.string().max(200).transform((s, ctx) => decodeRunCursor(s) ?? (ctx.addIssue({ code: 'custom', message: 'not a cursor from this API (use nextCursor as given)' }), z.NEVER))),
    limit: blankIsUnset(z.coerce.number().int().min(1).max(200)),
  }),
  responses: { 200: { description: 'A page of runs', schema: z.object({ runs: z.array(runListItem), nextCursor: z.string().nullable() }) } },
  async handler({ query, deps, staff }) {
    const page = await listRuns(deps.sql, staff.vendorId, { ...query, limit: query.limit ?? 50 });
    return { status: 200, body: { runs: page.runs.map(runRowToWire), nextCursor: page.nextCursor } };
  },
});

const figures = z.object({ count: z.number(), failed: z.number(), p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable(), max: z.number().nullable() });

export const runStatsRoute = defineRoute({
  operationId: 'staffRunStats', method: 'GET', path: '/api/staff/runs/stats', tag: 'Staff: runs',
  summary: 'Latency of live runs over time (p50/p95/p99 per bucket); default the last 24 hours',
  auth: { kind: 'staffSession', role: 'viewer' },
  query: z.object({
    automation,
    customer: blankIsUnset(customerParam),
    flowId: blankIsUnset(z.uuid()),
    from: blankIsUnset(instantParam),
    to: blankIsUnset(instantParam),
  }).refine((q) => !q.from || !q.to || q.from < q.to, { message: '"from" must be before "to"', path: ['from'] })
    .refine((q) => !q.from || (q.to?.getTime() ?? Date.now()) - q.from.getTime() <= 400 * DAY, { message: 'at most 400 days at a time', path: ['from'] }),
  responses: { 200: { description: 'Figures per bucket and in total', schema: z.object({ from: instant, to: instant, bucketMs: z.number(), buckets: z.array(figures.extend({ t: instant })), total: figures, fallbacks: z.array(z.object({ automation: z.string(), runs: z.number().int(), fallbacks: z.number().int(), failed: z.number().int(), deadline: z.number().int() })).describe('Per automation with a fallback: runs, fallback answers, of which after a failed step and after the deadline') }) } },
  async handler({ query, deps, staff }) {
    const to = query.to ?? new Date();
    const from = query.from ?? new Date(to.getTime() - DAY);
    // This process's counts of the last few seconds first (added every 5 s otherwise): a run just made shows.
    await deps.host.aggregates.flush();
    return { status: 200, body: await runStats(deps.sql, staff.vendorId, { automation: query.automation, customer: query.customer, flowId: query.flowId, from, to }) };
  },
});

export const getRunRoute = defineRoute({
  operationId: 'staffGetRun', method: 'GET', path: '/api/staff/runs/:id', tag: 'Staff: runs',
  summary: 'A run with every step\'s input, output, request log and error',
  auth: { kind: 'staffSession', role: 'viewer' },
  params: z.object({ id: z.uuid('a run id (uuid)') }), paramsNotFound: 'run_not_found',
  responses: { 200: { description: 'The run', schema: runDetail } },
  errors: { 404: 'run_not_found (also another vendor\'s run)' },
  async handler({ params, deps, staff }) {
    const run = await readRunDetail(deps.sql, staff.vendorId, params.id, deps.host.pendingRun(params.id));
    if (!run) throw new NotFound('run_not_found', `No run "${params.id}"`);
    return { status: 200, body: runToWire(run) };
  },
});
