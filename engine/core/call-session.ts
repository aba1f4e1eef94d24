// A phone call as the phone system's events describe it. The events of one call share a call id, arrive out of
// order and minutes apart, and are re-delivered; `applyCallEvent` folds any of them, in any order, any number of
// times, into the same session. The host stores sessions (lib/calls/); blocks reach them through ctx.calls.
import { z } from 'zod';

export const CALL_EVENTS = ['call.ringing', 'call.answered', 'call.transferred', 'call.ended', 'call.missed', 'call.declined', 'recording.ready', 'notes.updated'] as const;
export type CallEventName = (typeof CALL_EVENTS)[number];

export const CALL_STATES = ['ringing', 'answered', 'transferred', 'ended', 'missed', 'declined'] as const;
export type CallState = (typeof CALL_STATES)[number];

/** Final statuses, in the CRM contract's vocabulary. */
export type CallOutcome = 'answered' | 'missed' | 'declined' | 'busy' | 'voicemail' | 'transferred' | 'failed';

const nullableString = (max: number) => z.string().max(max).nullish();

/** One event body as the phone system sends it (unknown fields are ignored). */
export const callEventSchema = z.object({
  event: z.enum(CALL_EVENTS),
  // NUL cannot be stored in PostgreSQL text: it becomes U+FFFD, as it does in run records.
  callId: z.string().trim().min(1).max(200).transform((s) => s.replace(/\u0000/g, '\ufffd')),
  direction: z.enum(['inbound', 'outbound']).nullish(),
  from: nullableString(64),
  to: nullableString(64),
  agentEmail: nullableString(256),
  startedAt: nullableString(64),
  durationSec: z.number().min(0).max(7 * 24 * 3600).nullish(),
  status: nullableString(32),
  transferredTo: nullableString(256),
  recordingUrl: nullableString(2048),
  notes: z.string().max(20_000).nullish(),
  occurredAt: nullableString(64),
});
export type CallEventBody = z.infer<typeof callEventSchema>;

export interface CallInfo {
  direction: 'inbound' | 'outbound' | null;
  from: string | null;
  to: string | null;
  agentEmail: string | null;
  startedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  durationSec: number | null;
  /** Known once the call is over (ended, missed or declined). */
  status: CallOutcome | null;
  transferredTo: string | null;
  recordingUrl: string | null;
  notes: string | null;
  /** When the notes kept were written (the newest notes.updated wins, whatever order they arrive in). */
  notesAt: string | null;
}

export interface CallEventEntry {
  event: CallEventName;
  deliveryId: string;
  occurredAt: string | null;
  receivedAt: string;
}

export interface CallSessionView {
  callId: string;
  state: CallState;
  call: CallInfo;
  events: CallEventEntry[];
  /** Records written for the call, by role (log, task, recording, contact …). */
  records: Record<string, unknown>;
}

export const EMPTY_CALL: CallInfo = {
  direction: null, from: null, to: null, agentEmail: null, startedAt: null, answeredAt: null, endedAt: null, durationSec: null,
  status: null, transferredTo: null, recordingUrl: null, notes: null, notesAt: null,
};

const RANK: Record<CallState, number> = { ringing: 1, answered: 2, transferred: 3, ended: 4, missed: 4, declined: 4 };
const STATE_OF: Partial<Record<CallEventName, CallState>> = {
  'call.ringing': 'ringing', 'call.answered': 'answered', 'call.transferred': 'transferred', 'call.ended': 'ended', 'call.missed': 'missed', 'call.declined': 'declined',
};

export function isTerminal(state: CallState): boolean {
  return RANK[state] === 4;
}

const iso = (v: string | null | undefined): string | null => {
  if (!v) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
};

/** The phone system's status words → the contract's. */
function outcomeOf(status: string | null | undefined): CallOutcome | null {
  switch ((status ?? '').toLowerCase()) {
    case 'answered': case 'completed': case 'connected': return 'answered';
    case 'missed': case 'no_answer': case 'no-answer': case 'unanswered': return 'missed';
    case 'declined': case 'rejected': return 'declined';
    case 'busy': return 'busy';
    case 'voicemail': return 'voicemail';
    case 'transferred': return 'transferred';
    case 'failed': return 'failed';
    default: return null;
  }
}

/**
 * Folds one event into a session. Idempotent (an event already seen by delivery id changes nothing) and
 * order-independent: the state only moves forward, the first value of each fact is kept, the newest notes win.
 */
export function applyCallEvent(prev: CallSessionView | null, ev: CallEventBody, deliveryId: string, receivedAt: Date): { session: CallSessionView; changed: boolean } {
  const base: CallSessionView = prev ?? { callId: ev.callId, state: 'ringing', call: { ...EMPTY_CALL }, events: [], records: {} };
  if (base.events.some((e) => e.deliveryId === deliveryId)) return { session: base, changed: false };
  const call: CallInfo = { ...base.call };
  const occurredAt = iso(ev.occurredAt);
  const keep = <K extends keyof CallInfo>(k: K, v: CallInfo[K] | null | undefined) => { if (call[k] === null && v !== null && v !== undefined && v !== '') call[k] = v as CallInfo[K]; };
  keep('direction', ev.direction ?? null);
  keep('from', ev.from ?? null);
  keep('to', ev.to ?? null);
  keep('agentEmail', ev.agentEmail ?? null);
  keep('startedAt', iso(ev.startedAt));

  let state = base.state;
  const next = STATE_OF[ev.event];
  // A terminal state is never replaced (a late "answered" does not reopen an ended call), except that the
  // first terminal event decides which one it is.
  if (next && (RANK[next] > RANK[state] || (!prev && next === 'ringing'))) state = next;

  switch (ev.event) {
    case 'call.answered':
      keep('answeredAt', occurredAt);
      break;
    case 'call.transferred':
      keep('transferredTo', ev.transferredTo ?? null);
      keep('answeredAt', occurredAt);
      break;
    case 'call.ended': {
      keep('endedAt', occurredAt);
      if (ev.durationSec !== null && ev.durationSec !== undefined) call.durationSec = Math.round(ev.durationSec);
      const said = outcomeOf(ev.status);
      if (said) call.status = said;
      break;
    }
    case 'call.missed':
    case 'call.declined':
      keep('endedAt', occurredAt);
      call.status = ev.event === 'call.missed' ? 'missed' : 'declined';
      call.durationSec ??= 0;
      break;
    case 'recording.ready':
      if (ev.recordingUrl) call.recordingUrl = ev.recordingUrl;
      break;
    case 'notes.updated': {
      const at = occurredAt ?? new Date(receivedAt).toISOString();
      if (typeof ev.notes === 'string' && (!call.notesAt || at >= call.notesAt)) { call.notes = ev.notes; call.notesAt = at; }
      break;
    }
  }
  // Notes may ride on any event (a phone system that sends them with call.ended).
  if (ev.event !== 'notes.updated' && typeof ev.notes === 'string' && ev.notes && call.notes === null) { call.notes = ev.notes; call.notesAt = occurredAt; }
  if (ev.recordingUrl && call.recordingUrl === null) call.recordingUrl = ev.recordingUrl;

  // Once over, the status follows from what happened when the phone system did not say.
  if (isTerminal(state)) {
    if (state === 'missed' || state === 'declined') call.status = state;
    else if (!call.status || call.status === 'answered') {
      const seen = new Set([...base.events.map((e) => e.event), ev.event]);
      call.status = seen.has('call.transferred') ? 'transferred' : call.status ?? (seen.has('call.answered') ? 'answered' : (call.durationSec ?? 0) > 0 ? 'answered' : 'missed');
    }
    if (call.durationSec === null && call.answeredAt && call.endedAt) call.durationSec = Math.max(0, Math.round((Date.parse(call.endedAt) - Date.parse(call.answeredAt)) / 1000));
    if (!call.endedAt && call.startedAt && call.durationSec !== null) call.endedAt = new Date(Date.parse(call.startedAt) + call.durationSec * 1000).toISOString();
  }
  const entry: CallEventEntry = { event: ev.event, deliveryId, occurredAt, receivedAt: receivedAt.toISOString() };
  const events = [...base.events, entry].sort((a, b) => (a.occurredAt ?? a.receivedAt).localeCompare(b.occurredAt ?? b.receivedAt));
  return { session: { callId: base.callId, state, call, events, records: base.records }, changed: true };
}

export type CallWaitUntil = 'ended' | 'recording';

/** Whether a run waiting on the session may go on. */
export function waitSatisfied(s: CallSessionView, until: CallWaitUntil): boolean {
  return until === 'ended' ? isTerminal(s.state) : s.call.recordingUrl !== null;
}

/** What blocks may ask of the host's call sessions (absent where no database runs). */
export interface CallSessionPort {
  get(callId: string): Promise<CallSessionView | null>;
  /**
   * Registers the run as waiting on the session unless the condition already holds (checked and registered
   * under the session's lock, so an event arriving meanwhile is not missed).
   */
  waitFor(callId: string, until: CallWaitUntil, resumeAt: Date): Promise<{ satisfied: boolean; session: CallSessionView | null }>;
  /** Stores a record written for the call under a role (log, task, recording …). */
  saveRecord(callId: string, role: string, record: unknown): Promise<void>;
  /**
   * Stores the record only if the role has none yet, atomically (two runs of the same call at once: one wins);
   * answers whether it did and the record the role holds now.
   */
  claimRecord?(callId: string, role: string, record: unknown): Promise<{ claimed: boolean; current: unknown }>;
}
