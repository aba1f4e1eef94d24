import { describe, expect, it } from 'vitest';
import { layoutLatency } from './latency-layout';

const stats = {
  from: '2026-11-25T10:00:00.000Z', to: '2026-11-25T11:00:00.000Z', bucketMs: 300_000,
  buckets: [
    { t: '2026-11-25T10:00:00.000Z', count: 10, failed: 0, p50: 2, p95: 6, p99: 9, max: 12 },
    { t: '2026-11-25T10:05:00.000Z', count: 40, failed: 2, p50: 3, p95: 8, p99: 18, max: 30 },
    // 10:10 … 10:20 had no runs
    { t: '2026-11-25T10:25:00.000Z', count: 20, failed: 0, p50: 2.5, p95: 7, p99: 11, max: 11 },
  ],
  total: { count: 70, failed: 2, p50: 2.7, p95: 8, p99: 17, max: 30 },
};

describe('layoutLatency', () => {
  it('gives every bucket of the window a column, empty ones included, and scales counts to the busiest', () => {
    const l = layoutLatency(stats, { width: 600, height: 100 });
    expect(l.columns).toHaveLength(12);
    expect(l.columns[0]).toMatchObject({ x: 0, width: 50, count: 10 });
    expect(l.columns[2]).toMatchObject({ count: 0, p50: null, countHeight: 0 });
    expect(l.maxCount).toBe(40);
    expect(l.columns[1].countHeight).toBeCloseTo(35);
    expect(l.columns[0].countHeight).toBeCloseTo(8.75);
  });

  it('draws each percentile as a line with a gap over buckets without runs, on a round millisecond axis', () => {
    const l = layoutLatency(stats, { width: 600, height: 100 });
    expect(l.yMaxMs).toBe(20);
    expect(l.ticks.map((t) => t.ms)).toEqual([0, 5, 10, 15, 20]);
    expect(l.ticks[0].y).toBe(100);
    expect(l.ticks[4].y).toBe(0);
    // p99: 9 ms and 18 ms joined, then a new stroke at 10:25 (11 ms)
    expect(l.paths.p99).toBe('M25.0 55.0 L75.0 10.0 M275.0 45.0');
    expect(l.paths.p50.startsWith('M25.0 90.0 L75.0 85.0 M275.0')).toBe(true);
  });

  it('copes with a window without any run', () => {
    const l = layoutLatency({ ...stats, buckets: [], total: { count: 0, failed: 0, p50: null, p95: null, p99: null, max: null } }, { width: 600, height: 100 });
    expect(l.columns.every((c) => c.count === 0)).toBe(true);
    expect(l.paths).toEqual({ p50: '', p95: '', p99: '' });
    expect(l.yMaxMs).toBeGreaterThan(0);
  });
});
