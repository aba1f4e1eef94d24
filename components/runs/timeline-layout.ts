// Where each step sits on the run timeline: its start offset from the run's start and its duration, on a
// millisecond axis with round tick marks. Pure, so it is unit-tested apart from the SVG that draws it.
export interface TimelineStep { seq: number; startedAt: string; durationMs: number }
export interface TimelineBar { seq: number; offsetMs: number; durationMs: number }
export interface TimelineLayout { totalMs: number; bars: TimelineBar[]; ticks: number[] }

/** A round tick step (1, 2 or 5 × 10^k ms) giving at most `maxTicks` intervals over `totalMs`. */
export function tickStep(totalMs: number, maxTicks = 6): number {
  if (!(totalMs > 0)) return 1;
  const raw = totalMs / maxTicks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

const PRECISION_MS = 1;

export function layoutTimeline(run: { startedAt: string; durationMs: number | null }, steps: TimelineStep[], maxTicks = 6): TimelineLayout {
  const t0 = new Date(run.startedAt).getTime();
  let prevEnd = 0;
  const bars = steps.map((s) => {
    // Clock skew can never put a step before its run.
    let offsetMs = Math.max(0, new Date(s.startedAt).getTime() - t0);
    // Start times are recorded to the millisecond but durations to the microsecond, and steps run one after
    // another: a step that seems to start within 1 ms before the previous one ended really started at its end.
    if (offsetMs < prevEnd && offsetMs >= prevEnd - PRECISION_MS) offsetMs = prevEnd;
    const durationMs = Math.max(0, s.durationMs);
    prevEnd = offsetMs + durationMs;
    return { seq: s.seq, offsetMs, durationMs };
  });
  const end = Math.max(run.durationMs ?? 0, ...bars.map((b) => b.offsetMs + b.durationMs), 0);
  const step = tickStep(end, maxTicks);
  const totalMs = end > 0 ? Math.ceil(end / step) * step : 1;
  const ticks: number[] = [];
  for (let t = 0; t <= totalMs + step / 1e6; t += step) ticks.push(Number(t.toPrecision(12)));
  return { totalMs, bars, ticks };
}

export function formatTick(ms: number): string {
  if (ms === 0) return '0';
  if (ms >= 1000) return `${Number((ms / 1000).toPrecision(6))} s`;
  return `${Number(ms.toPrecision(6))} ms`;
}
