// Undo / redo stacks of editor snapshots. Consecutive edits with the same coalesce key (typing into one
// field) within `windowMs` become one undo step.
export class EditorHistory<T> {
  private past: T[] = [];
  private future: T[] = [];
  private lastKey: string | null = null;
  private lastAt = 0;

  constructor(private readonly limit = 200, private readonly windowMs = 1200, private readonly now: () => number = () => Date.now()) {}

  /** Call before applying a change, with the state the change starts from. */
  record(before: T, coalesceKey?: string): void {
    const t = this.now();
    const merge = coalesceKey !== undefined && coalesceKey === this.lastKey && t - this.lastAt < this.windowMs && this.past.length > 0;
    if (!merge) {
      this.past.push(before);
      if (this.past.length > this.limit) this.past.shift();
    }
    this.lastKey = coalesceKey ?? null;
    this.lastAt = t;
    this.future = [];
  }

  undo(current: T): T | null {
    const prev = this.past.pop();
    if (prev === undefined) return null;
    this.future.push(current);
    this.lastKey = null;
    return prev;
  }

  redo(current: T): T | null {
    const next = this.future.pop();
    if (next === undefined) return null;
    this.past.push(current);
    this.lastKey = null;
    return next;
  }

  clear(): void { this.past = []; this.future = []; this.lastKey = null; }
  get canUndo(): boolean { return this.past.length > 0; }
  get canRedo(): boolean { return this.future.length > 0; }
}
