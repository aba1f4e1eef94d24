'use client';
// Runs the flow as it is on the canvas (unsaved edits included) against a sample input, in test mode, for one
// of the vendor's customers. Shows the response, and the input/output of the step selected on the canvas.
import Link from 'next/link';
import type { CustomerListItem, RunStep, TestRunResult } from '@/lib/staff-api/contract';
import { formatMs } from './flow-mapping';
import styles from './flow-editor.module.css';

interface Props {
  input: string;
  onInput: (text: string) => void;
  onResetInput: () => void;
  customers: CustomerListItem[] | undefined;
  customer: string;
  onCustomer: (id: string) => void;
  onRun: () => void;
  running: boolean;
  canRun: boolean;
  cannotRunReason: string | null;
  result: TestRunResult | null;
  error: string | null;
  selectedNodeId: string | null;
  onSelectNode: (id: string) => void;
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

export function TestRunPanel(p: Props) {
  const step: RunStep | undefined = p.result?.steps.find((s) => s.nodeId === p.selectedNodeId);
  let inputError: string | null = null;
  try { JSON.parse(p.input); } catch (err) { inputError = `Not valid JSON: ${(err as Error).message}`; }
  return (
    <div className={styles.inspectorBody} data-testid="test-panel">
      <h2>Test run</h2>
      <p className={styles.fieldHelp}>Runs the flow as it is now on the canvas, saved or not, with real lookups for the chosen customer. Test runs are recorded and marked “test”.</p>
      <div className={styles.field}>
        <label className={styles.fieldLabel} htmlFor="test-customer">Customer</label>
        <select id="test-customer" className={styles.input} value={p.customer} data-testid="test-customer" onChange={(e) => p.onCustomer(e.target.value)}>
          {!p.customers?.some((c) => c.externalId === p.customer) && <option value={p.customer}>{p.customer}</option>}
          {p.customers?.map((c) => <option key={c.id} value={c.externalId}>{c.name} ({c.externalId})</option>)}
        </select>
      </div>
      <div className={styles.field}>
        <label className={styles.fieldLabel} htmlFor="test-input">Input (the request body)</label>
        <textarea id="test-input" className={styles.textarea} rows={6} spellCheck={false} value={p.input} data-testid="test-input" aria-invalid={!!inputError || undefined} onChange={(e) => p.onInput(e.target.value)} />
        {inputError && <div className={styles.fieldError}>{inputError}</div>}
        <button type="button" className={styles.linkButton} onClick={p.onResetInput}>Use the trigger’s example</button>
      </div>
      <button type="button" className={styles.primaryButton} data-testid="run-test-input" disabled={!p.canRun || p.running || !!inputError} onClick={p.onRun} title={p.cannotRunReason ?? undefined}>
        {p.running ? 'Running…' : 'Run'}
      </button>
      {p.cannotRunReason && <p className={styles.muted}>{p.cannotRunReason}</p>}
      <div className={styles.testOutput} data-testid="test-output" aria-live="polite">
        {p.error && <div className={styles.fieldError} role="alert">{p.error}</div>}
        {!p.result && !p.error && <div className={styles.muted}>Run the flow to see what it answers and what each block did.</div>}
        {p.result && (
          <>
            <div className={styles.row}>
              <span className={p.result.status === 'succeeded' ? styles.badgeOk : styles.badgeErr} data-testid="test-status">{p.result.status}</span>
              <Link href={`/runs/${p.result.runId}`} className={styles.muted} data-testid="test-run-link">run {p.result.runId.slice(0, 8)}</Link>
            </div>
            {p.result.error && <div className={styles.fieldError} data-testid="test-error">{p.result.error.nodeId ? `${p.result.error.nodeId}: ` : ''}{p.result.error.message}</div>}
            {p.result.response && (
              <>
                <div className={styles.fieldLabel}>Response · HTTP {p.result.response.status}</div>
                <pre className={styles.pre} data-testid="test-response">{pretty(p.result.response.body)}</pre>
              </>
            )}
            <div className={styles.fieldLabel}>Steps</div>
            <ol className={styles.steps}>
              {p.result.steps.map((s) => (
                <li key={s.seq}>
                  <button type="button" className={s.nodeId === p.selectedNodeId ? styles.stepActive : styles.stepButton} onClick={() => p.onSelectNode(s.nodeId)} data-testid={`test-step-${s.nodeId}`}>
                    <span className={s.status === 'failed' ? styles.errText : styles.okText}>{s.status === 'succeeded' ? 'ok' : s.status}</span> {s.nodeId} <span className={styles.muted}>{formatMs(s.durationMs)}{s.port ? ` → ${s.port}` : ''}</span>
                  </button>
                </li>
              ))}
            </ol>
            {step ? (
              <div data-testid="test-step-detail">
                <div className={styles.fieldLabel}>{step.nodeId} · input</div>
                <pre className={styles.pre} data-testid="step-input">{pretty(step.input)}</pre>
                <div className={styles.fieldLabel}>{step.nodeId} · output{step.port ? ` (${step.port})` : ''}</div>
                <pre className={styles.pre} data-testid="step-output">{pretty(step.output)}</pre>
                {step.error && <div className={styles.fieldError}>{step.error.message}</div>}
                {step.requestLog && step.requestLog.length > 0 && (
                  <>
                    <div className={styles.fieldLabel}>HTTP calls</div>
                    <ul className={styles.issueList}>{step.requestLog.map((r, i) => <li key={i}>{r.method} {r.url} → {r.status ?? r.error} ({formatMs(r.durationMs)})</li>)}</ul>
                  </>
                )}
              </div>
            ) : <div className={styles.muted}>Click a block on the canvas (or a step above) to see its input and output.</div>}
          </>
        )}
      </div>
    </div>
  );
}
