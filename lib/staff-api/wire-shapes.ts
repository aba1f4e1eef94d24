// Domain rows → the Staff API's JSON shapes (lib/staff-api/contract.ts), shared by the route handlers.
import type { SerializedError, StepRecord } from '@/engine';
import type { FlowActivity, FlowVersionListItem } from '../flows/flows';
import type { RunDetailView } from '../runs/run-detail';
import type { RunListRow } from '../runs/list-runs';
import type { FlowListItem, FlowVersionInfo, RunDetail, RunListItem, RunStatus, RunStep } from './contract';

export const flowToWire = (f: FlowActivity): FlowListItem => ({
  id: f.id, name: f.name, automation: f.automation, description: f.description, latestVersion: f.latestVersion, publishedVersion: f.publishedVersion,
  updatedAt: f.updatedAt.toISOString(),
  lastRun: f.lastRun ? { status: f.lastRun.status as RunStatus, startedAt: f.lastRun.startedAt.toISOString() } : null,
  enabledCustomers: f.enabledCustomers,
});

export const versionToWire = (v: FlowVersionListItem): FlowVersionInfo => ({ version: v.version, createdAt: v.createdAt.toISOString(), message: v.message, createdBy: v.createdBy });

export const runRowToWire = (r: RunListRow): RunListItem => ({
  id: r.id, automation: r.automation, customer: r.customer, status: r.status, mode: r.mode, startedAt: r.startedAt.toISOString(),
  durationMs: r.durationMs, flowId: r.flowId, flowVersion: r.flowVersion, flowName: r.flowName,
});

type AnyStep = Omit<StepRecord, 'error' | 'requestLog' | 'status'> & { status: string; error?: unknown; requestLog?: unknown };
export const stepToWire = (s: AnyStep): RunStep => ({
  seq: s.seq, nodeId: s.nodeId, blockId: s.blockId, status: s.status, input: s.input ?? null, output: s.output ?? null, port: s.port ?? null,
  error: (s.error as SerializedError | undefined) ?? null, startedAt: s.startedAt, durationMs: s.durationMs,
  requestLog: Array.isArray(s.requestLog) ? s.requestLog : null,
  ...(s.attempts ? { attempts: s.attempts } : {}),
  ...(s.errorHandled ? { errorHandled: s.errorHandled } : {}),
});

export const runToWire = (r: RunDetailView): RunDetail => ({
  id: r.id, status: r.status as RunStatus, automation: r.automation, customer: r.customerExternalId ?? null, mode: r.mode,
  flowId: r.flowId ?? null, flowVersion: r.flowVersion ?? null, flowName: r.flowName, startedAt: r.startedAt, finishedAt: r.finishedAt,
  durationMs: r.durationMs, trigger: r.trigger ?? null, response: r.response ?? null, error: (r.error as SerializedError | null) ?? null,
  steps: r.steps.map(stepToWire),
  explanation: (r.explanation as RunDetail['explanation']) ?? null,
});
