// The runs list's filters as they live in the URL (?automation=&customer=&status=&flowId=&range=&from=&to=)
// and as the API wants them (from/to as instants).
import type { RunFilters, RunStatus } from '@/lib/staff-api/contract';

export const RANGES = [
  { id: 'all', label: 'Any time', ms: 0 },
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { id: 'custom', label: 'Between…', ms: 0 },
] as const;
export type RangeId = (typeof RANGES)[number]['id'];

export const STATUSES: RunStatus[] = ['succeeded', 'failed', 'timeout', 'waiting', 'running', 'queued'];

export interface RunFilterState {
  automation: string;
  customer: string;
  status: string;
  flowId: string;
  range: RangeId;
  /** datetime-local values (browser's local time) for the custom range. */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: RunFilterState = { automation: '', customer: '', status: '', flowId: '', range: 'all', from: '', to: '' };

export function filtersFromSearch(sp: Record<string, string | string[] | undefined>): RunFilterState {
  const one = (k: string) => (Array.isArray(sp[k]) ? sp[k]![0] : (sp[k] as string | undefined)) ?? '';
  const range = RANGES.some((r) => r.id === one('range')) ? (one('range') as RangeId) : (one('from') || one('to') ? 'custom' : 'all');
  return { automation: one('automation'), customer: one('customer'), status: one('status'), flowId: one('flowId'), range, from: one('from'), to: one('to') };
}

export function filtersToSearch(f: RunFilterState): string {
  const qs = new URLSearchParams();
  for (const k of ['automation', 'customer', 'status', 'flowId'] as const) if (f[k]) qs.set(k, f[k]);
  if (f.range !== 'all') qs.set('range', f.range);
  if (f.range === 'custom') { if (f.from) qs.set('from', f.from); if (f.to) qs.set('to', f.to); }
  return qs.toString();
}

/** `now` is fixed when the filters are chosen (or refreshed), so the query key stays stable while paging. */
export function filtersToQuery(f: RunFilterState, now: number): RunFilters {
  const q: RunFilters = {};
  if (f.automation) q.automation = f.automation;
  if (f.customer) q.customer = f.customer;
  if (f.status) q.status = f.status as RunStatus;
  if (f.flowId) q.flowId = f.flowId;
  const preset = RANGES.find((r) => r.id === f.range);
  if (preset && preset.ms > 0) q.from = new Date(now - preset.ms).toISOString();
  if (f.range === 'custom') {
    const from = f.from ? new Date(f.from) : null;
    const to = f.to ? new Date(f.to) : null;
    if (from && !Number.isNaN(from.getTime())) q.from = from.toISOString();
    if (to && !Number.isNaN(to.getTime())) q.to = to.toISOString();
  }
  return q;
}

export const hasFilters = (f: RunFilterState) => filtersToSearch(f) !== '';
