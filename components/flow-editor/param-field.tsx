'use client';
// One inspector field, rendered from its FormField (see form-fields.ts): text, number, select, checkbox,
// editable list rows, key/value rows, nested groups, JSON. Scalars can switch to an expression (fx).
import { useEffect, useState } from 'react';
import { useEditorContext } from './editor-context';
import type { DataPath } from './data-paths';
import { ExpressionInput } from './expression-input';
import {
  containsExpression, formatFieldValue, isExpressionValue, newListItem, parseFieldValue, recordToRows, rowsToRecord, type FormField,
} from './form-fields';
import styles from './flow-editor.module.css';

export interface FieldProps {
  field: FormField;
  value: unknown;
  onChange: (value: unknown) => void;
  paths: readonly DataPath[];
  testId: string;
  disabled?: boolean;
  issues?: string[];
  compact?: boolean;
}

export function ParamField(props: FieldProps) {
  const { field, issues, compact, testId } = props;
  const inputId = `${testId}-input`;
  return (
    <div className={compact ? styles.fieldCompact : styles.field}>
      <label className={styles.fieldLabel} htmlFor={inputId}>
        {field.label}{field.required && field.default === undefined ? <span className={styles.req} aria-label="required"> *</span> : null}
      </label>
      <FieldControl {...props} />
      {!compact && field.description && <div className={styles.fieldHelp}>{field.description}</div>}
      {issues?.map((m, i) => <div key={i} className={styles.fieldError} role="alert">{m}</div>)}
    </div>
  );
}

function FieldControl(props: FieldProps) {
  const { field, value, onChange, paths, testId, disabled } = props;
  const [fx, setFx] = useState(false);
  const scalarExpr = (field.kind === 'number' || field.kind === 'select' || field.kind === 'checkbox') && (fx || isExpressionValue(value));
  const fxButton = (field.kind === 'number' || field.kind === 'select' || field.kind === 'checkbox') && (
    <button
      type="button" className={scalarExpr ? styles.fxOn : styles.fx} disabled={disabled} data-testid={`${testId}-fx`}
      title={scalarExpr ? 'Use a fixed value' : 'Use an expression (e.g. =trigger.status)'} aria-pressed={scalarExpr}
      onClick={() => { if (scalarExpr) { setFx(false); onChange(undefined); } else { setFx(true); onChange(`=${value === undefined ? '' : JSON.stringify(value)}`); } }}
    >fx</button>
  );
  const id = `${testId}-input`;

  if (scalarExpr) {
    return <div className={styles.row}><ExpressionInput id={id} value={typeof value === 'string' ? value : ''} onChange={onChange} paths={paths} testId={testId} disabled={disabled} />{fxButton}</div>;
  }
  switch (field.kind) {
    case 'text':
      return (
        <ExpressionInput
          id={id} value={formatFieldValue(field, value)} paths={paths} testId={testId} disabled={disabled}
          placeholder={field.default !== undefined ? `default: ${String(field.default)}` : 'text, or =expression'}
          onChange={(t) => onChange(t === '' && !field.required ? undefined : t)}
        />
      );
    case 'number':
      return (
        <div className={styles.row}>
          <NumberInput id={id} field={field} value={value} onChange={onChange} testId={testId} disabled={disabled} />
          {fxButton}
        </div>
      );
    case 'select':
      return (
        <div className={styles.row}>
          <select id={id} className={styles.input} value={value === undefined ? '' : String(value)} disabled={disabled} data-testid={testId} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
            {(!field.required || field.default !== undefined) && <option value="">{field.default !== undefined ? `(default: ${String(field.default)})` : '(none)'}</option>}
            {field.options!.map((o) => <option key={o} value={o}>{o}</option>)}
          </select>
          {fxButton}
        </div>
      );
    case 'checkbox':
      return (
        <div className={styles.row}>
          <input id={id} type="checkbox" checked={value === undefined ? field.default === true : value === true} disabled={disabled} data-testid={testId} onChange={(e) => onChange(e.target.checked)} />
          {fxButton}
        </div>
      );
    case 'list':
      return field.table ? <TableRows {...props} /> : <ListRows {...props} />;
    case 'strings':
      return <StringRows {...props} />;
    case 'keyValue':
      return <KeyValueRows {...props} />;
    case 'group': {
      const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
      return (
        <fieldset className={styles.group} data-testid={testId}>
          {field.fields!.map((f) => (
            <ParamField key={f.name} field={f} value={obj[f.name]} paths={paths} testId={`${testId}-${f.name}`} disabled={disabled} compact
              onChange={(v) => { const next = { ...obj }; if (v === undefined) delete next[f.name]; else next[f.name] = v; onChange(Object.keys(next).length ? next : undefined); }} />
          ))}
        </fieldset>
      );
    }
    default:
      return <JsonInput id={id} field={field} value={value} onChange={onChange} paths={paths} testId={testId} disabled={disabled} />;
  }
}

/** Keeps the typed text while it does not parse, so a half-typed number or JSON is not lost. */
function useDraft(field: FormField, value: unknown, key: string) {
  const [text, setText] = useState(() => formatFieldValue(field, value));
  const [error, setError] = useState<string | null>(null);
  const { reportDraftError } = useEditorContext();
  useEffect(() => {
    reportDraftError?.(key, error ? `${field.label}: ${error}` : null);
    return () => reportDraftError?.(key, null);
  }, [error, field.label, key, reportDraftError]);
  useEffect(() => {
    // The value changed from outside (undo, version load): show it unless the draft already means it.
    const r = parseFieldValue(field, text);
    if (!r.ok || JSON.stringify(r.value) !== JSON.stringify(value)) { setText(formatFieldValue(field, value)); setError(null); }
  }, [value]);
  return { text, setText, error, setError };
}

function NumberInput({ id, field, value, onChange, testId, disabled }: { id: string; field: FormField; value: unknown; onChange: (v: unknown) => void; testId: string; disabled?: boolean }) {
  const d = useDraft(field, value, testId);
  return (
    <div className={styles.grow}>
      <input
        id={id} className={styles.input} type="text" inputMode="decimal" value={d.text} disabled={disabled} data-testid={testId} aria-invalid={!!d.error || undefined}
        placeholder={field.default !== undefined ? `default: ${String(field.default)}` : undefined}
        onChange={(e) => { d.setText(e.target.value); const r = parseFieldValue(field, e.target.value); if (r.ok) { d.setError(null); onChange(r.value); } else d.setError(r.error); }}
      />
      {d.error && <div className={styles.fieldError}>{d.error}</div>}
      {field.min !== undefined || field.max !== undefined ? <div className={styles.fieldHelp}>{field.min ?? '…'} – {field.max ?? '…'}</div> : null}
    </div>
  );
}

function JsonInput({ id, field, value, onChange, paths, testId, disabled }: { id: string; field: FormField; value: unknown; onChange: (v: unknown) => void; paths: readonly DataPath[]; testId: string; disabled?: boolean }) {
  const d = useDraft(field, value, testId);
  return (
    <div>
      <ExpressionInput
        id={id} multiline rows={Math.min(10, Math.max(2, d.text.split('\n').length))} value={d.text} paths={paths} testId={testId} disabled={disabled} invalid={!!d.error}
        containsExpressions={containsExpression(value)}
        placeholder='a value, JSON such as { "found": true }, or =expression'
        onChange={(t) => { d.setText(t); const r = parseFieldValue(field, t); if (r.ok) { d.setError(null); onChange(r.value); } else d.setError(r.error); }}
      />
      {d.error && <div className={styles.fieldError}>{d.error}</div>}
    </div>
  );
}

function ListRows({ field, value, onChange, paths, testId, disabled }: FieldProps) {
  const items = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const set = (i: number, next: Record<string, unknown>) => onChange(items.map((x, j) => (j === i ? next : x)));
  return (
    <div className={styles.list} data-testid={testId}>
      {items.length === 0 && <div className={styles.muted}>None yet.</div>}
      {items.map((item, i) => (
        <div key={i} className={styles.listRow}>
          {field.fields!.map((f) => (
            <ParamField key={f.name} field={f} value={item?.[f.name]} paths={paths} testId={`${testId}-${i}-${f.name}`} disabled={disabled} compact
              onChange={(v) => { const next = { ...item }; if (v === undefined) delete next[f.name]; else next[f.name] = v; set(i, next); }} />
          ))}
          <button type="button" className={styles.linkButton} disabled={disabled} data-testid={`${testId}-${i}-remove`} onClick={() => onChange(items.filter((_, j) => j !== i))}>Remove</button>
        </div>
      ))}
      <button type="button" className={styles.smallButton} disabled={disabled} data-testid={`${testId}-add`} onClick={() => onChange([...items, newListItem(field)])}>+ Add {field.label.toLowerCase().replace(/s$/, '')}</button>
    </div>
  );
}

/** An ordered list of rules as a table: a column per sub-field, each row movable up and down (order decides). */
function TableRows({ field, value, onChange, paths, testId, disabled }: FieldProps) {
  const items = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const set = (i: number, next: Record<string, unknown>) => onChange(items.map((x, j) => (j === i ? next : x)));
  const move = (i: number, d: -1 | 1) => { const next = [...items]; [next[i], next[i + d]] = [next[i + d], next[i]]; onChange(next); };
  return (
    <div className={styles.list} data-testid={testId}>
      <div className={styles.ruleTableScroll}><table className={styles.ruleTable}>
        <thead>
          <tr><th>#</th>{field.fields!.map((f) => <th key={f.name} title={f.description}>{f.label}</th>)}<th /></tr>
        </thead>
        <tbody>
          {items.length === 0 && <tr><td colSpan={field.fields!.length + 2} className={styles.muted}>None yet.</td></tr>}
          {items.map((item, i) => (
            <tr key={i} data-testid={`${testId}-${i}`}>
              <td>{i + 1}</td>
              {field.fields!.map((f) => (
                <td key={f.name}>
                  <ParamField field={f} value={item?.[f.name]} paths={paths} testId={`${testId}-${i}-${f.name}`} disabled={disabled} compact
                    onChange={(v) => { const next = { ...item }; if (v === undefined) delete next[f.name]; else next[f.name] = v; set(i, next); }} />
                </td>
              ))}
              <td className={styles.ruleActions}>
                <button type="button" className={styles.linkButton} disabled={disabled || i === 0} aria-label="Move up" data-testid={`${testId}-${i}-up`} onClick={() => move(i, -1)}>↑</button>
                <button type="button" className={styles.linkButton} disabled={disabled || i === items.length - 1} aria-label="Move down" data-testid={`${testId}-${i}-down`} onClick={() => move(i, 1)}>↓</button>
                <button type="button" className={styles.linkButton} disabled={disabled} aria-label="Remove" data-testid={`${testId}-${i}-remove`} onClick={() => onChange(items.filter((_, j) => j !== i))}>✕</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table></div>
      <button type="button" className={styles.smallButton} disabled={disabled} data-testid={`${testId}-add`} onClick={() => onChange([...items, newListItem(field)])}>+ Add {field.label.toLowerCase().replace(/s$/, '')}</button>
    </div>
  );
}

function StringRows({ field, value, onChange, paths, testId, disabled }: FieldProps) {
  const items = Array.isArray(value) ? value : [];
  return (
    <div className={styles.list} data-testid={testId}>
      {items.map((item, i) => (
        <div key={i} className={styles.row}>
          <ExpressionInput value={item === undefined || item === null ? '' : String(item)} paths={paths} testId={`${testId}-${i}`} disabled={disabled}
            onChange={(t) => onChange(items.map((x, j) => (j === i ? (field.itemKind === 'number' && t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : t) : x)))} />
          <button type="button" className={styles.linkButton} disabled={disabled} aria-label="Remove" onClick={() => onChange(items.filter((_, j) => j !== i))}>✕</button>
        </div>
      ))}
      <button type="button" className={styles.smallButton} disabled={disabled} data-testid={`${testId}-add`} onClick={() => onChange([...items, ''])}>+ Add</button>
    </div>
  );
}

function KeyValueRows({ value, onChange, paths, testId, disabled }: FieldProps) {
  // Rows live locally so an empty key being typed is not dropped mid-edit.
  const [rows, setRows] = useState<[string, string][]>(() => recordToRows(value));
  useEffect(() => {
    if (JSON.stringify(rowsToRecord(rows)) !== JSON.stringify(value ?? {})) setRows(recordToRows(value));
  }, [value]);
  const commit = (next: [string, string][]) => { setRows(next); onChange(rowsToRecord(next)); };
  return (
    <div className={styles.list} data-testid={testId}>
      {rows.map(([k, v], i) => (
        <div key={i} className={styles.row}>
          <input className={`${styles.input} ${styles.keyInput}`} value={k} placeholder="key" disabled={disabled} data-testid={`${testId}-${i}-key`} aria-label="Key"
            onChange={(e) => commit(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
          <ExpressionInput value={v} paths={paths} testId={`${testId}-${i}-value`} disabled={disabled} placeholder="value or =expression" ariaLabel="Value"
            onChange={(t) => commit(rows.map((r, j) => (j === i ? [r[0], t] : r)))} />
          <button type="button" className={styles.linkButton} disabled={disabled} aria-label="Remove" onClick={() => commit(rows.filter((_, j) => j !== i))}>✕</button>
        </div>
      ))}
      <button type="button" className={styles.smallButton} disabled={disabled} data-testid={`${testId}-add`} onClick={() => setRows([...rows, ['', '']])}>+ Add</button>
    </div>
  );
}
