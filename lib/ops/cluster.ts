// `npm start` with PATCHBAY_API_PROCESSES=N (N > 1): N HTTP processes on this machine sharing its port (node:cluster;
// the kernel spreads connections over them). The primary process serves nothing itself: with the embedded database
// it starts and keeps PostgreSQL (every process uses it through its URL) and stops it last; it restarts a process
// that dies and, on SIGTERM/SIGINT, stops them all (each drains its requests and jobs) before the database.
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import type { PatchbayConfig } from '../config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded';
import { runMigrations } from '../db/migrate';
import { loadSecrets } from '../secrets';

export async function runClusterPrimary(cfg: PatchbayConfig, log: (m: string) => void): Promise<void> {
  const secrets = loadSecrets(cfg);
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = cfg.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(cfg.dataDir, secrets.embeddedDbPassword, log);
    databaseUrl = embedded.url;
    log(`Embedded PostgreSQL running from ${path.join(cfg.dataDir, 'postgres')}, shared by ${cfg.apiProcesses} HTTP processes`);
  }
  // Migrated once here; the processes find the schema current.
  await runMigrations(databaseUrl);

  // The processes reach the embedded database by URL like an external one; PATCHBAY_CLUSTER_EMBEDDED lets them say
  // which it is, and only the first prints the sign-in banner.
  const env = { DATABASE_URL: databaseUrl, PATCHBAY_API_PROCESSES: '1', PATCHBAY_CLUSTER_EMBEDDED: embedded ? '1' : '0' };
  let forked = 0;
  let stopping = false;
  const fork = (): Worker => cluster.fork({ ...env, PATCHBAY_CLUSTER_QUIET: forked++ ? '1' : '0' });
  cluster.on('exit', (w, code, signal) => {
    if (stopping) return;
    log(`HTTP process ${w.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(() => { if (!stopping) fork(); }, 1_000);
  });
  for (let i = 0; i < cfg.apiProcesses; i++) fork();

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} HTTP processes …`);
    const force = setTimeout(() => process.exit(1), 45_000);
    force.unref();
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      if (w.isDead()) return resolve();
      w.once('exit', () => resolve());
      w.process.kill(signal);
    })));
    await embedded?.stop().catch((e) => console.error('[patchbay] stopping the embedded database:', (e as Error).message));
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
