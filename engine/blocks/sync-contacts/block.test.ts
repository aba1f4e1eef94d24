import { describe, expect, it } from 'vitest';
import flow from '../../fixtures/contact-sync.flow.json';
import type { SyncStartRequest } from '../../core/define-block';
import { runFixture } from '../../testing/run-fixture';

function fakeSync(status: 'queued' | 'already_running') {
  const calls: SyncStartRequest[] = [];
  return { calls, port: { start: async (req: SyncStartRequest) => { calls.push(req); return { syncRunId: 'run-1', status }; } } };
}

describe('sync.contacts and the contact_sync template', () => {
  it('starts a durable sync with the integration options and answers 202 with the run id', async () => {
    const sync = fakeSync('queued');
    const r = await runFixture(flow, { mode: 'full' }, { sync: sync.port, options: { ...flow.options, destinations: ['cdp'], crm: 'salesforce' } });
    expect(r.status).toBe('succeeded');
    expect(sync.calls).toEqual([{
      source: 'salesforce', mode: 'full', kinds: ['person', 'company'], destinations: ['cdp'],
      incrementalEveryMinutes: 15, fullEveryHours: 24, deleteThreshold: 0.2,
    }]);
    expect(r.byNode.sync.port).toBe('started');
    expect(r.response).toEqual({ status: 202, body: { syncRunId: 'run-1', status: 'queued' } });
  });

  it('defaults to an incremental run and takes the "already running" port when one runs', async () => {
    const sync = fakeSync('already_running');
    const r = await runFixture(flow, {}, { sync: sync.port, options: flow.options });
    expect(sync.calls[0]).toMatchObject({ source: 'hubspot', mode: 'incremental', destinations: ['cdp', 'phonebook'] });
    expect(r.byNode.sync.port).toBe('running');
    expect(r.response?.status).toBe(409);
  });

  it('fails with an actionable error where no job engine runs', async () => {
    const r = await runFixture(flow, {}, { options: flow.options });
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'sync_unavailable', nodeId: 'sync' });
  });
});
