'use client';
// Short notices in the editor's corner (a refused connection, "Saved v3"); they leave by themselves.
import { useCallback, useRef, useState } from 'react';
import styles from './flow-editor.module.css';

export interface Toast { id: number; message: string; kind: 'info' | 'error' | 'ok' }

export function useToasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const seq = useRef(0);
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const push = useCallback((message: string, kind: Toast['kind'] = 'info') => {
    const id = ++seq.current;
    setToasts((t) => [...t.slice(-3), { id, message, kind }]);
    setTimeout(() => dismiss(id), kind === 'error' ? 7000 : 4000);
  }, [dismiss]);
  return { toasts, push, dismiss };
}

export function Toasts({ toasts, dismiss }: { toasts: Toast[]; dismiss: (id: number) => void }) {
  return (
    <div className={styles.toasts} role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={t.kind === 'error' ? styles.toastError : t.kind === 'ok' ? styles.toastOk : styles.toast} data-testid="toast">
          <span>{t.message}</span>
          <button type="button" className={styles.toastClose} aria-label="Dismiss" onClick={() => dismiss(t.id)}>✕</button>
        </div>
      ))}
    </div>
  );
}
