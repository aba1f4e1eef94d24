// Later details of a logged call (the agent's notes, the final result, the recording once it is stored)
// update the same Task: CallDisposition and CallDurationInSeconds directly, the Description by replacing
// its "Recording:" line and appending the notes, so what the phone system wrote first is kept.
import { z } from 'zod';
import { defineBlock, OUT_PORT } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import type { ConnectorCall } from '../kit/contact-source';
import { connectorCall, createSalesforceClient } from './client';
import { CALL_STATUSES, dispositionOf, RECORDING_PREFIX } from './log-call';
import { API_BASE, isSalesforceId } from './soql';

export const updateCallLogParams = z.object({
  taskId: z.string().min(1).describe('taskId returned by "Salesforce: log call"'),
  notes: z.string().max(20000).nullish(),
  /** Replace the notes instead of appending them. */
  replaceNotes: z.boolean().default(false),
  status: z.enum(CALL_STATUSES).nullish(),
  disposition: z.string().max(255).nullish(),
  durationSec: z.number().int().min(0).nullish(),
  recordingUrl: z.url().nullish(),
});

export type UpdateCallLogArgs = z.input<typeof updateCallLogParams>;

function mergeDescription(current: string, p: z.infer<typeof updateCallLogParams>): string {
  const [header, ...rest] = current.split('\n\n');
  let head = header ?? '';
  let notes = rest.join('\n\n');
  if (p.recordingUrl) {
    const lines = head.split('\n').filter((l) => l && !l.startsWith(RECORDING_PREFIX));
    head = [...lines, RECORDING_PREFIX + p.recordingUrl].join('\n');
  }
  if (p.notes) notes = p.replaceNotes || !notes ? p.notes : `${notes}\n\n${p.notes}`;
  return notes ? `${head}\n\n${notes}` : head;
}

export async function updateCallLog(call: ConnectorCall, args: UpdateCallLogArgs): Promise<{ taskId: string; updated: string[] }> {
  const p = updateCallLogParams.parse(args);
  if (!isSalesforceId(p.taskId) || !p.taskId.startsWith('00T')) throw new PatchbayError('invalid_params', `"${p.taskId}" is not a Salesforce Task id (00T…)`);
  const sf = createSalesforceClient(call);
  const path = `${API_BASE}/sobjects/Task/${p.taskId}`;
  const patch: Record<string, unknown> = {};
  if (p.disposition || p.status) patch.CallDisposition = p.disposition ?? dispositionOf(p.status!);
  if (p.durationSec !== undefined && p.durationSec !== null) patch.CallDurationInSeconds = p.durationSec;
  if (p.notes || p.recordingUrl) {
    const cur = await sf.request<{ Description: string | null }>({ path, query: { fields: 'Description' } });
    patch.Description = mergeDescription(cur.body.Description ?? '', p);
  }
  const updated = Object.keys(patch);
  // A PATCH of the same fields is idempotent, so the shared client may retry it.
  if (updated.length) await sf.request({ method: 'PATCH', path, body: patch, retry: true });
  return { taskId: p.taskId, updated };
}

export const salesforceUpdateCallLog = defineBlock({
  id: 'salesforce.updateCallLog',
  effect: { what: 'Update the call log in Salesforce' },
  version: 1,
  title: 'Salesforce: update logged call',
  description: 'Adds notes, the call result or the recording link to a call logged earlier.',
  category: 'CRM',
  icon: 'phone',
  connector: 'salesforce',
  params: updateCallLogParams,
  output: z.object({ taskId: z.string(), updated: z.array(z.string()) }),
  ports: OUT_PORT,
  summarize: (p) => `task ${String(p.taskId ?? '')}`,
  async run(ctx, params) {
    return { output: await updateCallLog(await connectorCall(ctx), params) };
  },
});
