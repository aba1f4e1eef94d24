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
  explanation: z.object({
    summary: z.string().describe('In words: how the number was read, the closest stored numbers, rejected numbers that resemble it'),
    number: z.object({
      raw: z.string(), country: z.string().nullable(), countryAssumed: z.string().nullable().describe('The country assumed for a number without a country code (null: it carried one)'),
      countryCallingCode: z.string().nullable(), type: z.string().nullable().describe('MOBILE, FIXED_LINE, FIXED_LINE_OR_MOBILE, TOLL_FREE, …'),
      valid: z.boolean(), e164: z.string().nullable(), nationalNumber: z.string().nullable(), reason: z.string().optional(),
    }).loose().optional(),
    searched: z.string().nullable().optional(),
    near: z.array(z.object({
      e164: z.string(), kind: z.enum(['other_country', 'one_digit']), detail: z.string(),
      missingCountryCode: z.object({ storedAs: z.string(), readIn: z.string().nullable() }).optional(),
      contact: z.object({ source: z.string(), externalId: z.string(), displayName: z.string() }),
    }).loose()).optional().describe('Stored numbers of this customer close to the one searched'),
    rejected: z.array(z.object({
      source: z.string().nullable(), externalId: z.string(), displayName: z.string().nullable(), phone: z.string(), reason: z.string(), seenIn: z.enum(['cdp', 'sync']),
    }).loose()).optional().describe('Numbers rejected when contacts were stored (sync or API) that resemble the one searched'),
    skipped: z.string().optional(),
  }).loose().optional().describe('Present when a caller lookup found nobody: why ("why no match")'),
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
    const pending = deps.host.pendingRun(id);
    const mine = pending && pending.vendorId === principal.vendorId ? pending : null;
    const run = mine ? null : await readRun(deps.sql, principal.vendorId, id);
    const found = run ?? (mine ? {
      id: mine.id, status: mine.status, automation: mine.automation, customerId: mine.customerId, mode: mine.mode,
      startedAt: mine.startedAt.toISOString(), finishedAt: mine.finishedAt?.toISOString() ?? null, durationMs: mine.durationMs,
      trigger: mine.trigger, response: mine.response, error: mine.error, fallbackReason: mine.fallbackReason ?? null, steps: mine.steps,
      ...(mine.explanation ? { explanation: mine.explanation } : {}),
    } : null);
    if (!found || (principal.customerId && found.customerId !== principal.customerId)) throw new NotFound('run_not_found', `No run "${id}" (a successful run the automation's recording policy did not keep is counted, not stored; send X-Patchbay-Trace: 1 to record one in full)`);
    const { customerId: _internal, customerExternalId, ...rest } = found as typeof found & { customerExternalId?: string | null };
    return { status: 200, body: { ...rest, customer: customerExternalId ?? null } };
  },
});
