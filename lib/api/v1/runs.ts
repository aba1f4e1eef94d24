// GET /api/v1/runs/{runId}: a run of the key's vendor (and customer, for a scoped key) with every step.
import { z } from 'zod';
import { NotFound } from '../../errors';
import { readRun } from '../../runs/read-run';
import { defineRoute } from '../route';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const instant = z.string().describe('ISO 8601 date-time');

export const runSchema = z.object({
  id: z.string(),
  status: z.string().describe('queued, running, succeeded, failed, waiting or timeout'),
  automation: z.string(),
  customer: z.string().nullable().describe("The vendor's own id of the customer"),
  mode: z.string(),
  flowId: z.string().nullish(),
  flowVersion: z.number().int().nullish(),
  startedAt: instant,
  finishedAt: instant.nullable(),
  durationMs: z.number().nullable(),
  trigger: z.unknown(),
  response: z.unknown(),
  error: z.unknown(),
  fallbackReason: z.enum(['failed', 'deadline']).nullish().describe('Why the response is the flow\'s fallback answer: a step failed, or the deadline passed (the error names the step and how long it ran); null: it is not'),
  steps: z.array(z.object({
    seq: z.number().int(), nodeId: z.string(), blockId: z.string(), status: z.string(), input: z.unknown(), output: z.unknown(),
    port: z.string().nullable(), error: z.unknown(), requestLog: z.unknown().optional(), startedAt: instant, durationMs: z.number(),
  }).loose()),
}).loose();

export const getRun = defineRoute({
  operationId: 'getRun',
  method: 'GET',
  path: '/api/v1/runs/:runId',
  tag: 'Runs',
  summary: 'Read a run: status, response, every step\'s input, output and timing',
  auth: { kind: 'apiKey', customerKeys: true },
  params: z.object({ runId: z.string().regex(UUID, 'a run id (uuid)') }),
  paramsNotFound: 'run_not_found',
  responses: { 200: { description: 'The run', schema: runSchema } },
  errors: { 404: 'run_not_found (also another vendor\'s run)' },
  async handler({ params, principal, deps }) {
    const id = params.runId;
    const pending = deps.host.recorder.pending.get(id);
    const mine = pending && pending.vendorId === principal.vendorId ? pending : null;
    const run = mine ? null : await readRun(deps.sql, principal.vendorId, id);
    const found = run ?? (mine ? {
      id: mine.id, status: mine.status, automation: mine.automation, customerId: mine.customerId, mode: mine.mode,
      startedAt: mine.startedAt.toISOString(), finishedAt: mine.finishedAt?.toISOString() ?? null, durationMs: mine.durationMs,
      trigger: mine.trigger, response: mine.response, error: mine.error, fallbackReason: mine.fallbackReason ?? null, steps: mine.steps,
    } : null);
    if (!found || (principal.customerId && found.customerId !== principal.customerId)) throw new NotFound('run_not_found', `No run "${id}"`);
    const { customerId: _internal, customerExternalId, ...rest } = found as typeof found & { customerExternalId?: string | null };
    return { status: 200, body: { ...rest, customer: customerExternalId ?? null } };
  },
});
