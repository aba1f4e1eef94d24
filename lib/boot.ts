// One boot for both processes (server.ts, worker.ts): the configuration read and checked once, the secrets,
// the database (embedded PostgreSQL, DATABASE_URL, or — for a worker — the app's embedded server named in
// runtime.json), migrations, the job engine, and the engine host built once with every option it needs (job
// ports, sync starter) — nothing is assigned into it afterwards. Then the queues this process works.
import fs from 'node:fs';
import path from 'node:path';
import type postgres from 'postgres';
import type { Lifecycle } from './api/route';
import { readConfig, type PatchbayConfig } from './config';
import { closeDb, connect, getSql } from './db/client';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';
import { BOOT_LOCK, runMigrations, withAdvisoryLock } from './db/migrate';
import { createPipelinedPool, type PipelinedPool } from './db/pipelined-pool';
import { EngineHost, setHost } from './engine-host/host';
import { jobPorts, startJobEngine, startWorkers, type JobsRuntime } from './jobs/runtime';
import { registerRunRetention } from './runs/retention';
import { loadSecrets, type Secrets } from './secrets';
import { useJsonLogs } from './log';
import { PatchbayMetrics } from './metrics/metrics';
import { registerSyncJobs, syncStarter } from './sync/sync-jobs';
import { registerScheduledAutomations } from './jobs/scheduled-automations';
import { watchKeyChanges } from './tenancy/api-keys';
import { PhoneCache, watchCdpChanges } from './cdp/phone-cache';

export interface Booted {
  cfg: PatchbayConfig;
  secrets: Secrets;
  databaseUrl: string;
  embedded: EmbeddedDatabase | null;
  sql: postgres.Sql;
  host: EngineHost;
  jobs: JobsRuntime;
  /** Server only: pipelined connections for caller lookups. */
  lookupPool: PipelinedPool | null;
  /** Counters and gauges for GET /metrics. */
  metrics: PatchbayMetrics;
  /** For the readiness check; `markStopping` when SIGTERM arrives. */
  lifecycle: Lifecycle & { markStopping(): void };
  /** Stops what boot started, in order (job engine, run recorder, connections, embedded database). */
  stop(step: (name: string, fn: () => Promise<unknown> | undefined) => Promise<void>): Promise<void>;
}

/** A worker without DATABASE_URL uses the app's embedded database, whose URL `npm start` wrote to runtime.json. */
function workerDatabaseUrl(cfg: PatchbayConfig): string {
  if (cfg.databaseUrl) return cfg.databaseUrl;
  const file = path.join(cfg.dataDir, 'runtime.json');
  if (fs.existsSync(file)) {
    const runtime = JSON.parse(fs.readFileSync(file, 'utf8')) as { databaseUrl?: string };
    if (runtime.databaseUrl) return runtime.databaseUrl;
  }
  throw new Error(`No database: set DATABASE_URL, or start the app first (npm start) so ${file} names its embedded database`);
}

export async function boot(o: { role: 'server' | 'worker'; log: (m: string) => void; env?: NodeJS.ProcessEnv }): Promise<Booted> {
  const cfg = readConfig(o.env);
  if (cfg.logFormat === 'json') useJsonLogs();
  // The encryption key decrypts the connections' credentials on every machine (in production it must come
  // from PATCHBAY_ENCRYPTION_KEY; in demo mode it is kept in the shared data folder).
  const secrets = loadSecrets(cfg);
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl: string;
  if (o.role === 'worker') databaseUrl = workerDatabaseUrl(cfg);
  else if (cfg.databaseUrl) databaseUrl = cfg.databaseUrl;
  else {
    const t0 = Date.now();
    embedded = await startEmbeddedPostgres(cfg.dataDir, secrets.embeddedDbPassword, o.log);
    databaseUrl = embedded.url;
    o.log(`Embedded PostgreSQL running from ${path.join(cfg.dataDir, 'postgres')} (${Date.now() - t0} ms)`);
  }
  // The Next.js route handlers in this process read these (getSql, next-auth, publicBaseUrl).
  process.env.DATABASE_URL = databaseUrl;
  process.env.NEXTAUTH_SECRET ??= secrets.authSecret;
  if (o.role === 'server') process.env.NEXTAUTH_URL ??= `http://${cfg.host === '0.0.0.0' ? 'localhost' : cfg.host}:${cfg.port}`;

  await runMigrations(databaseUrl);
  const sql = getSql();
  // The run recorder's own connection commits asynchronously: only batches of finished live runs go through it
  // (history; durable runs are written on the shared pool). ARCHITECTURE.md, "Durability".
  const recorderSql = o.role === 'server' ? connect(databaseUrl, 1, { synchronous_commit: 'off' }).sql : null;
  const lookupPool = o.role === 'server' ? createPipelinedPool(databaseUrl, cfg.lookupConnections) : null;
  // Caller lookups answered from memory while PostgreSQL's change notifications keep it coherent (lib/cdp/phone-cache.ts).
  const phoneCache = o.role === 'server' && cfg.lookupCache ? new PhoneCache() : null;
  const stopCdpWatch = phoneCache ? await watchCdpChanges(sql, phoneCache) : null;
  const worker = o.role === 'worker' || cfg.runWorker;
  // Job engine set-up (pg-boss schema, queues, schedules, workers) one process at a time: pg-boss's create_queue
  // deadlocks when several processes starting together create the same queues.
  let built: EngineHost | null = null;
  const metrics = new PatchbayMetrics({ sql, dataDir: cfg.dataDir, recorderBacklog: () => built?.recorder.backlog ?? 0 });
  const { jobs, host } = await withAdvisoryLock(sql, BOOT_LOCK, async () => {
    const jobs = await startJobEngine({ databaseUrl, worker });
    const host = new EngineHost({
      sql,
      metrics,
      recorderSql: recorderSql ?? undefined,
      lookupSql: lookupPool?.next,
      phoneCache: phoneCache ?? undefined,
      encryptionKey: secrets.encryptionKeys,
      flowTimeoutMs: cfg.flowTimeoutMs,
      allowPrivateHosts: cfg.allowPrivateHosts,
      ...jobPorts(jobs),
      startSync: syncStarter(sql, jobs),
    });
    setHost(host);
    built = host;
    registerSyncJobs({ sql, host, log: o.log, leaseMs: cfg.syncLeaseMs });
    registerRunRetention({
      sql, log: o.log, days: cfg.runRetentionDays,
      budget: { maxBytes: cfg.runMaxMb * 1048576, minAgeMs: cfg.runMinAgeHours * 3_600_000, dataDir: cfg.dataDir, diskWarnPercent: cfg.diskWarnPercent },
    });
    registerScheduledAutomations({ sql, host, log: o.log });
    await startWorkers(jobs, { host, sql, log: o.log, worker, runLeaseMs: cfg.runLeaseMs });
    return { jobs, host };
  });
  // API keys: revocations empty every server's key cache at once (LISTEN/NOTIFY).
  const stopKeyWatch = o.role === 'server' ? await watchKeyChanges(sql) : null;

  let stopping = false;
  const lifecycle = { stopping: () => stopping, markStopping: () => { stopping = true; }, worker: { expected: worker, running: () => jobs.running() } };

  return {
    cfg, secrets, databaseUrl, embedded, sql, host, jobs, lookupPool, metrics, lifecycle,
    async stop(step) {
      await step('job engine', () => jobs.stop());
      await step('run recorder', async () => { await host.close(); await recorderSql?.end({ timeout: 5 }); });
      await step('lookup connections', () => lookupPool?.end());
      await step('key listener', () => stopKeyWatch?.());
      await step('contact change listener', () => stopCdpWatch?.());
      await step('database pool', () => closeDb());
      await step('embedded database', () => embedded?.stop());
    },
  };
}
