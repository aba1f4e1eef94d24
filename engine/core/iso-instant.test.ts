import { describe, expect, it } from 'vitest';
import { isoInstantDate, parseIsoInstant } from './iso-instant';

describe('ISO 8601 instants', () => {
  it('accepts dates, date-times with or without seconds, fractions and zones', () => {
    expect(parseIsoInstant('2026-11-25')?.toISOString()).toBe('2026-11-25T00:00:00.000Z');
    expect(parseIsoInstant('2026-11-25T10:00Z')?.toISOString()).toBe('2026-11-25T10:00:00.000Z');
    expect(parseIsoInstant('2026-11-25T10:00:00.123456Z')?.toISOString()).toBe('2026-11-25T10:00:00.123Z');
    expect(parseIsoInstant('2026-02-28T10:00:00+02:00')?.toISOString()).toBe('2026-02-28T08:00:00.000Z');
    expect(parseIsoInstant('2026-02-28T10:00:00-0530')?.toISOString()).toBe('2026-02-28T15:30:00.000Z');
    expect(parseIsoInstant('2024-02-29T00:00:00Z')).not.toBeNull();
  });

  it('refuses what Date.parse would roll over, guess or overflow', () => {
    for (const s of ['not a date', 'yesterday', 'epoch', 'infinity', '2026-02-30T00:00:00Z', '2025-02-29', '2026-13-01', '2026-00-10', '2026-01-01T24:00:00Z',
      '2026-01-01T10:60:00Z', '300000-01-01', '+200000-01-01T00:00:00Z', '-005000-01-01T00:00:00Z', '1899-12-31T23:59:59Z', '10000-01-01', '12/31/2025', '2026-01-01T10:00:00+15:00', '']) {
      expect(parseIsoInstant(s), s).toBeNull();
    }
  });

  it('parses to a Date in schemas', () => {
    expect(isoInstantDate.parse('2026-01-01T00:00:00Z')).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(isoInstantDate.safeParse('2026-02-30').success).toBe(false);
  });
});
