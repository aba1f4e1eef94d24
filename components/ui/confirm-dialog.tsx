'use client';
// A modal confirmation on the native <dialog>: focus stays inside, Escape cancels, the focused button is Cancel.
import { useEffect, useRef } from 'react';
import styles from './dialog.module.css';

/** Keeps a native <dialog> shown as a modal while `open`, closed otherwise. */
function useModal(open: boolean) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return ref;
}

export function ConfirmDialog(p: {
  open: boolean;
  title: string;
  children: React.ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
  testId?: string;
}) {
  const ref = useModal(p.open);
  return (
    <dialog ref={ref} className={styles.dialog} onCancel={(e) => { e.preventDefault(); if (!p.busy) p.onCancel(); }} data-testid={p.testId ?? 'confirm-dialog'} aria-labelledby="confirm-title">
      {p.open && (
        <div className={styles.body}>
          <h2 id="confirm-title">{p.title}</h2>
          <div className={styles.text}>{p.children}</div>
          {p.error && <p className="notice notice-err" role="alert">{p.error}</p>}
          <div className={styles.actions}>
            <button type="button" className="btn" onClick={p.onCancel} disabled={p.busy} autoFocus data-testid="confirm-cancel">Cancel</button>
            <button type="button" className={p.danger ? 'btn btn-danger' : 'btn btn-primary'} onClick={p.onConfirm} disabled={p.busy} data-testid="confirm-ok">
              {p.busy ? 'Working…' : p.confirmLabel}
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}

/** A modal holding a form (create flow …); submitting is the form's own business. */
export function FormDialog(p: { open: boolean; title: string; onClose: () => void; children: React.ReactNode; testId: string; busy?: boolean }) {
  const ref = useModal(p.open);
  return (
    <dialog ref={ref} className={styles.dialog} onCancel={(e) => { e.preventDefault(); if (!p.busy) p.onClose(); }} data-testid={p.testId} aria-label={p.title}>
      {p.open && (
        <div className={styles.body}>
          <h2>{p.title}</h2>
          {p.children}
        </div>
      )}
    </dialog>
  );
}
