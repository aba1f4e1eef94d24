// Where the latency chart draws things: one column per time bucket of the window (empty buckets stay empty),
// p50/p95/p99 as lines on a millisecond axis with round ticks, run counts as faint bars on their own scale.
// Pure, so it is unit-tested apart from the SVG.
import type { RunStatsWire } from '@/lib/staff-api/contract';
import { tickStep } from './timeline-layout';

export type Percentile = 'p50' | 'p95' | 'p99';
export interface LatencyColumn { t: string; x: number; width: number; count: number; failed: number; countHeight: number; p50: number | null; p95: number | null; p99: number | null }
export interface LatencyLayout {
  columns: LatencyColumn[];
  /** SVG path per percentile over the buckets that had runs (a gap where a bucket had none). */
  paths: Record<Percentile, string>;
  yMaxMs: number;
  ticks: { ms: number; y: number }[];
  maxCount: number;
}

export function layoutLatency(stats: RunStatsWire, box: { width: number; height: number }): LatencyLayout {
  const from = Math.floor(new Date(stats.from).getTime() / stats.bucketMs) * stats.bucketMs;
  const to = new Date(stats.to).getTime();
  const n = Math.max(1, Math.ceil((to - from) / stats.bucketMs));
  const width = box.width / n;
  const byT = new Map(stats.buckets.map((b) => [new Date(b.t).getTime(), b]));
  const top = Math.max(0, ...stats.buckets.map((b) => b.p99 ?? b.p95 ?? b.p50 ?? 0));
  const step = tickStep(top || 1, 4);
  const yMaxMs = Math.max(step, Math.ceil((top || 1) / step) * step);
  const y = (ms: number) => box.height - (ms / yMaxMs) * box.height;
  const maxCount = Math.max(0, ...stats.buckets.map((b) => b.count));
  const columns: LatencyColumn[] = [];
  for (let i = 0; i < n; i++) {
    const t = from + i * stats.bucketMs;
    const b = byT.get(t);
    columns.push({
      t: new Date(t).toISOString(), x: i * width, width, count: b?.count ?? 0, failed: b?.failed ?? 0,
      countHeight: maxCount && b ? (b.count / maxCount) * box.height * 0.35 : 0,
      p50: b?.p50 ?? null, p95: b?.p95 ?? null, p99: b?.p99 ?? null,
    });
  }
  const path = (k: Percentile) => {
    let d = '';
    let pen = false;
    for (const c of columns) {
      const v = c[k];
      if (v === null) { pen = false; continue; }
      const px = (c.x + c.width / 2).toFixed(1);
      const py = y(v).toFixed(1);
      d += `${pen ? 'L' : 'M'}${px} ${py} `;
      pen = true;
    }
    return d.trim();
  };
  const ticks: { ms: number; y: number }[] = [];
  for (let ms = 0; ms <= yMaxMs + 1e-9; ms += step) ticks.push({ ms, y: y(ms) });
  return { columns, paths: { p50: path('p50'), p95: path('p95'), p99: path('p99') }, yMaxMs, ticks, maxCount };
}
