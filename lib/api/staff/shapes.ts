// The staff API's JSON shapes as zod schemas: the OpenAPI document and the contract test check answers against
// them; the UI's types (lib/staff-api/contract.ts) describe the same JSON.
import { z } from 'zod';

export const instant = z.string().describe('ISO 8601');
export const flowIssue = z.object({ path: z.array(z.union([z.string(), z.number()])), nodeId: z.string().optional(), message: z.string() });
export const flowDefinition = z.looseObject({ name: z.string(), automation: z.string(), nodes: z.array(z.unknown()), edges: z.array(z.unknown()) }).describe('A flow (engine/core/flow-schema.ts)');
export const runStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'waiting', 'timeout']);

export const flowListItem = z.object({
  id: z.string(), name: z.string(), automation: z.string(), description: z.string().nullable(), latestVersion: z.number().int(),
  publishedVersion: z.number().int().nullable(), updatedAt: instant,
  lastRun: z.object({ status: runStatus, startedAt: instant }).nullable(), enabledCustomers: z.number().int(),
});
export const flowVersionInfo = z.object({ version: z.number().int(), createdAt: instant, message: z.string().nullable(), createdBy: z.string().nullable() });

export const runStep = z.looseObject({
  seq: z.number().int(), nodeId: z.string(), blockId: z.string(), status: z.string(), input: z.unknown(), output: z.unknown(), port: z.string().nullable(),
  error: z.unknown(), startedAt: z.string(), durationMs: z.number(), requestLog: z.array(z.unknown()).nullable(),
});
export const runListItem = z.object({
  id: z.string(), automation: z.string(), customer: z.string().nullable(), status: runStatus, mode: z.string(), startedAt: instant,
  durationMs: z.number().nullable(), flowId: z.string().nullable(), flowVersion: z.number().int().nullable(), flowName: z.string().nullable(),
});
export const runDetail = runListItem.extend({
  finishedAt: instant.nullable(), trigger: z.unknown(), response: z.unknown(), error: z.unknown(), steps: z.array(runStep),
  explanation: z.unknown().nullish().describe('Why a caller lookup found nobody (lib/cdp/explain-miss.ts): how the number was read, the closest stored numbers, rejected numbers alike'),
});
