// Writes one call's log to the customer's CRM and keeps it right afterwards: the first run logs it (the CRM
// contract's logCall, which finds a log already written with the same call id before creating one) and stores the
// record reference on the call session in the same step; later runs (notes edited, recording ready, a retried
// delivery) update that same record, or do nothing when nothing changed. Values not given come from the session.
import { z } from 'zod';
import type { CallSessionView } from '../../core/call-session';
import { defineBlock, OUT_PORT, type RunContext } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import { crmApiOf, crmSystems } from '../../connectors/crm-blocks';
import { callDirectionSchema, callStatusSchema, recordRefSchema, type CallLogChangesInput, type CallLogInput, type RecordRef } from '../../connectors/kit/crm-contract';

const crmParam = z.string().min(1).refine((s) => crmSystems().includes(s), { message: 'a CRM id such as hubspot, salesforce or pipedrive (or =options.crm)' });

/** What was written, to tell later whether the record needs an update. */
const loggedSchema = z.object({ status: z.string().nullable(), durationSec: z.number().nullable(), recordingUrl: z.string().nullable(), notes: z.string().nullable() });
type Logged = z.infer<typeof loggedSchema>;
export interface CallLogRecord { ref: RecordRef; logged: Logged; at: string }

const optStr = (max: number) => z.string().max(max).nullish();

export const callLogToCrm = defineBlock({
  id: 'call.logToCrm',
  effect: { what: 'Log the call in the CRM (or update its log)', simulate: () => ({ output: { action: 'created', ref: null } }) },
  version: 1,
  title: 'Log the call in the CRM (once)',
  description: 'Logs the call the CRM\'s native way, linked to contact and agent, exactly once per call: the record is kept on the call session and updated when notes, recording or outcome change later.',
  category: 'CRM',
  icon: 'phone-call',
  params: z.object({
    crm: crmParam.describe('The CRM: =options.crm'),
    callId: z.string().min(1).max(200),
    contactId: optStr(256),
    companyId: optStr(256),
    agent: optStr(256).describe('CRM user id (or email) of the agent, e.g. =steps.agent.user.id'),
    direction: callDirectionSchema.nullish(),
    status: callStatusSchema.nullish(),
    startedAt: optStr(64),
    endedAt: optStr(64),
    durationSec: z.number().int().min(0).nullish(),
    from: optStr(64),
    to: optStr(64),
    recordingUrl: optStr(2048).describe('Default: the stored recording\'s link, else the phone system\'s'),
    notes: z.string().max(20_000).nullish(),
    subject: optStr(255),
    /** Only update a log written before (notes.updated, recording.ready): never create one. */
    onlyUpdate: z.boolean().default(false),
  }),
  output: z.object({ action: z.enum(['created', 'updated', 'unchanged', 'skipped']), ref: recordRefSchema.nullable() }),
  ports: OUT_PORT,
  summarize: (p) => `${String(p.crm ?? '')} call ${String(p.callId ?? '')}`,
  async run(ctx, p) {
    const api = crmApiOf(p.crm);
    const call = api.callFromRun(ctx, await ctx.connections.get(p.crm));
    const session = ctx.calls ? await ctx.calls.get(p.callId) : null;
    const existing = logRecordOf(session, p.crm);
    const want = valuesOf(p, session);

    if (existing) {
      const changes = changesBetween(existing.logged, want.logged);
      if (!changes) return { output: { action: 'unchanged' as const, ref: existing.ref } };
      const out = await api.updateCallLog(call, existing.ref, changes);
      await save(ctx, p.callId, { ref: existing.ref, logged: want.logged, at: new Date().toISOString() });
      return { output: { action: 'updated' as const, ref: out.ref } };
    }
    if (p.onlyUpdate) return { output: { action: 'skipped' as const, ref: null } };
    if (!want.log.startedAt) throw new PatchbayError('invalid_params', 'The call has no start time (neither in the params nor in its session)', { path: ['startedAt'] });
    if (!want.log.direction) throw new PatchbayError('invalid_params', 'The call has no direction (neither in the params nor in its session)', { path: ['direction'] });
    // logCall with the callId finds a log an interrupted earlier attempt wrote before creating one.
    const ref = await api.logCall(call, want.log as CallLogInput);
    await save(ctx, p.callId, { ref, logged: want.logged, at: new Date().toISOString() });
    // Notes or the recording may have changed while the log was being written: bring it up to date once.
    const fresh = ctx.calls ? await ctx.calls.get(p.callId) : null;
    if (fresh) {
      const now = valuesOf(p, fresh).logged;
      const changes = changesBetween(want.logged, now);
      if (changes) {
        await api.updateCallLog(call, ref, changes);
        await save(ctx, p.callId, { ref, logged: now, at: new Date().toISOString() });
      }
    }
    return { output: { action: 'created' as const, ref } };
  },
});

async function save(ctx: RunContext, callId: string, rec: CallLogRecord): Promise<void> {
  await ctx.calls?.saveRecord(callId, 'log', rec);
}

function logRecordOf(s: CallSessionView | null, crm: string): CallLogRecord | null {
  const r = s?.records.log as CallLogRecord | undefined;
  if (!r?.ref || r.ref.system !== crm) return null;
  return r;
}

type Params = z.infer<typeof callLogToCrm.params>;

function valuesOf(p: Params, s: CallSessionView | null): { log: Partial<CallLogInput>; logged: Logged } {
  const c = s?.call;
  const stored = (s?.records.recording as { url?: string } | undefined)?.url;
  const pick = <T>(a: T | null | undefined, b: T | null | undefined): T | undefined => (a !== null && a !== undefined && a !== '' ? a : b ?? undefined);
  const status = pick(p.status, c?.status as Params['status']) ?? 'answered';
  const log: Partial<CallLogInput> = {
    callId: p.callId,
    direction: pick(p.direction, c?.direction),
    status,
    startedAt: pick(p.startedAt, c?.startedAt),
    endedAt: pick(p.endedAt, c?.endedAt),
    durationSec: pick(p.durationSec, c?.durationSec === null || c?.durationSec === undefined ? undefined : Math.round(c.durationSec)),
    from: pick(p.from, c?.from),
    to: pick(p.to, c?.to),
    agent: pick(p.agent, undefined),
    contactId: pick(p.contactId, undefined),
    companyId: pick(p.companyId, undefined),
    recordingUrl: pick(p.recordingUrl, stored ?? c?.recordingUrl),
    notes: pick(p.notes, c?.notes),
    subject: pick(p.subject, undefined),
  };
  for (const k of Object.keys(log) as (keyof typeof log)[]) if (log[k] === undefined) delete log[k];
  return { log, logged: { status, durationSec: log.durationSec ?? null, recordingUrl: log.recordingUrl ?? null, notes: log.notes ?? null } };
}

function changesBetween(before: Logged, after: Logged): CallLogChangesInput | null {
  const ch: CallLogChangesInput = {};
  if (after.status && after.status !== before.status) ch.status = after.status as CallLogChangesInput['status'];
  if (after.durationSec !== null && after.durationSec !== before.durationSec) ch.durationSec = after.durationSec;
  if (after.recordingUrl && after.recordingUrl !== before.recordingUrl) ch.recordingUrl = after.recordingUrl;
  if (after.notes !== null && after.notes !== before.notes) { ch.notes = after.notes; ch.notesMode = 'replace'; }
  return Object.keys(ch).length ? ch : null;
}
