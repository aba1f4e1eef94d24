import { describe, expect, it } from 'vitest';
import { EditorHistory } from './editor-history';

describe('undo / redo history', () => {
  it('undoes and redoes in order, and a new edit clears redo', () => {
    const h = new EditorHistory<number>();
    let s = 0;
    const edit = (v: number) => { h.record(s); s = v; };
    edit(1); edit(2); edit(3);
    s = h.undo(s)!; expect(s).toBe(2);
    s = h.undo(s)!; expect(s).toBe(1);
    s = h.redo(s)!; expect(s).toBe(2);
    edit(9);
    expect(h.canRedo).toBe(false);
    expect(h.redo(s)).toBeNull();
    s = h.undo(s)!; expect(s).toBe(2);
  });

  it('coalesces typing into one field within the window', () => {
    let t = 0;
    const h = new EditorHistory<string>(200, 1000, () => t);
    let s = '';
    const type = (v: string, key = 'param:a') => { h.record(s, key); s = v; t += 100; };
    type('a'); type('ab'); type('abc');
    type('x', 'param:b');
    expect(h.undo(s)).toBe('abc');
    expect(h.undo('abc')).toBe('');
    expect(h.undo('')).toBeNull();
  });

  it('keeps at most `limit` steps', () => {
    const h = new EditorHistory<number>(3);
    for (let i = 0; i < 10; i++) h.record(i);
    expect(h.undo(10)).toBe(9);
    expect(h.undo(9)).toBe(8);
    expect(h.undo(8)).toBe(7);
    expect(h.undo(7)).toBeNull();
  });
});
