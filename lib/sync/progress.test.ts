import { describe, expect, it } from 'vitest';
import { syncProgress } from './progress';

const run = (o: Partial<Parameters<typeof syncProgress>[0]>) => syncProgress({ status: 'running', read: 0, total_estimate: null, stats: {}, ...o });

describe('syncProgress', () => {
  it('is read / estimate while changes are read, never past 100% when the estimate ran short', () => {
    expect(run({ read: 250, total_estimate: 1000 })).toEqual({ fraction: 0.25, phase: 'changes', label: '250 of ~1,000 read' });
    expect(run({ read: 1200, total_estimate: 1000 }).fraction).toBe(1);
  });
  it('is indeterminate without an estimate and while comparing ids', () => {
    expect(run({ read: 40 })).toMatchObject({ fraction: null, label: '40 read' });
    expect(run({ stats: { phase: 'comparing', sourceIds: 5000 } })).toMatchObject({ fraction: null, phase: 'comparing', label: 'comparing ids: 5,000 read from the source' });
  });
  it('is empty while queued and full once finished', () => {
    expect(run({ status: 'queued' })).toMatchObject({ fraction: 0, phase: 'queued' });
    expect(run({ status: 'blocked' })).toMatchObject({ fraction: 1, phase: 'done', label: 'blocked' });
  });
});
