// How far a sync run is, for the staff page's bar and the CLI's: records read out of the estimate (the
// source's count of changes when it can tell; grows with what is read when the estimate runs short),
// or, while a full run compares ids, that phase.
export interface ProgressInput {
  status: string;
  read: number;
  total_estimate: number | null;
  stats: Record<string, unknown>;
}

export interface SyncProgress {
  /** 0..1, or null when the total is unknown (an indeterminate bar). */
  fraction: number | null;
  phase: 'queued' | 'changes' | 'comparing' | 'done';
  label: string;
}

export function syncProgress(r: ProgressInput): SyncProgress {
  const phase = r.status === 'queued' ? 'queued' : r.status !== 'running' ? 'done' : r.stats.phase === 'comparing' ? 'comparing' : 'changes';
  if (phase === 'done') return { fraction: 1, phase, label: r.status };
  if (phase === 'queued') return { fraction: 0, phase, label: 'waiting for a worker' };
  if (phase === 'comparing') {
    const ids = Number(r.stats.sourceIds ?? 0);
    return { fraction: null, phase, label: `comparing ids: ${ids.toLocaleString('en')} read from the source` };
  }
  const total = r.total_estimate === null ? null : Math.max(r.total_estimate, r.read);
  const fraction = total ? Math.min(1, r.read / total) : total === 0 ? 1 : null;
  return { fraction, phase, label: total === null ? `${r.read.toLocaleString('en')} read` : `${r.read.toLocaleString('en')} of ~${total.toLocaleString('en')} read` };
}
