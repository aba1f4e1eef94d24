'use client';
// The inspector's "When it fails" section of a block (on error: stop / continue with output / error output, and
// retries for blocks that are safe to run twice), and the flow's fallback answer.
import { useEffect, useState } from 'react';
import type { BlockInfo } from './block-catalog';
import type { DataPath } from './data-paths';
import type { FlowFallback, FlowMeta, NodeOnError, NodeRetry } from './flow-mapping';
import type { FormField } from './form-fields';
import { ParamField } from './param-field';
import styles from './flow-editor.module.css';

// The flow schema's deadline bounds (engine/core/flow-schema.ts), repeated here to keep the engine out of the browser bundle.
const DEFAULT_DEADLINE_MS = 800;
const DEADLINE_MIN_MS = 50;
const DEADLINE_MAX_MS = 60_000;

const OUTPUT_FIELD: FormField = { name: 'output', label: 'Output instead', kind: 'json', required: false, nullable: false, description: 'What later steps read as this step’s output (default: { "error": { "code", "message" } }). May hold expressions.' };
const FALLBACK_BODY: FormField = { name: 'body', label: 'Fallback body', kind: 'json', required: false, nullable: false, description: 'Answered (with the status above) when a run fails before a Respond block answered, so the phone system never gets a 502. May hold expressions over trigger, steps, options, customer.' };

export function NodeErrorSettings({ block, onError, retry, paths, readOnly, onChange }: {
  block: BlockInfo; onError?: NodeOnError; retry?: NodeRetry; paths: readonly DataPath[]; readOnly: boolean;
  onChange: (next: { onError?: NodeOnError; retry?: NodeRetry }) => void;
}) {
  const action = onError?.action ?? 'stop';
  const set = (patch: Partial<NodeOnError> | null) => {
    const next = patch === null ? undefined : { ...(onError ?? { action: 'stop' as const }), ...patch };
    if (next && next.action !== 'continue') { delete next.output; delete next.port; }
    onChange({ onError: next && next.action === 'stop' ? undefined : next, retry });
  };
  return (
    <fieldset className={styles.group} data-testid="error-settings">
      <legend className={styles.fieldLabel}>When it fails</legend>
      <div className={styles.fieldCompact}>
        <label className={styles.fieldLabel} htmlFor="on-error-action">On error</label>
        <select id="on-error-action" className={styles.input} value={action} disabled={readOnly} data-testid="on-error-action"
          onChange={(e) => set({ action: e.target.value as NodeOnError['action'] })}>
          <option value="stop">Stop the run (the flow’s fallback answers)</option>
          <option value="continue">Continue with an output</option>
          <option value="error">Go to the “on error” output</option>
        </select>
      </div>
      {action === 'continue' && (
        <>
          <div className={styles.fieldCompact}>
            <label className={styles.fieldLabel} htmlFor="on-error-port">Continue through</label>
            <select id="on-error-port" className={styles.input} value={onError?.port ?? ''} disabled={readOnly} data-testid="on-error-port"
              onChange={(e) => set({ port: e.target.value || undefined })}>
              <option value="">{block.ports[0] ? `(default: ${block.ports[0].label})` : '(none)'}</option>
              {block.ports.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
            </select>
          </div>
          <ParamField field={OUTPUT_FIELD} value={onError?.output} paths={paths} testId="on-error-output" disabled={readOnly} compact
            onChange={(v) => set({ output: v })} />
        </>
      )}
      {action === 'error' && <div className={styles.fieldHelp}>Connect the block’s <b>on error</b> output; the steps after it read the error as <code>steps.&lt;id&gt;.error.message</code>.</div>}
      {block.idempotent ? (
        <div className={styles.row}>
          <label className={styles.fieldLabel} htmlFor="retry-count">Retries</label>
          <input id="retry-count" className={styles.input} type="number" min={0} max={5} value={retry?.count ?? 0} disabled={readOnly} data-testid="retry-count" style={{ width: 60 }}
            onChange={(e) => { const n = Math.max(0, Math.min(5, Math.round(Number(e.target.value) || 0))); onChange({ onError, retry: n ? { count: n, backoffMs: retry?.backoffMs ?? 200 } : undefined }); }} />
          <label className={styles.fieldLabel} htmlFor="retry-backoff">wait (ms, doubling)</label>
          <input id="retry-backoff" className={styles.input} type="number" min={0} max={30000} step={50} value={retry?.backoffMs ?? 200} disabled={readOnly || !retry} data-testid="retry-backoff" style={{ width: 80 }}
            onChange={(e) => retry && onChange({ onError, retry: { ...retry, backoffMs: Math.max(0, Math.min(30000, Math.round(Number(e.target.value) || 0))) } })} />
        </div>
      ) : (
        <div className={styles.fieldHelp}>No retries: this block may not be safe to run twice.</div>
      )}
    </fieldset>
  );
}

export function FlowFallbackSettings({ fallback, paths, readOnly, onChange }: { fallback?: FlowFallback; paths: readonly DataPath[]; readOnly: boolean; onChange: (f: FlowFallback | undefined) => void }) {
  return (
    <fieldset className={styles.group} data-testid="fallback-settings">
      <legend className={styles.fieldLabel}>Fallback answer</legend>
      <label className={styles.row}>
        <input type="checkbox" checked={!!fallback} disabled={readOnly} data-testid="fallback-enabled"
          onChange={(e) => onChange(e.target.checked ? { status: 200, body: { fallback: true } } : undefined)} />
        <span>Answer something useful when a run fails</span>
      </label>
      {fallback && (
        <>
          <div className={styles.fieldCompact}>
            <label className={styles.fieldLabel} htmlFor="fallback-status">Status</label>
            <input id="fallback-status" className={styles.input} type="number" min={200} max={599} value={fallback.status} disabled={readOnly} data-testid="fallback-status"
              onChange={(e) => onChange({ ...fallback, status: Math.round(Number(e.target.value) || 200) })} />
          </div>
          <ParamField field={FALLBACK_BODY} value={fallback.body} paths={paths} testId="fallback-body" disabled={readOnly} compact
            onChange={(v) => onChange({ ...fallback, body: v })} />
        </>
      )}
    </fieldset>
  );
}

type Recording = NonNullable<FlowMeta['recording']>;

/** Which runs are stored in full (every run is counted in the aggregates whatever this says). */
export function FlowRecordingSettings({ recording, readOnly, onChange }: { recording?: Recording; readOnly: boolean; onChange: (r: Recording | undefined) => void }) {
  const value = recording?.policy ?? 'default';
  return (
    <fieldset className={styles.group} data-testid="recording-settings">
      <legend className={styles.fieldLabel}>Run history</legend>
      <select className={styles.input} value={value} disabled={readOnly} data-testid="recording-policy"
        onChange={(e) => {
          const v = e.target.value;
          onChange(v === 'default' ? undefined : v === 'sampled' ? { policy: 'sampled', share: recording?.share ?? 0.01 } : { policy: v as 'all' | 'errors' });
        }}>
        <option value="default">Default (named URL: failures + 1 % of successes + 10 a minute; background: all)</option>
        <option value="all">Every run</option>
        <option value="errors">Failed, timed-out and fallback runs only</option>
        <option value="sampled">Failures + a share of successful runs</option>
      </select>
      {recording?.policy === 'sampled' && (
        <div className={styles.fieldCompact}>
          <label className={styles.fieldLabel} htmlFor="recording-share">Share of successful runs (%)</label>
          <input id="recording-share" className={styles.input} type="number" min={0} max={100} step={0.1} value={Math.round((recording.share ?? 0) * 1000) / 10} disabled={readOnly} data-testid="recording-share"
            onChange={(e) => onChange({ policy: 'sampled', share: Math.min(1, Math.max(0, (Number(e.target.value) || 0) / 100)) })} />
        </div>
      )}
      <div className={styles.fieldHelp}>Counts and latencies of every run are kept either way (runs chart, metrics); test runs and traced runs are always stored.</div>
    </fieldset>
  );
}

/** A synchronous automation's deadline: past it the caller gets the fallback answer (or a 504 without one). */
export function FlowDeadlineSetting({ deadlineMs, hasFallback, readOnly, onChange }: { deadlineMs?: number; hasFallback: boolean; readOnly: boolean; onChange: (ms: number | undefined) => void }) {
  const [text, setText] = useState(deadlineMs === undefined ? '' : String(deadlineMs));
  useEffect(() => { setText(deadlineMs === undefined ? '' : String(deadlineMs)); }, [deadlineMs]);
  const n = Number(text);
  const invalid = text.trim() !== '' && (!Number.isInteger(n) || n < DEADLINE_MIN_MS || n > DEADLINE_MAX_MS);
  return (
    <div className={styles.fieldCompact}>
      <label className={styles.fieldLabel} htmlFor="flow-deadline">Deadline (ms)</label>
      <input id="flow-deadline" className={styles.input} type="text" inputMode="numeric" value={text} disabled={readOnly} data-testid="flow-deadline" aria-invalid={invalid || undefined}
        placeholder={hasFallback ? `default: ${DEFAULT_DEADLINE_MS}` : 'default: the server\'s flow timeout'}
        onChange={(e) => {
          setText(e.target.value);
          const v = e.target.value.trim();
          const ms = Number(v);
          if (v === '') onChange(undefined);
          else if (Number.isInteger(ms) && ms >= DEADLINE_MIN_MS && ms <= DEADLINE_MAX_MS) onChange(ms);
        }} />
      {invalid ? <div className={styles.fieldError}>{`A whole number of milliseconds from ${DEADLINE_MIN_MS} to ${DEADLINE_MAX_MS}`}</div>
        : <div className={styles.fieldHelp}>Past it, a waiting caller gets the fallback answer{hasFallback ? '' : ' (a 504 while there is none)'} and the slow step is cancelled. An integration may override it.</div>}
    </div>
  );
}
