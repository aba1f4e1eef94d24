import { describe, expect, it } from 'vitest';
import { layoutHistory } from './history-layout';

const run = (id: string, read: number, durationMs: number | null, status = 'succeeded') => ({ id, read, durationMs, status, startedAt: '2026-01-01T00:00:00Z' });

describe('layoutHistory', () => {
  it('puts the oldest run on the left and scales records and duration to their own maxima', () => {
    const { bars, maxRecords, maxDurationMs } = layoutHistory([run('new', 50, 2000), run('old', 100, 500)], { width: 200, height: 100 });
    expect(bars.map((b) => b.id)).toEqual(['old', 'new']);
    expect(maxRecords).toBe(100);
    expect(maxDurationMs).toBe(2000);
    expect(bars[0]).toMatchObject({ recordsHeight: 100, durationHeight: 25 });
    expect(bars[1]).toMatchObject({ recordsHeight: 50, durationHeight: 100 });
    expect(bars[1].x).toBeGreaterThan(bars[0].x);
  });
  it('draws nothing for zero and keeps tiny values visible', () => {
    const { bars } = layoutHistory([run('a', 0, null), run('b', 1, 1), run('c', 10_000, 100_000)], { width: 300, height: 80 });
    expect(bars.find((b) => b.id === 'a')).toMatchObject({ recordsHeight: 0, durationHeight: 0 });
    expect(bars.find((b) => b.id === 'b')).toMatchObject({ recordsHeight: 1, durationHeight: 1 });
  });
});
