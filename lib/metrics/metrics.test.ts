import http from 'node:http';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateListen } from '../config';
import { createScratchDb, type ScratchDb } from '../testing/scratch-db';
import { PatchbayMetrics } from './metrics';
import { listenForMetrics, metricsRoute } from './metrics-endpoint';

let db: ScratchDb;
let sql: postgres.Sql;
beforeAll(async () => { db = await createScratchDb('patchbay_metrics'); sql = db.sql; });
afterAll(async () => { await db?.drop(); });

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => boolean) {
  const server = http.createServer((req, res) => { if (!handler(req, res)) { res.writeHead(418); res.end(); } });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

describe('/metrics', () => {
  it('is off (404) without a token, needs the token when one is set, and leaves other paths alone', async () => {
    const metrics = new PatchbayMetrics({ sql });
    const off = await serve(metricsRoute(metrics, null));
    const on = await serve(metricsRoute(metrics, 'a-long-metrics-token'));
    try {
      expect((await fetch(`${off.url}/metrics`, { headers: { authorization: 'Bearer a-long-metrics-token' } })).status).toBe(404);
      expect((await fetch(`${on.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${on.url}/metrics`, { headers: { authorization: 'Bearer a-long-metrics-tokeN' } })).status).toBe(401);
      expect((await fetch(`${on.url}/other`)).status).toBe(418);
      metrics.observeRun({ vendorId: 'v', customerId: 'c', automation: 'caller_lookup', status: 'failed', fallback: true, durationMs: 12, startedAt: new Date() }, true);
      metrics.observeRun({ vendorId: 'v', customerId: 'c', automation: 'caller_lookup', status: 'succeeded', durationMs: 2, startedAt: new Date() }, false);
      const r = await fetch(`${on.url}/metrics`, { headers: { authorization: 'Bearer a-long-metrics-token' } });
      expect(r.status).toBe(200);
      const text = await r.text();
      expect(text).toContain('patchbay_runs_total{automation="caller_lookup",status="failed"} 1');
      expect(text).toContain('patchbay_run_fallbacks_total{automation="caller_lookup"} 1');
      expect(text).toContain('patchbay_runs_recorded_total{automation="caller_lookup"} 1');
      expect(text).toContain('patchbay_run_duration_seconds_bucket{le="0.015",automation="caller_lookup"} 2');
      expect(text).toContain('patchbay_run_duration_seconds_bucket{le="0.002",automation="caller_lookup"} 1');
      expect(text).toMatch(/patchbay_run_history_bytes\{table="runs"\} \d+/);
    } finally { off.close(); on.close(); }
  });

  it('a private listener serves it without a token; only private addresses are accepted for it', async () => {
    const server = await listenForMetrics(new PatchbayMetrics({ sql }), { host: '127.0.0.1', port: 0 });
    try {
      const port = (server.address() as { port: number }).port;
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/health`)).status).toBe(404);
    } finally { server.close(); }
    expect(privateListen('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(privateListen('10.1.2.3:9464')).not.toBeNull();
    expect(privateListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    for (const bad of ['0.0.0.0:9464', '8.8.8.8:9464', '172.32.0.1:9464', 'metrics.example.com:9464', '127.0.0.1', '127.0.0.1:70000']) expect(privateListen(bad), bad).toBeNull();
  });
});
