import { describe, expect, it } from 'vitest';
import { applyCallEvent, waitSatisfied, type CallEventBody, type CallSessionView } from './call-session';

const base = { callId: 'c-1', direction: 'inbound' as const, from: '+14155550100', to: '+14155550199', agentEmail: 'agent@example.com', startedAt: '2026-03-01T09:00:00Z' };
const events: [CallEventBody, string][] = [
  [{ ...base, event: 'call.ringing', occurredAt: '2026-03-01T09:00:00Z' }, 'd1'],
  [{ ...base, event: 'call.answered', occurredAt: '2026-03-01T09:00:05Z' }, 'd2'],
  [{ ...base, event: 'call.ended', durationSec: 95, status: 'completed', occurredAt: '2026-03-01T09:01:40Z' }, 'd3'],
  [{ ...base, event: 'recording.ready', recordingUrl: 'https://pbx.example/rec/1', occurredAt: '2026-03-01T09:01:45Z' }, 'd4'],
  [{ ...base, event: 'notes.updated', notes: 'first', occurredAt: '2026-03-01T09:02:00Z' }, 'd5'],
  [{ ...base, event: 'notes.updated', notes: 'second', occurredAt: '2026-03-01T09:05:00Z' }, 'd6'],
];

function fold(list: [CallEventBody, string][]): CallSessionView {
  let s: CallSessionView | null = null;
  for (const [ev, id] of list) s = applyCallEvent(s, ev, id, new Date('2026-03-01T10:00:00Z')).session;
  return s!;
}

describe('call sessions', () => {
  it('folds a call in order into its final state', () => {
    const s = fold(events);
    expect(s.state).toBe('ended');
    expect(s.call).toMatchObject({ status: 'answered', durationSec: 95, recordingUrl: 'https://pbx.example/rec/1', notes: 'second', answeredAt: '2026-03-01T09:00:05.000Z', endedAt: '2026-03-01T09:01:40.000Z', agentEmail: 'agent@example.com' });
    expect(s.events.map((e) => e.deliveryId)).toEqual(['d1', 'd2', 'd3', 'd4', 'd5', 'd6']);
  });

  it('gives the same session whatever the order, and ignores repeated deliveries', () => {
    const forward = fold(events);
    const reverse = fold([...events].reverse());
    const shuffled = fold([events[3], events[5], events[0], events[2], events[2], events[4], events[1], events[5]]);
    expect(reverse.call).toEqual(forward.call);
    expect(reverse.state).toBe('ended');
    expect(shuffled.call).toEqual(forward.call);
    expect(shuffled.events).toHaveLength(6);
    expect(applyCallEvent(forward, events[2][0], 'd3', new Date()).changed).toBe(false);
  });

  it('a late answered event does not reopen an ended call; missed and declined calls have no duration', () => {
    const s = fold([[{ ...base, event: 'call.ended', durationSec: 30, status: 'completed', occurredAt: '2026-03-01T09:00:40Z' }, 'a'], [{ ...base, event: 'call.answered', occurredAt: '2026-03-01T09:00:05Z' }, 'b']]);
    expect(s.state).toBe('ended');
    const missed = fold([[{ ...base, event: 'call.missed', status: 'missed', occurredAt: '2026-03-01T09:00:25Z' }, 'm'], [{ ...base, event: 'call.ringing', occurredAt: '2026-03-01T09:00:00Z' }, 'r']]);
    expect(missed).toMatchObject({ state: 'missed', call: { status: 'missed', durationSec: 0 } });
    const declined = fold([[{ ...base, event: 'call.declined', occurredAt: '2026-03-01T09:00:03Z' }, 'x']]);
    expect(declined.call.status).toBe('declined');
  });

  it('a transferred call ends as transferred; an ended call without an answer is missed', () => {
    const t = fold([[{ ...base, event: 'call.answered' }, '1'], [{ ...base, event: 'call.transferred', transferredTo: 'queue:billing' }, '2'], [{ ...base, event: 'call.ended', durationSec: 80 }, '3']]);
    expect(t.call).toMatchObject({ status: 'transferred', transferredTo: 'queue:billing' });
    const unanswered = fold([[{ ...base, event: 'call.ringing' }, '1'], [{ ...base, event: 'call.ended', durationSec: 0 }, '2']]);
    expect(unanswered.call.status).toBe('missed');
  });

  it('tells a waiting run when it may go on', () => {
    const ended = fold(events.slice(0, 3));
    expect(waitSatisfied(ended, 'ended')).toBe(true);
    expect(waitSatisfied(ended, 'recording')).toBe(false);
    expect(waitSatisfied(fold(events.slice(0, 4)), 'recording')).toBe(true);
    expect(waitSatisfied(fold(events.slice(0, 2)), 'ended')).toBe(false);
  });
});
