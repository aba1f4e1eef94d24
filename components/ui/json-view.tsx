'use client';
// JSON shown as indented, selectable text with a copy button.
import { useState } from 'react';
import styles from './json-view.module.css';

export function JsonView({ value, label, testId, maxHeight = 320 }: { value: unknown; label?: string; testId?: string; maxHeight?: number }) {
  const [copied, setCopied] = useState(false);
  const text = value === undefined ? 'undefined' : JSON.stringify(value, null, 2) ?? String(value);
  return (
    <div className={styles.box}>
      {label && (
        <div className={styles.head}>
          <span className="field-label">{label}</span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => { void navigator.clipboard?.writeText(text).then(() => { setCopied(true); setTimeout(() => setCopied(false), 1200); }); }}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      )}
      <pre className={styles.pre} style={{ maxHeight }} data-testid={testId} tabIndex={0}>{text}</pre>
    </div>
  );
}
