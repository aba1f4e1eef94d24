'use client';
// A text input (or textarea) whose value may be an expression: `=trigger.phone` or a `{{ }}` template.
// Shows an "expression" badge and completes data paths (trigger.*, steps.<id>.*, options.*, customer.*).
import { useId, useRef, useState, type KeyboardEvent } from 'react';
import { suggestPaths, tokenAt, type DataPath } from './data-paths';
import { isExpressionValue } from './form-fields';
import styles from './flow-editor.module.css';

interface Props {
  value: string;
  onChange: (text: string) => void;
  paths: readonly DataPath[];
  multiline?: boolean;
  rows?: number;
  testId?: string;
  disabled?: boolean;
  placeholder?: string;
  invalid?: boolean;
  ariaLabel?: string;
  id?: string;
  /** Badge text when the value is not itself an expression but holds some (a JSON object with `=…` values). */
  containsExpressions?: boolean;
}

export function ExpressionInput({ value, onChange, paths, multiline, rows = 4, testId, disabled, placeholder, invalid, ariaLabel, id, containsExpressions }: Props) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const listId = useId();
  const [open, setOpen] = useState<{ token: string; start: number; items: DataPath[] } | null>(null);
  const [active, setActive] = useState(0);
  const expr = isExpressionValue(value) || !!containsExpressions;

  const refresh = (text: string, caret: number) => {
    const t = tokenAt(text, caret);
    const items = t ? suggestPaths(paths, t.token) : [];
    if (t && items.length) { setOpen({ ...t, items }); setActive(0); } else setOpen(null);
  };

  const accept = (p: DataPath) => {
    if (!open || !ref.current) return;
    const caret = open.start + open.token.length;
    const next = value.slice(0, open.start) + p.path + value.slice(caret);
    onChange(next);
    setOpen(null);
    const pos = open.start + p.path.length;
    requestAnimationFrame(() => { ref.current?.focus(); ref.current?.setSelectionRange(pos, pos); });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!open) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => (a + 1) % open.items.length); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => (a - 1 + open.items.length) % open.items.length); }
    else if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); accept(open.items[active]); }
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); setOpen(null); }
  };

  const common = {
    ref, id, value, disabled, placeholder, 'data-testid': testId, 'aria-label': ariaLabel,
    'aria-autocomplete': 'list' as const, 'aria-expanded': !!open, 'aria-controls': open ? listId : undefined,
    'aria-activedescendant': open ? `${listId}-${active}` : undefined, 'aria-invalid': invalid || undefined,
    className: `${multiline ? styles.textarea : styles.input} ${expr ? styles.exprInput : ''}`,
    spellCheck: false, autoComplete: 'off',
    onChange: (e: { target: { value: string; selectionStart: number | null } }) => { onChange(e.target.value); refresh(e.target.value, e.target.selectionStart ?? e.target.value.length); },
    onKeyDown,
    onBlur: () => setOpen(null),
    onClick: (e: { currentTarget: { value: string; selectionStart: number | null } }) => refresh(e.currentTarget.value, e.currentTarget.selectionStart ?? 0),
  };

  return (
    <div className={styles.exprWrap}>
      {multiline ? <textarea {...common} rows={rows} /> : <input {...common} type="text" />}
      {expr && <span className={styles.exprBadge} data-testid={testId ? `${testId}-expression` : undefined} title="Evaluated for each run (JSONata)">{isExpressionValue(value) ? 'expression' : 'has expressions'}</span>}
      {open && (
        <ul className={styles.suggest} role="listbox" id={listId} data-testid="autocomplete">
          {open.items.map((p, i) => (
            <li
              key={p.path} id={`${listId}-${i}`} role="option" aria-selected={i === active}
              className={i === active ? styles.suggestActive : undefined}
              onMouseDown={(e) => { e.preventDefault(); accept(p); }} onMouseEnter={() => setActive(i)}
            >
              <code>{p.path}</code> <span className={styles.muted}>{p.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
