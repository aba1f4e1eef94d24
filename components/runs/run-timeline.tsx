'use client';
// The steps of a run as horizontal bars on a millisecond axis: each bar starts at the step's offset from the
// run's start and is as long as the step took. Bars are buttons: click, Enter or Space selects a step.
import { useEffect, useRef, useState } from 'react';
import type { RunStep } from '@/lib/staff-api/contract';
import { formatDuration } from '../ui/time-format';
import styles from './run-view.module.css';
import { formatTick, layoutTimeline } from './timeline-layout';

const LABEL_W = 210;
const RIGHT_PAD = 76;
const ROW_H = 30;
const AXIS_H = 26;
const BAR_H = 14;
const COLOR: Record<string, string> = { succeeded: '#16a34a', failed: '#dc2626', suspended: '#d97706' };

export function RunTimeline(p: { run: { startedAt: string; durationMs: number | null }; steps: RunStep[]; selected: number | null; onSelect: (seq: number) => void }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(960);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.max(480, Math.floor(e.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const layout = layoutTimeline(p.run, p.steps);
  const chartW = width - LABEL_W - RIGHT_PAD;
  const x = (ms: number) => LABEL_W + (ms / layout.totalMs) * chartW;
  const height = AXIS_H + p.steps.length * ROW_H + 8;

  return (
    <div ref={box} className={styles.timeline} data-testid="run-timeline">
      <svg width={width} height={height} role="group" aria-label={`Timeline of ${p.steps.length} steps over ${formatDuration(layout.totalMs)}`}>
        {layout.ticks.map((t) => (
          <g key={t} data-testid="timeline-tick">
            <line x1={x(t)} x2={x(t)} y1={AXIS_H - 6} y2={height - 4} stroke="#e5e7ef" />
            <text x={x(t)} y={AXIS_H - 10} textAnchor={t === 0 ? 'start' : 'middle'} className={styles.tick}>{formatTick(t)}</text>
          </g>
        ))}
        {p.steps.map((s, i) => {
          const bar = layout.bars[i];
          const y = AXIS_H + i * ROW_H;
          const bx = x(bar.offsetMs);
          const bw = Math.max(2, (bar.durationMs / layout.totalMs) * chartW);
          const selected = p.selected === s.seq;
          const select = () => p.onSelect(s.seq);
          return (
            <g
              key={s.seq}
              role="button"
              tabIndex={0}
              aria-pressed={selected}
              aria-label={`Step ${s.seq}, ${s.nodeId} (${s.blockId}): ${s.status}, started at +${formatDuration(bar.offsetMs)}, took ${formatDuration(bar.durationMs)}`}
              className={styles.stepRow}
              onClick={select}
              onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(); } }}
              data-testid="timeline-step"
              data-seq={s.seq}
              data-node-id={s.nodeId}
              data-status={s.status}
            >
              <rect x={0} y={y} width={width} height={ROW_H} className={selected ? styles.rowSelected : styles.rowBg} />
              <text x={8} y={y + ROW_H / 2 + 4} className={styles.stepLabel}>
                {truncate(s.nodeId, 18)}<tspan className={styles.stepBlock} dx={6}>{truncate(s.blockId, 16)}</tspan>
              </text>
              <rect x={bx} y={y + (ROW_H - BAR_H) / 2} width={bw} height={BAR_H} rx={3} fill={COLOR[s.status] ?? '#6b7280'} data-testid="timeline-bar" data-offset-ms={bar.offsetMs} data-duration-ms={bar.durationMs} />
              <text x={Math.min(bx + bw + 6, width - RIGHT_PAD + 6)} y={y + ROW_H / 2 + 4} className={styles.stepDur}>
                {formatDuration(bar.durationMs)}{s.port ? ` → ${s.port}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
