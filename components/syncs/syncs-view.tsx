'use client';
// The Syncs page: every contact sync of the vendor's customers, with a live progress bar while a run is
// queued or running (polled every second then, every 10 s otherwise), what the last runs did, and a
// history chart of records and duration per run. Editors can start an incremental or a full run, and start the
// first sync of a customer and CRM from the "Start a sync" form.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { CustomerListItem } from '@/lib/staff-api/contract';
import type { StartedSyncWire, SyncRunWire, SyncSourceWire, SyncWire } from '@/lib/sync/sync-wire';
import { apiGet, apiSend, useStaffMutation } from '../api-client';
import { useStaff } from '../staff/staff-context';
import { EmptyState } from '../ui/empty-state';
import { RelativeTime } from '../ui/relative-time';
import { StatusBadge } from '../ui/status-badge';
import { formatDuration } from '../ui/time-format';
import { layoutHistory } from './history-layout';
import { PhoneSystemForm } from './phone-system-form';
import styles from './syncs.module.css';

const SYNCS_KEY = ['syncs'] as const;

function useSyncs() {
  return useQuery({
    queryKey: SYNCS_KEY,
    queryFn: () => apiGet<SyncWire[]>('/api/staff/syncs'),
    refetchInterval: (q) => ((q.state.data ?? []).some((s) => s.current) ? 1000 : 10_000),
  });
}

export function SyncsView() {
  const syncs = useSyncs();
  const list = syncs.data ?? [];
  return (
    <div className="page" data-testid="syncs-page">
      <div className="page-head">
        <div>
          <h1>Contact syncs</h1>
          <p>CRM contacts kept in step with the CDP and the phone system&apos;s phonebook: incremental runs on a schedule, a daily full comparison for deletes.</p>
        </div>
      </div>
      {syncs.isError && <div className={styles.error}>Could not load the syncs: {(syncs.error as Error).message}</div>}
      {syncs.isSuccess && !list.length && (
        <EmptyState title="No contact syncs yet" testId="syncs-empty">
          Start the first one below: pick a customer and the CRM they connected. A sync also appears once a customer&apos;s
          {' '}<code>contact_sync</code> automation runs, or after <code>npx patchbay sync --customer … --source …</code>.
        </EmptyState>
      )}
      {syncs.isSuccess && <StartSyncForm existing={list} />}
      <div className={styles.list}>
        {list.map((s) => <SyncCard key={s.id} sync={s} />)}
      </div>
      <DeleteWebhooks />
      <PhoneSystemForm />
    </div>
  );
}

/**
 * Starts a customer's first sync from a CRM (or another run of an existing one): the run is queued at once and
 * its card appears above with live progress. CRMs the customer connected are offered first.
 */
function StartSyncForm({ existing }: { existing: SyncWire[] }) {
  const staff = useStaff();
  const customers = useQuery({ queryKey: ['customers'], queryFn: () => apiGet<CustomerListItem[]>('/api/staff/customers') });
  const sources = useQuery({ queryKey: ['sync-sources'], queryFn: () => apiGet<SyncSourceWire[]>('/api/staff/syncs/sources') });
  const [customer, setCustomer] = useState('');
  const [source, setSource] = useState('');
  const [mode, setMode] = useState<'incremental' | 'full'>('full');
  const [notice, setNotice] = useState<string | null>(null);
  const selectedCustomer = customer || customers.data?.[0]?.externalId || '';
  const list = sources.data ?? [];
  const connected = list.filter((x) => x.connectedCustomers.includes(selectedCustomer));
  const selectedSource = source || connected[0]?.id || list[0]?.id || '';
  const isConnected = connected.some((x) => x.id === selectedSource);
  const exists = existing.some((x) => x.customer.externalId === selectedCustomer && x.source === selectedSource);
  const start = useStaffMutation(
    () => apiSend<StartedSyncWire>('POST', '/api/staff/syncs/runs', { customer: selectedCustomer, source: selectedSource, mode }),
    {
      invalidate: [[...SYNCS_KEY]],
      onSuccess: (r) => setNotice(r.status === 'already_running' ? 'A run of this sync is already queued or running: it is shown above.' : 'Started: the run is shown above.'),
      onError: (e) => setNotice(e.message),
    },
  );
  return (
    <section className={`card ${styles.hooks}`} data-testid="start-sync">
      <h2>Start a sync</h2>
      <p className="muted">
        Reads the customer&apos;s contacts from their CRM into the CDP and the phonebook, then keeps them in step on a schedule
        (incremental every 15 min, a full comparison daily). A first run reads everything either way; a full run also compares every id and removes what the CRM no longer has.
      </p>
      <form className={styles.phoneForm} onSubmit={(e) => { e.preventDefault(); setNotice(null); start.mutate(undefined); }}>
        <label>Customer
          <select value={selectedCustomer} onChange={(e) => { setCustomer(e.target.value); setSource(''); setNotice(null); }} data-testid="start-sync-customer">
            {(customers.data ?? []).map((c) => <option key={c.id} value={c.externalId}>{c.name} ({c.externalId})</option>)}
          </select>
        </label>
        <label>CRM
          <select value={selectedSource} onChange={(e) => { setSource(e.target.value); setNotice(null); }} data-testid="start-sync-source">
            {[...connected, ...list.filter((x) => !connected.includes(x))].map((x) => (
              <option key={x.id} value={x.id}>{x.name}{x.connectedCustomers.includes(selectedCustomer) ? '' : ' (not connected)'}</option>
            ))}
          </select>
        </label>
        <label>Run
          <select value={mode} onChange={(e) => setMode(e.target.value === 'incremental' ? 'incremental' : 'full')} data-testid="start-sync-mode">
            <option value="full">Full (read everything, then compare ids for deletes)</option>
            <option value="incremental">Incremental (changes since the last run)</option>
          </select>
        </label>
        {selectedSource && !isConnected && <p className={styles.alert} data-testid="start-sync-warning">This customer has not connected {list.find((x) => x.id === selectedSource)?.name ?? selectedSource}: the run will fail until they do (customer portal → Connections).</p>}
        <div>
          <button type="submit" className="btn btn-sm" disabled={!selectedCustomer || !selectedSource || start.isPending || !staff.canWrite} title={staff.writeDeniedReason ?? undefined} data-testid="start-sync-submit">
            {exists ? 'Run now' : 'Start sync'}
          </button>
          {notice && <span className="muted" data-testid="start-sync-notice"> {notice}</span>}
        </div>
      </form>
    </section>
  );
}

/** Where the vendor's HubSpot app sends deletions, so they reach every customer's CDP and phonebook at once. */
function DeleteWebhooks() {
  const staff = useStaff();
  const [copied, setCopied] = useState(false);
  // The address this page is served from (known in the browser only; rendered after hydration).
  const [origin, setOrigin] = useState('');
  useEffect(() => setOrigin(window.location.origin), []);
  const url = `${origin}/api/v1/hooks/${encodeURIComponent(staff.vendor.slug)}/hubspot`;
  return (
    <section className={`card ${styles.hooks}`} data-testid="delete-webhooks">
      <h2>Deletes as they happen</h2>
      <p className="muted">
        Between full comparisons, a CRM can announce deletions itself. In your HubSpot app, set the webhook URL below and
        subscribe to <code>contact.deletion</code>, <code>contact.privacyDeletion</code> and <code>company.deletion</code>:
        Patchbay checks HubSpot&apos;s signature and removes the records from the customers connected to that HubSpot account.
      </p>
      <div className={styles.hookRow}>
        <code className={styles.hookUrl} data-testid="hubspot-webhook-url">{url}</code>
        <button type="button" className="btn btn-sm" onClick={() => { void navigator.clipboard?.writeText(url).then(() => setCopied(true)); }}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </section>
  );
}

function SyncCard({ sync }: { sync: SyncWire }) {
  const staff = useStaff();
  const [notice, setNotice] = useState<string | null>(null);
  const start = useStaffMutation(
    (a: 'incremental' | 'full' | { direction: 'one_way' | 'two_way'; conflictRule?: string }) => apiSend<StartedSyncWire>('POST', '/api/staff/syncs/runs', {
      customer: sync.customer.externalId, source: sync.source, ...(typeof a === 'string' ? { mode: a } : { mode: 'incremental', ...a }),
    }),
    {
      invalidate: [[...SYNCS_KEY]],
      onSuccess: (r) => setNotice(r.status === 'already_running' ? 'A run is already queued or running: it is shown below.' : null),
      onError: (e) => setNotice(e.message),
    },
  );
  const last = sync.history[0] ?? null;
  const busy = Boolean(sync.current) || start.isPending;
  return (
    <section className={`card ${styles.sync}`} data-testid="sync-card" data-id={sync.id}>
      <div className={styles.head}>
        <div>
          <h2>{sync.customer.name} · {sync.source} {sync.direction === 'two_way' ? '⇄' : '→'} {sync.destinations.join(' + ')}</h2>
          <div className={styles.meta}>
            {sync.direction === 'two_way' && <span data-testid="sync-direction">two-way (phonebook edits go to {sync.source}) · conflicts: {RULE_LABELS[sync.conflictRule] ?? sync.conflictRule} · </span>}
            {sync.kinds.join(' and ')} · incremental every {sync.incrementalEveryMinutes} min · full comparison every {sync.fullEveryHours} h
            {' '}(deletes above {Math.round(sync.deleteThreshold * 100)}% are refused)
            {sync.nextRunAt && <> · next run <RelativeTime iso={sync.nextRunAt} /></>}
            {sync.lastFullAt && <> · last full comparison <RelativeTime iso={sync.lastFullAt} /></>}
          </div>
        </div>
        <div className={styles.actions}>
          <button type="button" className="btn btn-sm" disabled={busy || !staff.canWrite} title={staff.writeDeniedReason ?? undefined} onClick={() => start.mutate('incremental')} data-testid="sync-now">Sync now</button>
          <button type="button" className="btn btn-sm" disabled={busy || !staff.canWrite} title={staff.writeDeniedReason ?? 'Also compares every id and deletes what the CRM no longer has'} onClick={() => start.mutate('full')} data-testid="sync-full">Full sync</button>
          <select
            className="btn btn-sm" aria-label="Direction and conflict rule" data-testid="sync-direction-select" disabled={busy || !staff.canWrite}
            value={sync.direction === 'two_way' ? `two_way:${sync.conflictRule}` : 'one_way'}
            title="Changing it starts a run with the new setting"
            onChange={(e) => {
              const [direction, conflictRule] = e.target.value.split(':') as ['one_way' | 'two_way', string | undefined];
              start.mutate({ direction, ...(conflictRule ? { conflictRule } : {}) });
            }}
          >
            <option value="one_way">one-way ({sync.source} → {sync.destinations.join(' + ')})</option>
            {Object.entries(RULE_LABELS).map(([rule, label]) => <option key={rule} value={`two_way:${rule}`}>two-way, conflicts: {label}</option>)}
          </select>
        </div>
      </div>
      {notice && <div className={styles.alert}>{notice}</div>}
      {sync.current ? <RunProgress run={sync.current} /> : last && <LastRun run={last} />}
      {sync.history.length > 0 && <HistoryChart runs={sync.history} />}
    </section>
  );
}

const RULE_LABELS: Record<string, string> = {
  crm_wins: 'the CRM wins', phone_wins: 'the phone system wins', newest: 'the newest edit wins', field_by_field: 'field by field',
};

/** A two-way run: what went each way. */
function Directions({ run }: { run: SyncRunWire }) {
  const d = run.directions;
  if (!d?.twoWay) return null;
  return (
    <div className={styles.counts} data-testid="sync-directions">
      <span>CRM → phone system: read {d.toPhonebook.read.toLocaleString()}, added {d.toPhonebook.added.toLocaleString()}, updated {d.toPhonebook.updated.toLocaleString()}, deleted {d.toPhonebook.deleted.toLocaleString()}{d.toPhonebook.failed ? `, failed ${d.toPhonebook.failed.toLocaleString()}` : ''}</span>
      <span>phone system → CRM: changes read {d.toCrm.read.toLocaleString()} (own echoes {d.toCrm.echoes.toLocaleString()}), created {d.toCrm.created.toLocaleString()}, updated {d.toCrm.updated.toLocaleString()}, deleted {d.toCrm.deleted.toLocaleString()}{d.toCrm.failed ? `, failed ${d.toCrm.failed.toLocaleString()}` : ''}</span>
      <span data-testid="sync-conflict-count">conflicts {d.conflicts.toLocaleString()}</span>
    </div>
  );
}

const CONFLICT_LABELS: Record<string, string> = {
  edited_both: 'edited on both sides', deleted_in_phonebook_edited_in_crm: 'deleted in the phone system, edited in the CRM', deleted_in_crm_edited_in_phonebook: 'deleted in the CRM, edited in the phone system',
};

function sideText(v: Record<string, unknown>): string {
  if (v.deleted) return 'deleted';
  const phones = Array.isArray(v.phones) ? v.phones.join(', ') : '';
  return [[v.firstName, v.lastName].filter(Boolean).join(' '), v.email, phones].filter(Boolean).join(' · ') || '(empty)';
}

/** Each conflict with both sides' values and what the rule made of it. */
function Conflicts({ run }: { run: SyncRunWire }) {
  if (!run.conflicts?.length) return null;
  return (
    <details className={styles.problems} data-testid="sync-conflicts">
      <summary>{run.conflictCount} conflict(s) in this run</summary>
      <table>
        <thead><tr><th>contact</th><th>what happened</th><th>CRM</th><th>phone system</th><th>outcome</th></tr></thead>
        <tbody>
          {run.conflicts.map((c, i) => (
            <tr key={i} data-testid="sync-conflict">
              <td>{c.externalId} / {c.phonebookId}</td>
              <td>{CONFLICT_LABELS[c.type] ?? c.type}</td>
              <td>{sideText(c.crm)}</td>
              <td>{sideText(c.phonebook)}</td>
              <td>{c.outcome} ({RULE_LABELS[c.rule] ?? c.rule}){c.result ? `: ${sideText(c.result)}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Counts({ run }: { run: SyncRunWire }) {
  return (
    <div className={styles.counts}>
      <span>read {run.read.toLocaleString()}</span>
      <span>written {run.written.toLocaleString()}</span>
      <span>skipped {run.skipped.toLocaleString()}</span>
      <span>failed {run.failed.toLocaleString()}</span>
      <span>deleted {run.deleted.toLocaleString()}</span>
      {run.problemCount > 0 && <span>problems {run.problemCount.toLocaleString()}</span>}
      <Comparison run={run} />
    </div>
  );
}

/** A full run's comparison: how many ids the CRM listed, and per destination how many it held and removed. */
function Comparison({ run }: { run: SyncRunWire }) {
  const ids = typeof run.stats.sourceIds === 'number' ? run.stats.sourceIds : null;
  if (run.kind !== 'full' || ids === null) return null;
  const byDest = (run.stats.comparison ?? {}) as Record<string, { total?: number; gone?: number; deleted?: number }>;
  return (
    <>
      <span data-testid="sync-compared">ids compared {ids.toLocaleString()}</span>
      {Object.entries(byDest).map(([dest, c]) => (
        <span key={dest} data-testid="sync-comparison">{dest}: {Number(c.total ?? 0).toLocaleString()} held, {Number(c.gone ?? 0).toLocaleString()} gone from the CRM, {Number(c.deleted ?? 0).toLocaleString()} deleted</span>
      ))}
    </>
  );
}

function RunProgress({ run }: { run: SyncRunWire }) {
  const f = run.progress.fraction;
  return (
    <div className={styles.progress} data-testid="sync-progress" data-status={run.status}>
      <div className={styles.head}>
        <span><StatusBadge status={run.status} /> {run.kind} run · {run.progress.label}</span>
        <span className="muted">started <RelativeTime iso={run.startedAt} /></span>
      </div>
      <div className={styles.track} role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={f === null ? undefined : Math.round(f * 100)} aria-label="Sync progress">
        {f === null ? <div className={styles.indeterminate} /> : <div className={styles.fill} style={{ width: `${Math.round(f * 100)}%` }} />}
      </div>
      <Counts run={run} />
      <Directions run={run} />
    </div>
  );
}

function LastRun({ run }: { run: SyncRunWire }) {
  return (
    <div className={styles.progress} data-testid="sync-last-run">
      <div className={styles.head}>
        <span><StatusBadge status={run.status} /> last {run.kind} run, {formatDuration(run.durationMs)}</span>
        <span className="muted"><RelativeTime iso={run.startedAt} /></span>
      </div>
      <Counts run={run} />
      <Directions run={run} />
      <Conflicts run={run} />
      {run.alerts.map((a, i) => <div key={i} className={styles.alert} data-testid="sync-alert">{a.message ?? a.type}</div>)}
      {run.error && !run.alerts.length && <div className={styles.error}>{run.error}</div>}
      {run.problems.length > 0 && (
        <details className={styles.problems}>
          <summary>{run.problemCount} problem(s) in this run</summary>
          <ul>{run.problems.map((p, i) => <li key={i}>{p.externalId}{p.phone ? ` · "${p.phone}"` : ''}: {p.reason}{p.destination ? ` (${p.destination})` : ''}</li>)}</ul>
        </details>
      )}
    </div>
  );
}

const CHART_W = 600;
const CHART_H = 90;

function HistoryChart({ runs }: { runs: SyncRunWire[] }) {
  const { bars, barWidth, maxRecords, maxDurationMs } = layoutHistory(runs, { width: CHART_W, height: CHART_H });
  return (
    <div className={styles.chart} data-testid="sync-history">
      <svg viewBox={`0 0 ${CHART_W} ${CHART_H + 2}`} role="img" aria-label={`Last ${runs.length} runs: records and duration`}>
        <line x1={0} x2={CHART_W} y1={CHART_H + 1} y2={CHART_H + 1} stroke="var(--border)" />
        {bars.map((b) => (
          <g key={b.id}>
            <title>{b.label}</title>
            <rect className={b.status === 'failed' || b.status === 'blocked' ? styles.failedBar : styles.records} x={b.x} y={CHART_H - b.recordsHeight} width={barWidth} height={b.recordsHeight} rx={1} />
            <rect className={styles.duration} x={b.x + barWidth} y={CHART_H - b.durationHeight} width={barWidth} height={b.durationHeight} rx={1} />
          </g>
        ))}
      </svg>
      <div className={styles.legend}>
        <span><span className={`${styles.swatch} ${styles.records}`} />records read (max {maxRecords.toLocaleString()})</span>
        <span><span className={`${styles.swatch} ${styles.duration}`} />duration (max {formatDuration(maxDurationMs)})</span>
        <span>oldest left · red: failed or blocked</span>
      </div>
    </div>
  );
}
