// Bars of the sync history chart: one slot per run, oldest on the left; records (read) and duration side by
// side, each scaled to its own maximum. Pure, so it is tested without a browser.
export interface HistoryRun { id: string; read: number; durationMs: number | null; status: string; startedAt: string }

export interface HistoryBar {
  id: string;
  x: number;
  /** Records bar (left of the slot) and duration bar (right), heights in px from the baseline. */
  recordsHeight: number;
  durationHeight: number;
  status: string;
  label: string;
}

export function layoutHistory(runs: HistoryRun[], o: { width: number; height: number; gap?: number }): { bars: HistoryBar[]; barWidth: number; maxRecords: number; maxDurationMs: number } {
  const list = [...runs].reverse();
  const gap = o.gap ?? 6;
  const slot = list.length ? o.width / list.length : o.width;
  const barWidth = Math.max(2, Math.min(18, (slot - gap) / 2));
  const maxRecords = Math.max(1, ...list.map((r) => r.read));
  const maxDurationMs = Math.max(1, ...list.map((r) => r.durationMs ?? 0));
  const scale = (v: number, max: number) => (v <= 0 ? 0 : Math.max(1, Math.round((v / max) * o.height)));
  const bars = list.map((r, i) => ({
    id: r.id,
    x: Math.round(i * slot + (slot - 2 * barWidth) / 2),
    recordsHeight: scale(r.read, maxRecords),
    durationHeight: scale(r.durationMs ?? 0, maxDurationMs),
    status: r.status,
    label: `${new Date(r.startedAt).toLocaleString()}: ${r.read.toLocaleString('en')} records in ${r.durationMs === null ? '—' : `${(r.durationMs / 1000).toFixed(1)} s`} (${r.status})`,
  }));
  return { bars, barWidth, maxRecords, maxDurationMs };
}
