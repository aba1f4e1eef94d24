// In-memory call sessions for engine tests: the phone system's events folded with the same applyCallEvent the
// server uses, records kept per call; `failNextSave` makes the next saveRecord of a role throw, as a worker that
// dies right after an external write would leave things.
import { applyCallEvent, waitSatisfied, type CallEventBody, type CallSessionPort, type CallSessionView } from '../core/call-session';

export interface MemoryCalls extends CallSessionPort {
  /** Folds one event (a delivery id per call, like the phone webhook does). */
  event(ev: Omit<CallEventBody, 'callId'> & { callId: string }, deliveryId?: string): CallSessionView;
  sessions: Map<string, CallSessionView>;
  failNextSave(role: string, when?: (record: unknown) => boolean): void;
}

export function createMemoryCalls(): MemoryCalls {
  const sessions = new Map<string, CallSessionView>();
  let seq = 0;
  const failing: { role: string; when: (r: unknown) => boolean }[] = [];
  const clone = <T>(v: T): T => structuredClone(v);
  return {
    sessions,
    event(ev, deliveryId = `dlv_${++seq}`) {
      const { session } = applyCallEvent(sessions.get(ev.callId) ?? null, ev as CallEventBody, deliveryId, new Date());
      sessions.set(ev.callId, session);
      return clone(session);
    },
    async get(callId) { const s = sessions.get(callId); return s ? clone(s) : null; },
    async waitFor(callId, until) {
      const s = sessions.get(callId) ?? null;
      return { satisfied: !!s && waitSatisfied(s, until), session: s ? clone(s) : null };
    },
    async saveRecord(callId, role, record) {
      const i = failing.findIndex((f) => f.role === role && f.when(record));
      if (i >= 0) { failing.splice(i, 1); throw new Error(`worker died before recording ${role}`); }
      const s = sessions.get(callId) ?? { callId, state: 'ringing' as const, call: applyCallEvent(null, { event: 'call.ringing', callId } as CallEventBody, 'x', new Date()).session.call, events: [], records: {} };
      sessions.set(callId, { ...s, records: { ...s.records, [role]: clone(record) } });
    },
    async claimRecord(callId, role, record) {
      const current = sessions.get(callId)?.records[role];
      if (current !== undefined) return { claimed: false, current: clone(current) };
      await this.saveRecord(callId, role, record);
      return { claimed: true, current: clone(record) };
    },
    failNextSave(role, when = () => true) { failing.push({ role, when }); },
  };
}
