'use client';
// "Compare": what changed between two saved versions (or a version and the unsaved canvas), in words.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { queryKeys, staffApi } from '@/components/api-client';
import type { FlowVersionInfo } from '@/lib/staff-api/contract';
import { describeFlowDiff } from './flow-diff';
import type { FlowJson, FlowJsonInput } from './flow-mapping';
import styles from './flow-editor.module.css';

const CURRENT = 'current';

/** A saved version's definition (versions never change, so it is fetched once). */
function useFlowVersion(flowId: string, v: string) {
  return useQuery({
    queryKey: queryKeys.flowVersion(flowId, Number(v)), queryFn: () => staffApi.flowVersion(flowId, Number(v)),
    enabled: v !== CURRENT, staleTime: Infinity,
  });
}

export function CompareDialog({ flowId, versions, current, onClose }: { flowId: string; versions: FlowVersionInfo[]; current: FlowJson; onClose: () => void }) {
  const sorted = useMemo(() => [...versions].sort((a, b) => b.version - a.version), [versions]);
  const [left, setLeft] = useState(String(sorted[1]?.version ?? sorted[0]?.version ?? CURRENT));
  const [right, setRight] = useState(sorted.length > 1 ? String(sorted[0].version) : CURRENT);
  const leftQ = useFlowVersion(flowId, left);
  const rightQ = useFlowVersion(flowId, right);
  const error = (leftQ.error ?? rightQ.error)?.message ?? null;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const a = left === CURRENT ? current : (leftQ.data?.definition as FlowJsonInput | undefined);
  const b = right === CURRENT ? current : (rightQ.data?.definition as FlowJsonInput | undefined);
  const diff = a && b ? describeFlowDiff(a, b) : null;
  const options = (
    <>
      <option value={CURRENT}>Current canvas (unsaved)</option>
      {sorted.map((v) => <option key={v.version} value={v.version}>v{v.version}{v.message ? ` — ${v.message}` : ''}</option>)}
    </>
  );
  return (
    <div className={styles.dialogBackdrop} onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div className={styles.dialog} role="dialog" aria-modal="true" aria-labelledby="compare-title" data-testid="compare-dialog">
        <h2 id="compare-title">Compare versions</h2>
        <div className={styles.row}>
          <label>From <select className={styles.input} value={left} onChange={(e) => setLeft(e.target.value)} data-testid="compare-from" autoFocus>{options}</select></label>
          <label>to <select className={styles.input} value={right} onChange={(e) => setRight(e.target.value)} data-testid="compare-to">{options}</select></label>
        </div>
        <div data-testid="compare-output" className={styles.compareOutput}>
          {error && <div className={styles.fieldError}>{error}</div>}
          {!diff && !error && <div className={styles.muted}>Loading…</div>}
          {diff && diff.lines.length === 0 && <div className={styles.muted}>No differences.</div>}
          {diff && diff.lines.length > 0 && <ul>{diff.lines.map((l, i) => <li key={i}><code>{l}</code></li>)}</ul>}
        </div>
        <div className={styles.dialogActions}><button type="button" className={styles.button} onClick={onClose}>Close</button></div>
      </div>
    </div>
  );
}
