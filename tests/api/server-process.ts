// Starts Patchbay as a real process for API tests: on the embedded PostgreSQL (fresh data folder) or on
// the machine's PostgreSQL through DATABASE_URL (a fresh database per run).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { buildServer } from '../../scripts/build-server.mjs';

export interface StartedServer {
  baseUrl: string;
  apiKey: string;
  dataDir: string;
  databaseUrl: string;
  dbKind: 'embedded' | 'url';
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const bundles = new Map<string, Promise<string>>();
/**
 * The bundled entry point (dist/<name>.mjs) that `npm start` runs, built once per test process: the tests
 * start exactly what production runs.
 */
export function bundledEntry(name: 'server' | 'worker' | 'bench/bare-server'): Promise<string> {
  let b = bundles.get(name);
  if (!b) bundles.set(name, (b = buildServer(name)));
  return b;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const a = s.address() as net.AddressInfo; s.close(() => resolve(a.port)); });
  });
}

/** A fresh database on the server behind PATCHBAY_TEST_PG_ADMIN_URL (default: local postgres). */
export async function createScratchDatabase(prefix: string): Promise<string> {
  const admin = process.env.PATCHBAY_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  await sql.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * `detached`: the server leads its own process group (the embedded PostgreSQL it spawns joins it), so a test
 * can kill the whole group at once: `process.kill(-proc.pid, 'SIGKILL')`.
 */
export async function startServer(o: { dbKind: 'embedded' | 'url'; env?: Record<string, string>; dataDir?: string; databaseUrl?: string; detached?: boolean; nodeArgs?: string[]; entry?: string; cwd?: string }): Promise<StartedServer> {
  const port = await freePort();
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-test-'));
  const apiKey = 'pb_test_' + Math.random().toString(36).slice(2);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    PATCHBAY_DATA_DIR: dataDir,
    PATCHBAY_DEMO_API_KEY: apiKey,
    PATCHBAY_DEMO_CONTACTS: '500',
    PATCHBAY_NO_UI: '1',
    PATCHBAY_AUTOMATION_CACHE_MS: '0',
    PATCHBAY_FLOW_TIMEOUT_MS: '2000',
    ...o.env,
  };
  delete env.DATABASE_URL;
  if (o.dbKind === 'url') env.DATABASE_URL = o.databaseUrl ?? (await createScratchDatabase('patchbay_api'));
  let out = '';
  const proc = spawn(process.execPath, ['--enable-source-maps', ...(o.nodeArgs ?? []), o.entry ?? (await bundledEntry('server'))], { cwd: o.cwd ?? process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'], detached: o.detached ?? false });
  proc.stdout!.on('data', (d: Buffer) => (out += d));
  proc.stderr!.on('data', (d: Buffer) => (out += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`Patchbay exited during start:\n${out}`);
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`Patchbay did not start in time:\n${out}`); }
    if (out.includes('Ready on')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const runtime = JSON.parse(fs.readFileSync(path.join(dataDir, 'runtime.json'), 'utf8'));
  return {
    baseUrl, apiKey, dataDir, databaseUrl: runtime.databaseUrl, dbKind: o.dbKind, proc, output: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 15_000); })]);
      // A pending 15 s timer would keep the test runner's process alive after the suite.
      clearTimeout(timer);
      if (proc.exitCode === null) proc.kill('SIGKILL');
      // Grandchildren (tsx's esbuild service) may hold the pipes open: let go of them.
      proc.stdout?.destroy();
      proc.stderr?.destroy();
    },
  };
}

/** Drops a scratch database made by createScratchDatabase (after the server using it stopped). */
export async function dropScratchDatabase(url: string): Promise<void> {
  const admin = process.env.PATCHBAY_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) return;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
  await sql.end();
}
