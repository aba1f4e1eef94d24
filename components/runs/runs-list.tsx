'use client';
// The Runs page: every run of the vendor, newest first, filtered by automation, customer, status and time,
// paged with "Load more" (keyset paging, so page 50 costs what page 1 does).
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { useFlows } from '../flows/use-flows';
import { EmptyState } from '../ui/empty-state';
import { RelativeTime } from '../ui/relative-time';
import { StatusBadge } from '../ui/status-badge';
import { formatDateTime, formatDuration } from '../ui/time-format';
import { EMPTY_FILTERS, filtersToQuery, filtersToSearch, hasFilters, RANGES, STATUSES, type RunFilterState } from './run-filters';
import styles from './runs-list.module.css';
import { LatencyChart } from './latency-chart';
import { useCustomers, useRuns, useRunStats } from './use-runs';
import type { RunStatsWire } from '@/lib/staff-api/contract';

export function RunsList({ initial }: { initial: RunFilterState }) {
  const router = useRouter();
  const [filters, setFilters] = useState(initial);
  const [now, setNow] = useState(() => Date.now());
  const query = useMemo(() => filtersToQuery(filters, now), [filters, now]);
  const runs = useRuns(query);
  const stats = useRunStats(query);
  const windowLabel = filters.range === 'all' ? 'the last 24 hours' : filters.range === 'custom' ? 'this period' : (RANGES.find((r) => r.id === filters.range)?.label ?? '').toLowerCase();
  const flows = useFlows();
  const customers = useCustomers();

  const automations = useMemo(() => {
    const set = new Set((flows.data ?? []).map((f) => f.automation));
    if (filters.automation) set.add(filters.automation);
    return [...set].sort();
  }, [flows.data, filters.automation]);
  const flowName = filters.flowId ? flows.data?.find((f) => f.id === filters.flowId)?.name ?? 'a deleted flow' : null;

  function update(patch: Partial<RunFilterState>) {
    const next = { ...filters, ...patch };
    setFilters(next);
    setNow(Date.now());
    const qs = filtersToSearch(next);
    // The URL keeps the filters (shareable, survives reload) without a server round trip: Next.js syncs native history calls.
    window.history.replaceState(null, '', qs ? `/runs?${qs}` : '/runs');
  }

  const rows = runs.data?.pages.flatMap((p) => p.runs) ?? [];
  return (
    <div className="page" data-testid="runs-page">
      <div className="page-head">
        <div>
          <h1>Runs</h1>
          <p>Every time a flow ran, live or as a test: open one to see each step's input, output and timing.</p>
        </div>
        <button type="button" className="btn" onClick={() => { setNow(Date.now()); void runs.refetch(); void stats.refetch(); }} disabled={runs.isFetching} data-testid="runs-refresh">
          {runs.isFetching && !runs.isFetchingNextPage ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>

      <form className={`card ${styles.filters}`} onSubmit={(e) => e.preventDefault()} aria-label="Filter runs" data-testid="runs-filters">
        <label className="field">
          <span>Automation</span>
          <select className="select" value={filters.automation} onChange={(e) => update({ automation: e.target.value })} data-testid="filter-automation">
            <option value="">All automations</option>
            {automations.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
        <label className="field">
          <span>Customer</span>
          <select className="select" value={filters.customer} onChange={(e) => update({ customer: e.target.value })} data-testid="filter-customer">
            <option value="">All customers</option>
            {(customers.data ?? []).map((c) => <option key={c.id} value={c.externalId}>{c.name} ({c.externalId})</option>)}
            {filters.customer && !customers.data?.some((c) => c.externalId === filters.customer) && <option value={filters.customer}>{filters.customer}</option>}
          </select>
        </label>
        <label className="field">
          <span>Status</span>
          <select className="select" value={filters.status} onChange={(e) => update({ status: e.target.value })} data-testid="filter-status">
            <option value="">Any status</option>
            {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label className="field">
          <span>Time</span>
          <select className="select" value={filters.range} onChange={(e) => update({ range: e.target.value as RunFilterState['range'] })} data-testid="filter-range">
            {RANGES.map((r) => <option key={r.id} value={r.id}>{r.label}</option>)}
          </select>
        </label>
        {filters.range === 'custom' && (
          <>
            <label className="field">
              <span>From</span>
              <input type="datetime-local" className="input" value={filters.from} onChange={(e) => update({ from: e.target.value })} data-testid="filter-from" />
            </label>
            <label className="field">
              <span>To</span>
              <input type="datetime-local" className="input" value={filters.to} onChange={(e) => update({ to: e.target.value })} data-testid="filter-to" />
            </label>
          </>
        )}
        {flowName && (
          <div className="field">
            <span className="field-label">Flow</span>
            <span className={styles.chip} data-testid="filter-flow">
              {flowName}
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => update({ flowId: '' })} aria-label="Show runs of every flow">✕</button>
            </span>
          </div>
        )}
        {hasFilters(filters) && (
          <button type="button" className={`btn btn-ghost ${styles.clear}`} onClick={() => update(EMPTY_FILTERS)} data-testid="filter-clear">Clear filters</button>
        )}
      </form>

      {stats.data && <LatencyChart stats={stats.data} windowLabel={windowLabel} />}
      {stats.data?.fallbacks?.length ? <FallbackRates rows={stats.data.fallbacks} windowLabel={windowLabel} /> : null}
      {(runs.isPending || runs.isPlaceholderData) && <p className="muted" data-testid="runs-loading" role="status">Loading runs…</p>}
      {runs.error && <p className="notice notice-err" role="alert" data-testid="runs-error">Could not load runs: {runs.error.message}</p>}
      {runs.data && rows.length === 0 && (hasFilters(filters) ? (
        <EmptyState title="No runs match these filters" testId="runs-empty"
          action={<button type="button" className="btn" onClick={() => update(EMPTY_FILTERS)}>Clear filters</button>}>
          <p>Widen the time range or clear a filter.</p>
        </EmptyState>
      ) : (
        <EmptyState title="No runs yet" testId="runs-empty" action={<Link className="btn btn-primary" href="/flows">Go to flows</Link>}>
          <p>A run is recorded each time your backend calls an automation URL, such as <code>POST /api/v1/customers/demo/automations/caller_lookup</code>, and each time you test a flow in the editor.</p>
        </EmptyState>
      ))}
      {rows.length > 0 && (
        <div className="card" style={{ overflow: 'hidden', opacity: runs.isPlaceholderData ? 0.55 : 1 }} aria-busy={runs.isPlaceholderData}>
          <table className="table" data-testid="runs-table">
            <thead>
              <tr><th>Started</th><th>Status</th><th>Automation</th><th>Customer</th><th>Flow</th><th className={styles.num}>Duration</th></tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} className={styles.row} data-testid="run-row" data-id={r.id} data-status={r.status} onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) router.push(`/runs/${r.id}`); }}>
                  <td>
                    <Link href={`/runs/${r.id}`} className={styles.when} data-testid="run-link" title={formatDateTime(r.startedAt)}>
                      <RelativeTime iso={r.startedAt} />
                    </Link>
                    {r.mode === 'test' && <span className="badge badge-info" style={{ marginLeft: 6 }}>test</span>}
                  </td>
                  <td><StatusBadge status={r.status} testId="run-status" /></td>
                  <td><code>{r.automation}</code></td>
                  <td>{r.customer ?? <span className="muted">—</span>}</td>
                  <td className={styles.flow}>{r.flowName ? <>{r.flowName}{r.flowVersion ? <span className="muted"> · v{r.flowVersion}</span> : <span className="muted"> · unsaved</span>}</> : <span className="muted">—</span>}</td>
                  <td className={styles.num}>{formatDuration(r.durationMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length > 0 && (
        <div className={styles.more}>
          <span className="muted" data-testid="runs-count">{rows.length} run{rows.length === 1 ? '' : 's'} shown</span>
          {runs.hasNextPage ? (
            <button type="button" className="btn" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage} data-testid="runs-load-more">
              {runs.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          ) : <span className="muted" data-testid="runs-end">That is all of them.</span>}
        </div>
      )}
    </div>
  );
}

/** The automations that answered their flow's fallback in the window, and how often (a failed step, the deadline). */
function FallbackRates({ rows, windowLabel }: { rows: NonNullable<RunStatsWire['fallbacks']>; windowLabel: string }) {
  return (
    <section data-testid="fallback-rates" aria-label={`Fallback answers per automation in ${windowLabel}`}>
      <h2 className="field-label">Fallback answers in {windowLabel}</h2>
      <table className={styles.fallbackTable}>
        <thead><tr><th>Automation</th><th>Runs</th><th>Fallback rate</th><th>Step failed</th><th>Deadline passed</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.automation} data-testid={`fallback-rate-${r.automation}`}>
              <td>{r.automation}</td>
              <td>{r.runs.toLocaleString()}</td>
              <td>{(100 * r.fallbacks / Math.max(1, r.runs)).toFixed(1)} %</td>
              <td>{r.failed.toLocaleString()}</td>
              <td>{r.deadline.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
