// Patchbay's process: boots (lib/boot.ts: configuration, database — embedded PostgreSQL unless DATABASE_URL is
// set —, migrations, job engine and worker, engine host), seeds the demo tenant, and serves the HTTP edge
// (lib/api/edge.ts: public API, portal, staff API, API docs) before the Next.js app.
import cluster from 'node:cluster';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createEdge } from './lib/api/edge';
import { routes } from './lib/api/routes';
import { guardRequest } from './lib/api/request-guard';
import { boot, type Booted } from './lib/boot';
import { applyPortalFraming, isPortalPage } from './lib/embed/portal-framing';
import { seedDemo } from './lib/seed/demo';
import { listenForMetrics, metricsRoute } from './lib/metrics/metrics-endpoint';
import { readConfig } from './lib/config';
import { runClusterPrimary } from './lib/ops/cluster';
import { runWorkerProcess } from './lib/worker-process';

const log = (m: string) => console.log(`[patchbay] ${m}`);
let debug = false;

async function main() {
  const dev = process.argv.includes('--dev');
  const b: Booted = await boot({ role: 'server', log });
  const { cfg, sql, host } = b;
  debug = cfg.debug;

  const demo = cfg.seedDemo ? await seedDemo(sql, { dataDir: cfg.dataDir, contacts: cfg.demoContacts, apiKey: cfg.demoApiKey, log }) : null;

  let nextHandler: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | null = null;
  let closeNext: (() => Promise<void>) | null = null;
  if (cfg.ui) {
    const { default: next } = await import('next');
    const app = next({ dev, dir: process.cwd(), hostname: cfg.host, port: cfg.port });
    await app.prepare();
    const handle = app.getRequestHandler();
    nextHandler = (req, res) => handle(req, res);
    closeNext = () => app.close();
  }

  const edge = createEdge(routes, { sql, host, encryptionKey: b.secrets.encryptionKeys, lifecycle: b.lifecycle });
  const trustProxy = cfg.trustProxy;
  const metrics = metricsRoute(b.metrics, cfg.metricsToken);
  const route = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (edge(req, res)) return;
    if (metrics(req, res)) return;
    if (nextHandler) void nextHandler(req, res);
    else { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('UI disabled (PATCHBAY_NO_UI=1)'); }
  };
  const server = http.createServer((req, res) => {
    if (guardRequest(req, res, { dev, trustProxy })) return;
    // Customer-portal pages may be framed by their vendor's configured origins (an embedded portal).
    if (isPortalPage(req.url)) void applyPortalFraming(sql, req, res, dev).then(() => route(req, res));
    else route(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(cfg.port, cfg.host, resolve); });
  const metricsServer = cfg.metricsListen ? await listenForMetrics(b.metrics, cfg.metricsListen) : null;
  const base = `http://${cfg.host === '0.0.0.0' ? 'localhost' : cfg.host}:${cfg.port}`;
  // An HTTP process of a cluster (PATCHBAY_API_PROCESSES > 1) reaches the embedded database its primary keeps by URL.
  const clusterEmbedded = process.env.PATCHBAY_CLUSTER_EMBEDDED === '1';
  fs.writeFileSync(path.join(cfg.dataDir, 'runtime.json'), JSON.stringify({ pid: process.pid, url: base, databaseUrl: b.databaseUrl, embedded: !!b.embedded || clusterEmbedded }, null, 2), { mode: 0o600 });

  // In a cluster only the first HTTP process prints the banner; the others say they are up.
  if (process.env.PATCHBAY_CLUSTER_QUIET === '1') log(`Ready on ${base}  (HTTP process ${process.pid}; the first one printed the sign-in details)`);
  else {
  console.log('');
  log(`Ready on ${base}  (database: ${b.embedded ? 'embedded PostgreSQL' : clusterEmbedded ? 'embedded PostgreSQL, kept by the cluster\'s primary process' : 'DATABASE_URL'})`);
  log(`API reference: ${base}/api/docs`);
  if (metricsServer) log(`Metrics (Prometheus, no token, private address): http://${cfg.metricsListen!.host}:${cfg.metricsListen!.port}/metrics`);
  else if (cfg.metricsToken) log(`Metrics (Prometheus): ${base}/metrics with Authorization: Bearer $PATCHBAY_METRICS_TOKEN`);
  if (demo) {
    log(`Sign in: ${base}/login  as ${demo.staffEmail} / ${demo.staffPassword}`);
    log(demo.apiKeyRevoked ? `Demo API key: ${demo.apiKey.slice(0, 8)}… was revoked (the seed does not re-activate it; set PATCHBAY_DEMO_API_KEY to a new key)` : `Demo API key: ${demo.apiKey}`);
    log(`Customer portal (connect a CRM; link valid 24 h): ${base}${demo.portalPath}`);
    log(`Try it:\n  curl -s -X POST ${base}/api/v1/customers/demo/automations/caller_lookup \\\n    -H 'Authorization: Bearer ${demo.apiKey}' -H 'Content-Type: application/json' \\\n    -d '{"phone":"${demo.samplePhone}"}'\n  → ${demo.sampleName ?? '{"found":false} (customer "demo" has no contacts yet: add some with POST /api/v1/customers/demo/cdp/contacts)'}`);
  }
  console.log('');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down …`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    const step = async (name: string, fn: () => Promise<unknown> | undefined) => {
      const t = Date.now();
      await Promise.resolve(fn()).catch((e) => console.error(`[patchbay] stopping ${name}:`, (e as Error).message));
      if (Date.now() - t > 1000) log(`stopping ${name} took ${Date.now() - t} ms`);
    };
    b.lifecycle.markStopping();
    // Stop accepting; requests in flight finish (idle keep-alive connections close now), for at most 10 s.
    await step('requests in flight', () => new Promise<void>((resolve) => {
      const cut = setTimeout(() => { server.closeAllConnections(); resolve(); }, 10_000);
      server.close(() => { clearTimeout(cut); resolve(); });
      server.closeIdleConnections();
    }));
    metricsServer?.close();
    await step('web app', () => closeNext?.());
    await b.stop(step);
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** PATCHBAY_ROLE=worker: the job worker only; PATCHBAY_API_PROCESSES=N: N HTTP processes (lib/ops/cluster.ts). */
async function start() {
  let role = 'all', apiProcesses = 1;
  try { ({ role, apiProcesses } = readConfig()); } catch { /* boot reports the configuration's problems */ }
  if (role === 'worker') return runWorkerProcess();
  if (apiProcesses > 1 && cluster.isPrimary) return runClusterPrimary(readConfig(), log);
  return main();
}

start().catch((err) => {
  console.error('[patchbay] failed to start:', err instanceof Error ? err.message : err);
  if (debug || process.env.PATCHBAY_DEBUG === '1') console.error(err);
  process.exit(1);
});
