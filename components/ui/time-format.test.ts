// Relative times read both ways: a sync's next run 15 minutes ahead is "in 15 min" (it said "just now").
import { describe, expect, it } from 'vitest';
import { formatRelative } from './time-format';

const now = Date.parse('2026-05-01T12:00:00Z');
const at = (offsetSec: number) => new Date(now + offsetSec * 1000).toISOString();

describe('formatRelative', () => {
  it('past instants', () => {
    expect(formatRelative(at(-30), now)).toBe('30s ago');
    expect(formatRelative(at(-15 * 60), now)).toBe('15 min ago');
    expect(formatRelative(at(-3 * 3600), now)).toBe('3 h ago');
  });

  it('future instants say how far ahead', () => {
    expect(formatRelative(at(15 * 60), now)).toBe('in 15 min');
    expect(formatRelative(at(20), now)).toBe('in 20s');
    expect(formatRelative(at(2 * 3600), now)).toBe('in 2 h');
    expect(formatRelative(at(3 * 86_400), now)).toBe('in 3 d');
  });

  it('within a couple of seconds either way is "just now"; garbage is a dash', () => {
    expect(formatRelative(at(1), now)).toBe('just now');
    expect(formatRelative(at(-1), now)).toBe('just now');
    expect(formatRelative('not a date', now)).toBe('—');
  });
});
