'use client';
// Latency over time above the runs table: p50/p95/p99 of live runs' flow duration per time bucket, with the
// number of runs as faint bars and failed ones marked; the same filters as the table (status aside), the last
// 24 hours when the table shows any time. Hover a column for its figures.
import { formatDuration } from '../ui/time-format';
import { layoutLatency, type Percentile } from './latency-layout';
import styles from './runs-list.module.css';
import type { RunStatsWire } from '@/lib/staff-api/contract';

const W = 720;
const H = 120;
const TOP = 8;
const AXIS = 44;
const LINES: { k: Percentile; label: string; cls: string }[] = [
  { k: 'p50', label: 'p50', cls: styles.p50 },
  { k: 'p95', label: 'p95', cls: styles.p95 },
  { k: 'p99', label: 'p99', cls: styles.p99 },
];

/** A bucket's length in words: 5 min, 1 h, 1 d. */
export function bucketLabel(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

const clock = (iso: string, withDay: boolean) => new Date(iso).toLocaleString(undefined, withDay ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit' });

export function LatencyChart({ stats, windowLabel }: { stats: RunStatsWire; windowLabel: string }) {
  const l = layoutLatency(stats, { width: W - AXIS, height: H });
  const t = stats.total;
  const multiDay = new Date(stats.to).getTime() - new Date(stats.from).getTime() >= 86_400_000;
  const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
  const yOf = (ms: number) => H - (ms / l.yMaxMs) * H;
  return (
    <div className={`card ${styles.latency}`} data-testid="latency-chart">
      <div className={styles.latencyHead}>
        <strong>Latency</strong>
        <span className="muted" data-testid="latency-summary">
          {t.count === 0 ? `no live runs in ${windowLabel}` : `${plural(t.count, 'live run', 'live runs')} in ${windowLabel} · p50 ${formatDuration(t.p50)} · p95 ${formatDuration(t.p95)} · p99 ${formatDuration(t.p99)}${t.failed ? ` · ${t.failed.toLocaleString()} failed` : ''}`}
        </span>
      </div>
      <svg viewBox={`0 ${-TOP} ${W} ${H + 18 + TOP}`} role="img" aria-label={`Flow duration percentiles per ${bucketLabel(stats.bucketMs)} in ${windowLabel}`}>
        {l.ticks.map((tk) => (
          <g key={tk.ms}>
            <line x1={AXIS} x2={W} y1={tk.y} y2={tk.y} className={styles.grid} />
            <text x={AXIS - 6} y={tk.y + 4} textAnchor="end" className={styles.axisLabel}>{formatDuration(tk.ms)}</text>
          </g>
        ))}
        <g transform={`translate(${AXIS} 0)`}>
          {l.columns.map((c) => (
            <g key={c.t} data-testid={c.count ? 'latency-bucket' : undefined}>
              <title>{c.count ? `${clock(c.t, multiDay)} · ${plural(c.count, 'run', 'runs')}${c.failed ? `, ${c.failed} failed` : ''} · p50 ${formatDuration(c.p50)} · p95 ${formatDuration(c.p95)} · p99 ${formatDuration(c.p99)}` : `${clock(c.t, multiDay)} · no runs`}</title>
              <rect x={c.x} y={0} width={c.width} height={H} fill="transparent" />
              {c.count > 0 && <rect x={c.x + c.width * 0.15} y={H - c.countHeight} width={c.width * 0.7} height={c.countHeight} className={c.failed ? styles.countFailed : styles.count} />}
            </g>
          ))}
          {LINES.map((ln) => l.paths[ln.k] && <path key={ln.k} d={l.paths[ln.k]} className={`${ln.cls} ${styles.line}`} />)}
          {/* dots too: a bucket between two empty ones has no line to show it */}
          {LINES.map((ln) => l.columns.map((c) => c[ln.k] !== null && (
            <circle key={`${ln.k}-${c.t}`} cx={c.x + c.width / 2} cy={yOf(c[ln.k]!)} r={2.2} className={`${ln.cls} ${styles.dot}`} />
          )))}
          {l.columns.length > 0 && (
            <>
              <text x={0} y={H + 14} className={styles.axisLabel}>{clock(l.columns[0].t, multiDay)}</text>
              <text x={W - AXIS} y={H + 14} textAnchor="end" className={styles.axisLabel}>{clock(stats.to, multiDay)}</text>
            </>
          )}
        </g>
      </svg>
      <div className={styles.legend}>
        {LINES.map((ln) => <span key={ln.k}><span className={`${styles.swatchLine} ${ln.cls}`} />{ln.label}</span>)}
        <span><span className={`${styles.swatch} ${styles.count}`} />runs per {bucketLabel(stats.bucketMs)} (max {l.maxCount.toLocaleString()})</span>
        <span><span className={`${styles.swatch} ${styles.countFailed}`} />with failures</span>
      </div>
    </div>
  );
}
