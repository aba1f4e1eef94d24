'use client';
// The run page: what ran (automation, customer, flow version), how it ended and how long it took, the steps
// on a timeline, and the selected step's input, output, port, HTTP calls and error.
import Link from 'next/link';
import { useState } from 'react';
import { ApiRequestError } from '../api-client';
import { JsonView } from '../ui/json-view';
import { StatusBadge } from '../ui/status-badge';
import { formatDateTime, formatDuration } from '../ui/time-format';
import { RunTimeline } from './run-timeline';
import styles from './run-view.module.css';
import { StepDetail } from './step-detail';
import { layoutTimeline } from './timeline-layout';
import { MissExplanation } from './miss-explanation';
import { useRun } from './use-run';

export function RunView({ id }: { id: string }) {
  const run = useRun(id);
  const [picked, setPicked] = useState<number | null>(null);

  if (run.isPending) return <div className="page"><p className="muted" data-testid="run-loading">Loading run…</p></div>;
  if (run.error) {
    return (
      <div className="page">
        <p className="notice notice-err" role="alert" data-testid="run-error">
          {run.error instanceof ApiRequestError && run.error.status === 404 ? 'There is no such run in your workspace.' : `Could not load the run: ${run.error.message}`}
        </p>
        <p><Link href="/runs">Back to runs</Link></p>
      </div>
    );
  }
  const r = run.data;
  // Until a step is picked, show the one that failed (that is what people open a run for), else the first.
  const selected = picked ?? r.steps.find((s) => s.status === 'failed')?.seq ?? r.steps[0]?.seq ?? null;
  const step = r.steps.find((s) => s.seq === selected) ?? null;
  const offsets = layoutTimeline(r, r.steps).bars;

  return (
    <div className="page" data-testid="run-page" data-id={r.id}>
      <nav className={styles.crumbs} aria-label="Breadcrumb"><Link href="/runs">Runs</Link> <span aria-hidden>/</span> <span className="mono">{r.id.slice(0, 8)}</span></nav>
      <header className={`card ${styles.header}`}>
        <div className={styles.titleRow}>
          <h1><code data-testid="run-automation">{r.automation}</code></h1>
          <StatusBadge status={r.status} testId="run-status" />
          {r.mode === 'test' && <span className="badge badge-info" data-testid="run-mode">test run</span>}
        </div>
        <dl className={styles.meta}>
          <div><dt>Customer</dt><dd data-testid="run-customer">{r.customer ?? '—'}</dd></div>
          <div><dt>Started</dt><dd>{formatDateTime(r.startedAt)}</dd></div>
          <div><dt>Duration</dt><dd data-testid="run-duration">{formatDuration(r.durationMs)}</dd></div>
          <div><dt>Flow</dt><dd data-testid="run-flow">
            {r.flowId ? <Link href={`/flows/${r.flowId}`}>{r.flowName ?? 'flow'}</Link> : '—'}
            {r.flowId && <span className="muted">{r.flowVersion ? ` · v${r.flowVersion}` : ' · unsaved draft'}</span>}
          </dd></div>
          <div><dt>Steps</dt><dd>{r.steps.length}</dd></div>
          <div><dt>Run id</dt><dd className="mono">{r.id}</dd></div>
        </dl>
        {r.error && (
          <div className="notice notice-err" role="alert" data-testid="run-error-message">
            <strong>{r.error.code}</strong>: {r.error.message}{r.error.nodeId && <> (step <code>{r.error.nodeId}</code>)</>}
          </div>
        )}
        <div className={styles.io}>
          <details><summary>Trigger input</summary><JsonView value={r.trigger} testId="run-trigger" /></details>
          <details><summary>Response</summary><JsonView value={r.response} testId="run-response" /></details>
        </div>
      </header>

      {r.explanation && <MissExplanation x={r.explanation} />}
      <section className={`card ${styles.timelineCard}`} aria-label="Steps">
        <h2>Steps</h2>
        {r.steps.length === 0 ? (
          <p className="muted" data-testid="run-no-steps">
            {r.status === 'running' || r.status === 'queued' ? 'The run has not recorded any step yet; this page refreshes by itself.' : 'This run recorded no steps (it stopped before its first block ran).'}
          </p>
        ) : <RunTimeline run={r} steps={r.steps} selected={selected} onSelect={setPicked} />}
      </section>
      {step && <StepDetail step={step} offsetMs={offsets[r.steps.indexOf(step)]?.offsetMs ?? 0} />}
    </div>
  );
}
