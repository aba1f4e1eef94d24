'use client';
// One step of a run: what went in, what came out, the port it took, its HTTP calls and, if it failed, why.
import type { RunStep } from '@/lib/staff-api/contract';
import { JsonView } from '../ui/json-view';
import { StatusBadge } from '../ui/status-badge';
import { formatDuration } from '../ui/time-format';
import styles from './run-view.module.css';

export function StepDetail({ step, offsetMs }: { step: RunStep; offsetMs: number }) {
  return (
    <section className={`card ${styles.detail}`} aria-label={`Step ${step.seq}: ${step.nodeId}`} data-testid="step-detail" data-seq={step.seq}>
      <div className={styles.detailHead}>
        <h2>Step {step.seq}: <span data-testid="step-node-id">{step.nodeId}</span> <code className="muted">{step.blockId}</code></h2>
        <StatusBadge status={step.status} testId="step-status" />
      </div>
      <dl className={styles.meta}>
        <div><dt>Port taken</dt><dd data-testid="step-port">{step.port ? <code>{step.port}</code> : <span className="muted">none (the run ended here)</span>}</dd></div>
        <div><dt>Started</dt><dd>+{formatDuration(offsetMs)}</dd></div>
        <div><dt>Took</dt><dd data-testid="step-duration">{formatDuration(step.durationMs)}</dd></div>
      </dl>
      {step.error && (
        <div className="notice notice-err" role="alert" data-testid="step-error">
          <strong>{step.error.code}</strong>: {step.error.message}
          {step.error.path && step.error.path.length > 0 && <div className={styles.errPath}>at <code>{step.error.path.join('.')}</code></div>}
        </div>
      )}
      <div className={styles.io}>
        <JsonView label="Input" value={step.input} testId="step-input" />
        <JsonView label="Output" value={step.output} testId="step-output" />
      </div>
      <div>
        <h3 className={styles.subhead}>HTTP requests</h3>
        {step.requestLog && step.requestLog.length > 0 ? (
          <table className={`table ${styles.reqTable}`} data-testid="step-request-log">
            <thead><tr><th>#</th><th>Method</th><th>URL</th><th>Status</th><th>Took</th><th>Error</th></tr></thead>
            <tbody>
              {step.requestLog.map((r, i) => (
                <tr key={i} data-testid="request-log-row">
                  <td>{r.attempt}</td>
                  <td><code>{r.method}</code></td>
                  <td className={styles.url}><code title={r.url}>{r.url}</code></td>
                  <td>{r.status === null ? <span className="muted">—</span> : <span className={`badge ${r.status < 400 ? 'badge-ok' : 'badge-err'}`}>{r.status}</span>}</td>
                  <td>{formatDuration(r.durationMs)}</td>
                  <td className={styles.reqErr}>{r.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : <p className="muted" data-testid="step-request-log-empty">This step made no HTTP requests.</p>}
      </div>
    </section>
  );
}
