// Instants as text: ISO 8601 only (2026-11-25, 2026-11-25T10:00:00Z, …+02:00), a real calendar date, and a year
// in a range every date library and PostgreSQL agree on. Date.parse alone takes "yesterday"-like surprises,
// rolls 2026-02-30 over to March and accepts years PostgreSQL cannot store ("infinity" breaks every later read).
import { z } from 'zod';

export const MIN_INSTANT_YEAR = 1900;
export const MAX_INSTANT_YEAR = 9999;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** The instant `s` names, or null when it is not ISO 8601, not a real date, or outside the year range. */
export function parseIsoInstant(s: string): Date | null {
  const m = ISO.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', sec = '0'] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(sec);
  if (year < MIN_INSTANT_YEAR || year > MAX_INSTANT_YEAR || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return null;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const zh = Number(zone.slice(1, 3)), zm = Number(zone.replace(':', '').slice(3, 5) || '0');
    if (zh > 14 || zm > 59) return null;
  }
  const t = Date.parse(`${y}-${mo}-${d}T${h.padStart(2, '0')}:${mi.padStart(2, '0')}:${sec.padStart(2, '0')}${m[7] ? `.${m[7].slice(0, 3)}` : ''}${normaliseZone(zone)}`);
  return Number.isFinite(t) ? new Date(t) : null;
}

function normaliseZone(zone: string | undefined): string {
  if (!zone || zone.toUpperCase() === 'Z') return 'Z';
  const digits = zone.slice(1).replace(':', '');
  return `${zone[0]}${digits.slice(0, 2)}:${(digits.slice(2) || '00').padEnd(2, '0')}`;
}

const MESSAGE = `an ISO 8601 date-time such as 2026-11-25T10:00:00Z (years ${MIN_INSTANT_YEAR}–${MAX_INSTANT_YEAR})`;

/** A string field holding an ISO 8601 instant (kept as given). */
export const isoInstantString = z.string().max(64).refine((s) => parseIsoInstant(s) !== null, MESSAGE);

/** A query/body field holding an ISO 8601 instant, parsed to a Date. */
export const isoInstantDate = z.string({ error: MESSAGE }).max(64).transform((s, ctx) => parseIsoInstant(s) ?? (ctx.addIssue({ code: 'custom', message: MESSAGE }), z.NEVER));
