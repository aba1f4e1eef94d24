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
  phase: 'queued' | 'phonebook_changes' | 'changes' | 'to_crm' | 'comparing' | 'done';
  label: string;
}

export function syncProgress(r: ProgressInput): SyncProgress {
  const running = r.stats.phase === 'comparing' || r.stats.phase === 'phonebook_changes' || r.stats.phase === 'to_crm' ? r.stats.phase : 'changes';
  const phase = r.status === 'queued' ? 'queued' : r.status !== 'running' ? 'done' : running;
  if (phase === 'done') return { fraction: 1, phase, label: r.status };
  if (phase === 'queued') return { fraction: 0, phase, label: 'waiting for a worker' };
  // Two-way: the phonebook's changes are read first, the CRM's next, then the phonebook's are written to the CRM.
  if (phase === 'phonebook_changes') {
    const n = Number(r.stats.phonebookChangesRead ?? 0);
    return { fraction: null, phase, label: `phone system → CRM: ${n.toLocaleString('en')} phonebook changes read` };
  }
  if (phase === 'to_crm') {
    const total = Number(r.stats.toCrmTotal ?? 0), done = Math.min(total, Number(r.stats.toCrmDone ?? 0));
    return { fraction: total ? done / total : null, phase, label: `phone system → CRM: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} changes written` };
  }
  if (phase === 'comparing') {
    const ids = Number(r.stats.sourceIds ?? 0);
    return { fraction: null, phase, label: `comparing ids: ${ids.toLocaleString('en')} read from the source` };
  }
  const total = r.total_estimate === null ? null : Math.max(r.total_estimate, r.read);
  const fraction = total ? Math.min(1, r.read / total) : total === 0 ? 1 : null;
  return { fraction, phase, label: total === null ? `${r.read.toLocaleString('en')} read` : `${r.read.toLocaleString('en')} of ~${total.toLocaleString('en')} read` };
}

/** A two-way run's counts per direction (zeros for a one-way run), for the Syncs page and the CLI. */
export interface DirectionCounts {
  twoWay: boolean;
  toPhonebook: { read: number; added: number; updated: number; deleted: number; unchanged: number; failed: number };
  toCrm: { read: number; created: number; updated: number; deleted: number; unchanged: number; failed: number; echoes: number };
  conflicts: number;
}

export function directionCounts(r: { read: number; stats: Record<string, unknown> }): DirectionCounts {
  const n = (k: string) => Number(r.stats[k] ?? 0) || 0;
  return {
    twoWay: r.stats.direction === 'two_way',
    toPhonebook: { read: r.read, added: n('phonebookAdded'), updated: n('phonebookUpdated'), deleted: n('phonebookDeleted'), unchanged: n('phonebookUnchanged') + n('crmEchoes'), failed: n('phonebookFailed') },
    toCrm: { read: n('phonebookChangesRead'), created: n('crmCreated'), updated: n('crmUpdated'), deleted: n('crmDeleted'), unchanged: n('crmUnchanged'), failed: n('crmFailed'), echoes: n('phonebookEchoes') },
    conflicts: n('conflicts'),
  };
}

/** "CRM → phone +2 ~5 −0 · phone → CRM +1 ~3 −0 · 1 conflict" (empty for a one-way run). */
export function directionSummary(r: { read: number; stats: Record<string, unknown> }): string {
  const c = directionCounts(r);
  if (!c.twoWay) return '';
  const s = (o: { added?: number; created?: number; updated: number; deleted: number; failed: number }) =>
    `+${(o.added ?? o.created ?? 0).toLocaleString('en')} ~${o.updated.toLocaleString('en')} −${o.deleted.toLocaleString('en')}${o.failed ? ` ✗${o.failed.toLocaleString('en')}` : ''}`;
  return `CRM → phone ${s(c.toPhonebook)} · phone → CRM ${s(c.toCrm)} · ${c.conflicts.toLocaleString('en')} conflict${c.conflicts === 1 ? '' : 's'}`;
}
