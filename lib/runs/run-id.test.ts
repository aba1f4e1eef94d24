import { describe, expect, it } from 'vitest';
import { newRunId } from './run-id';

describe('newRunId', () => {
  it('is a version 7 UUID carrying the time, sorting by creation time', () => {
    const t = Date.UTC(2026, 10, 25, 12, 0, 0, 123);
    const id = newRunId(t);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(t);
    const ids = [newRunId(t), newRunId(t + 1), newRunId(t + 1000), newRunId(t + 86_400_000)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => newRunId(t))).size).toBe(1000);
  });
});
