'use client';
// The editor's document (flow meta + React Flow nodes and edges) with undo / redo. Every change that means
// something (add, connect, delete, param edit, drag end, version load) goes through `change` and is undoable;
// selection and measuring go through `patch` and are not.
import { useCallback, useRef, useState } from 'react';
import { EditorHistory } from './editor-history';
import type { CanvasDoc } from './flow-mapping';

export interface EditorDoc {
  doc: CanvasDoc;
  /** Undoable change; edits with the same `coalesceKey` in quick succession are one undo step. */
  change: (fn: (d: CanvasDoc) => CanvasDoc, coalesceKey?: string) => void;
  /** Not undoable (selection, dimensions, positions while dragging). */
  patch: (fn: (d: CanvasDoc) => CanvasDoc) => void;
  /** Remember `before` as an undo step after the fact (drag start → drag stop). */
  recordStep: (before: CanvasDoc) => void;
  /** Replace the document and forget history (first load). */
  reset: (d: CanvasDoc) => void;
  current: () => CanvasDoc;
  undo: () => boolean;
  redo: () => boolean;
  canUndo: boolean;
  canRedo: boolean;
}

export function useEditorDoc(initial: CanvasDoc): EditorDoc {
  const [doc, setDoc] = useState(initial);
  const ref = useRef(initial);
  const history = useRef(new EditorHistory<CanvasDoc>());
  const [, setTick] = useState(0);

  const apply = useCallback((next: CanvasDoc) => { ref.current = next; setDoc(next); setTick((t) => t + 1); }, []);

  const change = useCallback((fn: (d: CanvasDoc) => CanvasDoc, coalesceKey?: string) => {
    const prev = ref.current;
    const next = fn(prev);
    if (next === prev) return;
    history.current.record(prev, coalesceKey);
    apply(next);
  }, [apply]);

  const patch = useCallback((fn: (d: CanvasDoc) => CanvasDoc) => {
    const prev = ref.current;
    const next = fn(prev);
    if (next !== prev) { ref.current = next; setDoc(next); }
  }, []);

  const recordStep = useCallback((before: CanvasDoc) => { history.current.record(before); setTick((t) => t + 1); }, []);
  const reset = useCallback((d: CanvasDoc) => { history.current.clear(); apply(d); }, [apply]);
  const undo = useCallback(() => { const d = history.current.undo(ref.current); if (!d) return false; apply(d); return true; }, [apply]);
  const redo = useCallback(() => { const d = history.current.redo(ref.current); if (!d) return false; apply(d); return true; }, [apply]);
  const current = useCallback(() => ref.current, []);

  return { doc, change, patch, recordStep, reset, current, undo, redo, canUndo: history.current.canUndo, canRedo: history.current.canRedo };
}
