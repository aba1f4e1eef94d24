// `npm run worker`: a worker-only Patchbay process (no HTTP). It runs the job engine's queues (durable delays,
// async runs, contact syncs and their schedule tick) against the same PostgreSQL as the app: DATABASE_URL,
// or, on the machine that runs `npm start` with the embedded database, the URL the app wrote to
// $PATCHBAY_DATA_DIR/runtime.json. Start as many as you like, on as many machines: pg-boss hands each job
// to one of them, and a sync whose worker dies is resumed by another once its lease runs out.
import fs from 'node:fs';
import path from 'node:path';
import { readConfig } from './lib/config';
import { closeDb, getSql } from './lib/db/client';
import { runMigrations } from './lib/db/migrate';
import { EngineHost, setHost } from './lib/engine-host/host';
import { startJobs } from './lib/jobs/runtime';
import { loadSecrets } from './lib/secrets';
import { registerRunRetention } from './lib/runs/retention';
import { registerSyncJobs } from './lib/sync/sync-jobs';

const log = (m: string) => console.log(`[patchbay worker] ${m}`);

function databaseUrlOf(cfg: ReturnType<typeof readConfig>): string {
  if (cfg.databaseUrl) return cfg.databaseUrl;
  const file = path.join(cfg.dataDir, 'runtime.json');
  if (fs.existsSync(file)) {
    const runtime = JSON.parse(fs.readFileSync(file, 'utf8')) as { databaseUrl?: string };
    if (runtime.databaseUrl) return runtime.databaseUrl;
  }
  throw new Error(`No database: set DATABASE_URL, or start the app first (npm start) so ${file} names its embedded database`);
}

async function main() {
  const cfg = readConfig();
  const databaseUrl = databaseUrlOf(cfg);
  // Same secrets as the app: the encryption key decrypts the connections' credentials (in production it must
  // come from PATCHBAY_ENCRYPTION_KEY on every machine; in demo mode it is read from the shared data folder).
  const secrets = loadSecrets(cfg);
  process.env.DATABASE_URL = databaseUrl;
  await runMigrations(databaseUrl);
  const sql = getSql();
  const allowPrivateHosts = process.env.PATCHBAY_ALLOW_PRIVATE_HOSTS ? process.env.PATCHBAY_ALLOW_PRIVATE_HOSTS === '1' : cfg.mode === 'demo';
  const host = new EngineHost({ sql, encryptionKey: secrets.encryptionKey, flowTimeoutMs: cfg.flowTimeoutMs, allowPrivateHosts });
  setHost(host);
  registerSyncJobs({ sql, host, log });
  registerRunRetention({ sql, log });
  const jobs = await startJobs({ databaseUrl, host, sql, log, worker: true });
  log(`ready (pid ${process.pid})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing the current page of running syncs, then stopping …`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    await jobs.stop().catch((e) => console.error('[patchbay worker] stopping the job engine:', (e as Error).message));
    await host.close().catch(() => {});
    await closeDb().catch(() => {});
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error('[patchbay worker] failed to start:', err instanceof Error ? err.message : err);
  if (process.env.PATCHBAY_DEBUG) console.error(err);
  process.exit(1);
});
