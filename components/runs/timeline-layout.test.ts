import { describe, expect, it } from 'vitest';
import { formatTick, layoutTimeline, tickStep } from './timeline-layout';

describe('run timeline layout', () => {
  it('places steps by their offset from the run start and sizes them by duration', () => {
    const run = { startedAt: '2025-01-01T00:00:00.000Z', durationMs: 42 };
    const l = layoutTimeline(run, [
      { seq: 1, startedAt: '2025-01-01T00:00:00.000Z', durationMs: 0.4 },
      { seq: 2, startedAt: '2025-01-01T00:00:00.003Z', durationMs: 30 },
      { seq: 3, startedAt: '2025-01-01T00:00:00.035Z', durationMs: 5 },
    ]);
    expect(l.bars).toEqual([
      { seq: 1, offsetMs: 0, durationMs: 0.4 },
      { seq: 2, offsetMs: 3, durationMs: 30 },
      { seq: 3, offsetMs: 35, durationMs: 5 },
    ]);
    // 42 ms over at most 6 intervals → 10 ms ticks up to 50 ms.
    expect(l.ticks).toEqual([0, 10, 20, 30, 40, 50]);
    expect(l.totalMs).toBe(50);
  });

  it('extends the axis to a step that ends after the recorded run duration', () => {
    const l = layoutTimeline({ startedAt: '2025-01-01T00:00:00.000Z', durationMs: 100 }, [{ seq: 1, startedAt: '2025-01-01T00:00:01.000Z', durationMs: 200 }]);
    expect(l.totalMs).toBe(1200);
    expect(l.ticks.at(-1)).toBe(1200);
  });

  it('never places a step before its run and copes with an empty or instant run', () => {
    expect(layoutTimeline({ startedAt: '2025-01-01T00:00:00.010Z', durationMs: null }, [{ seq: 1, startedAt: '2025-01-01T00:00:00.000Z', durationMs: 0 }]).bars[0].offsetMs).toBe(0);
    const empty = layoutTimeline({ startedAt: '2025-01-01T00:00:00.000Z', durationMs: 0 }, []);
    expect(empty.totalMs).toBe(1);
    expect(empty.ticks).toEqual([0, 1]);
  });

  it('lines up sub-millisecond steps that share a recorded millisecond one after another', () => {
    const l = layoutTimeline({ startedAt: '2025-01-01T00:00:00.000Z', durationMs: 1 }, [
      { seq: 1, startedAt: '2025-01-01T00:00:00.000Z', durationMs: 0.25 },
      { seq: 2, startedAt: '2025-01-01T00:00:00.000Z', durationMs: 0.5 },
      { seq: 3, startedAt: '2025-01-01T00:00:00.000Z', durationMs: 0.1 },
    ]);
    expect(l.bars.map((b) => b.offsetMs)).toEqual([0, 0.25, 0.75]);
  });

  it('picks round tick steps', () => {
    expect(tickStep(7, 6)).toBe(2);
    expect(tickStep(0.9, 6)).toBeCloseTo(0.2);
    expect(tickStep(2500, 6)).toBe(500);
    expect(formatTick(2500)).toBe('2.5 s');
    expect(formatTick(0.2)).toBe('0.2 ms');
  });
});
