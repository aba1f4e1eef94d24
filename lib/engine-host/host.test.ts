import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFlow, registry } from '@/engine';
import { readRun } from '../runs/read-run';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { EngineHost } from './host';

let db: ScratchDb;
let vendorId = '';
let customerId = '';

beforeAll(async () => {
  db = await createScratchDb('patchbay_host');
  ({ vendorId, customerId } = await seedVendor(db.sql, 'host'));
});
afterAll(async () => { await db?.drop(); });

const flowCalling = (target: string) => compileFlow({
  schemaVersion: 1, name: 'slow', automation: 'slow_call',
  nodes: [
    { id: 'trigger', type: 'trigger.webhook', params: {}, position: { x: 0, y: 0 } },
    { id: 'call', type: 'http.request', params: { url: target, method: 'POST' }, position: { x: 200, y: 0 } },
    { id: 'answer', type: 'respond.json', params: { status: 200, body: { ok: true } }, position: { x: 400, y: 0 } },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourcePort: 'out', target: 'call' },
    { id: 'e2', source: 'call', sourcePort: 'out', target: 'answer' },
  ],
}, registry);

describe('EngineHost', () => {
  it('answers a run past the flow timeout as timed out, aborts the request still in flight, and records the partial run', async () => {
    let aborted: () => void = () => {};
    const requestAborted = new Promise<void>((r) => (aborted = r));
    // An endpoint that never answers: only the host's cancellation can end the block.
    const hang = http.createServer((req) => { req.resume(); req.socket.on('close', () => aborted()); });
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    // A deadline long enough that the request has surely started on a loaded machine (150 ms was not always: the run
    // then ended before the block sent anything, and the test waited in vain for the endpoint to see a close).
    const host = new EngineHost({ sql: db.sql, encryptionKey: Buffer.alloc(32), flowTimeoutMs: 1_000, allowPrivateHosts: true });
    try {
      const t0 = Date.now();
      const out = await host.execute({
        vendorId, customer: { id: customerId, defaultCountry: 'US' }, flowId: null, flowVersion: null,
        compiled: flowCalling(`http://127.0.0.1:${(hang.address() as { port: number }).port}/slow`), options: {}, trigger: { n: 1 },
      });
      const took = Date.now() - t0;
      // The endpoint never answers, so only the 1 s deadline can have ended the run (no upper wall-clock bound:
      // on a loaded machine timers fire late; a missing deadline fails by the test's own timeout).
      expect(out.status).toBe('timeout');
      expect(took).toBeGreaterThanOrEqual(1_000);
      // the hanging call is cancelled, not left running: the endpoint sees its connection close
      await requestAborted;
      // The partial run is recorded once the engine notices the abort: wait for the record, not a fixed time.
      let run = await readRun(db.sql, vendorId, out.runId);
      while (!run) { await new Promise((r) => setTimeout(r, 50)); run = await readRun(db.sql, vendorId, out.runId); }
      await host.close();
      // counted in the per-minute aggregates as a timeout (at the deadline, not when the run noticed)
      const [agg] = await db.sql<{ runs: number; timeouts: number }[]>`select sum(runs)::int as runs, sum(timeouts)::int as timeouts from run_aggregates where automation = 'slow_call'`;
      expect(agg).toEqual({ runs: 1, timeouts: 1 });
      expect(run!.status).toBe('timeout');
      expect(run!.steps.map((s) => [s.nodeId, s.status])).toEqual([['trigger', 'succeeded'], ['call', 'failed']]);
      expect(run!.steps[0].output).toEqual({ n: 1 });
    } finally {
      hang.closeAllConnections();
      hang.close();
    }
  });

  it('runs many flows at once, each with its own deadline', async () => {
    const ok = http.createServer((req, res) => { req.resume(); req.on('end', () => setTimeout(() => res.end('{}'), 20)); });
    await new Promise<void>((r) => ok.listen(0, '127.0.0.1', r));
    const host = new EngineHost({ sql: db.sql, encryptionKey: Buffer.alloc(32), flowTimeoutMs: 2000, allowPrivateHosts: true });
    try {
      const compiled = flowCalling(`http://127.0.0.1:${(ok.address() as { port: number }).port}/fast`);
      const outs = await Promise.all(Array.from({ length: 20 }, (_, i) => host.execute({
        vendorId, customer: { id: customerId, defaultCountry: 'US' }, flowId: null, flowVersion: null, compiled, options: {}, trigger: { i },
      })));
      expect(outs.map((o) => o.status)).toEqual(Array(20).fill('succeeded'));
      expect(outs.every((o) => (o.response?.body as { ok: boolean }).ok)).toBe(true);
    } finally {
      await host.close();
      ok.closeAllConnections();
      ok.close();
    }
  });
});
