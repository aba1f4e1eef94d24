// Patchbay's process: starts the database (embedded PostgreSQL unless DATABASE_URL is set), migrates,
// seeds the demo tenant, runs the job worker, and serves the public API (fast path) and the Next.js app.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { readConfig } from './lib/config';
import { loadSecrets } from './lib/secrets';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './lib/db/embedded';
import { runMigrations } from './lib/db/migrate';
import { closeDb, connect, getSql } from './lib/db/client';
import { createPipelinedPool } from './lib/db/pipelined-pool';
import { EngineHost, setHost } from './lib/engine-host/host';
import { createEdge } from './lib/api/edge';
import { routes } from './lib/api/routes';
import { guardRequest } from './lib/api/request-guard';
import { watchKeyChanges } from './lib/tenancy/api-keys';
import { seedDemo } from './lib/seed/demo';
import { startJobs, type JobsRuntime } from './lib/jobs/runtime';
import { registerRunRetention } from './lib/runs/retention';
import { registerSyncJobs } from './lib/sync/sync-jobs';

const log = (m: string) => console.log(`[patchbay] ${m}`);

async function main() {
  const dev = process.argv.includes('--dev');
  const cfg = readConfig();
  const secrets = loadSecrets(cfg);
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = cfg.databaseUrl;
  if (!databaseUrl) {
    const t0 = Date.now();
    embedded = await startEmbeddedPostgres(cfg.dataDir, secrets.embeddedDbPassword, log);
    databaseUrl = embedded.url;
    log(`Embedded PostgreSQL running from ${path.join(cfg.dataDir, 'postgres')} (${Date.now() - t0} ms)`);
  }
  process.env.DATABASE_URL = databaseUrl;
  process.env.NEXTAUTH_SECRET ??= secrets.authSecret;
  process.env.NEXTAUTH_URL ??= `http://${cfg.host === '0.0.0.0' ? 'localhost' : cfg.host}:${cfg.port}`;
  process.env.PATCHBAY_ENCRYPTION_KEY_RUNTIME = secrets.encryptionKey.toString('hex');

  await runMigrations(databaseUrl);
  const sql = getSql();
  const allowPrivateHosts = process.env.PATCHBAY_ALLOW_PRIVATE_HOSTS ? process.env.PATCHBAY_ALLOW_PRIVATE_HOSTS === '1' : cfg.mode === 'demo';
  // The run recorder's own connection commits asynchronously: only batches of finished live runs go through it
  // (history; durable runs are written on the shared pool). ARCHITECTURE.md, "Durability".
  const recorderSql = connect(databaseUrl, 1, { synchronous_commit: 'off' }).sql;
  const lookupPool = createPipelinedPool(databaseUrl);
  const host = new EngineHost({ sql, recorderSql, lookupSql: lookupPool.next, encryptionKey: secrets.encryptionKey, flowTimeoutMs: cfg.flowTimeoutMs, allowPrivateHosts });
  setHost(host);
  // API key cache invalidation (revocations take effect at once in every process).
  const stopKeyWatch = await watchKeyChanges(sql);

  const demo = cfg.seedDemo ? await seedDemo(sql, { dataDir: cfg.dataDir, contacts: cfg.demoContacts, apiKey: cfg.demoApiKey, log }) : null;

  let jobs: JobsRuntime | null = null;
  registerSyncJobs({ sql, host, log });
  registerRunRetention({ sql, log });
  if (cfg.runWorker) jobs = await startJobs({ databaseUrl, host, sql, log, worker: true });
  else jobs = await startJobs({ databaseUrl, host, sql, log, worker: false });

  let nextHandler: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | null = null;
  let closeNext: (() => Promise<void>) | null = null;
  if (process.env.PATCHBAY_NO_UI !== '1') {
    const { default: next } = await import('next');
    const app = next({ dev, dir: process.cwd(), hostname: cfg.host, port: cfg.port });
    await app.prepare();
    const handle = app.getRequestHandler();
    nextHandler = (req, res) => handle(req, res);
    closeNext = () => app.close();
  }

  const edge = createEdge(routes, { sql, host, encryptionKey: secrets.encryptionKey });
  const trustProxy = process.env.PATCHBAY_TRUST_PROXY === '1';
  const server = http.createServer((req, res) => {
    if (guardRequest(req, res, { dev, trustProxy })) return;
    if (edge(req, res)) return;
    if (nextHandler) void nextHandler(req, res);
    else { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('UI disabled (PATCHBAY_NO_UI=1)'); }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(cfg.port, cfg.host, resolve); });
  const base = `http://${cfg.host === '0.0.0.0' ? 'localhost' : cfg.host}:${cfg.port}`;
  fs.writeFileSync(path.join(cfg.dataDir, 'runtime.json'), JSON.stringify({ pid: process.pid, url: base, databaseUrl, embedded: !!embedded }, null, 2), { mode: 0o600 });

  console.log('');
  log(`Ready on ${base}  (database: ${embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'})`);
  if (demo) {
    log(`Sign in: ${base}/login  as ${demo.staffEmail} / ${demo.staffPassword}`);
    log(demo.apiKeyRevoked ? `Demo API key: ${demo.apiKey.slice(0, 8)}… was revoked (the seed does not re-activate it; set PATCHBAY_DEMO_API_KEY to a new key)` : `Demo API key: ${demo.apiKey}`);
    log(`Customer portal (connect a CRM; link valid 24 h): ${base}${demo.portalPath}`);
    log(`Try it:\n  curl -s -X POST ${base}/api/v1/customers/demo/automations/caller_lookup \\\n    -H 'Authorization: Bearer ${demo.apiKey}' -H 'Content-Type: application/json' \\\n    -d '{"phone":"${demo.samplePhone}"}'\n  → ${demo.sampleName ?? '{"found":false} (customer "demo" has no contacts yet: add some with POST /api/v1/customers/demo/cdp/contacts)'}`);
  }
  console.log('');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down …`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    const step = async (name: string, fn: () => Promise<unknown> | undefined) => {
      const t = Date.now();
      await Promise.resolve(fn()).catch((e) => console.error(`[patchbay] stopping ${name}:`, (e as Error).message));
      if (Date.now() - t > 1000) log(`stopping ${name} took ${Date.now() - t} ms`);
    };
    server.close();
    server.closeAllConnections();
    await step('job engine', () => jobs?.stop());
    await step('run recorder', async () => { await host.close(); await recorderSql.end({ timeout: 5 }); });
    await step('lookup connections', () => lookupPool.end());
    await step('key listener', () => stopKeyWatch());
    await step('web app', () => closeNext?.());
    await step('database pool', () => closeDb());
    await step('embedded database', () => embedded?.stop());
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error('[patchbay] failed to start:', err instanceof Error ? err.message : err);
  if (process.env.PATCHBAY_DEBUG) console.error(err);
  process.exit(1);
});
